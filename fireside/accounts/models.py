import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class MemberQuerySet(models.QuerySet["Member"]):
    def active(self) -> "MemberQuerySet":
        return self.filter(is_active=True)

    def local(self) -> "MemberQuerySet":
        """Accounts of this instance (not the stand-ins for people on other servers)."""
        return self.filter(is_remote=False)

    def visible_to(self, viewer: "Member | Any") -> "MemberQuerySet":
        """Return the members VIEWER may look up; anonymous visitors see active members too,
        because profiles are public by design (they carry no counts)."""
        return self.active()


class MemberManager(BaseUserManager["Member"]):
    def get_queryset(self) -> MemberQuerySet:
        return MemberQuerySet(self.model, using=self._db)

    def active(self) -> MemberQuerySet:
        return self.get_queryset().active()

    def visible_to(self, viewer: "Member | Any") -> MemberQuerySet:
        return self.get_queryset().visible_to(viewer)

    def create_user(
        self, handle: str, email: str, password: str | None = None, **extra: Any
    ) -> "Member":
        from fireside.accounts.handles import normalize_handle

        extra.setdefault("display_name", handle)
        member = self.model(
            handle=normalize_handle(handle), email=email.strip().lower(), **extra
        )
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(
        self, handle: str, email: str, password: str | None = None, **extra: Any
    ) -> "Member":
        extra.update(is_staff=True, is_superuser=True, email_verified_at=timezone.now())
        return self.create_user(handle, email, password, **extra)


class Member(AbstractBaseUser, PermissionsMixin):
    """An account. The handle is stored in its normal form (see handles.py)."""

    class TrustLevel(models.IntegerChoices):
        NEWCOMER = 0, "newcomer"
        MEMBER = 1, "member"
        REGULAR = 2, "regular"
        TRUSTED = 3, "trusted"
        LEADER = 4, "leader"

    class WhoMayAsk(models.TextChoices):
        ANYONE = "anyone", "Anyone"
        SHARED_COMMUNITY = "shared_community", "Members of a community we share"
        TRUSTED = "trusted", "Trusted members (level 3 and up)"
        CONNECTIONS = "connections", "My connections only"

    #: Local handles are 3-30 characters (handles.py); a remote member's is
    #: name@their.server, which can be longer.
    handle = models.CharField(max_length=255, unique=True)
    #: Empty for remote members: we never learn, and never mail, their address.
    email = models.EmailField(max_length=254, blank=True)
    display_name = models.CharField(max_length=50)
    bio = models.TextField(blank=True, default="")
    interests = models.JSONField(default=list, blank=True)
    trust_level = models.PositiveSmallIntegerField(
        choices=TrustLevel.choices, default=TrustLevel.NEWCOMER
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    who_may_ask = models.CharField(
        max_length=20, choices=WhoMayAsk.choices, default=WhoMayAsk.SHARED_COMMUNITY
    )
    joined_at = models.DateTimeField(default=timezone.now)
    #: A keyed hash (never the address itself) of the network the account signed up
    #: from, so a burst of sign-ups from one network can be noticed.
    signup_network = models.CharField(
        max_length=64, blank=True, default="", db_index=True
    )
    #: The member paused new conversation requests from their profile.
    requests_paused = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    #: A stand-in for a person on another server of the fediverse (federation.members):
    #: they can talk, post and be moderated here, but never log in, and are never mailed.
    is_remote = models.BooleanField(default=False)

    objects: ClassVar[MemberManager] = MemberManager()

    USERNAME_FIELD = "handle"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "display_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(is_remote=False),
                name="member_email_unique_ci",
            ),
            models.CheckConstraint(
                condition=models.Q(trust_level__lte=4), name="member_trust_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)

    def owned_by(self, member: Member) -> "ApiTokenQuerySet":
        """Return MEMBER's own tokens: nobody else may see or revoke them."""
        return self.filter(member=member)


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 of the secret is stored: the secret is
    random (256 bits), so a slow hash would add nothing but latency to every request."""

    PREFIX = "fs_"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
