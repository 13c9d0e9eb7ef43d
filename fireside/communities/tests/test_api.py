from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.utils import timezone

from fireside.accounts.actions import issue_api_token
from fireside.accounts.tests.factories import MemberFactory
from fireside.communities import actions
from fireside.communities.directory import CURSOR_SALT
from fireside.communities.models import Community, Invite, Membership, Rule
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.posts import actions as post_actions
from fireside.posts.tests.factories import PostFactory
from fireside.search import fulltext
from tests.helpers import all_keys, assert_error

FORBIDDEN_KEY_PARTS = ("count", "follower", "like", "view")


def community_data(**changes):
    data = {
        "slug": "night-sky",
        "name": "Night Sky",
        "description": "Amateur astronomers compare telescopes and dark places to watch from.",
        "topics": ["astronomy", "telescopes"],
        "visibility": "open",
        "rules": ["Be kind.", "No gear spam."],
    }
    data.update(changes)
    return data


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


# Creating -------------------------------------------------------------------------


def test_create_community_makes_the_creator_its_lead(api_client, alice):
    response = api_client.as_member(alice).post("communities", json=community_data())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "night-sky"
    assert body["topics"] == ["astronomy", "telescopes"]
    assert body["visibility"] == "open"
    assert body["listed"] is True
    assert body["rules"] == [
        {"number": 1, "text": "Be kind."},
        {"number": 2, "text": "No gear spam."},
    ]
    assert body["cohort"] == [{"handle": "alice", "role": "lead"}]
    assert body["membership"] == "lead"
    assert Membership.objects.get(community__slug="night-sky").role == "lead"


def test_create_community_can_hide_it_from_the_directory(api_client, alice):
    api = api_client.as_member(alice)

    response = api.post("communities", json=community_data(listed=False))

    assert response.status_code == 201, response.content
    assert response.json()["listed"] is False
    assert slugs(api_client.get("communities")) == []


def test_create_community_refuses_an_unverified_email_address(api_client, db):
    newcomer = MemberFactory(email_verified_at=None)

    response = api_client.as_member(newcomer).post("communities", json=community_data())

    body = assert_error(response, 403, "email_unverified")
    assert "verify your email" in body["detail"].lower()
    assert not Community.objects.exists()


def test_create_community_refuses_anonymous_visitors(api_client, db):
    assert_error(
        api_client.post("communities", json=community_data()), 401, "not_authenticated"
    )


def test_create_community_refuses_a_duplicate_slug(api_client, alice, bob):
    assert (
        api_client.as_member(alice).post("communities", json=community_data())
    ).status_code == 201

    response = api_client.as_member(bob).post(
        "communities", json=community_data(name="Another sky")
    )

    body = assert_error(response, 400, "invalid")
    assert "taken" in body["errors"]["slug"][0]
    assert Community.objects.get().name == "Night Sky"


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"name": "  "}, "name", "give the community a name"),
        ({"description": ""}, "description", "describe"),
        ({"visibility": "secret"}, "visibility", "open, request or invite"),
        ({"slug": "No Spaces"}, "slug", "letters a–z"),
        ({"topics": ["not a topic!"]}, "topics", "is not a topic"),
        ({"rules": ["x" * 501]}, "rules", "too long"),
    ],
)
def test_create_community_refuses_bad_fields_with_the_reason(
    api_client, alice, changes, field, reason
):
    response = api_client.as_member(alice).post(
        "communities", json=community_data(**changes)
    )

    body = assert_error(response, 400, "invalid")
    assert reason in " ".join(body["errors"][field]).lower(), body


# The directory --------------------------------------------------------------------


def test_directory_finds_a_community_by_a_word_of_its_description_and_by_topic(
    api_client, alice
):
    api = api_client.as_member(alice)
    api.post("communities", json=community_data())
    api.post(
        "communities",
        json=community_data(
            slug="sourdough",
            name="Sourdough",
            description="Bakers trade starters and crumb photographs.",
            topics=["baking"],
        ),
    )

    assert slugs(api_client.get("communities?q=astronomers")) == ["night-sky"]
    assert slugs(api_client.get("communities?q=starters")) == ["sourdough"]
    assert slugs(api_client.get("communities?topic=astronomy")) == ["night-sky"]
    assert slugs(api_client.get("communities?topic=Baking")) == ["sourdough"]
    item = api_client.get("communities?topic=astronomy").json()["items"][0]
    assert item == {
        "slug": "night-sky",
        "name": "Night Sky",
        "description": community_data()["description"],
        "topics": ["astronomy", "telescopes"],
        "visibility": "open",
    }


