from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class ActorKey(models.Model):
    """The RSA key pair an actor signs with: one per member, and one (member empty) for the
    instance actor. Made on first need (keys.py).

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
    public_pem = models.TextField()
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One key for the instance actor too (member empty): NULLs are distinct in a
            # plain unique index, so the index is on COALESCE(member, 0).
            models.UniqueConstraint(
                Coalesce("member", models.Value(0)),
                name="federation_one_key_per_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"key of {self.member or 'the instance actor'}"
