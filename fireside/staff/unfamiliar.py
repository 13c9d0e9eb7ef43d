"""Which recent accounts look most like throwaway or bot accounts, for the instance's
administrators to review (never a public page, never shown to the accounts themselves).

Each request a member sends carries the unfamiliar-sender signals worked out when it was
made (conversations/unfamiliar.py). An account that joined in the last REVIEW_WINDOW is
ranked by how many distinct signal codes its requests in that window carried, then by how
many of those requests went to the recipient's Later tray or were declined (or left to
expire), newest account first on a tie. Each comes with its reasons in words."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.conversations.models import REQUEST_LIFETIME, Conversation

#: How recent an account (and the requests looked at) must be to be reviewed.
REVIEW_WINDOW = timedelta(days=30)
#: At most this many requests are read per review, newest first.
REQUESTS_READ_MAX = 5000

#: What each signal code means, said to an administrator (the stored texts speak to the
#: recipient: "no community in common with you").
CODE_WORDS = {
    "new_account": "Sent requests while a new account",
    "signup_burst": "Signed up along with several other accounts from the same network "
    "on the same day",
    "many_digits": "Handle with many digits",
    "often_declined": "Many of their requests were declined or left unanswered",
    "no_shared_community": "Asked people they share no community with",
    "remote_instance": "From another instance",
}


@dataclass
class AccountToReview:
    member: Member
    codes: list[str] = field(default_factory=list)
    requests: int = 0
    held: int = 0
    turned_away: int = 0

    @property
    def rank(self) -> tuple[int, int, Any]:
        return (len(self.codes), self.held + self.turned_away, self.member.joined_at)

    @property
    def reasons(self) -> list[str]:
        """Why this account is on the list, in words, most telling first."""
        words = [
            CODE_WORDS.get(code, code.replace("_", " ").capitalize())
            for code in self.codes
        ]
        if self.held:
            words.append(
                f"{self.held} of their {self.requests} recent requests went to Later"
            )
        if self.turned_away:
            words.append(
                f"{self.turned_away} of their {self.requests} recent requests were "
                "declined or left to expire"
            )
        return words


def _is_turned_away(state: str, created_at: Any, now: Any) -> bool:
    if state in (Conversation.State.DECLINED, Conversation.State.EXPIRED):
        return True
    return (
        state == Conversation.State.REQUESTED and created_at <= now - REQUEST_LIFETIME
    )


def accounts_to_review(*, limit: int = 50) -> list[AccountToReview]:
    """Return up to LIMIT active, non-staff accounts that joined within REVIEW_WINDOW and
    sent requests carrying signals or turned away, strongest first (see module doc)."""
    now = timezone.now()
    since = now - REVIEW_WINDOW
    recent = Member.objects.active().filter(joined_at__gte=since, is_staff=False)
    rows = (
        Conversation.objects.filter(initiator__in=recent, created_at__gte=since)
        .order_by("-created_at", "-pk")
        .values_list("initiator_id", "signals", "tray", "state", "created_at")[
            :REQUESTS_READ_MAX
        ]
    )
    tallies: dict[int, dict[str, Any]] = {}
    for initiator_id, signals, tray, state, created_at in rows:
        tally = tallies.setdefault(
            initiator_id, {"codes": [], "requests": 0, "held": 0, "turned_away": 0}
        )
        tally["requests"] += 1
        for signal in signals or []:
            code = signal.get("code") if isinstance(signal, dict) else None
            if isinstance(code, str) and code not in tally["codes"]:
                tally["codes"].append(code)
        if tray == Conversation.Tray.LATER:
            tally["held"] += 1
        if _is_turned_away(state, created_at, now):
            tally["turned_away"] += 1
    members = Member.objects.in_bulk(list(tallies))
    ranked = [
        AccountToReview(member=members[member_id], **tally)
        for member_id, tally in tallies.items()
        if member_id in members
        and (tally["codes"] or tally["held"] or tally["turned_away"])
    ]
    ranked.sort(key=lambda entry: entry.rank, reverse=True)
    return ranked[:limit]
