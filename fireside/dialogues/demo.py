"""Demo dialogue: ada and grace's conversation about wintering bees, published under the
post it started from, so a newcomer sees a dialogue on the post page, the community page
and at /d/<id>/. Safe to run again: a conversation that has a dialogue is left alone."""

from fireside.accounts.models import Member
from fireside.conversations.models import Conversation
from fireside.core.exceptions import DomainError
from fireside.dialogues import actions


def load_dialogues_demo() -> None:
    ada = Member.objects.filter(handle="ada").first()
    grace = Member.objects.filter(handle="grace").first()
    if ada is None or grace is None:
        return
    conversation = (
        Conversation.objects.between(ada, grace)
        .filter(post__isnull=False)
        .select_related("post__community", "initiator", "recipient")
        .first()
    )
    if conversation is None or conversation.dialogues.exists():
        return
    try:
        dialogue = actions.propose_dialogue(
            conversation, by=ada, post=conversation.post
        )
        actions.accept_dialogue(dialogue, by=grace)
    except DomainError:
        return  # the demo places changed: no dialogue rather than a failed load
