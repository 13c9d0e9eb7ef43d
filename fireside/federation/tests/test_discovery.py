import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256

from fireside.federation.models import ActorKey
from fireside.federation.tests.conftest import DOMAIN

ACTIVITY = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ALICE = f"https://{DOMAIN}/@alice/"

pytestmark = pytest.mark.django_db


def finger(client, resource):
    return client.get("/.well-known/webfinger", {"resource": resource})


# WebFinger -------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", [f"acct:alice@{DOMAIN}", ALICE, ALICE[:-1]])
def test_webfinger_finds_a_member_by_acct_or_actor_url(
    client, federation, alice, resource
):
    response = finger(client, resource)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["subject"] == f"acct:alice@{DOMAIN}"
    assert body["aliases"] == [ALICE]
    rels = {link["rel"]: link for link in body["links"]}
    assert rels["self"] == {"rel": "self", "type": ACTIVITY, "href": ALICE}
    assert rels["http://webfinger.net/rel/profile-page"]["href"] == ALICE


def test_webfinger_domain_is_case_insensitive(client, federation, alice):
    assert finger(client, "acct:Alice@FIRESIDE.example").status_code == 200


def test_webfinger_finds_the_instance_actor(client, federation):
    for resource in (f"acct:{DOMAIN}@{DOMAIN}", f"https://{DOMAIN}/actor"):
        body = finger(client, resource).json()
        assert body["subject"] == f"acct:{DOMAIN}@{DOMAIN}"
        assert body["links"][0]["href"] == f"https://{DOMAIN}/actor"


@pytest.mark.parametrize(
    "resource",
    [
        f"acct:nobody_here@{DOMAIN}",
        "acct:alice@elsewhere.example",
        "https://elsewhere.example/@alice/",
        f"https://{DOMAIN}/@nobody_here/",
        f"acct:a@{DOMAIN}",  # not a possible handle
    ],
)
def test_webfinger_unknown_or_foreign_is_404(client, federation, alice, resource):
    response = finger(client, resource)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"]


@pytest.mark.parametrize("resource", ["", "acct:alice", "alice", "acct:@x", "a b@c"])
def test_webfinger_malformed_is_400(client, federation, resource):
    response = finger(client, resource)
    assert response.status_code == 400
    assert response.json()["code"] in ("missing_resource", "malformed_resource")


def test_webfinger_hides_inactive_members(client, federation, alice):
    alice.is_active = False  # suspended or deleted
    alice.save()
    assert finger(client, f"acct:alice@{DOMAIN}").status_code == 404


# host-meta and NodeInfo ------------------------------------------------------------------


def test_host_meta_points_to_webfinger(client, federation):
    response = client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xrd+xml")
    assert (
        f'template="https://{DOMAIN}/.well-known/webfinger?resource={{uri}}"'
        in response.content.decode()
    )


def _numbers(value):
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return []


def test_nodeinfo_describes_fireside_without_counts(client, federation):
    links = client.get("/.well-known/nodeinfo").json()["links"]
    assert links == [
        {
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": f"https://{DOMAIN}/nodeinfo/2.1",
        }
    ]
    response = client.get("/nodeinfo/2.1")
    assert "schema/2.1" in response["Content-Type"]
    body = response.json()
    assert body["version"] == "2.1"
    assert body["software"]["name"] == "fireside"
    assert body["software"]["version"] == "0.1.0"
    assert body["protocols"] == ["activitypub"]
    assert isinstance(body["openRegistrations"], bool)
    assert body["usage"] == {"users": {}}
    assert _numbers(body["usage"]) == []
    assert body["metadata"]["nodeName"] == "Fireside"


# Actors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [ACTIVITY, LD, f"text/html;q=0.5, {ACTIVITY}"])
def test_profile_url_serves_a_person_to_peers(client, federation, alice, accept):
    alice.bio = "Tea and *kettles*."
    alice.save()
    response = client.get("/@alice/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ACTIVITY)
    assert "Accept" in response["Vary"]
    actor = response.json()
    assert actor["@context"][:2] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]
    assert actor["id"] == actor["url"] == ALICE
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "alice"
    assert actor["name"] == "Alice Ames"
    assert actor["summary"] == "<p>Tea and <em>kettles</em>.</p>"
    assert actor["inbox"] == f"{ALICE}inbox"
    assert actor["outbox"] == f"{ALICE}outbox"
    assert actor["endpoints"] == {"sharedInbox": f"https://{DOMAIN}/inbox"}
    assert actor["publicKey"]["id"] == f"{ALICE}#main-key"
    assert actor["publicKey"]["owner"] == ALICE
    assert actor["manuallyApprovesFollowers"] is True
    assert actor["webfinger"] == f"alice@{DOMAIN}"
    assert "PRIVATE KEY" not in json.dumps(actor)


