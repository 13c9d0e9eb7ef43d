"""HTTP signatures: published known-answer vectors, then round trips and refusals.

Vectors: RFC 9421 appendix B (keys B.1.2-B.1.4, messages B.2, signatures B.2.1-B.2.4 and
B.2.6) and draft-cavage-http-signatures appendix C (the `Test` key pair, C.1-C.3), copied
as published. A published signature that verifies under its published key cannot have been
mistyped, and RSA PKCS#1 v1.5 is deterministic, so the draft-cavage ones are reproduced."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from fireside.federation.signatures import (
    CAVAGE,
    RFC9421,
    SignatureError,
    Verified,
    check_actor,
    sign_request,
    verify_request,
    verify_signature,
)

# RFC 9421 appendix B.1.2: test-key-rsa-pss (public key).
RSA_PSS_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----
"""

# RFC 9421 appendix B.1.3: test-key-ecc-p256 (public key).
ECC_P256_PUBLIC = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END PUBLIC KEY-----
"""

# RFC 9421 appendix B.1.4: test-key-ed25519 (public key).
ED25519_PUBLIC = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----
"""

# RFC 9421 appendix B.2: the test request (target /foo?param=Value&Pet=dog) and response.
B2_BODY = b'{"hello": "world"}'
B2_HEADERS = {
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+"
    "AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
    "Content-Length": "18",
}
B2_TARGET = "/foo?param=Value&Pet=dog"
B2_RESPONSE_BODY = b'{"message": "good dog"}'
B2_RESPONSE_HEADERS = {
    "Date": "Tue, 20 Apr 2021 02:07:56 GMT",
    "Content-Type": "application/json",
    "Content-Digest": "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5"
    "oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:",
    "Content-Length": "23",
}
B2_NOW = datetime.fromtimestamp(1618884473, tz=UTC)

B21 = (
    'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
    "sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U"
    "7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2c"
    "OGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnC"
    "h8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8"
    "C8ssinQ98Xw9Q==:",
)
B22 = (
    'sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473'
    ';keyid="test-key-rsa-pss";tag="header-example"',
    "sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N"
    "4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TR"
    "JQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4j"
    "e2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/X"
    "aVe4bXTugEjHSw==:",
)
B23 = (
    'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" '
    '"content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
    "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVx"
    "FkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/y"
    "PViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bp"
    "G6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fT"
    "IztsDZKEgM4cUA==:",
)
B24 = (
    'sig-b24=("@status" "content-type" "content-digest" "content-length")'
    ';created=1618884473;keyid="test-key-ecc-p256"',
    "sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkL"
    "Ij+32oiasw==:",
)
B26 = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"',
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lI"
    "p5WPpBKRCw==:",
)

# draft-cavage-http-signatures appendix C: the key pair named "Test".
CAVAGE_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
"""
CAVAGE_PRIVATE = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
"""
# Appendix C: every example signs this request.
CAVAGE_URL = "https://example.com/foo?param=value&pet=dog"
CAVAGE_TARGET = "/foo?param=value&pet=dog"
CAVAGE_BODY = b'{"hello": "world"}'
CAVAGE_HEADERS = {
    "Host": "example.com",
    "Date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
}
CAVAGE_NOW = datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC)
C1_SIGNATURE = (
    "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLE"
    "EaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5Woz"
    "sbM="
)
C2_SIGNATURE = (
    "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2i"
    "icw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2"
    "Os0="
)
C3_SIGNATURE = (
    "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB"
    "1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s"
    "1dE="
)
C3_HEADERS = "(request-target) host date content-type digest content-length"


class Resolver:
    """A key_resolver that hands out KEYS[key_id] in turn, one per call, and records
    the calls. The last key repeats."""

    def __init__(self, *keys, owner="https://remote.example/users/ada"):
        self.keys = list(keys)
        self.owner = owner
        self.calls = []

    def __call__(self, key_id, refresh):
        self.calls.append((key_id, refresh))
        key = self.keys[min(len(self.calls), len(self.keys)) - 1]
        return None if key is None else (key, self.owner)


def rfc9421(signature_input, signature, headers=B2_HEADERS):
    return {**headers, "Signature-Input": signature_input, "Signature": signature}


def error_code(call):
    with pytest.raises(SignatureError) as caught:
        call()
    return caught.value.code


# RFC 9421 appendix B.2 -----------------------------------------------------------------


