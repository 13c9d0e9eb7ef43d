"""Delivering activities: one Delivery row per (activity, inbox), a signed POST from a
background task, and retries with exponential backoff.

Schedule: after the n-th failed attempt (n = 1, 2, ...) the next one is due
RETRY_BASE × 2^(n-1) later (1, 2, 4, 8 ... minutes, at most MAX_RETRY_DELAY apart). A
delivery still failing GIVE_UP_AFTER (48 hours) after it was made is given up: a server
that has been unreachable for two days is treated as gone for that activity. A 4xx answer
other than 408 and 429 says the server refuses this activity for good, so it is given up
at once. Retries are picked up by `tasks.retry_deliveries` (run every minute by the
schedule) and, on backends that can defer, also enqueued for their due time."""

import functools
import json
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.federation import blocks, conf
from fireside.federation.fetch import FetchError, post_json
from fireside.federation.keys import key_for
from fireside.federation.models import Delivery
from fireside.federation.objects import group_key_id
from fireside.federation.signatures import sign_request

RETRY_BASE = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=12)
GIVE_UP_AFTER = timedelta(hours=48)
RETRYABLE_CLIENT_ERRORS = {408, 429}


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ATTEMPTS-th failure."""
    delay: timedelta = RETRY_BASE * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY_DELAY)


def deliver_later(
    activity: dict[str, Any],
    inbox: str,
    *,
    sender: Member | None,
    community: Community | None = None,
) -> Delivery:
    """Record a delivery of ACTIVITY to INBOX signed by SENDER (None: COMMUNITY's Group
    actor, or else the instance actor) and queue its first attempt after commit."""
    delivery = Delivery.objects.create(
        target=inbox,
        activity=activity,
        sender=sender,
        community=community if sender is None else None,
    )
    transaction.on_commit(functools.partial(_enqueue, delivery))
    return delivery


def _enqueue(delivery: Delivery) -> None:
    from fireside.federation.tasks import deliver

    task = deliver
    if delivery.attempts and task.get_backend().supports_defer:
        task = task.using(run_after=delivery.next_attempt_at)
    task.enqueue(delivery.pk)


def attempt(delivery_id: int) -> Delivery | None:
    """Try DELIVERY_ID once if it is pending and due; record the outcome."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .filter(
                pk=delivery_id, state=Delivery.State.PENDING, next_attempt_at__lte=now
            )
            .select_related("sender", "community")
            .first()
        )
        if delivery is None:
            return None
        # Claim it: a second worker finds it not yet due.
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=now + timedelta(minutes=5)
        )
    if blocks.instance_blocked(delivery.target):
        # Defederated since it was queued: given up at once, without a connection.
        delivery.state = Delivery.State.GAVE_UP
        delivery.last_error = "The instance is blocked."
        delivery.save(update_fields=["state", "last_error"])
        return delivery
    sender, community = delivery.sender, delivery.community
    if sender is not None:
        key_id = conf.key_id(sender)
    elif community is not None:
        key_id = group_key_id(community)
    else:
        key_id = conf.instance_key_id()
    signer = functools.partial(
        sign_request,
        key_id=key_id,
        private_key_pem=key_for(sender, community).private_pem,
    )
    body = json.dumps(delivery.activity, ensure_ascii=False).encode()
    delivery.attempts += 1
    try:
        post_json(delivery.target, body, signer=signer)
    except FetchError as error:
        delivery.last_error = str(error)[:500]
        now = timezone.now()
        permanent = (
            error.status is not None
            and 400 <= error.status < 500
            and error.status not in RETRYABLE_CLIENT_ERRORS
        )
        next_at = now + retry_delay(delivery.attempts)
        if permanent or next_at - delivery.created_at > GIVE_UP_AFTER:
            delivery.state = Delivery.State.GAVE_UP
        else:
            delivery.next_attempt_at = next_at
    else:
        delivery.state = Delivery.State.DELIVERED
        delivery.last_error = ""
    delivery.save(update_fields=["attempts", "state", "last_error", "next_attempt_at"])
    if delivery.state == Delivery.State.PENDING:
        transaction.on_commit(functools.partial(_enqueue_retry, delivery))
    return delivery


def _enqueue_retry(delivery: Delivery) -> None:
    from fireside.federation.tasks import deliver

    # Backends that cannot defer (the immediate one in tests) leave the retry to the
    # every-minute sweep instead of retrying at once.
    if deliver.get_backend().supports_defer:
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)


def due_deliveries() -> list[int]:
    return list(
        Delivery.objects.filter(
            state=Delivery.State.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:500]
    )
