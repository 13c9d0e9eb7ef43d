import pytest

from fireside.dialogues import actions
from fireside.dialogues.models import Dialogue


def test_dialogue_page_shows_the_two_voices_to_anyone(client, dialogue):
    response = client.get(f"/d/{dialogue.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Wintering bees" in page
    assert "My grandmother kept six hives." in page
    assert "<strong>neighbour</strong>" in page  # rendered through the sanitizer
    assert "Talk 1:1 with @bob about this" in page
    assert "Talk 1:1 with @alice about this" in page
    assert f"post={dialogue.post_id}" in page
    assert "<textarea" not in page  # readers cannot reply in public


def test_dialogue_page_hides_the_talk_buttons_from_its_members(client, dialogue, bob):
    client.force_login(bob)

    page = client.get(f"/d/{dialogue.pk}/").content.decode()

    assert "Talk 1:1 with" not in page
    assert "Withdraw this dialogue" in page


def test_withdrawn_dialogue_is_gone_from_every_page(client, dialogue, alice, post):
    client.force_login(alice)
    client.post(f"/dialogues/{dialogue.pk}/withdraw/")
    client.logout()

    assert client.get(f"/d/{dialogue.pk}/").status_code == 404
    assert f"/d/{dialogue.pk}/" not in client.get(f"/p/{post.pk}/").content.decode()
    assert f"/d/{dialogue.pk}/" not in client.get("/c/bees/").content.decode()
    assert f"/d/{dialogue.pk}/" not in client.get("/c/bees/dialogues/").content.decode()


def test_post_and_community_pages_list_the_dialogue(client, dialogue, post):
    for path in (f"/p/{post.pk}/", "/c/bees/", "/c/bees/dialogues/"):
        assert f"/d/{dialogue.pk}/" in client.get(path).content.decode(), path


def test_a_stranger_gets_404_on_the_conversation_pages(client, dialogue, charlie):
    client.force_login(charlie)
    conversation = dialogue.conversation

    assert client.get(f"/d/{dialogue.pk}/").status_code == 200
    for path in (
        f"/conversations/{conversation.pk}/",
        f"/conversations/{conversation.pk}/messages/",
        f"/conversations/{conversation.pk}/dialogue/",
        f"/dialogues/{dialogue.pk}/review/",
    ):
        assert client.get(path).status_code == 404, path


def test_conversation_page_offers_to_publish(client, conversation, alice):
    client.force_login(alice)

    page = client.get(f"/conversations/{conversation.pk}/").content.decode()

    assert f"/conversations/{conversation.pk}/dialogue/" in page
    assert "Publish as a dialogue" in page


def test_propose_page_previews_then_proposes_without_javascript(
    client, conversation, bob, alice
):
    client.force_login(bob)
    path = f"/conversations/{conversation.pk}/dialogue/"
    chosen = {"community": "bees", "from_seq": "2", "to_seq": "3", "title": ""}

    preview = client.post(path, {**chosen, "preview": "1"})

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "messages 2 to 3" in page
    assert "My grandmother kept six hives." in page
    assert "What got you into bees?" not in page
    assert not Dialogue.objects.exists()

    proposed = client.post(path, chosen)

    dialogue = Dialogue.objects.get()
    assert proposed.status_code == 302
    assert proposed["Location"] == f"/dialogues/{dialogue.pk}/review/"
    assert (dialogue.from_seq, dialogue.to_seq, dialogue.state) == (2, 3, "proposed")


def test_propose_page_answers_htmx_with_the_preview_only(client, conversation, bob):
    client.force_login(bob)

    response = client.get(
        f"/conversations/{conversation.pk}/dialogue/",
        {"community": "bees", "from_seq": "4", "to_seq": "4"},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="preview"')
    assert "That is a good story." in page


def test_propose_page_shows_the_range_error(client, conversation, bob):
    client.force_login(bob)

    response = client.post(
        f"/conversations/{conversation.pk}/dialogue/",
        {"community": "bees", "from_seq": "3", "to_seq": "2"},
    )

    assert response.status_code == 400
    assert "The last message cannot come before the first." in response.content.decode()


def test_review_page_shows_the_exact_messages_and_the_answer(client, proposal, alice):
    client.force_login(alice)

    page = client.get(f"/dialogues/{proposal.pk}/review/").content.decode()

    assert "Bob Brandt asks to publish messages 1 to 4" in page
    assert "A private aside about my <strong>neighbour</strong>." in page
    assert f"/dialogues/{proposal.pk}/accept/" in page


def test_review_page_gives_the_proposer_no_accept(client, proposal, bob):
    client.force_login(bob)

    page = client.get(f"/dialogues/{proposal.pk}/review/").content.decode()

    assert f"/dialogues/{proposal.pk}/accept/" not in page
    assert "Withdraw the proposal" in page


def test_accept_page_publishes_and_goes_to_the_dialogue(client, proposal, alice):
    client.force_login(alice)

    response = client.post(f"/dialogues/{proposal.pk}/accept/")

    assert response["Location"] == f"/d/{proposal.pk}/"
    proposal.refresh_from_db()
    assert proposal.state == "published"


def test_accept_page_refuses_the_proposer(client, proposal, bob):
    client.force_login(bob)

    response = client.post(f"/dialogues/{proposal.pk}/accept/")

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == "proposed"


def test_inbox_tells_the_author_in_words(client, dialogue, alice):
    client.force_login(alice)

    page = client.get("/conversations/").content.decode()

    assert "Your conversation with @bob became a dialogue" in page
    client.get(f"/d/{dialogue.pk}/")
    assert "became a dialogue" not in client.get("/conversations/").content.decode()


@pytest.mark.parametrize("reader", [None, "charlie"])
def test_a_dialogue_in_an_invite_community_is_hidden_from_outsiders(
    client, conversation, bob, alice, private_community, reader, request
):
    proposal = actions.propose_dialogue(
        conversation, by=bob, community=private_community
    )
    actions.accept_dialogue(proposal, by=alice)
    if reader:
        client.force_login(request.getfixturevalue(reader))

    assert client.get(f"/d/{proposal.pk}/").status_code == 404
