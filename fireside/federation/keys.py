"""Key pairs of the actors we serve: made on first need, kept in ActorKey.

RSA 2048 with the public exponent 65537, the one key type every fediverse server verifies
(draft-cavage `rsa-sha256`). PEMs: SubjectPublicKeyInfo for the public key (what Mastodon
publishes as publicKeyPem), unencrypted PKCS#8 for the private key (see ActorKey)."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction

from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.federation.models import ActorKey

KEY_BITS = 2048


def generate_pem_pair() -> tuple[str, str]:
    """A new (public PEM, private PEM)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )
    return public_pem, private_pem


def key_for(member: Member | None, community: Community | None = None) -> ActorKey:
    """The key of MEMBER, or of COMMUNITY's Group actor (both None: the instance actor),
    made now when it has none yet. Two requests racing to make it end with the same
    stored key."""
    owner = {"member": member, "community": community if member is None else None}
    found = ActorKey.objects.filter(**owner).first()
    if found is not None:
        return found
    public_pem, private_pem = generate_pem_pair()
    try:
        with transaction.atomic():
            return ActorKey.objects.create(
                **owner, public_pem=public_pem, private_pem=private_pem
            )
    except IntegrityError:
        return ActorKey.objects.get(**owner)


def group_key(community: Community) -> ActorKey:
    return key_for(None, community)


def instance_key() -> ActorKey:
    return key_for(None)
