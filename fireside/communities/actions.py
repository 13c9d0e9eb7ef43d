"""Every change to communities: creation, settings, rules, membership, invites, and the
cohort: invitations to moderate, handover of the lead, stepping down, cohort settings."""

import re
import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fireside.blocklists.actions import screen_join as screen_join_by_blocklists
from fireside.communities import permissions
from fireside.communities.models import (
    CohortEvent,
    CohortInvitation,
    Community,
    Invite,
    Membership,
    Rule,
    Topic,
)
from fireside.core.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from fireside.core.topics import parse_topics
from fireside.moderation.permissions import is_banned_from
from fireside.search import fulltext
from fireside.trust import limits

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED_SLUGS = frozenset(
    {
        "new",
        "search",
        "topics",
        "topic",
        "mine",
        "create",
        "edit",
        "admin",
        "api",
        "all",
    }
)
NAME_MAX = 80
DESCRIPTION_MAX = 2000
RULE_MAX = 500
RULES_MAX = 30
TOPICS_MAX = 8
INVITE_DAYS_MAX = 30
INVITE_UNUSABLE = (
    "This invite link is wrong, expired or already used. Ask for a new one."
)


def topics_named(names: list[str]) -> list[Topic]:
    """Return Topic rows for NAMES (already normalized), creating the new ones."""
    existing = {topic.name: topic for topic in Topic.objects.filter(name__in=names)}
    missing = [Topic(name=name) for name in names if name not in existing]
    if missing:
        Topic.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {topic.name: topic for topic in Topic.objects.filter(name__in=names)}
    return [existing[name] for name in names]


def _reindex(community: Community, topic_names: list[str]) -> None:
    fulltext.index(
        "community",
        community.pk,
        title=community.name,
        body=community.description,
        topics=topic_names,
    )


def _clean_fields(
    errors: dict[str, list[str]],
    *,
    name: str | None = None,
    description: str | None = None,
    topics: str | list[str] | None = None,
    visibility: str | None = None,
) -> list[str] | None:
    if name is not None:
        if not name.strip():
            errors.setdefault("name", []).append("Give the community a name.")
        elif len(name.strip()) > NAME_MAX:
            errors.setdefault("name", []).append(
                f"A name can have at most {NAME_MAX} characters."
            )
        elif "\x00" in name:  # PostgreSQL refuses NUL in text
            errors.setdefault("name", []).append(
                "A name cannot contain the NUL character."
            )
    if description is not None:
        if not description.strip():
            errors.setdefault("description", []).append(
                "Describe what the community is about, so people can find it."
            )
        elif len(description.strip()) > DESCRIPTION_MAX:
            errors.setdefault("description", []).append(
                f"A description can have at most {DESCRIPTION_MAX} characters; "
                f"this one has {len(description.strip())}."
            )
        elif "\x00" in description:
            errors.setdefault("description", []).append(
                "A description cannot contain the NUL character."
            )
    if visibility is not None and visibility not in Community.Visibility.values:
        errors.setdefault("visibility", []).append("Choose open, request or invite.")
    if topics is None:
        return None
    names, problems = parse_topics(topics, limit=TOPICS_MAX)
    if problems:
        errors.setdefault("topics", []).extend(problems)
    return names


def _clean_rules(rules: list[str], errors: dict[str, list[str]]) -> list[str]:
    cleaned = [rule.strip() for rule in rules if rule.strip()]
    if len(cleaned) > RULES_MAX:
        errors.setdefault("rules", []).append(
            f"A community can have at most {RULES_MAX} rules."
        )
    for number, rule in enumerate(cleaned, start=1):
        if len(rule) > RULE_MAX:
            errors.setdefault("rules", []).append(
                f"Rule {number} is too long: at most {RULE_MAX} characters."
            )
        elif "\x00" in rule:
            errors.setdefault("rules", []).append(
                f"Rule {number} cannot contain the NUL character."
            )
    return cleaned


