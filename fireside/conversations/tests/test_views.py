import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions, queries
from fireside.conversations.models import Conversation, Message
from fireside.conversations.tests.factories import share_community
from fireside.posts.tests.factories import PostFactory
from fireside.safety.actions import block_member
from fireside.safety.models import Block
from tests.helpers import field_error

HTMX = {"HX-Request": "true"}


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def main_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", html[html.index("<main") : html.index("</main>")])


def visible_text(html):
    """The words a reader sees: tags and <time> elements (dates) taken out."""
    html = re.sub(r"<time[^>]*>.*?</time>", " ", html)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def requested(alice, bob):
    share_community(alice, bob)
    return actions.request_conversation(by=alice, to=bob, message="Hello *Bob*")


@pytest.fixture
def talking(requested, bob):
    return actions.accept_conversation(requested, by=bob)


def detail_url(conversation):
    return f"/conversations/{conversation.pk}/"


# Who may open the pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/conversations/",
        "/conversations/requests/",
        "/conversations/new/?to=bob",
        "/settings/requests/",
        "/settings/blocks/",
        "/settings/blocks/@bob/",
    ],
)
def test_pages_send_an_anonymous_visitor_to_log_in(client, bob, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_conversation_detail_sends_an_anonymous_visitor_to_log_in(client, talking):
    response = client.get(detail_url(talking))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", ""),
        ("get", "messages/?after=0"),
        ("post", "accept/"),
        ("post", "decline/"),
        ("post", "archive/"),
        ("get", "messages/1/edit/"),
        ("post", "messages/1/delete/"),
    ],
)
def test_conversation_pages_are_404_for_a_stranger(
    client, talking, charlie, method, suffix
):
    client.force_login(charlie)

    response = getattr(client, method)(detail_url(talking) + suffix, {"body": "Hi"})

    assert response.status_code == 404
    assert "Hello" not in response.content.decode()


def test_conversation_detail_shows_the_messages_to_a_participant(
    client, talking, alice, bob
):
    actions.send_message(talking, by=bob, body="Hi **Alice**")
    client.force_login(alice)

    response = client.get(detail_url(talking))

    assert response.status_code == 200
    page = main_of(response)
    assert page.index("Hello <em>Bob</em>") < page.index("Hi <strong>Alice</strong>")
    assert 'id="m1" class="message mine"' in page
    assert 'id="m2" class="message theirs"' in page
    assert 'aria-live="polite"' in page
    assert "Your turn — Bob Brandt wrote last." in page
    assert "fireside/conversation.js" in page


# Request, accept, send: the whole way without JavaScript ------------------------------


def test_conversation_journey_without_javascript(client, alice, bob):
    share_community(alice, bob)
    post = PostFactory(author=bob)
    client.force_login(alice)

    page = client.get(f"/conversations/new/?to=bob&post={post.pk}")
    assert page.status_code == 200
    assert "Opening message" in text_of(page)
    asked = client.post(
        f"/conversations/new/?to=bob&post={post.pk}", {"message": "About your post"}
    )
    conversation = Conversation.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == detail_url(conversation)
    assert conversation.post == post
    assert "Waiting for Bob Brandt to accept" in main_of(
        client.get(detail_url(conversation))
    )

    client.force_login(bob)
    inbox = client.get("/conversations/")
    assert "Requests (1 waiting for you)" in visible_text(inbox.content.decode())
    tray = main_of(client.get("/conversations/requests/"))
    assert "About your post" in tray
    assert "Alice Ames" in tray
    assert "expires on" in tray
    accepted = client.post(f"/conversations/{conversation.pk}/accept/")
    assert accepted.status_code == 302
    assert accepted["Location"] == detail_url(conversation)

    sent = client.post(detail_url(conversation), {"body": "Gladly, Alice."})
    assert sent.status_code == 302
    assert sent["Location"] == detail_url(conversation) + "#m2"
    client.force_login(alice)
    page = main_of(client.get(detail_url(conversation)))
    assert "Gladly, Alice." in page
    assert "Your turn" in page
    assert list(conversation.messages.values_list("seq", "author__handle")) == [
        (1, "alice"),
        (2, "bob"),
    ]


