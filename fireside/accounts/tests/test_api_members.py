from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from tests.helpers import all_keys, assert_error

PROFILE_FIELDS = {
    "handle",
    "display_name",
    "bio",
    "bio_html",
    "interests",
    "trust_level",
    "joined",
}
COUNT_WORDS = ("count", "follower", "like", "view", "posts")


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(html):
    collector = TagCollector()
    collector.feed(html)
    return collector.tags


# Public profiles --------------------------------------------------------------------


def test_member_profile_has_exactly_the_public_fields(api_client, alice):
    Member.objects.filter(pk=alice.pk).update(
        bio="I knit *slowly*.", interests=["knitting", "board-games"], trust_level=2
    )

    response = api_client.get("members/alice")

    assert response.status_code == 200, response.content
    profile = response.json()
    assert set(profile) == PROFILE_FIELDS
    assert profile["handle"] == "alice"
    assert profile["display_name"] == "Alice Ames"
    assert profile["bio"] == "I knit *slowly*."
    assert profile["bio_html"] == "<p>I knit <em>slowly</em>.</p>\n"
    assert profile["interests"] == ["knitting", "board-games"]
    assert profile["trust_level"] == 2
    assert profile["joined"].startswith(str(alice.joined_at.year))


def test_member_profile_carries_no_count_anywhere(api_client, alice, bob):
    for viewer in [api_client, api_client.as_member(bob)]:
        profile = viewer.get("members/alice").json()

        keys = list(all_keys(profile))
        assert keys
        for key in keys:
            assert not any(word in key.lower() for word in COUNT_WORDS), key


def test_member_profile_does_not_show_the_email(api_client, alice):
    response = api_client.get("members/alice")

    assert "email" not in response.json()
    assert alice.email not in response.content.decode()


@pytest.mark.parametrize("handle", ["alice", "Alice", "ALICE", "@alice", "ａｌｉｃｅ"])
def test_member_profile_finds_the_handle_in_any_form(api_client, alice, handle):
    response = api_client.get(f"members/{handle}")

    assert response.status_code == 200, response.content
    assert response.json()["handle"] == "alice"


def test_member_profile_is_public_to_members_and_visitors(api_client, alice, charlie):
    anonymous = api_client.get("members/alice")
    member = api_client.as_member(charlie).get("members/alice")

    assert anonymous.status_code == member.status_code == 200
    assert anonymous.json() == member.json()


@pytest.mark.parametrize("handle", ["nobody", "ali", "alice_", "al%00ice", "x" * 300])
def test_member_profile_of_an_unknown_handle_is_404(api_client, alice, handle):
    response = api_client.get(f"members/{handle}")

    body = assert_error(response, 404, "not_found")
    assert set(body) == {"detail", "code"}


def test_member_profile_of_an_inactive_member_looks_missing(api_client, alice, charlie):
    Member.objects.filter(pk=alice.pk).update(is_active=False)

    inactive = api_client.as_member(charlie).get("members/alice")
    missing = api_client.as_member(charlie).get("members/nobody")

    assert_error(inactive, 404, "not_found")
    assert inactive.json() == missing.json()


def test_member_profile_bio_html_is_sanitised(api_client):
    bio = "\n\n".join(
        [
            "<script>alert('bio')</script>",
            "[click me](javascript:alert(1))",
            '<a href="javascript:alert(2)" onclick="alert(3)">raw link</a>',
            "[spaced](  javascript:alert(4))",
            "[encoded](jav&#x61;script:alert(5))",
            '<img src="x" onerror="alert(6)">',
            "![pixel](https://tracker.example/pixel.png)",
            "[my site](https://example.org/ada)",
            "<iframe src='https://example.org'></iframe>",
        ]
    )
    MemberFactory(handle="mallory", bio=bio)

    html = api_client.get("members/mallory").json()["bio_html"]

    tags = tags_in(html)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "img", "iframe", "style"}, html
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert {"href": "https://example.org/ada", "rel": "nofollow ugc noopener"} in links
    for attrs in links:
        assert urlsplit(attrs["href"]).scheme in {"http", "https", "mailto"}, html
        assert attrs["rel"] == "nofollow ugc noopener"
    for _, attrs in tags:
        assert not [name for name in attrs if name.startswith("on")], html


@pytest.mark.parametrize("scheme", ["https", "http", "mailto"])
def test_member_profile_bio_links_get_rel_nofollow_ugc_noopener(api_client, scheme):
    target = (
        "mailto:ada@example.org" if scheme == "mailto" else f"{scheme}://a.example/"
    )
    MemberFactory(handle="ada", bio=f"Find me [here]({target}).")

    html = api_client.get("members/ada").json()["bio_html"]

    links = [attrs for tag, attrs in tags_in(html) if tag == "a"]
    assert links == [{"href": target, "rel": "nofollow ugc noopener"}]


# Editing your profile --------------------------------------------------------------


def test_me_edit_changes_the_fields_given_and_keeps_the_others(api_client, alice):
    Member.objects.filter(pk=alice.pk).update(bio="Old bio", interests=["knitting"])
    as_alice = api_client.as_member(alice)

    response = as_alice.patch("me", json={"display_name": "  Alice A.  "})

    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Alice A."
    profile = api_client.get("members/alice").json()
    assert profile["display_name"] == "Alice A."
    assert profile["bio"] == "Old bio"
    assert profile["interests"] == ["knitting"]


