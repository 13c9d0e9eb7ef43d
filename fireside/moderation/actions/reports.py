"""Every state change of cases and reports: members file reports (file_report), the
system opens cases of its own (open_system_case, for pile-on protection). Either opens or
joins the one unresolved case about the same target for the same reviewers."""

from typing import Any

from django.db import IntegrityError, transaction

from fireside.communities.models import Community
from fireside.core.exceptions import ValidationFailed
from fireside.core.ratelimit import Limit
from fireside.moderation import permissions
from fireside.moderation.actions.cases import assign_round_robin
from fireside.moderation.models import Case, Report

#: The longest reason a report may give, in characters.
REASON_MAX_LENGTH = 1000
#: A message report shares the cited message and at most this many before and after it.
MESSAGES_BEFORE = 2
MESSAGES_AFTER = 3


def _target_fields(target: Any) -> dict[str, Any]:
    """The Case columns that identify TARGET: a Post, a Message or a member."""
    from fireside.conversations.models import Message
    from fireside.posts.models import Post

    if isinstance(target, Post):
        return {
            "target_type": Case.TargetType.POST,
            "target_id": target.pk,
            "post": target,
            "subject_id": target.author_id,
            "target_label": target.title[:200],
        }
    if isinstance(target, Message):
        return {
            "target_type": Case.TargetType.MESSAGE,
            "target_id": target.pk,
            "message": target,
            "subject_id": target.author_id,
            "target_label": f"Message {target.seq} of a conversation",
        }
    handle = getattr(target, "handle", None)
    if handle is None:
        raise TypeError(f"A case cannot be about {target!r}.")
    return {
        "target_type": Case.TargetType.MEMBER,
        "target_id": target.pk,
        "subject_id": target.pk,
        "target_label": f"@{handle}",
    }


def case_for(*, community: Community | None, target: Any) -> Case:
    """Return the unresolved case about TARGET for COMMUNITY's cohort (or the
    administrators when COMMUNITY is None), opening one if there is none."""
    fields = _target_fields(target)
    lookup = {
        "community": community,
        "target_type": fields["target_type"],
        "target_id": fields["target_id"],
    }
    existing = Case.objects.unresolved().filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            case = Case.objects.create(community=community, **fields)
            assign_round_robin(case)
            return case
    except IntegrityError:  # opened by someone else a moment ago
        return Case.objects.unresolved().get(**lookup)


def open_system_case(*, community: Community | None, target: Any, reason: str) -> Case:
    """Open (or join, when one is open about the same target) a case for COMMUNITY's cohort
    about TARGET, with a report that no person filed; REASON says why. Returns the case."""
    reason = (reason or "").strip()[:1000] or "Opened automatically."
    with transaction.atomic():
        case = case_for(community=community, target=target)
        # The same automatic reason twice adds nothing for the reviewers.
        if not case.reports.filter(reporter__isnull=True, reason=reason).exists():
            Report.objects.create(case=case, reporter=None, reason=reason)
    return case


def file_report(
    target: Any,
    *,
    by: Any,
    community: Community | None = None,
    rule_number: int | None = None,
    reason: str,
) -> Report:
    """Report TARGET (a Post, a Message or a member) for BY, citing RULE_NUMBER of the
    community's rules and REASON; return the report (BY's earlier one when BY already
    reported TARGET and its case is still open, changing nothing).

    Where it goes: a post to its community's cohort; a message to the cohort of the
    community its conversation started from, or, outside any community, to the instance's
    administrators; a member to COMMUNITY's cohort, or without one to the administrators.
    Raises ValidationFailed (`community`, `rule`, `reason`, `target`), NotAllowed
    (standing) or RateLimited. The reported member is never told who reported them.
    """
    community = _route(target, community)
    permissions.check_file_report(by, target, community)
    rule_text = _check_rule(community, rule_number)
    reason = _check_reason(reason)
    fields = _target_fields(target)
    earlier = Report.objects.filter(
        reporter=by,
        case__in=Case.objects.unresolved().filter(
            community=community,
            target_type=fields["target_type"],
            target_id=fields["target_id"],
        ),
    ).first()
    if earlier is not None:
        return earlier
    limit = Limit.named("report.member")
    subject = str(by.pk)
    limit.check(
        subject,
        f"You can send {limit.count} reports an hour. You can report again in "
        "{wait}. If someone is in danger, contact your local emergency services.",
    )
    with transaction.atomic():
        case = case_for(community=community, target=target)
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    case=case,
                    reporter=by,
                    rule_number=rule_number if community is not None else None,
                    rule_text=rule_text,
                    reason=reason,
                    snapshot=snapshot_of(target),
                )
        except IntegrityError:  # the same report, sent twice at once
            return Report.objects.get(case=case, reporter=by)
    limit.hit(subject)
    return report


