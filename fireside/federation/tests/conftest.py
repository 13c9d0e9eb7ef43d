import pytest

DOMAIN = "fireside.example"


@pytest.fixture
def federation(settings):
    """Federation on, as a deployment at https://fireside.example would have it."""
    settings.FIRESIDE_DOMAIN = DOMAIN
    settings.SITE_URL = f"https://{DOMAIN}"
    return settings


from fireside.federation.tests.peer import remote  # noqa: E402, F401  (a fixture)
