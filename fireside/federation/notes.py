"""Direct messages across instances (issue 9, part 4): Create/Update/Delete of a Note
addressed to one of our members, as a conversation request or a message in an accepted
conversation; and our members' messages to remote members as direct Notes."""

from fireside.federation.models import InboundActivity, RemoteActor


def process(inbound: InboundActivity, actor: RemoteActor) -> tuple[str, str]:
    """Act on a Create, Update or Delete that is not about a community (a Group)."""
    return InboundActivity.State.IGNORED, "direct messages are not handled yet"