def test_me_edit_changes_the_bio(api_client, alice):
    response = api_client.as_member(alice).patch("me", json={"bio": "I *knit*."})

    assert response.status_code == 200, response.content
    profile = api_client.get("members/alice").json()
    assert profile["bio"] == "I *knit*."
    assert profile["bio_html"] == "<p>I <em>knit</em>.</p>\n"
    assert profile["display_name"] == "Alice Ames"


def test_me_edit_with_nothing_changes_nothing(api_client, alice):
    before = api_client.get("members/alice").json()

    response = api_client.as_member(alice).patch("me", json={})

    assert response.status_code == 200
    assert api_client.get("members/alice").json() == before


def test_me_edit_accepts_a_bio_of_2000_characters(api_client, alice):
    response = api_client.as_member(alice).patch("me", json={"bio": "b" * 2000})

    assert response.status_code == 200, response.content
    assert len(api_client.get("members/alice").json()["bio"]) == 2000


def test_me_edit_refuses_a_bio_over_2000_characters(api_client, alice):
    Member.objects.filter(pk=alice.pk).update(bio="Old bio")

    response = api_client.as_member(alice).patch("me", json={"bio": "b" * 2001})

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"bio"}
    assert "2000" in body["errors"]["bio"][0]
    assert api_client.get("members/alice").json()["bio"] == "Old bio"


def test_me_edit_refuses_a_bio_with_a_nul_character(api_client, alice):
    response = api_client.as_member(alice).patch("me", json={"bio": "I knit.\x00"})

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"bio"}


def test_me_edit_changes_nothing_when_one_field_is_refused(api_client, alice):
    response = api_client.as_member(alice).patch(
        "me",
        json={"display_name": "Alice A.", "bio": "b" * 2001, "interests": ["chess"]},
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"bio"}
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio, alice.interests) == ("Alice Ames", "", [])


@pytest.mark.parametrize(
    ("interests", "expected"),
    [
        (["Board Games", "CHESS", "#Go"], ["board-games", "chess", "go"]),
        (["board_games", "Board-Games", "board games"], ["board-games"]),
        ("Board Games, Chess ,  go", ["board-games", "chess", "go"]),
        ("ＫＮＩＴＴＩＮＧ", ["knitting"]),
        (["", "  "], []),
        ("", []),
        ([], []),
    ],
)
def test_me_edit_normalises_interests(api_client, alice, interests, expected):
    response = api_client.as_member(alice).patch("me", json={"interests": interests})

    assert response.status_code == 200, response.content
    assert response.json()["interests"] == expected
    assert api_client.get("members/alice").json()["interests"] == expected


def test_me_edit_accepts_ten_interests(api_client, alice):
    topics = [f"topic{number}" for number in range(10)]

    response = api_client.as_member(alice).patch("me", json={"interests": topics})

    assert response.status_code == 200, response.content
    assert response.json()["interests"] == topics


@pytest.mark.parametrize(
    "interests",
    [[f"topic{number}" for number in range(11)], ",".join(f"t{n}" for n in range(11))],
)
def test_me_edit_refuses_more_than_ten_interests(api_client, alice, interests):
    Member.objects.filter(pk=alice.pk).update(interests=["knitting"])

    response = api_client.as_member(alice).patch("me", json={"interests": interests})

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"interests"}
    assert "10" in body["errors"]["interests"][0]
    assert api_client.get("members/alice").json()["interests"] == ["knitting"]


@pytest.mark.parametrize("interests", [["c++"], ["x" * 31], ["board--games"], [7], 7])
def test_me_edit_refuses_a_malformed_interest(api_client, alice, interests):
    response = api_client.as_member(alice).patch("me", json={"interests": interests})

    body = assert_error(response, 400, "invalid")
    # The field is named as the client sent it, never with pydantic's type labels.
    assert "interests" in body["errors"], body
    assert set(body["errors"]) <= {"interests", "interests.0"}, body
    assert api_client.get("members/alice").json()["interests"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "A" * 51}, "display_name"),
        ({"display_name": "Alice\x00"}, "display_name"),
        ({"display_name": 5}, "display_name"),
        ({"bio": ["a list"]}, "bio"),
    ],
)
def test_me_edit_refuses_a_bad_field(api_client, alice, changes, field):
    response = api_client.as_member(alice).patch("me", json=changes)

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {field}
    alice.refresh_from_db()
    assert alice.display_name == "Alice Ames"


def test_me_edit_needs_a_member(api_client, alice):
    response = api_client.patch("me", json={"bio": "Not mine"})

    assert_error(response, 401, "not_authenticated")
    alice.refresh_from_db()
    assert alice.bio == ""


# The schema -----------------------------------------------------------------------


def test_openapi_schema_lists_the_public_paths(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/auth/signup",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/members/{handle}",
    ]:
        assert path in paths, sorted(paths)
    assert "post" in paths["/api/v1/auth/signup"]
    assert "post" in paths["/api/v1/auth/token"]
    assert {"get", "patch"} <= set(paths["/api/v1/me"])
    assert "get" in paths["/api/v1/members/{handle}"]


def test_openapi_schema_describes_the_public_profile_without_counts(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    profile = schemas["MemberOut"]["properties"]

    assert set(profile) == PROFILE_FIELDS


def test_api_docs_page_is_served(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
