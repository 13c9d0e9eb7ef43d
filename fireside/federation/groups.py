"""Communities as Groups (FEP-1b12): remote follows of a community, posts into it, and
Announces of its posts and dialogues to its followers."""

from typing import Any

from fireside.federation.models import InboundActivity, RemoteActor


def concerns_a_group(activity: dict[str, Any]) -> bool:
    """Whether ACTIVITY is addressed to, or acts on, one of our communities."""
    return False


def process(inbound: InboundActivity, actor: RemoteActor) -> tuple[str, str]:
    return InboundActivity.State.IGNORED, "communities do not federate yet"