def test_profile_url_serves_html_to_browsers(client, federation, alice):
    for accept in ("text/html,application/xhtml+xml,*/*;q=0.8", "*/*", ""):
        response = client.get("/@alice/", headers={"Accept": accept})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "Accept" in response["Vary"]
        assert (
            '<link rel="alternate" type="application/activity+json" '
            f'href="https://{DOMAIN}/@alice/">'
        ) in response.content.decode()


def test_activity_json_with_zero_quality_gets_html(client, federation, alice):
    response = client.get("/@alice/", headers={"Accept": f"{ACTIVITY};q=0, */*"})
    assert response["Content-Type"].startswith("text/html")


def test_public_key_matches_the_stored_private_key(client, federation, alice):
    actor = client.get("/@alice/", headers={"Accept": ACTIVITY}).json()
    public = serialization.load_pem_public_key(
        actor["publicKey"]["publicKeyPem"].encode()
    )
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    stored = ActorKey.objects.get(member=alice)
    private = serialization.load_pem_private_key(stored.private_pem.encode(), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    signature = private.sign(b"a message", padding.PKCS1v15(), SHA256())
    public.verify(
        signature, b"a message", padding.PKCS1v15(), SHA256()
    )  # raises if not
    # Made once, then reused.
    again = client.get("/@alice/", headers={"Accept": ACTIVITY}).json()
    assert again["publicKey"] == actor["publicKey"]
    assert ActorKey.objects.filter(member=alice).count() == 1


def test_inactive_members_have_no_actor(client, federation, alice):
    alice.is_active = False
    alice.save()
    response = client.get("/@alice/", headers={"Accept": ACTIVITY})
    assert response.status_code == 404
    assert client.get("/@alice/followers").status_code == 404


def test_unknown_member_has_no_actor(client, federation):
    response = client.get("/@nobody_here/", headers={"Accept": ACTIVITY})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_non_normal_handle_redirects_to_the_actor(client, federation, alice):
    response = client.get("/@Alice/", headers={"Accept": ACTIVITY})
    assert response.status_code == 301
    assert response["Location"] == "/@alice/"


def test_follower_collections_reveal_nothing(client, federation, alice):
    for name in ("followers", "following"):
        body = client.get(f"/@alice/{name}").json()
        assert body["id"] == f"{ALICE}{name}"
        assert body["type"] == "OrderedCollection"
        assert "totalItems" not in body
        assert "orderedItems" not in body
        assert "first" not in body


def test_instance_actor_is_an_application_with_a_key(client, federation):
    response = client.get("/actor")  # no signature needed
    assert response.status_code == 200
    actor = response.json()
    assert actor["id"] == f"https://{DOMAIN}/actor"
    assert actor["type"] == "Application"
    assert actor["preferredUsername"] == DOMAIN
    assert actor["publicKey"]["id"] == f"https://{DOMAIN}/actor#main-key"
    serialization.load_pem_public_key(actor["publicKey"]["publicKeyPem"].encode())
    assert ActorKey.objects.filter(member=None).count() == 1
    client.get("/actor")
    assert ActorKey.objects.filter(member=None).count() == 1


# Off unless FIRESIDE_DOMAIN and https ----------------------------------------------------

FEDERATED_URLS = [
    f"/.well-known/webfinger?resource=acct:alice@{DOMAIN}",
    "/.well-known/host-meta",
    "/.well-known/nodeinfo",
    "/nodeinfo/2.1",
    "/actor",
    "/@alice/followers",
]


@pytest.mark.parametrize(
    ("domain", "site_url"),
    [("", f"https://{DOMAIN}"), (DOMAIN, f"http://{DOMAIN}")],
    ids=["no domain", "plain http"],
)
def test_federation_is_off_without_a_domain_over_https(
    client, settings, alice, domain, site_url
):
    settings.FIRESIDE_DOMAIN = domain
    settings.SITE_URL = site_url
    for url in FEDERATED_URLS:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "federation_off"
    response = client.get("/@alice/", headers={"Accept": ACTIVITY})
    assert response.status_code == 404
    assert "Accept" in response["Vary"]
    # The profile page itself stays.
    assert client.get("/@alice/").status_code == 200
    assert not ActorKey.objects.exists()


@pytest.mark.parametrize(
    ("domain", "errors"),
    [
        ("fireside.example", 0),
        ("127.0.0.2:8443", 0),
        ("", 0),
        ("https://fireside.example", 1),
        ("fireside.example/x", 1),
    ],
)
def test_the_domain_must_be_a_host_name(settings, domain, errors):
    from fireside.federation.checks import check_domain

    settings.FIRESIDE_DOMAIN = domain
    assert len(check_domain()) == errors
