import pytest
from asgiref.sync import sync_to_async

from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations import actions as conversations
from fireside.conversations.models import Message
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.dialogues import actions
from fireside.dialogues.models import Dialogue, DialogueNotice
from fireside.dialogues.notices import notice_text
from fireside.dialogues.queries import dialogue_turns
from tests.helpers import run_async

TIMEOUT = 5


def test_propose_dialogue_stays_proposed_until_the_other_accepts(proposal, alice, bob):
    assert proposal.state == Dialogue.State.PROPOSED
    assert (proposal.from_seq, proposal.to_seq) == (1, 4)
    assert not Dialogue.objects.visible_to(alice).exists()

    with pytest.raises(NotAllowed) as refusal:
        actions.accept_dialogue(proposal, by=bob)

    assert refusal.value.code == "own_proposal"
    proposal.refresh_from_db()
    assert proposal.state == Dialogue.State.PROPOSED
    actions.accept_dialogue(proposal, by=alice)
    assert list(Dialogue.objects.visible_to(None)) == [proposal]


def test_propose_dialogue_refuses_a_second_open_proposal(proposal, conversation, alice):
    with pytest.raises(NotAllowed) as refusal:
        actions.propose_dialogue(conversation, by=alice, community=proposal.community)

    assert refusal.value.code == "already_proposed"


def test_propose_dialogue_by_a_stranger_is_refused(conversation, charlie, community):
    MembershipFactory(community=community, member=charlie)

    with pytest.raises(NotAllowed) as refusal:
        actions.propose_dialogue(conversation, by=charlie, community=community)

    assert refusal.value.code == "not_participant"


@pytest.mark.parametrize(
    ("from_seq", "to_seq", "field"),
    [(3, 2, "to_seq"), (1, 5, "to_seq"), (5, 5, "from_seq"), (0, 2, "from_seq")],
)
def test_propose_dialogue_checks_the_range(
    conversation, bob, community, from_seq, to_seq, field
):
    with pytest.raises(ValidationFailed) as refusal:
        actions.propose_dialogue(
            conversation,
            by=bob,
            community=community,
            from_seq=from_seq,
            to_seq=to_seq,
        )

    assert refusal.value.code == "bad_range"
    assert field in refusal.value.errors


def test_propose_dialogue_of_deleted_messages_only_is_refused(
    conversation, alice, community
):
    conversations.delete_message(conversation.messages.get(seq=2), by=alice)

    with pytest.raises(ValidationFailed) as refusal:
        actions.propose_dialogue(
            conversation, by=alice, community=community, from_seq=2, to_seq=2
        )

    assert refusal.value.code == "empty_range"


def test_propose_dialogue_needs_both_in_the_community(conversation, alice, bob):
    only_alice = CommunityFactory(created_by=alice, name="Knitting")

    with pytest.raises(ValidationFailed) as refusal:
        actions.propose_dialogue(conversation, by=alice, community=only_alice)

    assert refusal.value.code == "not_both_members"
    assert "@bob is not a member of Knitting" in refusal.value.errors["community"][0]


def test_propose_dialogue_of_a_request_is_refused(alice, charlie, community):
    MembershipFactory(community=community, member=charlie)
    request = conversations.request_conversation(
        by=charlie, to=alice, message="Hello there"
    )

    with pytest.raises(NotAllowed) as refusal:
        actions.propose_dialogue(request, by=charlie, community=community)

    assert refusal.value.code == "not_publishable"


def test_propose_dialogue_under_a_post_elsewhere_is_refused(
    conversation, bob, post, private_community
):
    with pytest.raises(ValidationFailed) as refusal:
        actions.propose_dialogue(
            conversation, by=bob, community=private_community, post=post
        )

    assert refusal.value.code == "post_elsewhere"


def test_accept_dialogue_keeps_the_words_agreed_to(dialogue, alice, conversation):
    message = conversation.messages.get(seq=2)
    conversations.edit_message(message, by=alice, body="Something else entirely.")

    bodies = [turn.body for turn in dialogue_turns(dialogue)]

    assert bodies[1] == "My grandmother kept six hives."


