"""HTTP signatures between servers: we sign with draft-cavage, we check draft-cavage and
RFC 9421.

Outgoing requests carry a draft-cavage-http-signatures-12 `Signature` header with
`rsa-sha256` over `(request-target) host date` (plus `digest` when there is a body), the
form Mastodon and every other fediverse server verifies.

Incoming requests may be signed either way. `verify_request` is what an inbox or a signed
fetch calls: it refuses a signature that does not cover the method and target, the host, a
time and (with a body) a digest of the body; checks that digest, the time against a window
of about an hour, and then the signature itself with the signer's key. Keys rotate, so a
signature that fails with the key we hold is tried once more with a freshly fetched key.
RFC 9421 signatures are checked by the `http-message-signatures` library.

Every refusal is a `SignatureError` whose `code` says why (a view answers it with 401).
Cheap checks run before the key is fetched, so junk from unknown actors costs no request."""

import base64
import binascii
import hashlib
import hmac
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import http_sf
from cryptography.exceptions import InvalidSignature as InvalidCryptoSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from django.utils import timezone
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageVerifier,
    HTTPSignatureAlgorithm,
    InvalidSignature,
    MappingKeyResolver,
    algorithms,
)
from http_message_signatures.digests import ContentDigest

from fireside.core.exceptions import DomainError

#: How far a signed time may be from ours, either way, before the request is refused.
DEFAULT_WINDOW = timedelta(hours=1)

CAVAGE = "draft-cavage"
RFC9421 = "rfc9421"

#: key_resolver(key_id, refresh) -> (public key PEM, id of the actor owning the key), or
#: None when there is no such key. refresh=True asks for a fresh copy, not a cached one.
KeyResolver = Callable[[str, bool], tuple[str | bytes, str] | None]

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

_RFC9421_ALGORITHMS: dict[str, type[HTTPSignatureAlgorithm]] = {
    algorithm.algorithm_id: algorithm
    for algorithm in (
        algorithms.RSA_V1_5_SHA256,
        algorithms.RSA_PSS_SHA512,
        algorithms.ECDSA_P256_SHA256,
        algorithms.ECDSA_P384_SHA384,
        algorithms.ED25519,
    )
}
# hs2019 means "whatever the key is": RSA with SHA-256 in practice, or Ed25519.
_CAVAGE_ALGORITHMS = {"rsa-sha256", "rsa-sha512", "hs2019"}
_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
_TARGET_COMPONENTS = {"@target-uri", "@path", "@request-target"}


class SignatureError(DomainError):
    """A request whose signature we do not accept. `code` names the reason:
    missing_signature, malformed_signature, unsupported_algorithm, not_covered, bad_digest,
    bad_date, expired, unknown_key, bad_signature or actor_mismatch."""

    status = 401
    code = "bad_signature"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Verified:
    """Who signed: the key, the actor owning it, which scheme, and what the signature
    covers (lower-case names, as the scheme spells them)."""

    key_id: str
    actor_id: str
    scheme: str
    covered: tuple[str, ...] = field(default=())


# Outgoing ----------------------------------------------------------------------------


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    key_id: str,
    private_key_pem: str | bytes,
    now: datetime | None = None,
    covered: Sequence[str] | None = None,
) -> dict[str, str]:
    """Return HEADERS plus Host, Date, Digest (for a POST or any body) and a draft-cavage
    `Signature` made with the RSA key PRIVATE_KEY_PEM. `now` and `covered` exist for
    known-answer tests; by default the signature covers `(request-target) host date` and
    `digest` when there is one."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    signed = dict(headers)
    _replace(signed, "Host", parts.netloc.rpartition("@")[2])
    _replace(signed, "Date", http_date(now or timezone.now()))
    has_digest = body is not None or method.upper() == "POST"
    if has_digest:
        digest = base64.b64encode(hashlib.sha256(body or b"").digest()).decode()
        _replace(signed, "Digest", f"SHA-256={digest}")
    if covered is None:
        covered = ["(request-target)", "host", "date"] + (
            ["digest"] if has_digest else []
        )
    names = [name.lower() for name in covered]
    text = _cavage_signing_string(names, method, target, _lower(signed), {})
    private_key = serialization.load_pem_private_key(_bytes(private_key_pem), None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError("Outgoing requests are signed with an RSA key.")
    signature = private_key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    _replace(
        signed,
        "Signature",
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"',
    )
    return signed


def http_date(moment: datetime) -> str:
    """MOMENT in the RFC 7231 form HTTP uses: `Sun, 06 Nov 1994 08:49:37 GMT`."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