def test_rfc9421_b21_minimal_rsa_pss_signature_verifies():
    verified = verify_signature(
        "POST",
        B2_TARGET,
        rfc9421(*B21),
        key_resolver=Resolver(RSA_PSS_PUBLIC),
        now=B2_NOW,
    )
    assert verified == Verified(
        "test-key-rsa-pss", "https://remote.example/users/ada", RFC9421, ()
    )


def test_rfc9421_b22_selective_rsa_pss_signature_verifies():
    verified = verify_signature(
        "POST",
        B2_TARGET,
        rfc9421(*B22),
        key_resolver=Resolver(RSA_PSS_PUBLIC),
        now=B2_NOW,
    )
    assert verified.covered == ("@authority", "content-digest", "@query-param")


def test_rfc9421_b23_full_coverage_passes_the_inbox_rules():
    verified = verify_request(
        "POST",
        B2_TARGET,
        rfc9421(*B23),
        B2_BODY,
        key_resolver=Resolver(RSA_PSS_PUBLIC),
        now=B2_NOW,
    )
    assert (verified.scheme, verified.key_id) == (RFC9421, "test-key-rsa-pss")


def test_rfc9421_b24_ecdsa_response_signature_verifies():
    verified = verify_signature(
        "GET",
        "/",
        rfc9421(*B24, headers=B2_RESPONSE_HEADERS),
        key_resolver=Resolver(ECC_P256_PUBLIC),
        now=B2_NOW,
        status_code=200,
    )
    assert verified.key_id == "test-key-ecc-p256"


def test_rfc9421_b26_ed25519_signature_verifies():
    verified = verify_signature(
        "POST",
        B2_TARGET,
        rfc9421(*B26),
        key_resolver=Resolver(ED25519_PUBLIC),
        now=B2_NOW,
    )
    assert verified.key_id == "test-key-ed25519"


def test_rfc9421_published_digests_match_the_published_bodies():
    for headers, body in (
        (B2_HEADERS, B2_BODY),
        (B2_RESPONSE_HEADERS, B2_RESPONSE_BODY),
    ):
        digest = base64.b64encode(hashlib.sha512(body).digest()).decode()
        assert headers["Content-Digest"] == f"sha-512=:{digest}:"


@pytest.mark.parametrize(
    ("vector", "key"),
    [(B21, ECC_P256_PUBLIC), (B22, ED25519_PUBLIC), (B26, RSA_PSS_PUBLIC)],
)
def test_rfc9421_vectors_refuse_another_key(vector, key):
    resolver = Resolver(key)
    code = error_code(
        lambda: verify_signature(
            "POST", B2_TARGET, rfc9421(*vector), key_resolver=resolver, now=B2_NOW
        )
    )
    assert code == "bad_signature"
    assert [refresh for _, refresh in resolver.calls] == [False, True]


def test_rfc9421_vector_with_changed_covered_header_is_refused():
    headers = rfc9421(*B26, headers={**B2_HEADERS, "Content-Type": "text/plain"})
    code = error_code(
        lambda: verify_signature(
            "POST",
            B2_TARGET,
            headers,
            key_resolver=Resolver(ED25519_PUBLIC),
            now=B2_NOW,
        )
    )
    assert code == "bad_signature"


def test_rfc9421_vector_outside_the_window_is_expired():
    code = error_code(
        lambda: verify_signature(
            "POST",
            B2_TARGET,
            rfc9421(*B26),
            key_resolver=Resolver(ED25519_PUBLIC),
            now=B2_NOW + timedelta(hours=2),
        )
    )
    assert code == "expired"


def test_rfc9421_inbox_rules_refuse_b26_for_its_unsigned_body():
    resolver = Resolver(ED25519_PUBLIC)
    code = error_code(
        lambda: verify_request(
            "POST", B2_TARGET, rfc9421(*B26), B2_BODY, key_resolver=resolver, now=B2_NOW
        )
    )
    assert code == "not_covered"
    assert resolver.calls == []


def test_rfc9421_b23_with_another_body_is_a_bad_digest():
    code = error_code(
        lambda: verify_request(
            "POST",
            B2_TARGET,
            rfc9421(*B23),
            b'{"hello": "moon"}',
            key_resolver=Resolver(RSA_PSS_PUBLIC),
            now=B2_NOW,
        )
    )
    assert code == "bad_digest"


