"""What the "your trust" page and `GET me/trust` show: one member's level, the signals it
comes from, what the next level needs, and recent changes."""

from dataclasses import dataclass
from typing import Any

from fireside.trust import levels
from fireside.trust.models import TrustChange

RECENT_CHANGES = 10


@dataclass(frozen=True)
class TrustReport:
    level: int
    name: str
    signals: levels.Signals
    upheld_recent: int
    next_level: int | None
    next_name: str
    needs: list[levels.Need]
    changes: list[TrustChange]

    @property
    def next_is_met(self) -> bool:
        return bool(self.needs) and all(need.met for need in self.needs)


def trust_report(member: Any) -> TrustReport:
    """Build MEMBER's own trust report; nobody else's is ever shown."""
    signals = levels.signals_of(member)
    level = int(member.trust_level)
    upcoming = levels.next_level(level)
    needs: list[levels.Need] = []
    if upcoming is not None:
        # Everything below the next level counts too (a level needs every row below).
        for row in range(1, upcoming + 1):
            needs.extend(
                need
                for need in levels.needs_for(row, signals)
                if row == upcoming or not need.met
            )
    return TrustReport(
        level=level,
        name=levels.level_name(level),
        signals=signals,
        upheld_recent=signals.upheld_in(max(signals.upheld_within or {90: 0})),
        next_level=upcoming,
        next_name=levels.level_name(upcoming) if upcoming is not None else "",
        needs=needs,
        changes=list(
            TrustChange.objects.filter(member=member).order_by("-changed_at", "-id")[
                :RECENT_CHANGES
            ]
        ),
    )
