import hashlib

import pytest

from fireside.accounts.actions import issue_api_token
from fireside.accounts.models import ApiToken, Member
from tests.helpers import assert_error, bearer

TOKEN_FIELDS = {"id", "name", "hint", "created_at", "last_used_at"}


@pytest.fixture
def phone(alice):
    """Alice's token named "phone", with its secret."""
    token, secret = issue_api_token(alice, name="phone")
    return token, secret


@pytest.fixture
def callers(api_client, alice, charlie):
    return {
        "anonymous": api_client,
        "stranger": api_client.as_member(charlie),
        "owner": api_client.as_member(alice),
    }


# The matrix: anonymous, a stranger and the owner, on the owner's token -------------

LIST_EXPECTED = {"anonymous": 401, "stranger": 200, "owner": 200}
REVOKE_EXPECTED = {"anonymous": 401, "stranger": 404, "owner": 204}


@pytest.mark.parametrize(("who", "status"), LIST_EXPECTED.items())
def test_token_list_shows_only_your_own_tokens(api_client, callers, phone, who, status):
    token, _ = phone

    response = callers[who].get("auth/tokens")

    assert response.status_code == status, response.content
    if who == "anonymous":
        assert_error(response, 401, "not_authenticated")
        return
    listed = {item["id"]: item["name"] for item in response.json()}
    # Each caller but the anonymous one holds the token it called with, named "tests".
    assert "tests" in listed.values()
    if who == "owner":
        assert listed[token.pk] == "phone"
    else:
        assert token.pk not in listed
        assert set(listed.values()) == {"tests"}


@pytest.mark.parametrize(("who", "status"), REVOKE_EXPECTED.items())
def test_token_revoke_is_for_its_owner_only(api_client, callers, phone, who, status):
    token, secret = phone

    response = callers[who].delete(f"auth/tokens/{token.pk}")

    assert response.status_code == status, response.content
    still_works = bearer(api_client, secret).get("me").status_code == 200
    if who == "owner":
        assert response.content == b""
        assert not still_works
        assert_error(bearer(api_client, secret).get("me"), 401, "not_authenticated")
    else:
        # A stranger gets the same answer as for a token that does not exist.
        code = "not_found" if who == "stranger" else "not_authenticated"
        assert_error(response, status, code)
        assert still_works
        token.refresh_from_db()
        assert token.revoked_at is None


@pytest.mark.parametrize("who", ["anonymous", "stranger", "owner"])
def test_token_create_needs_a_member(callers, who):
    response = callers[who].post("auth/tokens", {"name": "backup script"})

    if who == "anonymous":
        assert_error(response, 401, "not_authenticated")
        assert not ApiToken.objects.filter(name="backup script").exists()
    else:
        assert response.status_code == 201, response.content


def test_token_revoke_of_another_members_token_looks_like_a_missing_one(callers, phone):
    token, _ = phone
    missing_id = ApiToken.objects.order_by("-pk").first().pk + 1000

    someone_elses = callers["stranger"].delete(f"auth/tokens/{token.pk}")
    missing = callers["stranger"].delete(f"auth/tokens/{missing_id}")

    assert someone_elses.status_code == missing.status_code == 404
    assert someone_elses.json() == missing.json()


# Creating -------------------------------------------------------------------------


def test_token_create_shows_the_secret_once(api_client, alice):
    as_alice = api_client.as_member(alice)

    response = as_alice.post("auth/tokens", {"name": "  phone  "})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == TOKEN_FIELDS | {"token"}
    secret = body["token"]
    assert secret.startswith("fs_")
    assert len(secret) > 40
    assert body["name"] == "phone"
    assert body["hint"] == secret[:7]
    assert body["last_used_at"] is None
    assert bearer(api_client, secret).get("me").json()["handle"] == "alice"
    listed = as_alice.get("auth/tokens")
    assert body["id"] in [item["id"] for item in listed.json()]
    assert secret not in listed.content.decode()


def test_token_create_makes_a_new_secret_each_time(api_client, alice):
    as_alice = api_client.as_member(alice)

    first = as_alice.post("auth/tokens", {"name": "phone"}).json()
    second = as_alice.post("auth/tokens", {"name": "phone"}).json()

    assert first["id"] != second["id"]
    assert first["token"] != second["token"]