def create_community(
    *,
    by: Any,
    slug: str,
    name: str,
    description: str,
    topics: str | list[str] = "",
    visibility: str = Community.Visibility.OPEN,
    rules: list[str] | None = None,
    is_listed: bool = True,
) -> Community:
    """Create a community led by BY, with its numbered rules, and list it for search."""
    permissions.check_create_community(by)
    slug = slug.strip().lower()
    errors: dict[str, list[str]] = {}
    if not 3 <= len(slug) <= 50 or not SLUG_PATTERN.fullmatch(slug):
        errors["slug"] = [
            "An address is 3–50 letters a–z, digits and hyphens, such as “night-sky”."
        ]
    elif slug in RESERVED_SLUGS:
        errors["slug"] = [f"“{slug}” is reserved. Choose another address."]
    elif Community.objects.filter(slug=slug).exists():
        errors["slug"] = [f"The address “{slug}” is taken. Choose another."]
    topic_names = (
        _clean_fields(
            errors,
            name=name,
            description=description,
            topics=topics,
            visibility=visibility,
        )
        or []
    )
    rule_texts = _clean_rules(rules or [], errors)
    if errors:
        raise ValidationFailed(errors)
    limits.spend(by, "communities_created")
    now = timezone.now()
    try:
        with transaction.atomic():
            community = Community.objects.create(
                slug=slug,
                name=name.strip(),
                description=description.strip(),
                visibility=visibility,
                is_listed=is_listed,
                created_by=by,
                created_at=now,
            )
            community.topics.set(topics_named(topic_names))
            Rule.objects.bulk_create(
                Rule(
                    community=community,
                    number=number,
                    text=text,
                    created_by=by,
                    created_at=now,
                )
                for number, text in enumerate(rule_texts, start=1)
            )
            Membership.objects.create(
                community=community,
                member=by,
                state=Membership.State.ACTIVE,
                role=Membership.Role.LEAD,
                requested_at=now,
                joined_at=now,
            )
            _reindex(community, topic_names)
    except IntegrityError:
        raise ValidationFailed(
            {"slug": [f"The address “{slug}” was just taken."]}
        ) from None
    return community


def update_community(
    community: Community,
    *,
    by: Any,
    name: str | None = None,
    description: str | None = None,
    topics: str | list[str] | None = None,
    visibility: str | None = None,
    is_listed: bool | None = None,
) -> Community:
    """Change a community's settings; the cohort only. Fields left None stay."""
    permissions.check_manage_community(by, community)
    errors: dict[str, list[str]] = {}
    topic_names = _clean_fields(
        errors, name=name, description=description, topics=topics, visibility=visibility
    )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        if name is not None:
            community.name = name.strip()
        if description is not None:
            community.description = description.strip()
        if visibility is not None:
            community.visibility = visibility
        if is_listed is not None:
            community.is_listed = is_listed
        community.save()
        if topic_names is not None:
            community.topics.set(topics_named(topic_names))
        names = (
            topic_names
            if topic_names is not None
            else [t.name for t in community.topics.all()]
        )
        _reindex(community, names)
    return community


def set_rules(community: Community, *, by: Any, rules: list[str]) -> list[Rule]:
    """Replace the numbered rules. A rule whose words changed is superseded, not edited, so
    the history of each number stays; unchanged rules keep their row."""
    permissions.check_manage_community(by, community)
    errors: dict[str, list[str]] = {}
    texts = _clean_rules(rules, errors)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        current = {
            rule.number: rule for rule in community.current_rules().select_for_update()
        }
        for number, rule in current.items():
            if number > len(texts) or texts[number - 1] != rule.text:
                rule.superseded_at = now
                rule.save(update_fields=["superseded_at"])
        for number, text in enumerate(texts, start=1):
            kept = current.get(number)
            if kept is None or kept.text != text:
                Rule.objects.create(
                    community=community,
                    number=number,
                    text=text,
                    created_by=by,
                    created_at=now,
                )
    return list(community.current_rules())


