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


@pytest.mark.django_db
def test_demo_has_a_pending_ban_and_a_warning_in_the_log(settings, client):
    from fireside.moderation.models import ModAction

    settings.DEBUG = True

    call_command("load_demo")
    call_command("load_demo")

    kinds = dict(ModAction.objects.values_list("kind", "state"))
    assert kinds == {"ban": "pending", "warn": "in_force"}
    log = client.get("/c/city-skies/log/").content.decode().lower()
    assert "warned" in log
    assert "banned" not in log
    assert "linus" not in log