def test_token_list_never_shows_a_secret_or_its_hash(api_client, alice):
    as_alice = api_client.as_member(alice)
    secrets = [
        as_alice.post("auth/tokens", {"name": name}).json()["token"]
        for name in ["phone", "laptop"]
    ]

    response = as_alice.get("auth/tokens")

    assert response.status_code == 200
    for item in response.json():
        assert set(item) == TOKEN_FIELDS
    text = response.content.decode()
    for secret in secrets:
        assert secret not in text
        assert hashlib.sha256(secret.encode()).hexdigest() not in text
        assert secret[7:20] not in text


def test_token_secret_is_not_stored(api_client, alice):
    response = api_client.as_member(alice).post("auth/tokens", {"name": "phone"})
    secret = response.json()["token"]

    token = ApiToken.objects.get(name="phone")

    assert secret not in {token.key_hash, token.hint, token.name}
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_token_list_notes_when_a_token_was_used(api_client, alice, phone):
    token, secret = phone
    as_alice = api_client.as_member(alice)

    def last_used():
        items = {item["id"]: item for item in as_alice.get("auth/tokens").json()}
        return items[token.pk]["last_used_at"]

    before = last_used()
    bearer(api_client, secret).get("me")

    assert before is None
    assert last_used() is not None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "Name the token"),
        ("   ", "Name the token"),
        ("x" * 61, "at most 60 characters"),
        ("phone\x00", "control characters"),
        ("phone\nlaptop", "control characters"),
    ],
)
def test_token_create_refuses_a_bad_name(api_client, alice, name, reason):
    response = api_client.as_member(alice).post("auth/tokens", {"name": name})

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"name"}
    assert reason in body["errors"]["name"][0]
    assert not ApiToken.objects.exclude(name="tests").exists()


def test_token_create_accepts_a_name_of_sixty_characters(api_client, alice):
    response = api_client.as_member(alice).post("auth/tokens", {"name": "x" * 60})

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "payload", [{}, {"name": None}, {"name": 7}, {"label": "phone"}]
)
def test_token_create_refuses_a_missing_or_mistyped_name(api_client, alice, payload):
    response = api_client.as_member(alice).post("auth/tokens", payload)

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"name"}


def test_token_create_refuses_more_than_fifty_live_tokens(api_client, alice):
    as_alice = api_client.as_member(alice)  # the first live token
    for number in range(49):
        assert as_alice.post("auth/tokens", {"name": f"t{number}"}).status_code == 201

    refused = as_alice.post("auth/tokens", {"name": "one too many"})
    as_alice.delete(f"auth/tokens/{ApiToken.objects.get(name='t0').pk}")
    after_revoking = as_alice.post("auth/tokens", {"name": "one too many"})

    body = assert_error(refused, 400, "invalid")
    assert set(body["errors"]) == {"name"}
    assert after_revoking.status_code == 201


# Revoking -------------------------------------------------------------------------


def test_token_revoke_leaves_the_owners_other_tokens_working(api_client, alice, phone):
    token, _ = phone
    as_alice = api_client.as_member(alice)

    as_alice.delete(f"auth/tokens/{token.pk}")

    assert as_alice.get("me").status_code == 200
    assert token.pk not in [item["id"] for item in as_alice.get("auth/tokens").json()]


def test_token_revoke_of_a_revoked_token_is_404(api_client, alice, phone):
    token, _ = phone
    as_alice = api_client.as_member(alice)
    as_alice.delete(f"auth/tokens/{token.pk}")

    assert_error(as_alice.delete(f"auth/tokens/{token.pk}"), 404, "not_found")


def test_token_revoke_of_the_token_in_use_ends_it(api_client, alice):
    as_alice = api_client.as_member(alice)
    own = ApiToken.objects.get(member=alice, name="tests")

    assert as_alice.delete(f"auth/tokens/{own.pk}").status_code == 204
    assert_error(as_alice.get("me"), 401, "not_authenticated")


def test_token_of_an_inactive_member_is_refused(api_client, alice, phone):
    _, secret = phone
    Member.objects.filter(pk=alice.pk).update(is_active=False)

    response = bearer(api_client, secret).get("auth/tokens")

    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda secret: secret[:-1],
        lambda secret: secret + "x",
        lambda secret: secret.upper(),
        lambda secret: secret.removeprefix("fs_"),
        lambda secret: hashlib.sha256(secret.encode()).hexdigest(),
    ],
    ids=["shortened", "lengthened", "upper", "unprefixed", "hash"],
)
def test_token_that_is_almost_right_is_refused(api_client, phone, mangle):
    _, secret = phone

    response = bearer(api_client, mangle(secret)).get("me")

    assert_error(response, 401, "not_authenticated")