# Incoming ----------------------------------------------------------------------------


def verify_request(
    method: str,
    path_with_query: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    key_resolver: KeyResolver,
    now: datetime | None = None,
    window: timedelta = DEFAULT_WINDOW,
) -> Verified:
    """Return who signed this request, or raise SignatureError.

    The signature (draft-cavage `Signature` or `Authorization: Signature`, or RFC 9421
    `Signature-Input` + `Signature`) must cover the method and target, the host, a time
    within WINDOW of NOW, and, when BODY is not empty, its digest, which must match BODY.
    KEY_RESOLVER is called once, and once more with refresh=True if the key it gave does
    not verify or it had none."""
    signature = _parse(method, path_with_query, headers)
    signature.require_coverage(has_body=bool(body))
    signature.check_time(now or timezone.now(), window)
    signature.check_digest(body)
    return _verify_with_resolver(signature, key_resolver)


def verify_signature(
    method: str,
    path_with_query: str,
    headers: Mapping[str, str],
    *,
    key_resolver: KeyResolver,
    now: datetime | None = None,
    window: timedelta = DEFAULT_WINDOW,
    status_code: int | None = None,
) -> Verified:
    """Check only the signature: its signed time, key and cryptography, whatever it covers.
    No coverage rules and no body digest: inboxes use verify_request. STATUS_CODE makes
    the message a response (RFC 9421 signatures may cover `@status`)."""
    signature = _parse(method, path_with_query, headers, status_code=status_code)
    signature.check_time(now or timezone.now(), window)
    return _verify_with_resolver(signature, key_resolver)


def check_actor(verified: Verified, activity_actor_id: str) -> None:
    """Refuse an activity whose `actor` is not the owner of the key that signed it, as
    Mastodon does: the ids must be equal."""
    if verified.actor_id != activity_actor_id:
        raise SignatureError(
            "actor_mismatch",
            f"The request was signed by {verified.actor_id}, "
            f"not by the activity's actor {activity_actor_id}.",
        )


def _verify_with_resolver(
    signature: "_Signature", key_resolver: KeyResolver
) -> Verified:
    resolved = key_resolver(signature.key_id, False)
    refreshed = resolved is None
    if resolved is None:
        resolved = key_resolver(signature.key_id, True)
    for attempt in range(2):
        if resolved is None:
            raise SignatureError("unknown_key", f"No key {signature.key_id} was found.")
        key = _load_public_key(resolved[0])
        if key is not None and signature.matches(key):
            return Verified(
                signature.key_id, resolved[1], signature.scheme, signature.covered
            )
        if refreshed or attempt:
            if key is None:
                raise SignatureError(
                    "unknown_key", f"The key {signature.key_id} is not a usable key."
                )
            raise SignatureError(
                "bad_signature", "The signature does not match the signer's key."
            )
        # Keys rotate: the one we hold may be stale, so fetch it once more.
        resolved = key_resolver(signature.key_id, True)
    raise AssertionError("unreachable")  # pragma: no cover


class _Signature:
    scheme: str
    key_id: str
    covered: tuple[str, ...]

    def require_coverage(self, *, has_body: bool) -> None:
        raise NotImplementedError

    def check_time(self, now: datetime, window: timedelta) -> None:
        raise NotImplementedError

    def check_digest(self, body: bytes) -> None:
        raise NotImplementedError

    def matches(self, key: PublicKey) -> bool:
        raise NotImplementedError