def test_rfc9421_unknown_algorithm_is_refused_before_any_key_fetch():
    resolver = Resolver(RSA_PSS_PUBLIC)
    signature_input = B23[0] + ';alg="hmac-sha256"'
    code = error_code(
        lambda: verify_request(
            "POST",
            B2_TARGET,
            rfc9421(signature_input, B23[1]),
            B2_BODY,
            key_resolver=resolver,
            now=B2_NOW,
        )
    )
    assert code == "unsupported_algorithm"
    assert resolver.calls == []


# draft-cavage appendix C ----------------------------------------------------------------


def cavage_signature_of(covered):
    headers = {
        name: value for name, value in CAVAGE_HEADERS.items() if name != "Digest"
    }
    signed = sign_request(
        "POST",
        CAVAGE_URL,
        headers,
        CAVAGE_BODY,
        key_id="Test",
        private_key_pem=CAVAGE_PRIVATE,
        now=CAVAGE_NOW,
        covered=covered,
    )
    return signed


def test_cavage_c1_default_signature_is_reproduced():
    signed = cavage_signature_of(["date"])
    assert signed["Signature"].endswith(f'signature="{C1_SIGNATURE}"')


def test_cavage_c2_basic_signature_is_reproduced():
    signed = cavage_signature_of(["(request-target)", "host", "date"])
    assert signed["Signature"] == (
        'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",'
        f'signature="{C2_SIGNATURE}"'
    )


def test_cavage_c3_all_headers_signature_is_reproduced():
    signed = cavage_signature_of(C3_HEADERS.split())
    assert signed["Digest"] == CAVAGE_HEADERS["Digest"]
    assert signed["Signature"] == (
        f'keyId="Test",algorithm="rsa-sha256",headers="{C3_HEADERS}",'
        f'signature="{C3_SIGNATURE}"'
    )


def test_cavage_c3_published_header_passes_the_inbox_rules():
    headers = {
        **CAVAGE_HEADERS,
        "Signature": f'keyId="Test",algorithm="rsa-sha256",\n  headers="{C3_HEADERS}",'
        f' signature="{C3_SIGNATURE}"',
    }
    verified = verify_request(
        "POST",
        CAVAGE_TARGET,
        headers,
        CAVAGE_BODY,
        key_resolver=Resolver(CAVAGE_PUBLIC),
        now=CAVAGE_NOW,
    )
    assert (verified.scheme, verified.key_id) == (CAVAGE, "Test")


def test_cavage_c2_authorization_header_verifies_as_a_signature():
    headers = {
        **CAVAGE_HEADERS,
        "Authorization": 'Signature keyId="Test",algorithm="rsa-sha256",'
        f'headers="(request-target) host date", signature="{C2_SIGNATURE}"',
    }
    verified = verify_signature(
        "POST",
        CAVAGE_TARGET,
        headers,
        key_resolver=Resolver(CAVAGE_PUBLIC),
        now=CAVAGE_NOW,
    )
    assert verified.covered == ("(request-target)", "host", "date")


@pytest.mark.parametrize(
    ("signature", "missing"),
    [
        (f'keyId="Test",algorithm="rsa-sha256",signature="{C1_SIGNATURE}"', "host"),
        (
            'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",'
            f'signature="{C2_SIGNATURE}"',
            "digest",
        ),
    ],
)
def test_cavage_c1_and_c2_are_refused_by_the_inbox_rules(signature, missing):
    resolver = Resolver(CAVAGE_PUBLIC)
    with pytest.raises(SignatureError) as caught:
        verify_request(
            "POST",
            CAVAGE_TARGET,
            {**CAVAGE_HEADERS, "Signature": signature},
            CAVAGE_BODY,
            key_resolver=resolver,
            now=CAVAGE_NOW,
        )
    assert caught.value.code == "not_covered"
    assert missing in caught.value.message
    assert resolver.calls == []


# Round trips ---------------------------------------------------------------------------

ACTOR = "https://fireside.example/members/ada"
KEY_ID = f"{ACTOR}#main-key"
INBOX = "https://remote.example/inbox"
ACTIVITY = b'{"type": "Create", "actor": "https://fireside.example/members/ada"}'


def new_key_pair():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return public_pem.decode(), private_pem.decode()


@pytest.fixture(scope="module")
def key_pair():
    return new_key_pair()


