"""Demo data for `make run`, so a newcomer sees a living place. Safe to run again: what exists
is left alone. Each capability adds its part here, through its own actions."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fireside.accounts import actions as accounts
from fireside.accounts.models import Member
from fireside.appeals.demo import load_appeals_demo
from fireside.blocklists.demo import load_blocklists_demo
from fireside.communities import actions as communities
from fireside.communities.models import Community
from fireside.connections.demo import load_connections_demo
from fireside.conversations import actions as conversations
from fireside.conversations.demo import load_conversations_demo
from fireside.conversations.models import Conversation
from fireside.core.demo import (
    COMMUNITIES,
    CONVERSATIONS,
    MEMBERS,
    DemoCommunity,
    DemoConversation,
)
from fireside.dialogues.demo import load_dialogues_demo
from fireside.federation.demo import load_federation_demo
from fireside.moderation.demo import load_moderation_demo
from fireside.posts import actions as posts
from fireside.posts.models import Post
from fireside.ratings.demo import load_ratings_demo
from fireside.staff.demo import load_staff_demo
from fireside.trust.demo import load_trust_demo

DEMO_PASSWORD = "fireside-demo"


class Command(BaseCommand):
    help = (
        "Load the demo members and communities once; running it again changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off (never in production).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development instances (DEBUG on).")
        with transaction.atomic():
            new_members = self._members()
            new_communities = [
                demo.slug for demo in COMMUNITIES if self._community(demo) is not None
            ]
            for demo in CONVERSATIONS:
                self._conversation(demo)
            load_trust_demo()
            load_conversations_demo()
            load_blocklists_demo()  # cohorts first: moderation demo uses them
            load_moderation_demo()
            load_appeals_demo()
            load_staff_demo()
            load_dialogues_demo()
            load_connections_demo()
            load_ratings_demo()  # after the posts; scores them at the end
            load_federation_demo()
        if new_members or new_communities:
            self.stdout.write(
                f"Loaded {len(new_members)} demo members and "
                f"{len(new_communities)} communities (password: {DEMO_PASSWORD})."
            )
        else:
            self.stdout.write("Demo data is already loaded.")

    def _members(self) -> list[Member]:
        created = []
        for profile in MEMBERS:
            if Member.objects.filter(handle=profile.handle).exists():
                continue
            member = Member.objects.create_user(
                profile.handle,
                f"{profile.handle}@demo.fireside.invalid",
                DEMO_PASSWORD,
                display_name=profile.display_name,
                email_verified_at=timezone.now() - timedelta(days=40),
                joined_at=timezone.now() - timedelta(days=40),
                trust_level=Member.TrustLevel.MEMBER,
            )
            accounts.update_profile(
                member, bio=profile.bio, interests=profile.interests
            )
            created.append(member)
        return created

    def _community(self, demo: DemoCommunity) -> Community | None:
        if Community.objects.filter(slug=demo.slug).exists():
            return None
        members = {member.handle: member for member in Member.objects.all()}
        community = communities.create_community(
            by=members[demo.lead],
            slug=demo.slug,
            name=demo.name,
            description=demo.description,
            topics=demo.topics,
            visibility=demo.visibility,
            rules=demo.rules,
        )
        for handle in demo.members:
            membership = communities.join_community(community, member=members[handle])
            if membership.state != membership.State.ACTIVE:
                communities.decide_join_request(
                    membership, by=members[demo.lead], approve=True
                )
        for item in demo.posts:
            post = posts.create_post(
                community,
                by=members[item.author],
                title=item.title,
                body=item.body,
                topics=item.topics,
            )
            # Demo only: spread the posts over the last days so the feed looks lived in.
            Post.objects.filter(pk=post.pk).update(
                created_at=timezone.now() - timedelta(hours=item.hours_ago)
            )
        # Demo only: communities a few weeks old, like their members.
        Community.objects.filter(pk=community.pk).update(
            created_at=timezone.now() - timedelta(days=30)
        )
        return community

    def _conversation(self, demo: DemoConversation) -> None:
        members = {member.handle: member for member in Member.objects.all()}
        initiator, recipient = members[demo.initiator], members[demo.recipient]
        if Conversation.objects.between(initiator, recipient).exists():
            return
        post = Post.objects.filter(title=demo.about).first()
        conversation = conversations.request_conversation(
            by=initiator, to=recipient, message=demo.messages[0], post=post
        )
        if not demo.accepted:
            return
        conversations.accept_conversation(conversation, by=recipient)
        speakers = [recipient, initiator]
        for number, body in enumerate(demo.messages[1:]):
            conversations.send_message(conversation, by=speakers[number % 2], body=body)