def test_deleting_a_message_leaves_a_tombstone_in_the_dialogue(
    dialogue, alice, conversation
):
    conversations.delete_message(conversation.messages.get(seq=2), by=alice)

    turn = dialogue_turns(dialogue)[1]

    assert turn.is_deleted
    assert turn.body == ""
    assert dialogue.messages.get(seq=2).body == ""


def test_decline_dialogue_publishes_nothing_and_tells_the_proposer(
    proposal, alice, bob
):
    actions.decline_dialogue(proposal, by=alice)

    assert proposal.state == Dialogue.State.DECLINED
    assert not Dialogue.objects.visible_to(bob).exists()
    notice = DialogueNotice.objects.get(member=bob, kind="declined")
    assert notice_text(notice) == (
        "@alice chose not to publish your conversation in Bees. It stays private "
        "between you."
    )


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_withdraw_dialogue_by_either_member_unpublishes_it(dialogue, who, request):
    member = request.getfixturevalue(who)

    actions.withdraw_dialogue(dialogue, by=member)

    assert dialogue.state == Dialogue.State.WITHDRAWN
    assert dialogue.withdrawn_by == member
    assert not Dialogue.objects.visible_to(None).exists()
    assert not dialogue.messages.exists()


def test_withdraw_dialogue_twice_is_refused(dialogue, alice, bob):
    actions.withdraw_dialogue(dialogue, by=alice)

    with pytest.raises(NotAllowed) as refusal:
        actions.withdraw_dialogue(dialogue, by=bob)

    assert refusal.value.code == "not_withdrawable"


def test_withdraw_dialogue_by_a_stranger_is_refused(dialogue, charlie):
    with pytest.raises(NotAllowed):
        actions.withdraw_dialogue(dialogue, by=charlie)

    assert Dialogue.objects.visible_to(None).exists()


def test_accept_dialogue_tells_both_authors_in_words(dialogue, alice, bob):
    notices = {
        n.member.handle: n for n in DialogueNotice.objects.filter(kind="published")
    }

    assert set(notices) == {"alice", "bob"}
    assert notice_text(notices["alice"]) == (
        "Your conversation with @bob became a dialogue under “Wintering bees” in Bees. "
        "Either of you can withdraw it at any time."
    )
    assert "@alice" in notice_text(notices["bob"])
    assert not any(character.isdigit() for character in notice_text(notices["bob"]))


def test_propose_dialogue_asks_the_other_member_in_words(proposal, alice):
    notice = DialogueNotice.objects.get(member=alice)

    assert notice.kind == "proposed"
    assert notice_text(notice).startswith(
        "@bob asked to publish your conversation as a dialogue in Bees."
    )


def test_read_dialogue_notices_only_touches_ones_own(dialogue, alice, bob):
    assert actions.read_dialogue_notices(alice) == 2  # asked, then published

    assert DialogueNotice.objects.filter(member=bob).unread().count() == 1


@pytest.mark.django_db(transaction=True)
@run_async
async def test_propose_dialogue_reaches_the_other_members_socket(alice, bob, sockets):
    conversation, community = await sync_to_async(_conversation_in_community)(
        alice, bob
    )
    socket = await sockets.open(alice)

    dialogue = await sync_to_async(actions.propose_dialogue)(
        conversation, by=bob, community=community
    )

    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert frame == {"type": "dialogue", "dialogue": dialogue.pk, "kind": "proposed"}
    assert await socket.receive_nothing(timeout=0.5)


def _conversation_in_community(alice, bob):
    community = CommunityFactory(created_by=alice)
    MembershipFactory(community=community, member=bob)
    conversation = conversations.request_conversation(
        by=bob, to=alice, message="May we talk?"
    )
    conversations.accept_conversation(conversation, by=alice)
    conversation.refresh_from_db()
    return conversation, community


def test_a_message_row_is_never_shared_with_the_dialogue(dialogue, conversation):
    """The dialogue copies words; the conversation's own rows are untouched by it."""
    assert Message.objects.filter(conversation=conversation).count() == 4
    assert dialogue.messages.count() == 4