def test_request_decline_says_not_now_and_goes_back_to_the_tray(client, requested, bob):
    client.force_login(bob)

    response = client.post(f"/conversations/{requested.pk}/decline/", follow=True)

    assert response.redirect_chain == [("/conversations/requests/", 302)]
    assert "Not now, then." in text_of(response)
    assert "No requests wait for you" in text_of(response)
    requested.refresh_from_db()
    assert requested.state == Conversation.State.DECLINED


def test_request_accept_by_the_sender_is_refused(client, requested, alice):
    client.force_login(alice)

    response = client.post(f"/conversations/{requested.pk}/accept/")

    assert response.status_code == 403
    assert "Only the person asked can answer" in text_of(response)


def test_conversation_detail_post_remembers_a_client_id(client, talking, bob):
    client.force_login(bob)

    for _ in range(2):
        response = client.post(
            detail_url(talking), {"body": "Once only", "client_id": "abc"}
        )
        assert response["Location"] == detail_url(talking) + "#m2"

    assert talking.messages.count() == 2


# HTMX fragments ---------------------------------------------------------------------


def test_request_accept_with_htmx_swaps_the_row(client, requested, bob):
    client.force_login(bob)

    response = client.post(f"/conversations/{requested.pk}/accept/", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="request-{requested.pk}"')
    assert "You accepted." in html
    assert f'href="{detail_url(requested)}"' in html
    assert "<html" not in html


def test_request_decline_with_htmx_swaps_the_row(client, requested, bob):
    client.force_login(bob)

    response = client.post(f"/conversations/{requested.pk}/decline/", headers=HTMX)

    assert response.status_code == 200
    assert "Not now, then." in response.content.decode()
    assert "Open the conversation" not in response.content.decode()


def test_conversation_messages_fragment_brings_only_newer_messages(
    client, talking, alice, bob
):
    actions.send_message(talking, by=bob, body="Second")
    actions.send_message(talking, by=bob, body="Third")
    client.force_login(alice)

    response = client.get(detail_url(talking) + "messages/?after=2", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Third" in html
    assert "Second" not in html
    assert "Hello" not in html
    assert 'hx-swap-oob="beforeend:#messages"' in html
    assert '"after": 3' in html
    assert 'id="turn"' in html
    assert "Your turn" in html
    talking.refresh_from_db()
    assert talking.initiator_read_seq == 3


def test_conversation_messages_fragment_without_news_keeps_polling(
    client, talking, bob
):
    client.force_login(bob)

    html = client.get(detail_url(talking) + "messages/?after=1").content.decode()

    assert 'id="poller"' in html
    assert "beforeend:#messages" not in html


def test_conversation_detail_with_htmx_post_answers_a_client_redirect(
    client, talking, bob
):
    client.force_login(bob)

    response = client.post(detail_url(talking), {"body": "Via htmx"}, headers=HTMX)

    assert response["HX-Redirect"] == detail_url(talking) + "#m2"


# Errors next to the field -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Write a message first."),
        (
            "x" * 4001,
            "A message can have at most 4,000 characters; this one has 4,001.",
        ),
    ],
)
def test_conversation_detail_shows_a_refused_message_next_to_the_field(
    client, talking, bob, body, error
):
    client.force_login(bob)

    response = client.post(detail_url(talking), {"body": body})

    assert response.status_code == 400
    assert field_error(response, "body") == error
    assert talking.messages.count() == 1


def test_conversation_detail_takes_exactly_4000_characters(client, talking, bob):
    client.force_login(bob)

    response = client.post(detail_url(talking), {"body": "x" * 4000})

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("", "Write a message first."),
        (
            "y" * 4001,
            "A message can have at most 4,000 characters; this one has 4,001.",
        ),
    ],
)
def test_conversation_new_shows_a_refused_opening_next_to_the_field(
    client, alice, bob, message, error
):
    share_community(alice, bob)
    client.force_login(alice)

    response = client.post("/conversations/new/?to=bob", {"message": message})

    assert response.status_code == 400
    assert field_error(response, "message") == error
    assert not Conversation.objects.exists()


def test_conversation_detail_has_no_composer_once_archived(client, talking, alice):
    client.force_login(alice)
    archived = client.post(detail_url(talking) + "archive/")
    assert archived["Location"] == detail_url(talking)

    page = main_of(client.get(detail_url(talking)))
    refused = client.post(detail_url(talking), {"body": "Still there?"})

    assert "This conversation is archived." in page
    assert 'id="composer"' not in page
    assert refused.status_code == 403
    assert "This conversation is archived." in text_of(refused)


