"""Demo of a conversation across servers, so a newcomer sees ada talking with sam, who is
on another server of the fediverse, and the notice that such messages are not end-to-end
encrypted. No network: the remote actor is written down as if it had been fetched, and
nothing is delivered to it. Safe to run again: a known demo actor is left alone."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.conversations import actions
from fireside.conversations.models import Message
from fireside.federation.members import member_for_actor
from fireside.federation.models import Delivery, FederatedObject, RemoteActor

DEMO_ACTOR = "https://social.example/users/sam"
#: The handle of sam's stand-in here.
DEMO_HANDLE = "sam@social.example"
#: (who writes, what) in order; "sam" is the remote person. ada asked, and sam's
#: answer was his yes.
DEMO_MESSAGES = [
    ("ada", "Hi Sam! I saw your photos of the dark-sky park on social.example. Could "
     "I ask how you picked your observing spot?"),
    ("sam", "Hello Ada, happy to. Mostly by trial and error: I drove out on clear "
     "nights and checked how far the city glow reached."),
    ("ada", "That sounds like patience. Did a light-pollution map help at all?"),
    ("sam", "A little. The map got me close; the last few kilometres I judged by eye."),
]  # fmt: skip


def load_federation_demo() -> None:
    ada = Member.objects.filter(handle="ada", is_remote=False).first()
    if ada is None or RemoteActor.objects.filter(actor_id=DEMO_ACTOR).exists():
        return
    with transaction.atomic():
        actor = RemoteActor.objects.create(
            actor_id=DEMO_ACTOR,
            inbox=f"{DEMO_ACTOR}/inbox",
            shared_inbox="https://social.example/inbox",
            preferred_username="sam",
            name="Sam Okafor",
            url="https://social.example/@sam",
            published=timezone.now() - timedelta(days=3 * 365),
            actor_type="Person",
            domain="social.example",
        )
        sam = member_for_actor(actor)
        (_, opening), *rest = DEMO_MESSAGES
        conversation = actions.request_conversation(by=ada, to=sam, message=opening)
        conversation = actions.accept_conversation(conversation, by=sam)
        for number, (who, body) in enumerate(rest, start=2):
            message = actions.send_message(
                conversation, by=sam if who == "sam" else ada, body=body
            )
            if who == "sam":
                _record(actor, message, number)
        # Were federation on here, ada's messages would have been queued for sam's
        # server, which does not exist: nothing leaves a demo.
        Delivery.objects.filter(target__startswith="https://social.example/").delete()


def _record(actor: RemoteActor, message: Message, number: int) -> None:
    FederatedObject.objects.create(
        object_id=f"{DEMO_ACTOR}/statuses/{number}",
        remote_actor=actor,
        message=message,
    )