def _route(target: Any, community: Community | None) -> Community | None:
    """The community whose cohort reviews a report on TARGET (None: administrators)."""
    from fireside.conversations.models import Message
    from fireside.posts.models import Post

    if isinstance(target, Post):
        home: Community | None = target.community
    elif isinstance(target, Message):
        post = target.conversation.post
        home = post.community if post is not None else None
    else:
        if (
            community is not None
            and not target.memberships.filter(community=community).exists()
        ):
            raise ValidationFailed(
                {
                    "community": [
                        f"@{target.handle} is not a member of {community.name}."
                    ]
                }
            )
        return community
    if community is not None and (home is None or community.pk != home.pk):
        raise ValidationFailed(
            {
                "community": [
                    "This was not written in that community; leave the community out."
                ]
            }
        )
    return home


def _check_rule(community: Community | None, number: int | None) -> str:
    """Return the words of rule NUMBER of COMMUNITY, or refuse a wrong or missing one."""
    if community is None:
        if number is not None:
            raise ValidationFailed(
                {
                    "rule": [
                        "This report goes to the instance's administrators, who do not "
                        "use a community's rules; leave the rule out."
                    ]
                }
            )
        return ""
    rules = {rule.number: rule.text for rule in community.current_rules()}
    if number is None:
        if rules:
            raise ValidationFailed(
                {"rule": [f"Choose the rule of {community.name} that this breaks."]}
            )
        return ""
    if number not in rules:
        numbers = ", ".join(str(n) for n in sorted(rules)) or "none"
        raise ValidationFailed(
            {
                "rule": [
                    f"Rule {number} is not one of {community.name}'s rules "
                    f"(its rules are numbered: {numbers})."
                ]
            }
        )
    return rules[number][:500]


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            {"reason": ["Say in a few words what is wrong, for the reviewers."]}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {
                "reason": [
                    f"Keep the reason to {REASON_MAX_LENGTH:,} characters "
                    f"(this one has {len(reason):,})."
                ]
            }
        )
    return reason


def snapshot_of(target: Any) -> dict[str, Any]:
    """Return what the reviewers may see of TARGET as it is now, kept with the report so
    that a later edit or deletion does not erase it. For a message: the cited message and
    at most MESSAGES_BEFORE + MESSAGES_AFTER of its neighbours, nothing else."""
    from fireside.conversations.models import Message
    from fireside.posts.models import Post

    if isinstance(target, Post):
        return {
            "type": "post",
            "id": target.pk,
            "title": target.title,
            "body": target.body,
            "author": target.author.handle if target.author else None,
            "created_at": target.created_at.isoformat(),
        }
    if isinstance(target, Message):
        nearby = (
            Message.objects.filter(
                conversation_id=target.conversation_id,
                seq__gte=target.seq - MESSAGES_BEFORE,
                seq__lte=target.seq + MESSAGES_AFTER,
            )
            .select_related("author")
            .order_by("seq")
        )
        return {
            "type": "message",
            "id": target.pk,
            "cited_seq": target.seq,
            "messages": [
                {
                    "author": message.author.handle if message.author else None,
                    "seq": message.seq,
                    "body": "" if message.deleted_at else message.body,
                    "deleted": message.deleted_at is not None,
                    "sent_at": message.sent_at.isoformat(),
                }
                for message in nearby
            ],
        }
    return {
        "type": "member",
        "id": target.pk,
        "handle": target.handle,
        "display_name": target.display_name,
        "bio": target.bio,
    }