def test_directory_combines_words_and_topic(api_client, alice):
    api = api_client.as_member(alice)
    api.post("communities", json=community_data())
    api.post(
        "communities",
        json=community_data(
            slug="deep-sky",
            name="Deep sky photography",
            description="Astronomers stack long exposures.",
            topics=["photography"],
        ),
    )

    assert sorted(slugs(api_client.get("communities?q=astronomers"))) == [
        "deep-sky",
        "night-sky",
    ]
    assert slugs(api_client.get("communities?q=astronomers&topic=photography")) == [
        "deep-sky"
    ]


def test_directory_shows_private_communities_but_not_hidden_ones(api_client, alice):
    CommunityFactory(slug="open-house", created_by=alice)
    CommunityFactory(
        slug="by-request", created_by=alice, visibility=Community.Visibility.REQUEST
    )
    CommunityFactory(
        slug="by-invite", created_by=alice, visibility=Community.Visibility.INVITE
    )
    CommunityFactory(slug="hidden", created_by=alice, is_listed=False)

    assert sorted(slugs(api_client.get("communities"))) == [
        "by-invite",
        "by-request",
        "open-house",
    ]


def test_directory_refuses_an_unknown_topic(api_client, db):
    response = api_client.get("communities?topic=underwater-basket-weaving")

    body = assert_error(response, 400, "invalid")
    assert "does not exist" in body["errors"]["topic"][0]
    assert "underwater-basket-weaving" in body["detail"]


def test_directory_refuses_an_unknown_sort(api_client, db):
    body = assert_error(api_client.get("communities?sort=members"), 400, "invalid")
    assert "sort" in body["errors"]


@pytest.mark.parametrize("sort", ["name", "newest"])
def test_directory_reads_every_community_once_page_by_page(api_client, alice, sort):
    start = timezone.now() - timedelta(days=1)
    for number in range(45):
        CommunityFactory(
            name=f"Circle {number:02d}",
            created_by=alice,
            # Some share a creation time: the order must not lose or repeat them.
            created_at=start + timedelta(minutes=number // 3),
        )
    seen, cursor, pages = [], None, 0
    while True:
        path = f"communities?sort={sort}" + (f"&cursor={cursor}" if cursor else "")
        response = api_client.get(path)
        assert response.status_code == 200, response.content
        seen += [item["name"] for item in response.json()["items"]]
        pages += 1
        cursor = response.json()["next"]
        if cursor is None:
            break

    assert pages == 3
    order = ["name"] if sort == "name" else ["-created_at", "-id"]
    assert seen == list(
        Community.objects.order_by(*order).values_list("name", flat=True)
    )
    assert len(set(seen)) == 45


def test_directory_ranks_a_match_in_the_name_above_one_in_the_description(
    api_client, alice
):
    actions.create_community(
        by=alice,
        slug="night-sky",
        name="Night Sky",
        description="Astronomers compare telescopes.",
    )
    actions.create_community(
        by=alice,
        slug="telescope-makers",
        name="Telescope makers",
        description="Grinding mirrors at home.",
    )

    assert slugs(api_client.get("communities?q=telescope")) == [
        "telescope-makers",
        "night-sky",
    ]
    assert slugs(api_client.get("communities?q=telescope&sort=name")) == [
        "night-sky",
        "telescope-makers",
    ]


def test_directory_pages_search_results_in_ranked_order(api_client, alice):
    for number in range(25):
        actions.create_community(
            by=alice,
            slug=f"garden-{number}",
            name=f"Garden {number}",
            description="Gardeners swap seeds and advice."
            + " Gardeners welcome." * (number % 4),
        )
    actions.create_community(
        by=alice, slug="kitchen", name="Kitchen", description="Cooks talk."
    )

    first = api_client.get("communities?q=gardeners")
    second = api_client.get(f"communities?q=gardeners&cursor={first.json()['next']}")

    assert len(slugs(first)) == 20
    assert second.json()["next"] is None
    ranked = fulltext.search_ids("community", "gardeners")
    slug_of = dict(Community.objects.values_list("pk", "slug"))
    assert slugs(first) + slugs(second) == [slug_of[pk] for pk in ranked]
    assert len(ranked) == 25


def change_last_character(cursor):
    return cursor[:-1] + ("A" if cursor[-1] != "A" else "B")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda real: "garbage",
        change_last_character,
        lambda real: signing.dumps(["name", "circle", 1], salt="another.salt"),
        lambda real: signing.dumps(["name", 5, "x"], salt=CURSOR_SALT),
        lambda real: signing.dumps({"name": "circle"}, salt=CURSOR_SALT),
    ],
    ids=["garbage", "changed", "other-salt", "wrong-types", "wrong-shape"],
)
def test_directory_refuses_a_tampered_cursor(api_client, alice, tamper):
    for number in range(21):
        CommunityFactory(name=f"Circle {number:02d}", created_by=alice)
    real = api_client.get("communities").json()["next"]

    response = api_client.get(f"communities?cursor={tamper(real)}")

    body = assert_error(response, 400, "invalid_cursor")
    assert "cursor" in body["errors"]


