"""Unfamiliar-sender signals: why a request may come from someone the recipient would not
want to hear from, each with its reason in words.

They are worked out once, when the request is made, and stored on the conversation, so
the recipient reads the reasons as they were then. Only the recipient ever sees them (never
the sender, never anyone else, never on a public page), and no signal refuses anything by
itself: strong signals only move a request to the recipient's "Later" tray, where it waits
without a notification and can still be accepted.

The thresholds, in one place:

| code | shown when |
|---|---|
| `new_account` | the sender joined less than NEW_ACCOUNT_AGE (7 days) ago |
| `no_shared_community` | the two share no community |
| `many_digits` | the sender's handle holds a run of MANY_DIGITS_RUN (4) or more digits |
| `often_declined` | of the sender's last OFTEN_DECLINED_OF (5) requests in the last OFTEN_DECLINED_WINDOW (30 days), OFTEN_DECLINED_AT_LEAST (3) or more were declined or left to expire |
| `signup_burst` | SIGNUP_BURST_ACCOUNTS (5) or more accounts, theirs included, signed up from the same network (a keyed hash, never the address) within SIGNUP_BURST_WINDOW (24 hours) of theirs |
| `remote_instance` | the sender is on another server of the fediverse (a stand-in, `is_remote`) |

A request is *strong* (goes to Later) when it carries STRONG_AT_LEAST (2) or more signals:
one signal alone is common among good-faith newcomers; two together are what throwaway and
bot accounts look like.

`remote_instance` is shown but does not count toward strong: being on another server is
no sign of a throwaway account, only something the recipient should know (their server's
rules, not ours, made the account). The other signals apply to remote senders as to
anyone: `new_account` reads the stand-in's `joined_at`, which is the account's age on its
own server when its actor document says (`published`); `many_digits` looks at the name
before the server's (a port or a year in a host name says nothing about the person).
"""

import re
from datetime import timedelta
from typing import Any, TypedDict

from django.db.models import Q
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.conversations.models import REQUEST_LIFETIME, Conversation
from fireside.conversations.permissions import share_a_community

NEW_ACCOUNT_AGE = timedelta(days=7)
MANY_DIGITS_RUN = 4
OFTEN_DECLINED_OF = 5
OFTEN_DECLINED_AT_LEAST = 3
OFTEN_DECLINED_WINDOW = timedelta(days=30)
SIGNUP_BURST_ACCOUNTS = 5
SIGNUP_BURST_WINDOW = timedelta(hours=24)
STRONG_AT_LEAST = 2

_DIGIT_RUN = re.compile(rf"[0-9]{{{MANY_DIGITS_RUN},}}")


class Signal(TypedDict):
    code: str
    text: str


def _joined_phrase(joined_at: Any) -> str:
    days = (timezone.now() - joined_at).days
    if days < 1:
        return "joined less than a day ago"
    return f"joined {days} day{'s' if days != 1 else ''} ago"


def _often_declined(sender: Member) -> bool:
    now = timezone.now()
    recent = list(
        Conversation.objects.filter(
            initiator=sender, created_at__gt=now - OFTEN_DECLINED_WINDOW
        )
        .order_by("-created_at", "-pk")
        .values_list("state", "created_at")[:OFTEN_DECLINED_OF]
    )
    lapsed = now - REQUEST_LIFETIME
    turned_away = sum(
        1
        for state, created_at in recent
        if state in (Conversation.State.DECLINED, Conversation.State.EXPIRED)
        or (state == Conversation.State.REQUESTED and created_at <= lapsed)
    )
    return turned_away >= OFTEN_DECLINED_AT_LEAST


def _signup_burst(sender: Member) -> bool:
    if not sender.signup_network:
        return False
    around = Q(
        joined_at__gte=sender.joined_at - SIGNUP_BURST_WINDOW,
        joined_at__lte=sender.joined_at + SIGNUP_BURST_WINDOW,
    )
    others = (
        Member.objects.filter(around, signup_network=sender.signup_network)
        .exclude(pk=sender.pk)
        .values("pk")[: SIGNUP_BURST_ACCOUNTS - 1]
    )
    return len(others) >= SIGNUP_BURST_ACCOUNTS - 1


def signals_for(sender: Member, recipient: Member) -> list[Signal]:
    """Return why SENDER may be unfamiliar to RECIPIENT now, most telling first."""
    signals: list[Signal] = []
    if timezone.now() - sender.joined_at < NEW_ACCOUNT_AGE:
        signals.append(
            {
                "code": "new_account",
                "text": f"New account ({_joined_phrase(sender.joined_at)})",
            }
        )
    if _signup_burst(sender):
        signals.append(
            {
                "code": "signup_burst",
                "text": "Signed up along with several other accounts from the same "
                "network on the same day",
            }
        )
    if _DIGIT_RUN.search(sender.handle.split("@", 1)[0]):
        signals.append({"code": "many_digits", "text": "Handle with many digits"})
    if _often_declined(sender):
        signals.append(
            {
                "code": "often_declined",
                "text": "Many of their recent requests were declined or left "
                "unanswered",
            }
        )
    if not share_a_community(sender, recipient):
        signals.append(
            {"code": "no_shared_community", "text": "No community in common with you"}
        )
    if sender.is_remote:
        signals.append(
            {
                "code": "remote_instance",
                "text": f"Writes from {_server_of(sender)}, another server of the "
                "fediverse",
            }
        )
    return signals


def _server_of(sender: Member) -> str:
    actor = getattr(sender, "remote_actor", None)
    if actor is not None and actor.domain:
        return str(actor.domain)
    return sender.handle.rpartition("@")[2] or "another server"


#: Signals shown for context that never hold a request by themselves or together.
NOT_COUNTED = frozenset({"remote_instance"})


def is_strong(signals: list[Signal]) -> bool:
    """Whether SIGNALS are strong enough to hold the request in Later."""
    counted = [signal for signal in signals if signal["code"] not in NOT_COUNTED]
    return len(counted) >= STRONG_AT_LEAST
