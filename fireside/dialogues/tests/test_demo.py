import pytest
from django.core.management import call_command

from fireside.dialogues.models import Dialogue


@pytest.mark.django_db
def test_load_demo_publishes_ada_and_graces_conversation(settings, client):
    settings.DEBUG = True

    call_command("load_demo")
    call_command("load_demo")

    dialogue = Dialogue.objects.visible_to(None).get()
    assert {m.handle for m in dialogue.participants()} == {"ada", "grace"}
    assert dialogue.post is not None
    assert (
        f"/d/{dialogue.pk}/" in client.get(f"/p/{dialogue.post_id}/").content.decode()
    )
