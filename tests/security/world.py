"""The shared scene of the security suite, and the seven personas who visit it.

One open community, *hearth*, led by `lead`, with `mod` in its cohort as a moderator. alice
(the participant) belongs to it, wrote a post there, holds an active conversation with dave,
owns an API token, has blocked `blocked` and muted dave, and waits to answer a request from
`lead`. hearth has one rule; its cohort has a case about alice's post, on which mod
warned her and she appealed, and a blocklist (naming newcomer) it screens joins with.
dave has proposed publishing his conversation with alice as a dialogue in hearth. An unlisted, invitation-only community, *den*,
has the same cohort and alice, and a post of hers. *porch*, which takes requests, is
led by `lead` alone. `blocked` and `suspended` belong to hearth too, so a refusal
they meet comes from the block or the suspension, not from sharing nothing with alice."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from fireside.accounts.actions import issue_api_token
from fireside.accounts.models import ApiToken, Member
from fireside.accounts.tests.factories import MemberFactory
from fireside.appeals.actions import appeal_action
from fireside.appeals.models import Appeal
from fireside.blocklists.actions import add_entry, create_blocklist, subscribe
from fireside.blocklists.models import Blocklist, BlocklistEntry, BlocklistSubscription
from fireside.communities.models import Community, Invite, Membership, Rule, Topic
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation
from fireside.dialogues.actions import propose_dialogue
from fireside.dialogues.models import Dialogue
from fireside.moderation.actions import open_system_case
from fireside.moderation.models import Case, ModAction
from fireside.posts.models import Post
from fireside.posts.tests.factories import PostFactory
from fireside.safety.actions import mute_member
from fireside.safety.models import Block

PERSONAS = [
    "anonymous",
    "stranger",
    "blocked",
    "suspended",
    "participant",
    "moderator",
    "administrator",
]


@dataclass
class World:
    lead: Member
    moderator: Member
    alice: Member
    dave: Member
    stranger: Member
    blocked: Member
    suspended: Member
    administrator: Member
    newcomer: Member
    community: Community
    hidden: Community
    topic: Topic
    post: Post
    hidden_post: Post
    porch_request: Membership
    conversation: Conversation
    request: Conversation
    join_request: Membership
    invite: Invite
    token: ApiToken
    case: Case
    action: ModAction
    appeal: Appeal
    blocklist: Blocklist
    blocklist_entry: BlocklistEntry
    subscription: BlocklistSubscription
    dialogue: Dialogue
    #: Each logged-in persona's session key and bearer token, made once with the world
    #: (while every account was active) and reused by every test.
    sessions: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def member(self, persona: str) -> Member | None:
        """The member who plays PERSONA (None for the anonymous visitor)."""
        return {
            "anonymous": None,
            "stranger": self.stranger,
            "blocked": self.blocked,
            "suspended": self.suspended,
            "participant": self.alice,
            "moderator": self.moderator,
            "administrator": self.administrator,
        }[persona]


def build_world() -> World:
    lead = MemberFactory(handle="lead", display_name="Lena Lead")
    moderator = MemberFactory(handle="mod", display_name="Moe Moderator")
    alice = MemberFactory(handle="alice", display_name="Alice Ames")
    dave = MemberFactory(handle="dave", display_name="Dave Dunn")
    stranger = MemberFactory(handle="charlie", display_name="Charlie Chen")
    blocked = MemberFactory(handle="blocked", display_name="Blake Blocked")
    suspended = MemberFactory(handle="suspended", display_name="Sam Suspended")
    administrator = MemberFactory(
        handle="admin", display_name="Ada Admin", is_staff=True, is_superuser=True
    )
    newcomer = MemberFactory(handle="newcomer", display_name="Nia Newcomer")

    topic, _ = Topic.objects.get_or_create(name="kettles")
    community = CommunityFactory(slug="hearth", name="Hearth", created_by=lead)
    community.topics.add(topic)
    hidden = CommunityFactory(
        slug="den",
        name="Den",
        created_by=lead,
        visibility=Community.Visibility.INVITE,
        is_listed=False,
    )
    for place in (community, hidden):
        MembershipFactory(
            community=place, member=moderator, role=Membership.Role.MODERATOR
        )
        MembershipFactory(community=place, member=alice)
    for member in (dave, blocked, suspended):
        MembershipFactory(community=community, member=member)
    join_request = MembershipFactory(
        community=community,
        member=newcomer,
        state=Membership.State.REQUESTED,
        joined_at=None,
    )
    invite = Invite.objects.create(
        community=community,
        code="hearth-invite-code",
        created_by=lead,
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    post = PostFactory(community=community, author=alice, title="Descaling kettles")
    hidden_post = PostFactory(community=hidden, author=alice, title="Den kettles")
    # A community where mod is no one: its join request must stay out of mod's reach
    # even through hearth's settings pages.
    porch = CommunityFactory(
        slug="porch",
        name="Porch",
        created_by=lead,
        visibility=Community.Visibility.REQUEST,
    )
    porch_request = MembershipFactory(
        community=porch,
        member=newcomer,
        state=Membership.State.REQUESTED,
        joined_at=None,
    )

    conversation = conversations.request_conversation(
        by=alice, to=dave, message="Shall we talk about the kettle?"
    )
    conversation = conversations.accept_conversation(conversation, by=dave)
    conversations.send_message(conversation, by=dave, body="Gladly, which one?")
    # A request waiting for alice's answer, from a member she shares hearth with.
    request = conversations.request_conversation(
        by=lead, to=alice, message="May I ask about your post?"
    )
    Block.objects.create(blocker=alice, blocked=blocked)
    mute_member(dave, by=alice)
    # A case before hearth's cohort about alice's post, on which mod warned her (rule 1),
    # and her appeal; a blocklist hearth's cohort keeps (naming newcomer) and uses.
    Rule.objects.create(community=community, number=1, text="Be kind.", created_by=lead)
    case = open_system_case(
        community=community, target=post, reason="Flagged for the security suite."
    )
    # Written as a row, not through propose_action: the scene must not depend on the
    # case-working code paths the matrix itself checks.
    action = ModAction.objects.create(
        case=case,
        community=community,
        kind=ModAction.Kind.WARN,
        subject=alice,
        post=post,
        rule_number=1,
        rule_text="Be kind.",
        reason="Please be kinder.",
        state=ModAction.State.IN_FORCE,
        proposed_by=moderator,
        in_force_at=timezone.now(),
    )
    appeal = appeal_action(action, by=alice, reason="I was kind, I think.")
    blocklist = create_blocklist(community, by=moderator, name="Known spammers")
    blocklist_entry = add_entry(
        blocklist, by=moderator, handle=newcomer.handle, reason="Spam elsewhere."
    )
    subscription, _ = subscribe(
        community, by=moderator, blocklist=blocklist, mode="queue"
    )
    # dave proposes publishing his conversation with alice in hearth; alice decides.
    dialogue = propose_dialogue(
        conversation, by=dave, community=community, title="On kettles"
    )
    token, _ = issue_api_token(alice, name="alice's script")
    world = World(
        lead=lead,
        moderator=moderator,
        alice=alice,
        dave=dave,
        stranger=stranger,
        blocked=blocked,
        suspended=suspended,
        administrator=administrator,
        newcomer=newcomer,
        community=community,
        hidden=hidden,
        topic=topic,
        post=post,
        hidden_post=hidden_post,
        porch_request=porch_request,
        conversation=conversation,
        request=request,
        join_request=join_request,
        invite=invite,
        token=token,
        case=case,
        action=action,
        appeal=appeal,
        blocklist=blocklist,
        blocklist_entry=blocklist_entry,
        subscription=subscription,
        dialogue=dialogue,
    )
    for persona in PERSONAS:
        member = world.member(persona)
        if member is not None:
            browser = Client()
            browser.force_login(member)
            world.sessions[persona] = browser.cookies[
                settings.SESSION_COOKIE_NAME
            ].value
            world.tokens[persona] = issue_api_token(member, name="security suite")[1]
    return world


def suspend(member: Member) -> None:
    """Suspend MEMBER at the instance: the account is deactivated, and nothing else (no
    session deleted, no token revoked, as when done in the Django admin), so the matrix
    shows that deactivation alone stops the session and the tokens. Staff suspension
    (accounts.actions.suspend_account) does more; community suspensions (issue 6) would
    be another persona. This one function is where the persona changes."""
    member.is_active = False
    member.save(update_fields=["is_active"])


def page_client(world: World, persona: str) -> Client:
    """A browser for PERSONA: logged in (a session made while the account was active),
    with CSRF enforced as in production and a valid CSRF cookie and header."""
    from django.middleware.csrf import _get_new_csrf_string

    # A server error is an outcome to report, with the route and the persona, not an
    # exception that hides them.
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    member = world.member(persona)
    if member is not None:
        browser.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    browser.defaults["HTTP_X_CSRFTOKEN"] = secret
    if persona == "suspended":
        assert member is not None
        suspend(member)
    return browser


def api_headers(world: World, persona: str) -> dict[str, Any]:
    """Headers for PERSONA's API calls: a bearer token issued while the account was active."""
    member = world.member(persona)
    if member is None:
        return {}
    if persona == "suspended":
        suspend(member)
    return {"Authorization": f"Bearer {world.tokens[persona]}"}
