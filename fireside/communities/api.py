"""Communities in the JSON API: the directory, settings and rules, membership, invites and
the cohort. Nothing here counts members: lists are lists, never numbers."""

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status

from fireside.accounts.authentication import (
    member_auth,
    optional_member_auth,
    request_member,
    request_viewer,
)
from fireside.accounts.handles import HANDLE_PATTERN, normalize_handle
from fireside.accounts.models import Member
from fireside.communities import actions, listings, permissions
from fireside.communities.directory import Sort, find_communities
from fireside.communities.models import (
    CohortInvitation,
    Community,
    Invite,
    Membership,
    Rule,
)
from fireside.core.exceptions import ValidationFailed

router = Router(tags=["communities"])


class TopicOut(Schema):
    name: str


class CommunityListItemOut(Schema):
    """A directory entry. Private communities show their name and description too."""

    slug: str
    name: str
    description: str
    topics: list[str]
    visibility: str

    @staticmethod
    def resolve_topics(community: Community) -> list[str]:
        return [topic.name for topic in community.topics.all()]


class DirectoryPageOut(Schema):
    items: list[CommunityListItemOut]
    next: str | None


class RuleOut(Schema):
    number: int
    text: str


class RuleVersionOut(Schema):
    number: int
    text: str
    created_at: datetime
    superseded_at: datetime | None


class CohortMemberOut(Schema):
    handle: str
    role: str


MembershipState = Literal["requested", "member", "moderator", "lead"]


class CommunityOut(Schema):
    slug: str
    name: str
    description: str
    topics: list[str]
    visibility: str
    listed: bool
    created_at: datetime
    rules: list[RuleOut]
    cohort: list[CohortMemberOut]
    #: The viewer's own place: null, "requested", or their role once they belong.
    membership: MembershipState | None


class CommunityIn(Schema):
    slug: str
    name: str
    description: str
    topics: list[str] | str = []
    visibility: str = Community.Visibility.OPEN
    rules: list[str] | None = None
    listed: bool = True


class CommunityPatchIn(Schema):
    name: str | None = None
    description: str | None = None
    topics: list[str] | str | None = None
    visibility: str | None = None
    listed: bool | None = None


class RulesIn(Schema):
    rules: list[str]


class JoinIn(Schema):
    invite: str = ""
    note: str = ""


class StateOut(Schema):
    state: Literal["member", "requested", "left"]


class MemberListItemOut(Schema):
    handle: str
    display_name: str
    role: str


class JoinRequestOut(Schema):
    handle: str
    display_name: str
    note: str
    requested_at: datetime


class DecisionOut(Schema):
    handle: str
    state: Literal["member", "declined"]


class InviteIn(Schema):
    days: int = 7


class InviteOut(Schema):
    code: str
    url: str
    expires_at: datetime


def _visible_community(request: HttpRequest, slug: str) -> Community:
    # No community has another shape of address; PostgreSQL would refuse some (NUL).
    if not actions.SLUG_PATTERN.fullmatch(slug):
        raise Http404
    communities = Community.objects.visible_to(request_viewer(request))
    return get_object_or_404(communities, slug=slug)


_ROLE_STATES: dict[str, MembershipState] = {
    Membership.Role.MEMBER: "member",
    Membership.Role.MODERATOR: "moderator",
    Membership.Role.LEAD: "lead",
}


def _membership_state(membership: Membership | None) -> MembershipState | None:
    if membership is None:
        return None
    if membership.state == Membership.State.REQUESTED:
        return "requested"
    return _ROLE_STATES[membership.role]


def _community_out(community: Community, viewer: Member | None) -> CommunityOut:
    cohort = (
        community.memberships.cohort()
        .select_related("member")
        .order_by("role", "member__handle")
    )
    return CommunityOut(
        slug=community.slug,
        name=community.name,
        description=community.description,
        topics=[topic.name for topic in community.topics.all()],
        visibility=community.visibility,
        listed=community.is_listed,
        created_at=community.created_at,
        rules=[
            RuleOut(number=rule.number, text=rule.text)
            for rule in community.current_rules()
        ],
        cohort=[
            CohortMemberOut(handle=membership.member.handle, role=membership.role)
            for membership in cohort
        ],
        membership=_membership_state(permissions.membership_of(viewer, community)),
    )