def test_directory_refuses_a_cursor_made_for_another_order(api_client, alice):
    for number in range(21):
        CommunityFactory(name=f"Circle {number:02d}", created_by=alice)
    by_name = api_client.get("communities?sort=name").json()["next"]

    assert_error(
        api_client.get(f"communities?sort=newest&cursor={by_name}"),
        400,
        "invalid_cursor",
    )


def test_topics_lists_the_topics_of_listed_communities_by_name(api_client, alice):
    api = api_client.as_member(alice)
    api.post("communities", json=community_data(topics=["telescopes", "astronomy"]))
    api.post(
        "communities",
        json=community_data(slug="hidden", topics=["secrets"], listed=False),
    )

    response = api_client.get("topics")

    assert response.status_code == 200, response.content
    assert response.json() == [{"name": "astronomy"}, {"name": "telescopes"}]


# One community --------------------------------------------------------------------


def test_community_detail_shows_rules_cohort_and_the_viewers_membership(
    api_client, alice, bob, charlie
):
    community = CommunityFactory(slug="night-sky", created_by=alice)
    MembershipFactory(community=community, member=bob, role="moderator")
    MembershipFactory(community=community, member=charlie, state="requested")
    actions.set_rules(community, by=alice, rules=["Be kind.", "Stay on topic."])

    anonymous = api_client.get("communities/night-sky").json()
    as_bob = api_client.as_member(bob).get("communities/night-sky").json()
    as_charlie = api_client.as_member(charlie).get("communities/night-sky").json()

    assert anonymous["rules"] == [
        {"number": 1, "text": "Be kind."},
        {"number": 2, "text": "Stay on topic."},
    ]
    assert anonymous["cohort"] == [
        {"handle": "alice", "role": "lead"},
        {"handle": "bob", "role": "moderator"},
    ]
    assert anonymous["membership"] is None
    assert as_bob["membership"] == "moderator"
    assert as_charlie["membership"] == "requested"


def test_community_detail_hides_an_unlisted_community_from_non_members(
    api_client, alice, charlie
):
    CommunityFactory(slug="backroom", created_by=alice, is_listed=False)

    assert_error(api_client.get("communities/backroom"), 404, "not_found")
    assert_error(
        api_client.as_member(charlie).get("communities/backroom"), 404, "not_found"
    )
    response = api_client.as_member(alice).get("communities/backroom")
    assert response.status_code == 200, response.content
    assert response.json()["listed"] is False


def test_community_detail_answers_404_for_a_missing_slug(api_client, db):
    assert_error(api_client.get("communities/nowhere"), 404, "not_found")