def _parse(
    method: str,
    path_with_query: str,
    headers: Mapping[str, str],
    *,
    status_code: int | None = None,
) -> _Signature:
    lowered = _lower(headers)
    if "signature-input" in lowered:
        return _Rfc9421Signature(
            method, path_with_query, headers, lowered, status_code=status_code
        )
    value = lowered.get("signature")
    if value is None:
        authorization = lowered.get("authorization", "")
        if authorization[:10].lower() == "signature ":
            value = authorization[10:]
    if value is None:
        raise SignatureError("missing_signature", "The request is not signed.")
    return _CavageSignature(method, path_with_query, lowered, value)


def _check_window(signed_at: datetime, now: datetime, window: timedelta) -> None:
    if abs(now - signed_at) > window:
        raise SignatureError(
            "expired", "The signature's time is too far from ours; sign it again."
        )


def _not_covered(missing: list[str]) -> SignatureError:
    return SignatureError(
        "not_covered", f"The signature must also cover: {', '.join(missing)}."
    )


# draft-cavage ------------------------------------------------------------------------

_CAVAGE_PARAMETER = re.compile(
    r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([0-9]+(?:\.[0-9]+)?))\s*(?:,|$)'
)


class _CavageSignature(_Signature):
    scheme = CAVAGE

    def __init__(
        self, method: str, target: str, headers: dict[str, str], value: str
    ) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.parameters = _parse_cavage_parameters(value)
        key_id = self.parameters.get("keyid")
        signature = self.parameters.get("signature")
        if not key_id or not signature:
            raise SignatureError(
                "malformed_signature", "The signature needs a keyId and a signature."
            )
        self.key_id = key_id
        self.algorithm = self.parameters.get("algorithm", "hs2019").lower()
        if self.algorithm not in _CAVAGE_ALGORITHMS:
            raise SignatureError(
                "unsupported_algorithm",
                f"The algorithm {self.algorithm} is not one we check.",
            )
        try:
            self.signature = base64.b64decode(signature, validate=True)
        except binascii.Error:
            raise SignatureError(
                "malformed_signature", "The signature is not valid base64."
            ) from None
        self.covered = tuple(self.parameters.get("headers", "date").lower().split())
        absent = [
            name
            for name in self.covered
            if not name.startswith("(") and name not in headers
        ]
        if absent:
            raise SignatureError(
                "not_covered", f"Signed headers are missing: {', '.join(absent)}."
            )

    def require_coverage(self, *, has_body: bool) -> None:
        missing = [
            name for name in ("(request-target)", "host") if name not in self.covered
        ]
        if "date" not in self.covered and "(created)" not in self.covered:
            missing.append("date")
        if has_body and "digest" not in self.covered:
            missing.append("digest")
        if missing:
            raise _not_covered(missing)

    def check_time(self, now: datetime, window: timedelta) -> None:
        if "(created)" in self.covered:
            signed_at = _timestamp(self.parameters.get("created"), "created")
        elif "date" in self.covered:
            signed_at = _parse_http_date(self.headers.get("date"))
        else:
            raise _not_covered(["date"])
        _check_window(signed_at, now, window)
        if (
            "expires" in self.parameters
            and _timestamp(self.parameters["expires"], "expires") < now
        ):
            raise SignatureError("expired", "The signature has expired.")

    def check_digest(self, body: bytes) -> None:
        if "digest" not in self.covered:
            return
        checked = False
        for member in self.headers.get("digest", "").split(","):
            name, _, value = member.strip().partition("=")
            hasher = _DIGESTS.get(name.lower())
            if hasher is None:
                continue
            try:
                expected = base64.b64decode(value, validate=True)
            except binascii.Error:
                expected = b""
            if not hmac.compare_digest(expected, hasher(body).digest()):
                raise SignatureError(
                    "bad_digest", "The Digest header does not match the body."
                )
            checked = True
        if not checked:
            raise SignatureError(
                "bad_digest", "The Digest header has no SHA-256 or SHA-512 digest."
            )

    def matches(self, key: PublicKey) -> bool:
        try:
            text = _cavage_signing_string(
                list(self.covered),
                self.method,
                self.target,
                self.headers,
                self.parameters,
            )
        except SignatureError:
            return False
        data = text.encode()
        try:
            if isinstance(key, rsa.RSAPublicKey):
                algorithm = (
                    hashes.SHA512()
                    if self.algorithm == "rsa-sha512"
                    else hashes.SHA256()
                )
                key.verify(self.signature, data, padding.PKCS1v15(), algorithm)
            elif (
                isinstance(key, ed25519.Ed25519PublicKey) and self.algorithm == "hs2019"
            ):
                key.verify(self.signature, data)
            else:
                return False
        except InvalidCryptoSignature:
            return False
        return True


