"""Trust levels from signals a member can see for themselves.

The thresholds are settings.FIRESIDE_TRUST_THRESHOLDS. A level needs its own row and every
row below it. Level 4 (leader) is never earned by numbers: a cohort or an operator grants it.

How recomputation treats manual changes (`settle_level`):
- a manual raise (to 4, or an operator lifting someone) is a floor: the member keeps at
  least that level, until an action is upheld against them after it was granted;
- a manual lowering is a ceiling: earning more does not undo an operator's decision;
- a level 4 with no record of who granted it is kept unless an action was upheld in the
  last 90 days.
Otherwise the earned level applies, so levels go down too (an upheld action, a verified
email changed, accepted conversations that later ended in a block).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from fireside.trust import queries
from fireside.trust.models import TrustChange

LEVEL_NAMES = {0: "newcomer", 1: "member", 2: "regular", 3: "trusted", 4: "leader"}
LEADER = 4
#: How far back an upheld action takes away a level 4 that nobody recorded granting.
LEADER_CLEAN_DAYS = 90


def level_name(level: int) -> str:
    return LEVEL_NAMES.get(int(level), "newcomer")


@dataclass(frozen=True)
class Signals:
    """What trust is computed from; all of it is shown to the member."""

    joined_at: datetime
    account_age_days: int
    email_verified: bool
    days_active: int
    accepted_conversations: int
    accepted_from_distinct: int
    dialogues_published: int
    #: Actions upheld against the member within N days, for each N the table asks about.
    upheld_within: dict[int, int] = field(default_factory=dict)

    def upheld_in(self, days: int) -> int:
        return self.upheld_within.get(days, 0)


@dataclass(frozen=True)
class Need:
    code: str
    text: str
    met: bool


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _clean_windows() -> set[int]:
    days = {LEADER_CLEAN_DAYS}
    for row in settings.FIRESIDE_TRUST_THRESHOLDS.values():
        if "clean_days" in row:
            days.add(int(row["clean_days"]))
    return days


def signals_of(member: Any) -> Signals:
    """Gather MEMBER's trust signals (a handful of small queries)."""
    now = timezone.now()
    accepted = queries.accepted_requests_by(member)
    return Signals(
        joined_at=member.joined_at,
        account_age_days=max(0, (now - member.joined_at).days),
        email_verified=member.email_verified_at is not None,
        days_active=queries.days_active(member),
        accepted_conversations=accepted.count(),
        accepted_from_distinct=accepted.values("recipient_id").distinct().count(),
        dialogues_published=queries.dialogues_published(member),
        upheld_within={
            days: queries.upheld_actions_against(
                member, since=now - timedelta(days=days)
            )
            for days in sorted(_clean_windows())
        },
    )


def needs_for(level: int, signals: Signals) -> list[Need]:
    """The requirements of LEVEL's own row, each in words and whether SIGNALS meet it."""
    row = settings.FIRESIDE_TRUST_THRESHOLDS.get(level, {})
    needs: list[Need] = []
    if row.get("email_verified"):
        needs.append(
            Need(
                "email_verified",
                "A verified email address",
                signals.email_verified,
            )
        )
    if "account_age_days" in row:
        days = int(row["account_age_days"])
        reached = signals.joined_at + timedelta(days=days)
        needs.append(
            Need(
                "account_age",
                f"An account at least {_plural(days, 'day', 'days')} old "
                f"(yours reaches that on {reached.day} {reached:%B %Y})",
                signals.account_age_days >= days,
            )
        )
    if "days_active" in row:
        days = int(row["days_active"])
        needs.append(
            Need(
                "days_active",
                f"Active on {_plural(days, 'day', 'different days')} "
                f"(you have {_plural(signals.days_active, 'day', 'days')})",
                signals.days_active >= days,
            )
        )
    if "accepted_conversations" in row:
        count = int(row["accepted_conversations"])
        needs.append(
            Need(
                "accepted_conversations",
                f"{_plural(count, 'conversation', 'conversations')} you asked for "
                f"and the other person accepted (you have "
                f"{signals.accepted_conversations})",
                signals.accepted_conversations >= count,
            )
        )
    if "accepted_from_distinct" in row:
        count = int(row["accepted_from_distinct"])
        needs.append(
            Need(
                "accepted_from_distinct",
                f"Those accepted by at least {_plural(count, 'person', 'different people')} "
                f"(you have {signals.accepted_from_distinct})",
                signals.accepted_from_distinct >= count,
            )
        )
    if "dialogues_published" in row:
        count = int(row["dialogues_published"])
        needs.append(
            Need(
                "dialogues_published",
                f"{_plural(count, 'dialogue', 'dialogues')} published with someone",
                signals.dialogues_published >= count,
            )
        )
    if "clean_days" in row:
        days = int(row["clean_days"])
        needs.append(
            Need(
                "clean_record",
                f"No moderation action upheld against you in the last {days} days",
                signals.upheld_in(days) == 0,
            )
        )
    return needs


def earned_level(signals: Signals) -> int:
    """The highest level (0–3) whose row, and every row below it, SIGNALS meet."""
    level = 0
    for candidate in sorted(settings.FIRESIDE_TRUST_THRESHOLDS):
        if candidate >= LEADER:
            break
        if all(need.met for need in needs_for(candidate, signals)):
            level = candidate
        else:
            break
    return level


def settle_level(member: Any, signals: Signals) -> tuple[int, str]:
    """Return the level MEMBER should have now and the reason, in words."""
    earned = earned_level(signals)
    manual = (
        TrustChange.objects.filter(member=member, is_manual=True)
        .order_by("-changed_at", "-id")
        .first()
    )
    if manual is not None:
        if manual.to_level < manual.from_level:
            if earned >= manual.to_level:
                return manual.to_level, "an earlier decision set this level"
            return earned, _earned_reason(earned, member.trust_level)
        upheld_since = queries.upheld_actions_against(member, since=manual.changed_at)
        if upheld_since == 0 and manual.to_level >= earned:
            return manual.to_level, "a level granted to you is kept"
        if upheld_since:
            return earned, "a moderation action against you was upheld"
        return earned, _earned_reason(earned, member.trust_level)
    if member.trust_level == LEADER:
        if signals.upheld_in(LEADER_CLEAN_DAYS) == 0:
            return LEADER, "a level granted to you is kept"
        return earned, "a moderation action against you was upheld"
    return earned, _earned_reason(earned, member.trust_level)


def _earned_reason(earned: int, current: int) -> str:
    if earned > current:
        return f"you met everything level {earned} needs"
    return f"you no longer meet everything level {current} needs"


def next_level(level: int) -> int | None:
    """The level after LEVEL that can be earned, or None (3 and 4 have none to earn)."""
    if level + 1 in settings.FIRESIDE_TRUST_THRESHOLDS and level + 1 < LEADER:
        return level + 1
    return None