def join_community(
    community: Community, *, member: Any, invite_code: str = "", note: str = ""
) -> Membership:
    """Join an open community, ask to join a request community, or use an invite.

    Returns the membership (active, or requested while the cohort decides). Joining again
    changes nothing, except that an invite lets in a member whose request still waits.
    """
    if is_banned_from(member, community):
        raise NotAllowed(
            f"You are banned from {community.name}, so you cannot join it again. You "
            "can appeal the ban under Settings → Moderation notices.",
            code="banned",
        )
    existing = Membership.objects.filter(community=community, member=member).first()
    if existing is not None and not (
        invite_code and existing.state != existing.State.ACTIVE
    ):
        return existing
    now = timezone.now()
    if community.visibility == Community.Visibility.INVITE and not invite_code:
        raise NotAllowed(
            f"{community.name} is open by invitation only. Ask a member of its cohort for an invite link.",
            code="invite_required",
        )
    # The blocklists this community subscribes to refuse the join (this raises) or hold
    # it in the join queue, even with an invite link.
    held_for_review = screen_join_by_blocklists(community, member=member) == "queue"
    if invite_code and not held_for_review:
        return _join_by_invite(community, member=member, code=invite_code)
    if invite_code and not _invite_is_usable(community, invite_code):
        raise ValidationFailed({"invite": [INVITE_UNUSABLE]}, code="invite_invalid")
    if existing is not None:
        return existing  # A request already waits for the cohort.
    if len(note) > 500:
        raise ValidationFailed(
            {"note": ["A note to the cohort can have at most 500 characters."]}
        )
    if "\x00" in note:  # PostgreSQL refuses NUL in text
        raise ValidationFailed(
            {"note": ["A note to the cohort cannot contain the NUL character."]}
        )
    state = (
        Membership.State.REQUESTED
        if community.visibility == Community.Visibility.REQUEST or held_for_review
        else Membership.State.ACTIVE
    )
    membership, _ = Membership.objects.get_or_create(
        community=community,
        member=member,
        defaults={
            "state": state,
            "request_note": note.strip(),
            "requested_at": now,
            "joined_at": now if state == Membership.State.ACTIVE else None,
        },
    )
    return membership


def _invite_is_usable(community: Community, code: str) -> bool:
    invite = Invite.objects.filter(community=community, code=code.strip()).first()
    return invite is not None and invite.is_usable


def _join_by_invite(community: Community, *, member: Any, code: str) -> Membership:
    now = timezone.now()
    with transaction.atomic():
        invite = (
            Invite.objects.select_for_update()
            .filter(community=community, code=code.strip())
            .first()
        )
        if invite is None or not invite.is_usable:
            raise ValidationFailed({"invite": [INVITE_UNUSABLE]}, code="invite_invalid")
        invite.used_by = member
        invite.used_at = now
        invite.save(update_fields=["used_by", "used_at"])
        membership, created = Membership.objects.get_or_create(
            community=community,
            member=member,
            defaults={
                "state": Membership.State.ACTIVE,
                "requested_at": now,
                "joined_at": now,
            },
        )
        if not created and membership.state != Membership.State.ACTIVE:
            membership.state = Membership.State.ACTIVE
            membership.joined_at = now
            membership.save(update_fields=["state", "joined_at"])
    return membership


