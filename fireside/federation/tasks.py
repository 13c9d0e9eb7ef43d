from django.tasks import task

from fireside.federation import delivery, inbox
from fireside.federation.models import InboundActivity


@task()
def process_inbound(inbound_id: int) -> str:
    """Act on a stored inbound activity once; safe to run again (it is then skipped)."""
    inbound = InboundActivity.objects.filter(
        pk=inbound_id, state=InboundActivity.State.RECEIVED
    ).first()
    if inbound is None:
        return "skipped"
    state, note = inbox.process(inbound)
    InboundActivity.objects.filter(pk=inbound.pk).update(state=state, note=note[:500])
    return str(state)


@task()
def deliver(delivery_id: int) -> str:
    """One attempt at a delivery, if it is still pending and due."""
    done = delivery.attempt(delivery_id)
    return "skipped" if done is None else str(done.state)


@task()
def retry_deliveries() -> int:
    """Attempt every pending delivery whose retry is due (run every minute)."""
    due = delivery.due_deliveries()
    for delivery_id in due:
        delivery.attempt(delivery_id)
    return len(due)