# Reasons instead of the request form -----------------------------------------------


def test_conversation_new_explains_a_block(client, alice, bob):
    share_community(alice, bob)
    block_member(alice, by=bob)
    client.force_login(alice)

    response = client.get("/conversations/new/?to=bob")

    assert response.status_code == 403
    assert "@bob does not take requests from you." in text_of(response)
    assert "<textarea" not in text_of(response)


def test_conversation_new_explains_who_may_ask(client, alice, bob):
    bob.who_may_ask = Member.WhoMayAsk.SHARED_COMMUNITY
    bob.save()
    client.force_login(alice)

    refused = client.get("/conversations/new/?to=bob")
    share_community(alice, bob)
    allowed = client.get("/conversations/new/?to=bob")

    assert refused.status_code == 403
    assert "takes requests from members of a community you share" in text_of(refused)
    assert allowed.status_code == 200
    assert "<textarea" in allowed.content.decode()


def test_conversation_new_links_to_the_open_conversation(client, talking, alice):
    client.force_login(alice)

    response = client.get("/conversations/new/?to=bob")

    assert response.status_code == 403
    assert "You already have an open conversation with @bob." in text_of(response)
    assert f'href="{detail_url(talking)}"' in text_of(response)


def test_conversation_new_refuses_oneself(client, alice):
    client.force_login(alice)

    response = client.get("/conversations/new/?to=alice")

    assert response.status_code == 403
    assert "You cannot ask yourself" in text_of(response)


def test_conversation_new_is_404_for_an_unknown_member(client, alice):
    client.force_login(alice)

    assert client.get("/conversations/new/?to=nobody_here").status_code == 404


# Inbox ------------------------------------------------------------------------------


def test_inbox_lists_your_turn_first_and_marks_unread(client, alice, bob, charlie):
    dora = MemberFactory(handle="dora", display_name="Dora Diaz")
    share_community(alice, bob, charlie, dora)
    with_bob = actions.request_conversation(by=alice, to=bob, message="Hi Bob")
    actions.accept_conversation(with_bob, by=bob)
    with_charlie = actions.request_conversation(by=charlie, to=alice, message="Hi")
    actions.accept_conversation(with_charlie, by=alice)
    actions.send_message(with_charlie, by=charlie, body="Your move")
    # Alice wrote last to Dora, and most recently: still not her turn.
    with_dora = actions.request_conversation(by=alice, to=dora, message="Hi Dora")
    client.force_login(alice)

    page = main_of(client.get("/conversations/"))

    assert page.index("Charlie Chen") < page.index("Dora Diaz")
    assert page.index("Charlie Chen") < page.index("Bob Brandt")
    charlie_row = page[page.index("Charlie Chen") - 200 : page.index("Dora Diaz")]
    assert "is-unread" in charlie_row
    assert "(unread)" in charlie_row
    assert "Your turn" in charlie_row
    assert "Waiting for an answer" in page
    assert page.count("(unread)") == 1
    assert with_dora.pk


def test_inbox_leaves_requests_to_you_in_the_tray(client, requested, bob):
    client.force_login(bob)

    page = main_of(client.get("/conversations/"))

    assert "Alice Ames" not in page
    assert "Requests (1 waiting for you)" in visible_text(page)


def test_inbox_shows_no_number_but_dates_and_requests_waiting(
    client, talking, alice, bob, charlie
):
    share_community(charlie, alice)
    actions.request_conversation(by=charlie, to=alice, message="Talk?")
    for n in range(3):
        actions.send_message(talking, by=bob, body=f"Message {n}")
    client.force_login(alice)

    text = visible_text(main_of(client.get("/conversations/")))

    assert re.findall(r"\d+", text) == ["1"]
    assert "(1 waiting for you)" in text


def test_inbox_explains_what_to_do_when_empty(client, alice):
    client.force_login(alice)

    page = main_of(client.get("/conversations/"))

    assert "No conversations yet" in page
    assert "waiting" not in page


