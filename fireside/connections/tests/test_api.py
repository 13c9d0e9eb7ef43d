import pytest

from fireside.connections.models import Connection, ConnectionOffer, ReminderSettings
from tests.helpers import assert_error

from .conftest import backdate, connect, talk


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


@pytest.fixture
def as_bob(api_client, bob):
    return api_client.as_member(bob)


def test_api_offer_then_accept_connects_both(talked, as_alice, as_bob):
    offered = as_alice.post(
        "connections", json={"handle": "bob", "conversation": talked.pk}
    )
    before = as_bob.get("connections")
    accepted = as_bob.post("connections/alice/accept")

    assert offered.status_code == 201, offered.content
    assert offered.json() == {
        "handle": "bob",
        "display_name": "Bob Brandt",
        "state": "offered",
    }
    assert before.json()["items"] == []
    assert [o["member"]["handle"] for o in before.json()["offers"]] == ["alice"]
    assert before.json()["offers"][0]["conversation"] == talked.pk
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "connected"
    assert [
        c["member"]["handle"] for c in as_alice.get("connections").json()["items"]
    ] == ["bob"]
    assert [
        c["member"]["handle"] for c in as_bob.get("connections").json()["items"]
    ] == ["alice"]


def test_api_offer_is_refused_until_both_wrote(alice, bob, as_alice):
    talk(alice, bob, turns=1)

    body = assert_error(
        as_alice.post("connections", json={"handle": "bob"}), 403, "not_talked"
    )

    assert "both wrote" in body["detail"]
    assert not ConnectionOffer.objects.exists()


def test_api_offer_to_an_unknown_member_is_404_naming_the_field(as_alice):
    body = assert_error(
        as_alice.post("connections", json={"handle": "nobody_here"}), 404, "not_found"
    )

    assert "handle" in body["errors"]


def test_api_offer_validates_its_body(as_alice):
    body = assert_error(as_alice.post("connections", json={}), 400, "invalid")

    assert "handle" in body["errors"]


def test_api_accept_without_an_offer_is_404(talked, as_bob):
    assert_error(as_bob.post("connections/alice/accept"), 404, "no_offer")


def test_api_decline_is_quiet(talked, as_alice, as_bob):
    as_alice.post("connections", json={"handle": "bob"})

    declined = as_bob.post("connections/alice/decline")

    assert declined.status_code == 204
    assert as_bob.get("connections").json()["offers"] == []
    assert not Connection.objects.exists()


def test_api_let_go_removes_it_for_both(connected, as_alice, as_bob):
    response = as_alice.delete("connections/bob")

    assert response.status_code == 204
    assert as_alice.get("connections").json()["items"] == []
    assert as_bob.get("connections").json()["items"] == []
    assert_error(as_alice.delete("connections/bob"), 404, "not_connected")


def test_api_audit_lists_each_connection_with_state_and_balance(
    alice, bob, charlie, as_alice
):
    old = talk(alice, bob, turns=3)
    connect(alice, bob)
    backdate(old, 100)
    talk(alice, charlie, turns=2)
    connect(alice, charlie)

    response = as_alice.get("connections/audit")

    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(i["member"]["handle"], i["state"], i["balance"]) for i in items] == [
        ("bob", "dormant", "balanced"),
        ("charlie", "active", "balanced"),
    ]
    assert items[0]["conversation"] == old.pk
    assert items[0]["last_talked_at"]
    assert "count" not in str(response.json())


def test_api_audit_of_a_member_without_connections_is_empty(as_alice):
    assert as_alice.get("connections/audit").json() == {"items": []}


def test_api_reminder_settings_default_and_change(as_alice, alice):
    before = as_alice.get("connections/settings").json()
    changed = as_alice.request(
        "put", "connections/settings", json={"email_digest": True}
    )

    assert before == {"audit_reminder": True, "email_digest": False}
    assert changed.json() == {"audit_reminder": True, "email_digest": True}
    assert ReminderSettings.objects.get(member=alice).email_digest is True


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "connections"),
        ("post", "connections"),
        ("post", "connections/bob/accept"),
        ("post", "connections/bob/decline"),
        ("delete", "connections/bob"),
        ("get", "connections/audit"),
        ("get", "connections/settings"),
        ("put", "connections/settings"),
    ],
)
def test_api_connections_refuse_anonymous_visitors(api_client, connected, method, path):
    response = api_client.request(
        method, path, json={"handle": "bob"} if method in ("post", "put") else None
    )

    assert_error(response, 401, "not_authenticated")


def test_api_a_stranger_sees_nothing_of_anothers_connections(
    connected, api_client, charlie
):
    as_charlie = api_client.as_member(charlie)

    assert as_charlie.get("connections").json() == {"items": [], "offers": []}
    assert as_charlie.get("connections/audit").json() == {"items": []}
    assert_error(as_charlie.delete("connections/bob"), 404, "not_connected")
    assert_error(as_charlie.post("connections/alice/accept"), 404, "no_offer")
    assert Connection.objects.count() == 2