def leave_community(community: Community, *, member: Any) -> None:
    """Leave (or withdraw a join request). A community never ends up without a lead: a
    leaving lead's duty passes to the longest-serving moderator, and a lead with no
    moderator cannot leave."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(community=community, member=member)
            .first()
        )
        if membership is None:
            return
        if (
            membership.role == Membership.Role.LEAD
            and membership.state == Membership.State.ACTIVE
            and pass_on_lead(community, departing=membership) is None
        ):
            raise DomainError(
                "You lead this community. Nobody else moderates it yet: invite a "
                "moderator first, and the lead passes to them when you leave.",
                code="sole_lead",
            )
        membership.delete()


def decide_join_request(
    membership: Membership, *, by: Any, approve: bool
) -> Membership | None:
    """Approve (the member becomes active) or decline (the request is removed)."""
    permissions.check_manage_community(by, membership.community)
    if membership.state != Membership.State.REQUESTED:
        raise DomainError("That request was already decided.", code="already_decided")
    if not approve:
        membership.delete()
        return None
    membership.state = Membership.State.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["state", "joined_at"])
    return membership


def create_invite(community: Community, *, by: Any, days: int = 7) -> Invite:
    """Make a single-use invite link valid for DAYS days; the cohort only."""
    permissions.check_manage_community(by, community)
    if not 1 <= days <= INVITE_DAYS_MAX:
        raise ValidationFailed(
            {"days": [f"An invite lasts 1 to {INVITE_DAYS_MAX} days."]}
        )
    return Invite.objects.create(
        community=community,
        code=secrets.token_urlsafe(18),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )


# The cohort ------------------------------------------------------------------------


def _cohort_place(community: Community, member: Any) -> Membership | None:
    return community.memberships.cohort().filter(member=member).first()


def _set_role(membership: Membership, role: str, *, at: Any) -> None:
    membership.role = role
    membership.role_since = at if role != Membership.Role.MEMBER else None
    membership.save(update_fields=["role", "role_since"])


def invite_to_cohort(
    community: Community, *, by: Any, member: Any, role: str = "moderator"
) -> CohortInvitation:
    """Invite MEMBER (an active member of COMMUNITY) to moderate it; the lead only.

    Lead duty is never given by invitation: it passes by handover. A member has at most
    one open invitation per community."""
    permissions.check_lead(by, community)
    if role != CohortInvitation.Role.MODERATOR:
        raise ValidationFailed(
            {
                "role": [
                    "Invite as moderator. The lead passes to a moderator by handover."
                ]
            },
            code="invalid_role",
        )
    handle = f"@{member.handle}"
    membership = permissions.membership_of(member, community)
    if membership is None or membership.state != Membership.State.ACTIVE:
        raise ValidationFailed(
            {
                "handle": [
                    f"{handle} is not a member of {community.name}. Only its members "
                    "can be invited to moderate it."
                ]
            },
            code="not_a_member",
        )
    if membership.is_cohort:
        raise ValidationFailed(
            {"handle": [f"{handle} already belongs to the cohort."]},
            code="already_cohort",
        )
    if community.cohort_invitations.open().filter(member=member).exists():
        raise ValidationFailed(
            {"handle": [f"{handle} already has an invitation waiting for an answer."]},
            code="already_invited",
        )
    try:
        with transaction.atomic():
            return CohortInvitation.objects.create(
                community=community, member=member, role=role, invited_by=by
            )
    except IntegrityError:
        raise ValidationFailed(
            {"handle": [f"{handle} already has an invitation waiting for an answer."]},
            code="already_invited",
        ) from None


def open_cohort_invitation(
    community: Community, member: Any
) -> CohortInvitation | None:
    if member is None or not member.is_authenticated:
        return None
    return community.cohort_invitations.open().filter(member=member).first()


def answer_cohort_invitation(
    community: Community, *, member: Any, accept: bool
) -> Membership:
    """Accept (MEMBER becomes a moderator) or decline MEMBER's open invitation.

    Raises NotFound (`no_invitation`) when there is none. Returns the membership."""
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            CohortInvitation.objects.select_for_update()
            .open()
            .filter(community=community, member=member)
            .first()
        )
        if invitation is None:
            raise NotFound(
                f"You have no invitation to moderate {community.name}.",
                code="no_invitation",
            )
        membership = (
            Membership.objects.select_for_update()
            .filter(community=community, member=member)
            .first()
        )
        if membership is None or membership.state != Membership.State.ACTIVE:
            raise NotAllowed(
                f"Join {community.name} again before you answer.", code="not_a_member"
            )
        invitation.answered_at = now
        invitation.accepted = accept
        invitation.save(update_fields=["answered_at", "accepted"])
        if accept and membership.role == Membership.Role.MEMBER:
            _set_role(membership, Membership.Role.MODERATOR, at=now)
            CohortEvent.objects.create(
                community=community,
                member=member,
                kind=CohortEvent.Kind.JOINED,
                by=invitation.invited_by,
                created_at=now,
            )
    return membership


def withdraw_cohort_invitation(community: Community, *, by: Any, member: Any) -> None:
    """Withdraw the open invitation of MEMBER; the lead only. Raises NotFound if none."""
    permissions.check_lead(by, community)
    updated = (
        community.cohort_invitations.open()
        .filter(member=member)
        .update(answered_at=timezone.now(), accepted=None)
    )
    if not updated:
        raise NotFound(
            f"@{member.handle} has no invitation waiting.", code="no_invitation"
        )


def hand_over_lead(community: Community, *, by: Any, to: Any) -> Membership:
    """Make the moderator TO lead COMMUNITY at once; BY, the lead, becomes a moderator.
    There is exactly one lead before and after. Returns TO's membership."""
    permissions.check_lead(by, community)
    now = timezone.now()
    with transaction.atomic():
        places = {
            place.member_id: place
            for place in Membership.objects.select_for_update()
            .cohort()
            .filter(community=community, member__in=[by, to])
        }
        current, successor = places.get(by.pk), places.get(to.pk)
        if current is None or current.role != Membership.Role.LEAD:
            raise NotAllowed(
                "Only the lead of the cohort may do that.", code="not_lead"
            )
        if successor is None or successor.role != Membership.Role.MODERATOR:
            raise ValidationFailed(
                {
                    "handle": [
                        f"@{to.handle} does not moderate {community.name}. Hand the "
                        "lead to one of its moderators."
                    ]
                },
                code="not_a_moderator",
            )
        _set_role(current, Membership.Role.MODERATOR, at=now)
        _set_role(successor, Membership.Role.LEAD, at=now)
        CohortEvent.objects.create(
            community=community,
            member=to,
            kind=CohortEvent.Kind.HANDED_OVER,
            by=by,
            created_at=now,
        )
    return successor