def test_inbox_pins_its_query_count(client, alice, django_assert_num_queries):
    for _ in range(3):
        other = MemberFactory()
        share_community(alice, other)
        conversation = actions.request_conversation(by=other, to=alice, message="Hi")
        actions.accept_conversation(conversation, by=alice)
    client.force_login(alice)

    # The 8th reads the pile-on notice, if any; the 9th the dialogue notices.
    with django_assert_num_queries(9):
        client.get("/conversations/")


def test_requests_tray_explains_what_to_do_when_empty(client, alice):
    client.force_login(alice)

    assert "No requests wait for you" in main_of(client.get("/conversations/requests/"))


def test_requests_tray_leaves_out_an_expired_request(client, requested, bob):
    Conversation.objects.filter(pk=requested.pk).update(
        created_at=timezone.now() - timedelta(days=15)
    )
    client.force_login(bob)

    assert "Alice Ames" not in main_of(client.get("/conversations/requests/"))


# Messages: read marker, edit and delete ---------------------------------------------


def test_conversation_detail_shows_seen_under_the_last_message_read(
    client, talking, alice, bob
):
    actions.send_message(talking, by=alice, body="Second")
    actions.send_message(talking, by=alice, body="Third")
    talking.refresh_from_db()
    actions.mark_read(talking, by=bob, seq=2)
    client.force_login(alice)

    page = main_of(client.get(detail_url(talking)))

    second = page[page.index('id="m2"') : page.index('id="m3"')]
    assert page.count(">Seen<") == 1
    assert ">Seen<" in second


def test_conversation_detail_marks_messages_read(client, talking, alice, bob):
    actions.send_message(talking, by=bob, body="New")
    client.force_login(alice)

    client.get(detail_url(talking))

    talking.refresh_from_db()
    assert talking.initiator_read_seq == 2


def test_message_edit_within_five_minutes(client, talking, alice):
    client.force_login(alice)
    assert "Edit" in main_of(client.get(detail_url(talking)))

    response = client.post(detail_url(talking) + "messages/1/edit/", {"body": "Hi!"})

    assert response["Location"] == detail_url(talking) + "#m1"
    page = main_of(client.get(detail_url(talking)))
    assert "Hi!" in page
    assert "edited" in page


def test_message_edit_after_five_minutes_is_refused(client, talking, alice):
    Message.objects.filter(conversation=talking).update(
        sent_at=timezone.now() - timedelta(minutes=6)
    )
    client.force_login(alice)

    page = main_of(client.get(detail_url(talking)))
    response = client.post(detail_url(talking) + "messages/1/edit/", {"body": "Hi!"})

    assert "messages/1/edit/" not in page
    assert response.status_code == 403
    assert "5 minutes" in text_of(response)


def test_message_edit_of_the_other_members_message_is_refused(client, talking, bob):
    client.force_login(bob)

    response = client.post(detail_url(talking) + "messages/1/edit/", {"body": "Mine"})

    assert response.status_code == 403


def test_message_delete_asks_then_leaves_a_tombstone(client, talking, alice):
    client.force_login(alice)

    confirm = client.get(detail_url(talking) + "messages/1/delete/")
    deleted = client.post(detail_url(talking) + "messages/1/delete/")

    assert "Delete your message?" in text_of(confirm)
    assert deleted["Location"] == detail_url(talking) + "#m1"
    page = main_of(client.get(detail_url(talking)))
    assert "message deleted" in page
    assert "Hello" not in page


def test_message_delete_with_htmx_answers_a_client_redirect(client, talking, alice):
    client.force_login(alice)

    response = client.post(detail_url(talking) + "messages/1/delete/", headers=HTMX)

    assert response["HX-Redirect"] == detail_url(talking) + "#m1"


# Talk 1:1 links ---------------------------------------------------------------------


def test_post_detail_offers_talk_1_1_to_a_reader_only(client, alice, bob):
    post = PostFactory(author=bob)
    link = f"/conversations/new/?to=bob&amp;post={post.pk}"
    client.force_login(alice)
    as_reader = client.get(f"/p/{post.pk}/").content.decode()
    client.force_login(bob)
    as_author = client.get(f"/p/{post.pk}/").content.decode()

    assert link in as_reader
    assert "Talk 1:1 with the author" in as_reader
    assert link not in as_author


