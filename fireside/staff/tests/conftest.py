import pytest

from fireside.accounts.tests.factories import MemberFactory


@pytest.fixture
def staff(db):
    return MemberFactory(handle="sam", display_name="Sam Staff", is_staff=True)


@pytest.fixture
def superuser(db):
    return MemberFactory(
        handle="root", display_name="Ruth Root", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