def test_edit_community_changes_settings_for_the_cohort(api_client, alice):
    CommunityFactory(slug="night-sky", created_by=alice)

    response = api_client.as_member(alice).patch(
        "communities/night-sky",
        json={"description": "Stargazers.", "topics": "stars, moon", "listed": False},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["description"] == "Stargazers."
    assert body["topics"] == ["moon", "stars"]
    assert body["listed"] is False
    assert Community.objects.get().is_listed is False


def test_edit_community_refuses_a_member_outside_the_cohort(api_client, alice, bob):
    community = CommunityFactory(slug="night-sky", created_by=alice)
    MembershipFactory(community=community, member=bob)

    response = api_client.as_member(bob).patch(
        "communities/night-sky", json={"name": "Bob's sky"}
    )

    assert_error(response, 403, "not_cohort")
    assert Community.objects.get().name == community.name


def test_set_rules_keeps_the_history_of_each_number(api_client, alice):
    community = CommunityFactory(slug="night-sky", created_by=alice)
    api = api_client.as_member(alice)
    api.request("put", "communities/night-sky/rules", json={"rules": ["Be kind."]})

    response = api.request(
        "put",
        "communities/night-sky/rules",
        json={"rules": ["Be kind to everyone.", "No gear spam."]},
    )

    assert response.status_code == 200, response.content
    assert response.json() == [
        {"number": 1, "text": "Be kind to everyone."},
        {"number": 2, "text": "No gear spam."},
    ]
    history = api_client.get("communities/night-sky/rules/history").json()
    assert [(rule["number"], rule["text"]) for rule in history] == [
        (1, "Be kind."),
        (1, "Be kind to everyone."),
        (2, "No gear spam."),
    ]
    assert history[0]["superseded_at"] is not None
    assert history[1]["superseded_at"] is None
    assert Rule.objects.filter(community=community).count() == 3


# Membership -----------------------------------------------------------------------


def test_join_open_community_makes_a_member_at_once(api_client, alice, bob):
    community = CommunityFactory(slug="night-sky", created_by=alice)

    response = api_client.as_member(bob).post("communities/night-sky/join")

    assert response.status_code == 200, response.content
    assert response.json() == {"state": "member"}
    assert Membership.objects.get(community=community, member=bob).state == "active"


def test_join_request_community_waits_for_the_cohort(api_client, alice, bob):
    CommunityFactory(
        slug="quiet-room", created_by=alice, visibility=Community.Visibility.REQUEST
    )

    response = api_client.as_member(bob).post(
        "communities/quiet-room/join", json={"note": "I read the rules."}
    )

    assert response.status_code == 202, response.content
    assert response.json() == {"state": "requested"}
    assert Membership.objects.get(member=bob).request_note == "I read the rules."


def test_join_invite_community_refuses_without_an_invite(api_client, alice, bob):
    CommunityFactory(
        slug="inner-circle", created_by=alice, visibility=Community.Visibility.INVITE
    )

    response = api_client.as_member(bob).post("communities/inner-circle/join")

    body = assert_error(response, 403, "invite_required")
    assert "invitation" in body["detail"]
    assert not Membership.objects.filter(member=bob).exists()


def test_join_with_an_invite_works_once(api_client, alice, bob, charlie):
    CommunityFactory(
        slug="inner-circle", created_by=alice, visibility=Community.Visibility.INVITE
    )
    created = api_client.as_member(alice).post(
        "communities/inner-circle/invites", json={"days": 3}
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["url"] == f"{settings.SITE_URL}/invite/{code}/"

    first = api_client.as_member(bob).post(
        "communities/inner-circle/join", json={"invite": code}
    )
    reused = api_client.as_member(charlie).post(
        "communities/inner-circle/join", json={"invite": code}
    )

    assert first.status_code == 200, first.content
    assert first.json() == {"state": "member"}
    body = assert_error(reused, 400, "invite_invalid")
    assert "already used" in body["detail"]
    assert not Membership.objects.filter(member=charlie).exists()


def test_join_refuses_an_expired_invite(api_client, alice, bob):
    community = CommunityFactory(
        slug="inner-circle", created_by=alice, visibility=Community.Visibility.INVITE
    )
    invite = actions.create_invite(community, by=alice, days=1)
    Invite.objects.filter(pk=invite.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = api_client.as_member(bob).post(
        "communities/inner-circle/join", json={"invite": invite.code}
    )

    body = assert_error(response, 400, "invite_invalid")
    assert "expired" in body["detail"]


def test_join_with_an_invite_reaches_an_unlisted_community(api_client, alice, bob):
    community = CommunityFactory(
        slug="backroom",
        created_by=alice,
        visibility=Community.Visibility.INVITE,
        is_listed=False,
    )
    invite = actions.create_invite(community, by=alice)
    api = api_client.as_member(bob)

    assert_error(api.post("communities/backroom/join"), 404, "not_found")
    response = api.post("communities/backroom/join", json={"invite": invite.code})

    assert response.status_code == 200, response.content
    assert api.get("communities/backroom").json()["membership"] == "member"


def test_create_invite_refuses_too_long_a_life(api_client, alice):
    CommunityFactory(slug="inner-circle", created_by=alice)

    response = api_client.as_member(alice).post(
        "communities/inner-circle/invites", json={"days": 365}
    )

    body = assert_error(response, 400, "invalid")
    assert "1 to 30 days" in body["errors"]["days"][0]


def test_leave_community_ends_the_membership(api_client, alice, bob):
    community = CommunityFactory(slug="night-sky", created_by=alice)
    MembershipFactory(community=community, member=bob)

    response = api_client.as_member(bob).post("communities/night-sky/leave")

    assert response.status_code == 200, response.content
    assert response.json() == {"state": "left"}
    assert not Membership.objects.filter(member=bob).exists()


def test_leave_community_refuses_the_sole_lead(api_client, alice):
    CommunityFactory(slug="night-sky", created_by=alice)

    response = api_client.as_member(alice).post("communities/night-sky/leave")

    body = assert_error(response, 400, "sole_lead")
    assert "lead" in body["detail"]
    assert Membership.objects.filter(member=alice).exists()


def test_members_lists_handles_and_roles_without_a_count(api_client, alice, bob):
    community = CommunityFactory(slug="night-sky", created_by=alice)
    MembershipFactory(community=community, member=bob)
    MembershipFactory(community=community, state="requested")

    response = api_client.as_member(bob).get("communities/night-sky/members")

    assert response.status_code == 200, response.content
    assert response.json() == [
        {"handle": "alice", "display_name": "Alice Ames", "role": "lead"},
        {"handle": "bob", "display_name": "Bob Brandt", "role": "member"},
    ]


def test_requests_are_listed_approved_and_declined_by_the_cohort(
    api_client, alice, bob, charlie
):
    community = CommunityFactory(
        slug="quiet-room", created_by=alice, visibility=Community.Visibility.REQUEST
    )
    actions.join_community(community, member=bob, note="Hello.")
    actions.join_community(community, member=charlie)
    api = api_client.as_member(alice)

    waiting = api.get("communities/quiet-room/requests")
    approved = api.post("communities/quiet-room/requests/bob/approve")
    declined = api.post("communities/quiet-room/requests/@Charlie/decline")
    again = api.post("communities/quiet-room/requests/bob/approve")

    assert [(r["handle"], r["note"]) for r in waiting.json()] == [
        ("bob", "Hello."),
        ("charlie", ""),
    ]
    assert approved.json() == {"handle": "bob", "state": "member"}
    assert declined.json() == {"handle": "charlie", "state": "declined"}
    assert_error(again, 400, "already_decided")
    assert Membership.objects.get(member=bob).state == "active"
    assert not Membership.objects.filter(member=charlie).exists()


# Who may do what: anonymous, stranger, member and cohort, allowed and refused -------


@pytest.fixture
def circle(db, alice, bob, charlie):
    """A request community: bob leads it, alice belongs, dave waits to be let in and
    charlie is a stranger. It has one post."""
    community = CommunityFactory(
        slug="quiet-room", created_by=bob, visibility=Community.Visibility.REQUEST
    )
    MembershipFactory(community=community, member=alice)
    MembershipFactory(
        community=community,
        member=MemberFactory(handle="dave"),
        state=Membership.State.REQUESTED,
    )
    PostFactory(community=community, author=bob)
    return community


PERSONAS = {
    "anonymous": None,
    "stranger": "charlie",
    "member": "alice",
    "cohort": "bob",
}
ACTIONS = {
    "read_posts": ("get", "communities/quiet-room/posts", None),
    "post": ("post", "communities/quiet-room/posts", {"title": "Hi", "body": "Hello."}),
    "edit_rules": ("put", "communities/quiet-room/rules", {"rules": ["Be kind."]}),
    "see_members": ("get", "communities/quiet-room/members", None),
    "approve_requests": ("post", "communities/quiet-room/requests/dave/approve", {}),
}
ANSWERS = {
    "read_posts": {"anonymous": 404, "stranger": 404, "member": 200, "cohort": 200},
    "post": {"anonymous": 401, "stranger": 403, "member": 201, "cohort": 201},
    "edit_rules": {"anonymous": 401, "stranger": 403, "member": 403, "cohort": 200},
    "see_members": {"anonymous": 401, "stranger": 403, "member": 200, "cohort": 200},
    "approve_requests": {
        "anonymous": 401,
        "stranger": 403,
        "member": 403,
        "cohort": 200,
    },
}


@pytest.mark.parametrize(
    ("action", "persona"),
    [(action, persona) for action in ACTIONS for persona in PERSONAS],
)
def test_community_permissions_allow_and_refuse_by_persona(
    api_client, circle, django_user_model, action, persona
):
    handle = PERSONAS[persona]
    api = (
        api_client
        if handle is None
        else api_client.as_member(django_user_model.objects.get(handle=handle))
    )
    method, path, body = ACTIONS[action]

    response = api.request(method, path, json=body)

    expected = ANSWERS[action][persona]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"detail", "code"}
        assert response.json()["detail"]
    dave = Membership.objects.get(member__handle="dave")
    assert (dave.state == Membership.State.ACTIVE) == (
        action == "approve_requests" and expected == 200
    )
    rules = list(circle.current_rules().values_list("text", flat=True))
    assert rules == (["Be kind."] if action == "edit_rules" and expected == 200 else [])


# No vanity numbers anywhere -------------------------------------------------------


@pytest.fixture
def world(db, alice, bob, charlie):
    """Alice leads an open, a request and an invite community; bob belongs to the open
    one and wrote an edited post there; charlie waits to join the request one."""
    night_sky = actions.create_community(
        by=alice,
        slug="night-sky",
        name="Night Sky",
        description="Astronomers compare telescopes.",
        topics=["astronomy"],
        rules=["Be kind."],
    )
    quiet_room = actions.create_community(
        by=alice,
        slug="quiet-room",
        name="Quiet room",
        description="Slow talk.",
        visibility=Community.Visibility.REQUEST,
    )
    inner_circle = actions.create_community(
        by=alice,
        slug="inner-circle",
        name="Inner circle",
        description="Friends.",
        visibility=Community.Visibility.INVITE,
    )
    actions.join_community(night_sky, member=bob)
    actions.join_community(quiet_room, member=charlie)
    post = post_actions.create_post(
        night_sky, by=bob, title="First light", body="My new *telescope*."
    )
    post_actions.edit_post(post, by=bob, body="My new **telescope**, finally.")
    invite = actions.create_invite(inner_circle, by=alice)
    MemberFactory(handle="dave")
    return {"post": post.pk, "invite": invite.code}


EVERY_ENDPOINT = [
    (None, "get", "communities", None, 200),
    (None, "get", "communities?q=astronomers", None, 200),
    (None, "get", "communities?topic=astronomy&sort=newest", None, 200),
    (None, "get", "topics", None, 200),
    ("alice", "post", "communities", community_data(slug="new-sky"), 201),
    (None, "get", "communities/night-sky", None, 200),
    ("alice", "patch", "communities/night-sky", {"name": "Night skies"}, 200),
    ("alice", "put", "communities/night-sky/rules", {"rules": ["Be nice."]}, 200),
    (None, "get", "communities/night-sky/rules/history", None, 200),
    ("dave", "post", "communities/night-sky/join", {}, 200),
    ("dave", "post", "communities/quiet-room/join", {}, 202),
    ("dave", "post", "communities/inner-circle/join", {"invite": "{invite}"}, 200),
    ("bob", "post", "communities/night-sky/leave", {}, 200),
    ("bob", "get", "communities/night-sky/members", None, 200),
    ("alice", "get", "communities/quiet-room/requests", None, 200),
    ("alice", "post", "communities/quiet-room/requests/charlie/approve", {}, 200),
    ("alice", "post", "communities/quiet-room/requests/charlie/decline", {}, 200),
    ("alice", "post", "communities/inner-circle/invites", {}, 201),
    (None, "get", "communities/night-sky/posts", None, 200),
    ("bob", "post", "communities/night-sky/posts", {"title": "T", "body": "B"}, 201),
    (None, "get", "posts/{post}", None, 200),
    ("bob", "patch", "posts/{post}", {"title": "First light!"}, 200),
    (None, "get", "posts/{post}/revisions", None, 200),
    (None, "get", "search/posts?q=telescope", None, 200),
    ("bob", "get", "feed", None, 200),
    (None, "get", "communities/inner-circle/posts", None, 404),
    (
        "charlie",
        "post",
        "communities/night-sky/posts",
        {"title": "T", "body": "B"},
        403,
    ),
    (None, "get", "feed", None, 401),
]


@pytest.mark.parametrize(
    ("persona", "method", "path", "body", "status"),
    EVERY_ENDPOINT,
    ids=[f"{method} {path}" for _, method, path, _, _ in EVERY_ENDPOINT],
)
def test_api_responses_carry_no_counts_followers_likes_or_views(
    api_client, world, django_user_model, persona, method, path, body, status
):
    api = (
        api_client
        if persona is None
        else api_client.as_member(django_user_model.objects.get(handle=persona))
    )
    if body is not None:
        body = {
            key: value.format(**world) if key == "invite" else value
            for key, value in body.items()
        }

    response = api.request(method, path.format(**world), json=body)

    assert response.status_code == status, response.content
    payload = response.json()
    assert payload, "an empty answer proves nothing"
    keys = set(all_keys(payload))
    offending = {
        key for key in keys if any(part in key.lower() for part in FORBIDDEN_KEY_PARTS)
    }
    assert not offending, f"{path} answered with {offending}"


def test_join_accepts_a_request_without_a_body(client, alice, bob):
    CommunityFactory(slug="night-sky", created_by=alice)
    _, token = issue_api_token(bob, name="tests")

    response = client.generic(
        "POST",
        "/api/v1/communities/night-sky/join",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"state": "member"}


# PostgreSQL refuses text holding NUL: such input must be refused before it gets there.
NUL_INPUTS = [
    ("get", "communities/night%00sky", None, 404, None),
    ("get", "communities/night%00sky/posts", None, 404, None),
    ("get", "communities?topic=star%00s", None, 400, "topic"),
    ("get", "communities?q=star%00s", None, 200, None),
    ("get", "search/posts?q=star%00s", None, 200, None),
    ("get", "search/posts?q=stars&community=night%00sky", None, 404, None),
    ("post", "communities/night-sky/requests/bo%00b/approve", {}, 404, None),
    ("post", "communities/night-sky/join", {"invite": "a\x00b"}, 404, None),
    ("post", "communities/night-sky/join", {"note": "a\x00b"}, 400, "note"),
    (
        "post",
        "communities/night-sky/posts",
        {"title": "a\x00", "body": "b"},
        400,
        "title",
    ),
    (
        "post",
        "communities/night-sky/posts",
        {"title": "a", "body": "b\x00"},
        400,
        "body",
    ),
    ("post", "communities", community_data(name="Night\x00"), 400, "name"),
    (
        "post",
        "communities",
        community_data(description="Stars\x00"),
        400,
        "description",
    ),
    ("post", "communities", community_data(rules=["Be\x00 kind."]), 400, "rules"),
    ("patch", "communities/night-sky", {"name": "Night\x00"}, 400, "name"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), NUL_INPUTS)
def test_api_refuses_the_nul_character_with_a_clear_answer(
    api_client, alice, charlie, method, path, body, status, field
):
    community = CommunityFactory(
        slug="night-sky", created_by=alice, visibility=Community.Visibility.REQUEST
    )
    MembershipFactory(community=community, member=charlie, state="requested")
    # alice leads the community; a join is tried by someone who does not belong yet.
    persona = MemberFactory() if path.endswith("/join") else alice

    response = api_client.as_member(persona).request(method, path, json=body)

    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["errors"], response.json()