def test_member_detail_offers_talk_1_1_to_others_only(client, alice, bob):
    client.force_login(alice)

    on_bob = main_of(client.get("/@bob/"))
    on_self = main_of(client.get("/@alice/"))

    assert 'href="/conversations/new/?to=bob"' in on_bob
    assert "Talk 1:1" not in on_self


# Block, blocks list and who may ask -------------------------------------------------


def test_block_create_asks_then_ends_the_conversation(client, talking, alice):
    client.force_login(alice)
    page = main_of(client.get(detail_url(talking)))
    assert 'href="/settings/blocks/@bob/"' in page

    confirm = client.get("/settings/blocks/@bob/")
    blocked = client.post("/settings/blocks/@bob/", follow=True)

    assert "Block Bob Brandt?" in text_of(confirm)
    assert blocked.redirect_chain == [("/settings/blocks/", 302)]
    assert "You blocked Bob Brandt." in text_of(blocked)
    talking.refresh_from_db()
    assert talking.state == Conversation.State.ENDED
    assert "This conversation has ended." in main_of(client.get(detail_url(talking)))


def test_block_list_lifts_a_block(client, alice, bob):
    block_member(bob, by=alice)
    client.force_login(alice)
    assert "Bob Brandt" in main_of(client.get("/settings/blocks/"))

    response = client.post("/settings/blocks/@bob/lift/", follow=True)

    assert "You unblocked Bob Brandt." in text_of(response)
    assert not Block.objects.exists()


def test_block_lift_with_htmx_swaps_the_row(client, alice, bob):
    block_member(bob, by=alice)
    client.force_login(alice)

    response = client.post("/settings/blocks/@bob/lift/", headers=HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<li id="block-bob"')
    assert "You unblocked Bob Brandt." in html


def test_block_list_explains_what_to_do_when_empty(client, alice):
    client.force_login(alice)

    assert "You have not blocked anyone." in main_of(client.get("/settings/blocks/"))


def test_request_settings_saves_who_may_ask(client, alice):
    client.force_login(alice)
    assert 'href="/settings/requests/"' in main_of(client.get("/settings/"))

    response = client.post("/settings/requests/", {"who_may_ask": "trusted"})

    assert response["Location"] == "/settings/requests/"
    alice.refresh_from_db()
    assert alice.who_may_ask == Member.WhoMayAsk.TRUSTED


def test_request_settings_refuses_an_unknown_choice(client, alice):
    client.force_login(alice)

    response = client.post("/settings/requests/", {"who_may_ask": "everyone_ever"})

    assert response.status_code == 400
    assert field_error(response, "who_may_ask")


def test_inbox_loads_more_without_skipping_or_repeating(client, alice):
    others = [MemberFactory() for _ in range(queries.INBOX_PAGE + 4)]
    share_community(alice, *others)
    for number, other in enumerate(others):
        asked = actions.request_conversation(by=other, to=alice, message="Hi")
        actions.accept_conversation(asked, by=alice)
        if number % 3 == 0:
            # Alice answered these: not her turn.
            actions.send_message(asked, by=alice, body="Hello back")
    client.force_login(alice)

    first = client.get("/conversations/").content.decode()
    shown_first = re.findall(r'<span class="handle">@(\w+)</span>', first)
    after = re.search(r'href="/conversations/\?after=([^"]+)"', first).group(1)
    more = client.get(
        f"/conversations/?after={after}", headers={"HX-Request": "true"}
    ).content.decode()
    shown_more = re.findall(r'<span class="handle">@(\w+)</span>', more)

    assert len(shown_first) == queries.INBOX_PAGE
    assert "<html" not in more  # just the rows and what comes after them
    assert "That is every conversation you have." in more
    assert sorted(shown_first + shown_more) == sorted(o.handle for o in others)
    turns = shown_first + shown_more
    answered = {o.handle for n, o in enumerate(others) if n % 3 == 0}
    # Every conversation waiting on Alice comes before every one waiting on others.
    last_waiting = max(i for i, h in enumerate(turns) if h not in answered)
    first_answered = min(i for i, h in enumerate(turns) if h in answered)
    assert last_waiting < first_answered


def test_inbox_with_a_damaged_cursor_starts_again_from_the_top(client, alice):
    client.force_login(alice)

    response = client.get("/conversations/?after=not-a-cursor")

    assert response.status_code == 302
    assert response["Location"] == "/conversations/"