@pytest.fixture(scope="module")
def other_key_pair():
    return new_key_pair()


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def signed_post(private_pem, body=ACTIVITY, url=INBOX, now=NOW):
    return sign_request(
        "POST",
        url,
        {"Content-Type": "application/activity+json"},
        body,
        key_id=KEY_ID,
        private_key_pem=private_pem,
        now=now,
    )


def verify_post(headers, body=ACTIVITY, resolver=None, now=NOW, public_pem=None):
    return verify_request(
        "POST",
        "/inbox",
        headers,
        body,
        key_resolver=resolver or Resolver(public_pem, owner=ACTOR),
        now=now,
    )


def test_sign_request_post_carries_host_date_digest_and_signature(key_pair):
    headers = signed_post(key_pair[1])
    digest = base64.b64encode(hashlib.sha256(ACTIVITY).digest()).decode()
    assert headers["Host"] == "remote.example"
    assert headers["Date"] == "Sun, 01 Mar 2026 12:00:00 GMT"
    assert headers["Digest"] == f"SHA-256={digest}"
    assert headers["Signature"].startswith(
        f'keyId="{KEY_ID}",algorithm="rsa-sha256",'
        'headers="(request-target) host date digest",signature="'
    )
    assert headers["Content-Type"] == "application/activity+json"


def test_sign_request_get_signs_target_host_and_date(key_pair):
    headers = sign_request(
        "GET",
        "https://remote.example:8443/users/bo?page=2",
        {"Accept": "application/activity+json"},
        None,
        key_id=KEY_ID,
        private_key_pem=key_pair[1],
        now=NOW,
    )
    assert "Digest" not in headers
    assert headers["Host"] == "remote.example:8443"
    assert 'headers="(request-target) host date"' in headers["Signature"]
    verified = verify_request(
        "GET",
        "/users/bo?page=2",
        headers,
        b"",
        key_resolver=Resolver(key_pair[0], owner=ACTOR),
        now=NOW,
    )
    assert verified == Verified(
        KEY_ID, ACTOR, CAVAGE, ("(request-target)", "host", "date")
    )


def test_signed_post_round_trip_verifies_with_one_key_fetch(key_pair):
    resolver = Resolver(key_pair[0], owner=ACTOR)
    verified = verify_post(signed_post(key_pair[1]), resolver=resolver)
    assert (verified.key_id, verified.actor_id, verified.scheme) == (
        KEY_ID,
        ACTOR,
        CAVAGE,
    )
    assert resolver.calls == [(KEY_ID, False)]


def test_signed_post_verifies_with_lower_case_headers(key_pair):
    headers = {name.lower(): value for name, value in signed_post(key_pair[1]).items()}
    assert verify_post(headers, public_pem=key_pair[0]).actor_id == ACTOR


def test_tampered_body_is_a_bad_digest(key_pair):
    resolver = Resolver(key_pair[0], owner=ACTOR)
    code = error_code(
        lambda: verify_post(
            signed_post(key_pair[1]), body=ACTIVITY + b" ", resolver=resolver
        )
    )
    assert code == "bad_digest"
    assert resolver.calls == []


def test_sha512_digest_is_checked(key_pair):
    headers = signed_post(key_pair[1])
    digest = base64.b64encode(hashlib.sha512(b"other").digest()).decode()
    headers["Digest"] += f",SHA-512={digest}"
    assert error_code(lambda: verify_post(headers, public_pem=key_pair[0])) == (
        "bad_digest"
    )


def test_tampered_signed_header_is_a_bad_signature(key_pair):
    headers = signed_post(key_pair[1])
    headers["Host"] = "elsewhere.example"
    assert error_code(lambda: verify_post(headers, public_pem=key_pair[0])) == (
        "bad_signature"
    )


def test_wrong_key_is_fetched_again_once_then_refused(key_pair, other_key_pair):
    resolver = Resolver(other_key_pair[0], owner=ACTOR)
    code = error_code(lambda: verify_post(signed_post(key_pair[1]), resolver=resolver))
    assert code == "bad_signature"
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_rotated_key_verifies_after_the_refetch(key_pair, other_key_pair):
    resolver = Resolver(other_key_pair[0], key_pair[0], owner=ACTOR)
    verified = verify_post(signed_post(key_pair[1]), resolver=resolver)
    assert verified.actor_id == ACTOR
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_key_missing_from_cache_is_fetched_once(key_pair):
    resolver = Resolver(None, key_pair[0], owner=ACTOR)
    assert verify_post(signed_post(key_pair[1]), resolver=resolver).key_id == KEY_ID
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_unknown_key_is_refused_after_one_fetch(key_pair):
    resolver = Resolver(None, owner=ACTOR)
    code = error_code(lambda: verify_post(signed_post(key_pair[1]), resolver=resolver))
    assert code == "unknown_key"
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_unusable_key_is_an_unknown_key(key_pair):
    resolver = Resolver("not a key", owner=ACTOR)
    code = error_code(lambda: verify_post(signed_post(key_pair[1]), resolver=resolver))
    assert code == "unknown_key"
    assert len(resolver.calls) == 2


