from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from fireside.accounts.authentication import member_auth, request_member
from fireside.trust.report import trust_report

router = Router(tags=["me"], auth=member_auth)


class TrustSignalsOut(Schema):
    joined: datetime
    account_age_days: int
    email_verified: bool
    days_active: int
    accepted_conversations: int
    accepted_from_distinct: int
    dialogues_published: int
    upheld_actions_recent: int


class TrustNeedOut(Schema):
    code: str
    text: str
    met: bool


class TrustNextOut(Schema):
    level: int
    name: str
    needs: list[TrustNeedOut]


class TrustChangeOut(Schema):
    from_level: int
    to_level: int
    reason: str
    at: datetime


class TrustOut(Schema):
    level: int
    name: str
    signals: TrustSignalsOut
    next: TrustNextOut | None
    changes: list[TrustChangeOut]


@router.get("", response=TrustOut)
def my_trust(request: HttpRequest) -> TrustOut:
    """Your trust level, the signals it comes from, what the next level needs, and recent
    changes. Level 3 and 4 have no next level to earn (`next` is null)."""
    report = trust_report(request_member(request))
    signals = report.signals
    return TrustOut(
        level=report.level,
        name=report.name,
        signals=TrustSignalsOut(
            joined=signals.joined_at,
            account_age_days=signals.account_age_days,
            email_verified=signals.email_verified,
            days_active=signals.days_active,
            accepted_conversations=signals.accepted_conversations,
            accepted_from_distinct=signals.accepted_from_distinct,
            dialogues_published=signals.dialogues_published,
            upheld_actions_recent=report.upheld_recent,
        ),
        next=(
            TrustNextOut(
                level=report.next_level,
                name=report.next_name,
                needs=[
                    TrustNeedOut(code=n.code, text=n.text, met=n.met)
                    for n in report.needs
                ],
            )
            if report.next_level is not None
            else None
        ),
        changes=[
            TrustChangeOut(
                from_level=c.from_level,
                to_level=c.to_level,
                reason=c.reason,
                at=c.changed_at,
            )
            for c in report.changes
        ],
    )
