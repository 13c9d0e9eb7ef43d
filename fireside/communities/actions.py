"""Every change to communities: creation, settings, rules, membership, invites."""

import re
import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fireside.communities import permissions
from fireside.communities.models import Community, Invite, Membership, Rule, Topic
from fireside.core.exceptions import DomainError, NotAllowed, ValidationFailed
from fireside.core.topics import parse_topics
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
    existing = Membership.objects.filter(community=community, member=member).first()
    if existing is not None and not (
        invite_code and existing.state != existing.State.ACTIVE
    ):
        return existing
    now = timezone.now()
    if invite_code:
        return _join_by_invite(community, member=member, code=invite_code)
    if community.visibility == Community.Visibility.INVITE:
        raise NotAllowed(
            f"{community.name} is open by invitation only. Ask a member of its cohort for an invite link.",
            code="invite_required",
        )
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
        if community.visibility == Community.Visibility.REQUEST
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
    """Leave (or withdraw a join request). A community never ends up without a lead."""
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
        ):
            other_leads = (
                community.memberships.active()
                .filter(role=Membership.Role.LEAD)
                .exclude(pk=membership.pk)
            )
            if not other_leads.exists():
                raise DomainError(
                    "You lead this community. Pass the lead to another moderator before you leave.",
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
