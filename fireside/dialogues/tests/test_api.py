import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Membership
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.dialogues import actions
from fireside.safety.actions import block_member
from tests.helpers import all_keys, assert_error


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


@pytest.fixture
def as_bob(api_client, bob):
    return api_client.as_member(bob)


@pytest.fixture
def as_charlie(api_client, charlie):
    return api_client.as_member(charlie)


def test_publishing_needs_both_members(
    as_alice, as_bob, api_client, conversation, post
):
    proposed = as_bob.post(
        f"conversations/{conversation.pk}/dialogue",
        json={"community": "bees", "post": post.pk, "from_seq": 1, "to_seq": 2},
    )
    assert proposed.status_code == 201, proposed.content
    dialogue_id = proposed.json()["id"]
    assert proposed.json() == {"id": dialogue_id, "state": "proposed"}

    assert api_client.get(f"dialogues/{dialogue_id}").status_code == 404
    assert as_alice.get(f"dialogues/{dialogue_id}").status_code == 404
    assert_error(as_bob.post(f"dialogues/{dialogue_id}/accept"), 403, "own_proposal")
    assert api_client.get(f"dialogues/{dialogue_id}").status_code == 404

    accepted = as_alice.post(f"dialogues/{dialogue_id}/accept")

    assert accepted.json() == {"id": dialogue_id, "state": "published"}
    body = api_client.get(f"dialogues/{dialogue_id}").json()
    assert body["state"] == "published"
    assert body["community"] == {"slug": "bees", "name": "Bees"}
    assert body["post"] == post.pk
    assert body["title"] == "Wintering bees"
    assert body["participants"] == ["bob", "alice"]
    assert [(m["seq"], m["author"]) for m in body["messages"]] == [
        (1, "bob"),
        (2, "alice"),
    ]
    assert body["messages"][1]["body_html"].strip() == (
        "<p>My grandmother kept six hives.</p>"
    )
    assert not [key for key in all_keys(body) if "count" in key]


def test_post_api_lists_the_dialogues_published_under_it(api_client, dialogue, post):
    body = api_client.get(f"posts/{post.pk}").json()

    assert [item["id"] for item in body["dialogues"]] == [dialogue.pk]
    assert body["dialogues"][0]["participants"] == ["bob", "alice"]


@pytest.mark.parametrize("who", ["as_alice", "as_bob"])
def test_withdrawal_unpublishes_at_once(api_client, dialogue, post, who, request):
    withdrawn = request.getfixturevalue(who).post(f"dialogues/{dialogue.pk}/withdraw")

    assert withdrawn.json() == {"id": dialogue.pk, "state": "withdrawn"}
    assert api_client.get(f"dialogues/{dialogue.pk}").status_code == 404
    assert api_client.get(f"posts/{post.pk}").json()["dialogues"] == []
    assert api_client.get("communities/bees/dialogues").json() == {"items": []}


def test_a_stranger_still_cannot_read_the_conversation(
    as_charlie, api_client, dialogue, conversation
):
    assert as_charlie.get(f"dialogues/{dialogue.pk}").status_code == 200
    for path in (
        f"conversations/{conversation.pk}",
        f"conversations/{conversation.pk}/messages",
        f"conversations/{conversation.pk}/dialogues",
    ):
        assert_error(as_charlie.get(path), 404, "not_found")
        assert api_client.get(path).status_code == 401


def test_a_dialogue_shows_only_its_range(api_client, conversation, bob, alice, post):
    proposal = actions.propose_dialogue(
        conversation, by=bob, post=post, from_seq=2, to_seq=3
    )
    actions.accept_dialogue(proposal, by=alice)

    body = api_client.get(f"dialogues/{proposal.pk}").json()

    assert [m["seq"] for m in body["messages"]] == [2, 3]
    assert "grandmother" in body["messages"][0]["body_html"]
    assert "What got you into bees" not in str(body)
    assert "That is a good story" not in str(body)