def _parse_cavage_parameters(value: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    position = 0
    value = value.strip()
    while position < len(value):
        match = _CAVAGE_PARAMETER.match(value, position)
        if match is None or match.end() == position:
            raise SignatureError(
                "malformed_signature", "The Signature header could not be read."
            )
        name, quoted, number = match.groups()
        parameters[name.lower()] = quoted if quoted is not None else number
        position = match.end()
    return parameters


def _cavage_signing_string(
    names: Sequence[str],
    method: str,
    target: str,
    headers: Mapping[str, str],
    parameters: Mapping[str, str],
) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name in ("(created)", "(expires)"):
            value = parameters.get(name[1:-1], "")
        else:
            value = headers.get(name, "")
            if name not in headers:
                raise SignatureError(
                    "not_covered", f"The signed header {name} is not in the request."
                )
        lines.append(f"{name}: {value.strip()}")
    return "\n".join(lines)


# RFC 9421 ----------------------------------------------------------------------------


@dataclass
class _Request:
    method: str
    url: str
    headers: Mapping[str, str]


@dataclass
class _Response:
    status_code: int
    headers: Mapping[str, str]
    request: None = None


class _LibraryVerifier(HTTPMessageVerifier):
    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        """Time was already checked against the caller's clock, before the key fetch."""


class _Rfc9421Signature(_Signature):
    scheme = RFC9421

    def __init__(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        lowered: dict[str, str],
        *,
        status_code: int | None,
    ) -> None:
        self.headers = lowered
        self.message: _Request | _Response
        if status_code is not None:
            self.message = _Response(status_code, dict(headers))
        else:
            host = lowered.get("host")
            if not host:
                raise _not_covered(["host"])
            self.message = _Request(
                method.upper(), f"https://{host}{target}", dict(headers)
            )
        inputs = _parse_dictionary(lowered["signature-input"])
        signatures = _parse_dictionary(lowered.get("signature", ""))
        labels = [label for label in inputs if label in signatures]
        if not labels:
            raise SignatureError("missing_signature", "The request is not signed.")
        # Several signatures: the first is the sender's; later ones are proxies'.
        self.label = labels[0]
        self.several = len(inputs) > 1 or len(signatures) > 1
        components, self.parameters = inputs[self.label]
        if not isinstance(components, list):
            raise SignatureError(
                "malformed_signature",
                "Signature-Input must list the covered components.",
            )
        self.covered = tuple(str(name).lower() for name, _ in components)
        key_id = self.parameters.get("keyid")
        if not isinstance(key_id, str) or not key_id:
            raise SignatureError("malformed_signature", "The signature has no keyid.")
        self.key_id = key_id
        algorithm = self.parameters.get("alg")
        if algorithm is not None and algorithm not in _RFC9421_ALGORITHMS:
            raise SignatureError(
                "unsupported_algorithm",
                f"The algorithm {algorithm} is not one we check.",
            )
        self.algorithm = algorithm

    def require_coverage(self, *, has_body: bool) -> None:
        missing = []
        if "@method" not in self.covered:
            missing.append("@method")
        if not _TARGET_COMPONENTS.intersection(self.covered):
            missing.append("@target-uri")
        if "@authority" not in self.covered and "host" not in self.covered:
            missing.append("@authority")
        if has_body and "content-digest" not in self.covered:
            missing.append("content-digest")
        if missing:
            raise _not_covered(missing)

    def check_time(self, now: datetime, window: timedelta) -> None:
        if "created" not in self.parameters:
            raise _not_covered(["created"])
        _check_window(_timestamp(self.parameters["created"], "created"), now, window)
        if (
            "expires" in self.parameters
            and _timestamp(self.parameters["expires"], "expires") < now
        ):
            raise SignatureError("expired", "The signature has expired.")

    def check_digest(self, body: bytes) -> None:
        if "content-digest" not in self.covered:
            return
        try:
            ContentDigest.verify(self.headers.get("content-digest", ""), body)
        except InvalidSignature as error:
            raise SignatureError(
                "bad_digest", f"The Content-Digest header does not match: {error}"
            ) from None

    def matches(self, key: PublicKey) -> bool:
        if self.algorithm is not None:
            candidates = [_RFC9421_ALGORITHMS[self.algorithm]]
        elif isinstance(key, rsa.RSAPublicKey):
            candidates = [algorithms.RSA_V1_5_SHA256, algorithms.RSA_PSS_SHA512]
        elif isinstance(key, ed25519.Ed25519PublicKey):
            candidates = [algorithms.ED25519]
        elif isinstance(key.curve, ec.SECP384R1):
            candidates = [algorithms.ECDSA_P384_SHA384]
        else:
            candidates = [algorithms.ECDSA_P256_SHA256]
        return any(self._matches_with(algorithm, key) for algorithm in candidates)

    def _matches_with(
        self, algorithm: type[HTTPSignatureAlgorithm], key: PublicKey
    ) -> bool:
        verifier = _LibraryVerifier(
            signature_algorithm=algorithm,
            key_resolver=MappingKeyResolver(
                public_keys={self.key_id: key}, private_keys={}
            ),
        )
        verifier.allow_label_only_selection = self.several
        try:
            with warnings.catch_warnings():
                # Choosing by label alone is deliberate: the coverage rules apply anyway.
                warnings.simplefilter("ignore")
                verifier.verify(
                    self.message,
                    max_age=None,
                    expect_label=self.label if self.several else None,
                )
        except (InvalidSignature, HTTPMessageSignaturesException):
            return False
        return True


def _parse_dictionary(value: str) -> dict[str, tuple[Any, dict[str, Any]]]:
    try:
        parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary")
    except (ValueError, TypeError, UnicodeEncodeError):
        raise _unreadable_dictionary() from None
    if not isinstance(parsed, dict):
        raise _unreadable_dictionary()
    members: dict[str, tuple[Any, dict[str, Any]]] = {}
    for label, member in parsed.items():
        if not isinstance(member, tuple) or len(member) != 2:
            raise _unreadable_dictionary()
        members[label] = (member[0], dict(member[1]))
    return members


def _unreadable_dictionary() -> SignatureError:
    return SignatureError(
        "malformed_signature", "The signature headers could not be read."
    )


# Shared ------------------------------------------------------------------------------


def _timestamp(value: object, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(str(value)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise SignatureError(
            "bad_date", f"The signature's {name} time could not be read."
        ) from None


def _parse_http_date(value: str | None) -> datetime:
    try:
        moment = parsedate_to_datetime(value or "")
    except (TypeError, ValueError):
        raise SignatureError("bad_date", "The Date header could not be read.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _load_public_key(pem: str | bytes) -> PublicKey | None:
    try:
        key = serialization.load_pem_public_key(_bytes(pem))
    except (ValueError, TypeError):
        return None
    if isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP256R1 | ec.SECP384R1
    ):
        return key
    return None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value.strip() for name, value in headers.items()}


def _replace(headers: dict[str, str], name: str, value: str) -> None:
    for existing in [key for key in headers if key.lower() == name.lower()]:
        del headers[existing]
    headers[name] = value


def _bytes(value: str | bytes) -> bytes:
    return value.encode("ascii") if isinstance(value, str) else value
