from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class ActorKey(models.Model):
    """The RSA key pair an actor signs with: one per member, one per federating community
    (its Group actor), and one (member and community empty) for the instance actor. Made
    on first need (keys.py).

    The private key sits in the database in PEM form, unencrypted: whoever can read the
    database can sign as any member of this instance, so back-ups deserve the same care as
    the database itself. It is never served, exported or logged; only public_pem leaves."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor_key",
    )
    #: The community whose Group actor signs with this key (FEP-1b12, groups.py).
    community = models.OneToOneField(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor_key",
    )
    public_pem = models.TextField()
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One key for the instance actor too (member and community empty): NULLs
            # are distinct in a plain unique index, so the index is on the COALESCEs.
            models.UniqueConstraint(
                Coalesce("member", models.Value(0)),
                Coalesce("community", models.Value(0)),
                name="federation_one_key_per_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"key of {self.member or self.community or 'the instance actor'}"


class RemoteActor(models.Model):
    """An actor on another server that we have heard from, with its key as last fetched
    (remote.py). Removed when the actor tells us it was deleted."""

    actor_id = models.URLField(max_length=2000, unique=True)
    inbox = models.URLField(max_length=2000)
    shared_inbox = models.URLField(max_length=2000, blank=True)
    public_key_pem = models.TextField(blank=True)
    key_id = models.URLField(max_length=2000, blank=True, db_index=True)
    preferred_username = models.CharField(max_length=200, blank=True)
    #: Display name and profile page, as the actor document gave them (plain text).
    name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    #: When the account was made on its server, if the document said (`published`).
    published = models.DateTimeField(null=True, blank=True)
    #: Group, Person, Service...
    actor_type = models.CharField(max_length=30, blank=True)
    domain = models.CharField(max_length=255, db_index=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    #: The local stand-in that talks, posts and is moderated here (members.py); made
    #: on the actor's first direct message, group post or group follow.
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="remote_actor",
    )

    def __str__(self) -> str:
        return self.handle

    @property
    def handle(self) -> str:
        """@name@domain, as people write it (the actor id when the name is unknown)."""
        if self.preferred_username:
            return f"@{self.preferred_username}@{self.domain}"
        return self.actor_id

    @property
    def delivery_inbox(self) -> str:
        """Where to POST to this actor: its server's shared inbox when it has one."""
        return self.shared_inbox or self.inbox


class InboundActivity(models.Model):
    """An activity that reached one of our inboxes with a valid signature, kept as
    received and processed by a task (tasks.process_inbound)."""

    class State(models.TextChoices):
        RECEIVED = "received", "received"
        PROCESSED = "processed", "processed"
        IGNORED = "ignored", "ignored"
        FAILED = "failed", "failed"

    raw = models.JSONField()
    actor_id = models.URLField(max_length=2000)
    activity_type = models.CharField(max_length=100, blank=True)
    #: The member whose inbox it came to; empty for the shared inbox.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.RECEIVED
    )
    note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.activity_type} from {self.actor_id}"


class FollowerQuerySet(models.QuerySet["Follower"]):
    def visible_to(self, viewer: object) -> "FollowerQuerySet":
        """Only the followed member sees who follows them; nobody else, not even staff."""
        pk = getattr(viewer, "pk", None)
        if getattr(viewer, "is_authenticated", False) and isinstance(pk, int):
            return self.filter(member_id=pk)
        return self.none()


class Follower(models.Model):
    """A remote actor following a member: pending until the member (or their setting)
    accepts. Never counted and never shown to anyone but the member."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        ACCEPTED = "accepted", "accepted"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="remote_followers",
    )
    remote_actor = models.ForeignKey(
        RemoteActor, on_delete=models.CASCADE, related_name="follows"
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING
    )
    #: The id of the Follow activity, which our Accept names.
    activity_id = models.URLField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = FollowerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "remote_actor"], name="federation_one_follow"
            )
        ]

    def __str__(self) -> str:
        return f"{self.remote_actor} follows {self.member} ({self.state})"


class FederationSettings(models.Model):
    """A member's choices about the fediverse. No row: the defaults."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="federation_settings",
    )
    #: Remote follows wait for the member's yes (the default: consent first).
    approve_follows = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"federation settings of {self.member}"


class Delivery(models.Model):
    """One activity to POST to one inbox, signed, retried with backoff (delivery.py)."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERED = "delivered", "delivered"
        GAVE_UP = "gave_up", "gave up"

    target = models.URLField(max_length=2000)
    activity = models.JSONField()
    #: Who signs it; empty for the instance actor (or a community's Group, below).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The community whose Group actor signs it (FEP-1b12 Announces, Accepts).
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"delivery to {self.target} ({self.state})"


class FederatedObject(models.Model):
    """A remote object (a Note, a Page) we stored as a message or a post, by its id:
    a repeated Create is recognised, and an Update or Delete finds what it changes."""

    object_id = models.URLField(max_length=2000, unique=True)
    remote_actor = models.ForeignKey(
        RemoteActor, on_delete=models.CASCADE, related_name="objects_here"
    )
    message = models.OneToOneField(
        "conversations.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="federated",
    )
    post = models.OneToOneField(
        "posts.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="federated",
    )
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.object_id


class GroupFollower(models.Model):
    """A remote actor following a community's Group actor (FEP-1b12): it receives the
    community's posts and dialogues as Announces. Never counted, never listed publicly."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="remote_followers",
    )
    remote_actor = models.ForeignKey(
        RemoteActor, on_delete=models.CASCADE, related_name="group_follows"
    )
    activity_id = models.URLField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "remote_actor"],
                name="federation_one_group_follow",
            )
        ]

    def __str__(self) -> str:
        return f"{self.remote_actor} follows {self.community}"


class InstanceBlock(models.Model):
    """Defederation, decided by the administrators: nothing from DOMAIN (or its
    subdomains) is accepted, fetched or delivered to."""

    class Severity(models.TextChoices):
        SUSPEND = "suspend", "suspend (no contact at all)"

    domain = models.CharField(max_length=255, unique=True)
    severity = models.CharField(
        max_length=20, choices=Severity.choices, default=Severity.SUSPEND
    )
    #: Why, in words; shown on the public list of blocked instances.
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"block of {self.domain}"


class CommunityInstanceBlockQuerySet(models.QuerySet["CommunityInstanceBlock"]):
    def active(self) -> "CommunityInstanceBlockQuerySet":
        return self.filter(lifted_at__isnull=True)


class CommunityInstanceBlock(models.Model):
    """A community's cohort blocks a remote instance from its community: no follows of
    its Group and no posts into it from that instance (or its subdomains). A lifted
    block keeps its row (lifted_at): both steps stay in the community's public log."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="instance_blocks",
    )
    domain = models.CharField(max_length=255)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CommunityInstanceBlockQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "domain"],
                condition=models.Q(lifted_at__isnull=True),
                name="federation_one_community_block",
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} blocks {self.domain}"