def step_down(community: Community, *, member: Any) -> Membership:
    """Leave the cohort but stay a member. The lead hands over first."""
    with transaction.atomic():
        place = (
            Membership.objects.select_for_update()
            .cohort()
            .filter(community=community, member=member)
            .first()
        )
        if place is None:
            raise NotAllowed(
                f"You do not moderate {community.name}.", code="not_cohort"
            )
        if place.role == Membership.Role.LEAD:
            raise DomainError(
                "You lead this cohort. Hand the lead to a moderator before you step "
                "down.",
                code="sole_lead",
            )
        _set_role(place, Membership.Role.MEMBER, at=None)
        CohortEvent.objects.create(
            community=community, member=member, kind=CohortEvent.Kind.STEPPED_DOWN
        )
    return place


def remove_from_cohort(community: Community, *, by: Any, member: Any) -> Membership:
    """Make the moderator MEMBER a plain member again; the lead only."""
    permissions.check_lead(by, community)
    with transaction.atomic():
        place = (
            Membership.objects.select_for_update()
            .cohort()
            .filter(community=community, member=member)
            .first()
        )
        if place is None or place.role != Membership.Role.MODERATOR:
            raise ValidationFailed(
                {"handle": [f"@{member.handle} is not a moderator here."]},
                code="not_a_moderator",
            )
        _set_role(place, Membership.Role.MEMBER, at=None)
        CohortEvent.objects.create(
            community=community, member=member, kind=CohortEvent.Kind.REMOVED, by=by
        )
    return place


def update_cohort_settings(
    community: Community,
    *,
    by: Any,
    log_shows_handles: bool | None = None,
    round_robin: bool | None = None,
) -> Community:
    """Change how the cohort works; the lead only. Settings left None stay."""
    permissions.check_lead(by, community)
    if log_shows_handles is not None:
        community.log_shows_handles = log_shows_handles
    if round_robin is not None:
        community.round_robin = round_robin
    community.save(update_fields=["log_shows_handles", "round_robin"])
    return community


def pass_on_lead(community: Community, *, departing: Membership) -> Membership | None:
    """Give the lead of DEPARTING (leaving, or suspended) to the longest-serving moderator
    whose account is active; DEPARTING becomes a moderator. Returns the new lead's
    membership, or None when no moderator can take it (the lead stays)."""
    now = timezone.now()
    with transaction.atomic():
        successor = (
            Membership.objects.select_for_update()
            .cohort()
            .filter(
                community=community,
                role=Membership.Role.MODERATOR,
                member__is_active=True,
            )
            .exclude(pk=departing.pk)
            .by_seniority()
            .first()
        )
        if successor is None:
            return None
        _set_role(departing, Membership.Role.MODERATOR, at=now)
        _set_role(successor, Membership.Role.LEAD, at=now)
        CohortEvent.objects.create(
            community=community,
            member=successor.member,
            kind=CohortEvent.Kind.SUCCEEDED,
            created_at=now,
        )
    return successor


def pass_on_leads_of_suspended(member: Any) -> list[Membership]:
    """Pass every lead MEMBER holds to a successor; call it when their account is
    suspended. A community with no other moderator keeps its suspended lead until an
    administrator (or the lead, once back) sorts it out. Returns the new leads' places."""
    successors = []
    leads = Membership.objects.cohort().filter(member=member, role=Membership.Role.LEAD)
    for place in leads.select_related("community"):
        successor = pass_on_lead(place.community, departing=place)
        if successor is not None:
            successors.append(successor)
    return successors
