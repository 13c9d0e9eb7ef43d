import pytest
from django.core.management import call_command

from fireside.moderation.models import Case, Report
from fireside.safety.models import Mute


@pytest.mark.django_db
def test_demo_has_a_mute_and_an_open_case_for_the_city_skies_cohort(settings, client):
    settings.DEBUG = True

    call_command("load_demo")
    call_command("load_demo")

    assert Mute.objects.filter(muter__handle="noor", muted__handle="linus").exists()
    case = Case.objects.unresolved().get()
    assert case.community.slug == "city-skies"
    assert Report.objects.count() == 1
    client.force_login(case.community.memberships.get(role="lead").member)
    page = client.get("/c/city-skies/cases/").content.decode()
    assert "Building a dew shield" in page