def _invite_url(invite: Invite) -> str:
    # The page that welcomes the invited person and lets them join.
    return settings.SITE_URL + reverse("community_invite", kwargs={"code": invite.code})


@router.get("communities", response=DirectoryPageOut, auth=optional_member_auth)
def directory(
    request: HttpRequest,
    q: str = "",
    topic: str = "",
    sort: Sort | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Search the directory of listed communities by words (`q`) and `topic`, sorted by
    `name`, `newest` or `relevance` (the default when `q` has words); 20 a page."""
    page = find_communities(q=q, topic=topic, sort=sort, cursor=cursor)
    return {"items": page.items, "next": page.next_cursor}


@router.get("topics", response=list[TopicOut], auth=optional_member_auth)
def topics(request: HttpRequest) -> list[TopicOut]:
    """The topic index: every topic at least one listed community is about, A to Z."""
    return [TopicOut(name=name) for name in listings.directory_topics()]


@router.post("communities", response={201: CommunityOut}, auth=member_auth)
def create_community(
    request: HttpRequest, payload: CommunityIn
) -> Status[CommunityOut]:
    """Create a community; its creator leads the cohort. Needs a verified email address."""
    member = request_member(request)
    community = actions.create_community(
        by=member,
        slug=payload.slug,
        name=payload.name,
        description=payload.description,
        topics=payload.topics,
        visibility=payload.visibility,
        rules=payload.rules,
        is_listed=payload.listed,
    )
    return Status(201, _community_out(community, member))


@router.get("communities/{slug}", response=CommunityOut, auth=optional_member_auth)
def community_detail(request: HttpRequest, slug: str) -> CommunityOut:
    """A community with its numbered rules, its cohort and the viewer's membership."""
    community = _visible_community(request, slug)
    return _community_out(community, request_viewer(request))


@router.patch("communities/{slug}", response=CommunityOut, auth=member_auth)
def edit_community(
    request: HttpRequest, slug: str, payload: CommunityPatchIn
) -> CommunityOut:
    """Change settings (the cohort only); fields left out stay as they are."""
    member = request_member(request)
    changes = payload.dict(exclude_unset=True)
    if "listed" in changes:
        changes["is_listed"] = changes.pop("listed")
    community = actions.update_community(
        _visible_community(request, slug), by=member, **changes
    )
    return _community_out(community, member)


@router.put("communities/{slug}/rules", response=list[RuleOut], auth=member_auth)
def set_rules(request: HttpRequest, slug: str, payload: RulesIn) -> list[Rule]:
    """Replace the numbered rules (the cohort only); earlier wordings stay in the history."""
    community = _visible_community(request, slug)
    return actions.set_rules(community, by=request_member(request), rules=payload.rules)


@router.get(
    "communities/{slug}/rules/history",
    response=list[RuleVersionOut],
    auth=optional_member_auth,
)
def rules_history(request: HttpRequest, slug: str) -> list[Rule]:
    """Every wording each rule has had, by number, oldest first."""
    community = _visible_community(request, slug)
    return list(community.rules.order_by("number", "created_at", "id"))


@router.post(
    "communities/{slug}/join",
    response={200: StateOut, 202: StateOut},
    auth=member_auth,
)
def join(
    request: HttpRequest, slug: str, payload: JoinIn | None = None
) -> Status[StateOut]:
    """Join an open community (200), ask to join one that takes requests (202), or join
    with an `invite` code (200). Invite-only communities refuse a join without one."""
    member = request_member(request)
    payload = payload or JoinIn()
    code = payload.invite.strip()
    if not actions.SLUG_PATTERN.fullmatch(slug) or "\x00" in code:
        raise Http404
    community = Community.objects.visible_to(member).filter(slug=slug).first()
    if community is None and code:
        # An invite code opens the way to an unlisted community too.
        community = Community.objects.filter(slug=slug, invites__code=code).first()
    if community is None:
        raise Http404
    membership = actions.join_community(
        community, member=member, invite_code=payload.invite, note=payload.note
    )
    if membership.state == Membership.State.REQUESTED:
        return Status(202, StateOut(state="requested"))
    return Status(200, StateOut(state="member"))


@router.post("communities/{slug}/leave", response=StateOut, auth=member_auth)
def leave(request: HttpRequest, slug: str) -> StateOut:
    """Leave a community, or withdraw a request to join. A sole lead cannot leave."""
    community = _visible_community(request, slug)
    actions.leave_community(community, member=request_member(request))
    return StateOut(state="left")


@router.get(
    "communities/{slug}/members", response=list[MemberListItemOut], auth=member_auth
)
def members(request: HttpRequest, slug: str) -> list[MemberListItemOut]:
    """Who belongs, for members only: a list, never a count."""
    member = request_member(request)
    community = _visible_community(request, slug)
    permissions.check_see_members(member, community)
    memberships = (
        community.memberships.active()
        .select_related("member")
        .order_by("member__handle")
    )
    return [
        MemberListItemOut(
            handle=membership.member.handle,
            display_name=membership.member.display_name,
            role=membership.role,
        )
        for membership in memberships
    ]


@router.get(
    "communities/{slug}/requests", response=list[JoinRequestOut], auth=member_auth
)
def join_requests(request: HttpRequest, slug: str) -> list[JoinRequestOut]:
    """Requests to join that wait for the cohort, oldest first (the cohort only)."""
    community = _visible_community(request, slug)
    permissions.check_manage_community(request_member(request), community)
    waiting = (
        community.memberships.requested()
        .select_related("member")
        .order_by("requested_at", "id")
    )
    return [
        JoinRequestOut(
            handle=membership.member.handle,
            display_name=membership.member.display_name,
            note=membership.request_note,
            requested_at=membership.requested_at,
        )
        for membership in waiting
    ]


def _decide(request: HttpRequest, slug: str, handle: str, *, approve: bool) -> None:
    member = request_member(request)
    community = _visible_community(request, slug)
    permissions.check_manage_community(member, community)
    handle = normalize_handle(handle)
    if not HANDLE_PATTERN.fullmatch(handle):
        raise Http404
    membership = get_object_or_404(
        community.memberships.select_related("community", "member"),
        member__handle=handle,
    )
    actions.decide_join_request(membership, by=member, approve=approve)


@router.post(
    "communities/{slug}/requests/{handle}/approve",
    response=DecisionOut,
    auth=member_auth,
)
def approve_request(request: HttpRequest, slug: str, handle: str) -> DecisionOut:
    """Let a member in (the cohort only)."""
    _decide(request, slug, handle, approve=True)
    return DecisionOut(handle=normalize_handle(handle), state="member")


@router.post(
    "communities/{slug}/requests/{handle}/decline",
    response=DecisionOut,
    auth=member_auth,
)
def decline_request(request: HttpRequest, slug: str, handle: str) -> DecisionOut:
    """Turn a request down (the cohort only); the member may ask again later."""
    _decide(request, slug, handle, approve=False)
    return DecisionOut(handle=normalize_handle(handle), state="declined")


@router.post("communities/{slug}/invites", response={201: InviteOut}, auth=member_auth)
def create_invite(
    request: HttpRequest, slug: str, payload: InviteIn | None = None
) -> Status[InviteOut]:
    """Make a single-use invite link that expires after `days` days, 7 unless given
    (the cohort only)."""
    community = _visible_community(request, slug)
    days = (payload or InviteIn()).days
    invite = actions.create_invite(community, by=request_member(request), days=days)
    return Status(
        201,
        InviteOut(
            code=invite.code, url=_invite_url(invite), expires_at=invite.expires_at
        ),
    )


# The cohort ------------------------------------------------------------------------


class CohortPlaceOut(Schema):
    handle: str
    display_name: str
    role: Literal["lead", "moderator"]
    #: When they took this role (or joined, for places older than the record).
    since: datetime


InvitationState = Literal["open", "accepted", "declined", "withdrawn"]


class CohortInvitationOut(Schema):
    id: int
    community: str
    handle: str
    role: Literal["moderator"]
    invited_by: str | None
    created_at: datetime
    state: InvitationState


class CohortEventOut(Schema):
    kind: str
    handle: str | None
    by: str | None
    at: datetime


class CohortSettingsOut(Schema):
    log_shows_handles: bool
    round_robin: bool


class CohortOut(Schema):
    """Who moderates. Invitations, history and settings are for the cohort itself (empty
    or null for everyone else); `your_invitation` is the viewer's own open invitation."""

    community: str
    members: list[CohortPlaceOut]
    your_invitation: CohortInvitationOut | None
    invitations: list[CohortInvitationOut]
    history: list[CohortEventOut]
    settings: CohortSettingsOut | None


class CohortInvitationIn(Schema):
    handle: str
    role: str = "moderator"


class HandoverIn(Schema):
    handle: str


class CohortSettingsIn(Schema):
    log_shows_handles: bool | None = None
    round_robin: bool | None = None


_ANSWERS: dict[bool | None, InvitationState] = {
    True: "accepted",
    False: "declined",
    None: "withdrawn",
}


def _invitation_out(invitation: CohortInvitation) -> CohortInvitationOut:
    state: InvitationState = "open"
    if invitation.answered_at is not None:
        state = _ANSWERS[invitation.accepted]
    return CohortInvitationOut(
        id=invitation.pk,
        community=invitation.community.slug,
        handle=invitation.member.handle,
        role="moderator",
        invited_by=invitation.invited_by.handle if invitation.invited_by else None,
        created_at=invitation.created_at,
        state=state,
    )


def _cohort_out(community: Community, viewer: Member | None) -> CohortOut:
    places = listings.cohort_places(community)
    in_cohort = permissions.is_cohort(viewer, community)
    own = actions.open_cohort_invitation(community, viewer)
    invitations = listings.open_cohort_invitations(community) if in_cohort else []
    history = listings.cohort_history(community) if in_cohort else []
    return CohortOut(
        community=community.slug,
        members=[
            CohortPlaceOut(
                handle=place.member.handle,
                display_name=place.member.display_name,
                role=place.role,  # type: ignore[arg-type]
                since=place.cohort_since,
            )
            for place in places
        ],
        your_invitation=_invitation_out(own) if own else None,
        invitations=[_invitation_out(invitation) for invitation in invitations],
        history=[
            CohortEventOut(
                kind=event.kind,
                handle=event.member.handle if event.member else None,
                by=event.by.handle if event.by else None,
                at=event.created_at,
            )
            for event in history
        ],
        settings=CohortSettingsOut(
            log_shows_handles=community.log_shows_handles,
            round_robin=community.round_robin,
        )
        if in_cohort
        else None,
    )


def _member_named(handle: str, *, field: str | None = "handle") -> Member:
    """The active member with HANDLE: a 400 on FIELD for a body value, else a 404."""
    normal = normalize_handle(handle or "")
    member = (
        Member.objects.active().filter(handle=normal).first()
        if HANDLE_PATTERN.fullmatch(normal)
        else None
    )
    if member is not None:
        return member
    if field is None:
        raise Http404
    raise ValidationFailed(
        {field: [f"No member has the handle @{normal}."]}, code="unknown_member"
    )


@router.get("communities/{slug}/cohort", response=CohortOut, auth=optional_member_auth)
def cohort(request: HttpRequest, slug: str) -> CohortOut:
    """Who moderates the community (handles, roles, since when): anyone who can read the
    community. The cohort also sees open invitations, the history and the settings."""
    community = _visible_community(request, slug)
    return _cohort_out(community, request_viewer(request))


@router.post(
    "communities/{slug}/cohort/invitations",
    response={201: CohortInvitationOut},
    auth=member_auth,
)
def invite_to_cohort(
    request: HttpRequest, slug: str, payload: CohortInvitationIn
) -> Status[CohortInvitationOut]:
    """Invite an active member to moderate (the lead only; `role` is "moderator": the lead
    passes by handover). They accept or decline."""
    member = request_member(request)
    community = _visible_community(request, slug)
    permissions.check_lead(member, community)
    invitation = actions.invite_to_cohort(
        community,
        by=member,
        member=_member_named(payload.handle),
        role=payload.role,
    )
    return Status(201, _invitation_out(invitation))


@router.delete(
    "communities/{slug}/cohort/invitations/{handle}",
    response={204: None},
    auth=member_auth,
)
def withdraw_cohort_invitation(
    request: HttpRequest, slug: str, handle: str
) -> Status[None]:
    """Withdraw an open invitation (the lead only)."""
    member = request_member(request)
    community = _visible_community(request, slug)
    permissions.check_lead(member, community)
    actions.withdraw_cohort_invitation(
        community, by=member, member=_member_named(handle, field=None)
    )
    return Status(204, None)


@router.post(
    "communities/{slug}/cohort/accept", response=CohortPlaceOut, auth=member_auth
)
def accept_cohort_invitation(request: HttpRequest, slug: str) -> CohortPlaceOut:
    """Accept your invitation: you moderate the community from now on. 404
    (`no_invitation`) without one."""
    member = request_member(request)
    community = _visible_community(request, slug)
    place = actions.answer_cohort_invitation(community, member=member, accept=True)
    return CohortPlaceOut(
        handle=member.handle,
        display_name=member.display_name,
        role=place.role,  # type: ignore[arg-type]
        since=place.cohort_since,
    )


@router.post("communities/{slug}/cohort/decline", response=StateOut, auth=member_auth)
def decline_cohort_invitation(request: HttpRequest, slug: str) -> StateOut:
    """Decline your invitation; you stay a member."""
    member = request_member(request)
    community = _visible_community(request, slug)
    actions.answer_cohort_invitation(community, member=member, accept=False)
    return StateOut(state="member")


@router.post("communities/{slug}/cohort/handover", response=CohortOut, auth=member_auth)
def hand_over_lead(request: HttpRequest, slug: str, payload: HandoverIn) -> CohortOut:
    """Pass the lead to one of the moderators, at once (the lead only); you stay on as a
    moderator. The community always has exactly one lead."""
    member = request_member(request)
    community = _visible_community(request, slug)
    permissions.check_lead(member, community)
    actions.hand_over_lead(community, by=member, to=_member_named(payload.handle))
    return _cohort_out(community, member)


@router.post(
    "communities/{slug}/cohort/step-down", response=CohortOut, auth=member_auth
)
def step_down(request: HttpRequest, slug: str) -> CohortOut:
    """Stop moderating and stay a member. The lead hands over first (`sole_lead`)."""
    member = request_member(request)
    community = _visible_community(request, slug)
    actions.step_down(community, member=member)
    return _cohort_out(community, member)


@router.delete(
    "communities/{slug}/cohort/members/{handle}",
    response={204: None},
    auth=member_auth,
)
def remove_from_cohort(request: HttpRequest, slug: str, handle: str) -> Status[None]:
    """Take a moderator out of the cohort (the lead only); they stay a member."""
    member = request_member(request)
    community = _visible_community(request, slug)
    permissions.check_lead(member, community)
    actions.remove_from_cohort(
        community, by=member, member=_member_named(handle, field=None)
    )
    return Status(204, None)


@router.patch(
    "communities/{slug}/cohort/settings", response=CohortSettingsOut, auth=member_auth
)
def cohort_settings(
    request: HttpRequest, slug: str, payload: CohortSettingsIn
) -> CohortSettingsOut:
    """Change how the cohort works (the lead only): `log_shows_handles` names the cohort
    member who acted in the public log instead of "the cohort"; `round_robin` assigns new
    cases to the moderators in turn. Fields left out stay."""
    member = request_member(request)
    community = _visible_community(request, slug)
    community = actions.update_cohort_settings(
        community, by=member, **payload.dict(exclude_unset=True)
    )
    return CohortSettingsOut(
        log_shows_handles=community.log_shows_handles,
        round_robin=community.round_robin,
    )