@pytest.mark.parametrize("offset", [timedelta(hours=-2), timedelta(minutes=61)])
def test_date_outside_the_window_is_expired(key_pair, offset):
    headers = signed_post(key_pair[1], now=NOW + offset)
    assert error_code(lambda: verify_post(headers, public_pem=key_pair[0])) == "expired"


def test_date_inside_the_window_is_accepted(key_pair):
    headers = signed_post(key_pair[1], now=NOW - timedelta(minutes=59))
    assert verify_post(headers, public_pem=key_pair[0]).key_id == KEY_ID


def test_unreadable_date_is_refused(key_pair):
    headers = signed_post(key_pair[1])
    headers["Date"] = "yesterday"
    assert error_code(lambda: verify_post(headers, public_pem=key_pair[0])) == (
        "bad_date"
    )


def test_post_without_signed_digest_is_not_covered(key_pair):
    headers = sign_request(
        "POST",
        INBOX,
        {},
        ACTIVITY,
        key_id=KEY_ID,
        private_key_pem=key_pair[1],
        now=NOW,
        covered=["(request-target)", "host", "date"],
    )
    with pytest.raises(SignatureError) as caught:
        verify_post(headers, public_pem=key_pair[0])
    assert caught.value.code == "not_covered"
    assert caught.value.status == 401
    assert "digest" in caught.value.message


def test_signature_without_host_is_not_covered(key_pair):
    headers = sign_request(
        "POST",
        INBOX,
        {},
        ACTIVITY,
        key_id=KEY_ID,
        private_key_pem=key_pair[1],
        now=NOW,
        covered=["(request-target)", "date", "digest"],
    )
    assert error_code(lambda: verify_post(headers, public_pem=key_pair[0])) == (
        "not_covered"
    )


def test_signature_listing_an_absent_header_is_not_covered(key_pair):
    headers = signed_post(key_pair[1])
    del headers["Digest"]
    assert error_code(lambda: verify_post(headers, public_pem=key_pair[0])) == (
        "not_covered"
    )


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_signature"),
        ({"Authorization": "Bearer abc"}, "missing_signature"),
        ({"Signature": "nonsense"}, "malformed_signature"),
        ({"Signature": 'keyId="k",headers="date"'}, "malformed_signature"),
        ({"Signature": 'keyId="k",signature="%%%"'}, "malformed_signature"),
        (
            {"Signature": 'keyId="k",algorithm="dsa-sha1",signature="AA=="'},
            "unsupported_algorithm",
        ),
        (
            {"Signature-Input": "sig1=(", "Signature": "sig1=:AA==:"},
            "malformed_signature",
        ),
        (
            {"Signature-Input": 'sig1=("@method")', "Signature": "x=:AA==:"},
            "missing_signature",
        ),
        (
            {"Signature-Input": "sig1=();created=1", "Signature": "sig1=:AA==:"},
            "malformed_signature",
        ),
    ],
)
def test_unreadable_signatures_are_refused_without_a_key_fetch(headers, code):
    resolver = Resolver(CAVAGE_PUBLIC)
    assert (
        error_code(
            lambda: verify_request(
                "POST",
                "/inbox",
                {"Host": "fireside.example", **headers},
                b"",
                key_resolver=resolver,
                now=NOW,
            )
        )
        == code
    )
    assert resolver.calls == []


def test_check_actor_accepts_the_key_owner():
    check_actor(Verified(KEY_ID, ACTOR, CAVAGE), ACTOR)


def test_check_actor_refuses_another_actor():
    with pytest.raises(SignatureError) as caught:
        check_actor(
            Verified(KEY_ID, ACTOR, CAVAGE), "https://fireside.example/members/bo"
        )
    assert caught.value.code == "actor_mismatch"