def test_propose_checks_the_range(as_bob, conversation):
    response = as_bob.post(
        f"conversations/{conversation.pk}/dialogue",
        json={"community": "bees", "from_seq": 3, "to_seq": 9},
    )

    body = assert_error(response, 400, "bad_range")
    assert "between 1 and 4" in body["errors"]["to_seq"][0]


def test_propose_checks_both_are_members(as_bob, alice, conversation):
    CommunityFactory(created_by=alice, slug="knitting", name="Knitting")

    response = as_bob.post(
        f"conversations/{conversation.pk}/dialogue", json={"community": "knitting"}
    )

    body = assert_error(response, 400, "not_both_members")
    assert body["errors"]["community"] == ["You are not a member of Knitting."]


def test_propose_without_a_place_is_refused(as_bob, conversation):
    response = as_bob.post(f"conversations/{conversation.pk}/dialogue", json={})

    assert_error(response, 400, "no_community")


def test_propose_to_an_unknown_community_is_refused(as_bob, conversation):
    response = as_bob.post(
        f"conversations/{conversation.pk}/dialogue", json={"community": "nowhere"}
    )

    assert_error(response, 404, "not_found")


def test_propose_on_someone_elses_conversation_is_404(as_charlie, conversation):
    response = as_charlie.post(
        f"conversations/{conversation.pk}/dialogue", json={"community": "bees"}
    )

    assert_error(response, 404, "not_found")


def test_answering_someone_elses_proposal_is_404(as_charlie, proposal):
    assert_error(as_charlie.post(f"dialogues/{proposal.pk}/accept"), 404, "not_found")
    assert_error(as_charlie.post(f"dialogues/{proposal.pk}/withdraw"), 404, "not_found")


def test_the_two_members_review_a_proposal_through_their_conversation(
    as_alice, proposal, conversation
):
    items = as_alice.get(f"conversations/{conversation.pk}/dialogues").json()

    assert [(d["id"], d["state"], d["proposed_by"]) for d in items] == [
        (proposal.pk, "proposed", "bob")
    ]
    assert len(items[0]["messages"]) == 4


def test_notices_say_in_words_what_happened(as_bob, dialogue):
    notices = as_bob.get("me/dialogue-notices").json()

    assert [notice["kind"] for notice in notices] == ["published"]
    assert notices[0]["text"].startswith("Your conversation with @alice became")


@pytest.fixture
def private_dialogue(conversation, bob, alice, private_community):
    proposal = actions.propose_dialogue(
        conversation, by=bob, community=private_community
    )
    return actions.accept_dialogue(proposal, by=alice)


def test_visibility_of_a_dialogue_in_an_open_community(
    api_client, dialogue, alice, bob, charlie
):
    block_member(charlie, by=alice)
    moderator = MemberFactory()
    MembershipFactory(
        community=dialogue.community, member=moderator, role=Membership.Role.MODERATOR
    )
    readers = [None, alice, bob, charlie, moderator, MemberFactory()]

    for reader in readers:
        client = api_client.as_member(reader) if reader else api_client
        assert client.get(f"dialogues/{dialogue.pk}").status_code == 200, reader


def test_visibility_of_a_dialogue_in_an_invite_community(
    api_client, private_dialogue, alice, bob, charlie
):
    member = MemberFactory()
    MembershipFactory(community=private_dialogue.community, member=member)
    elsewhere_moderator = MemberFactory()
    MembershipFactory(
        community=CommunityFactory(),
        member=elsewhere_moderator,
        role=Membership.Role.MODERATOR,
    )
    expected = {
        None: 404,
        charlie: 404,
        elsewhere_moderator: 404,
        alice: 200,
        bob: 200,
        member: 200,
    }

    for reader, status in expected.items():
        client = api_client.as_member(reader) if reader else api_client
        assert client.get(f"dialogues/{private_dialogue.pk}").status_code == status
