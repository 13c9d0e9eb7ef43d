import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities import actions
from fireside.communities.models import Community, Invite, Membership
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.posts.tests.factories import PostFactory
from tests.helpers import field_error

HTMX = {"HX-Request": "true"}
REQUESTED = "Requested — the cohort will decide"
# A number right before "member(s)" would be a member count, which no page may show.
MEMBER_COUNT = re.compile(r"\d[\d,.\s]*\s+(?:members?|people|followers?)\b", re.I)


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def visible_text(response):
    """The words a reader sees: tags and attribute values removed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def as_member(client, member):
    client.force_login(member)
    return client


# Shared setup: one community of each kind, bob leads them all, alice belongs -----------


@pytest.fixture
def places(alice, bob):
    """Communities led by bob (the cohort) where alice is a member; charlie is a stranger."""
    kinds = {
        "open": {"visibility": Community.Visibility.OPEN},
        "request": {"visibility": Community.Visibility.REQUEST},
        "invite": {"visibility": Community.Visibility.INVITE},
        "unlisted": {"visibility": Community.Visibility.OPEN, "is_listed": False},
    }
    made = {}
    for kind, fields in kinds.items():
        community = CommunityFactory(
            slug=f"{kind}-place",
            name=f"The {kind.title()} Place",
            description=f"A *{kind}* place to talk about comets.",
            created_by=bob,
            **fields,
        )
        MembershipFactory(community=community, member=alice)
        PostFactory(community=community, author=alice, title=f"Comets seen from {kind}")
        made[kind] = community
    return made


@pytest.fixture
def viewers(alice, bob, charlie):
    return {"anonymous": None, "stranger": charlie, "member": alice, "cohort": bob}


def visit(client, viewers, viewer):
    if viewers[viewer] is not None:
        client.force_login(viewers[viewer])
    return client


# Who may open which page --------------------------------------------------------------

ALL = ("anonymous", "stranger", "member", "cohort")
LOGIN = 302
MATRIX = [
    # (path, community kind, {viewer: status})
    ("/c/{slug}/", "open", dict.fromkeys(ALL, 200)),
    ("/c/{slug}/", "request", dict.fromkeys(ALL, 200)),
    ("/c/{slug}/", "invite", dict.fromkeys(ALL, 200)),
    (
        "/c/{slug}/",
        "unlisted",
        {"anonymous": 404, "stranger": 404, "member": 200, "cohort": 200},
    ),
    (
        "/c/{slug}/members/",
        "open",
        {"anonymous": LOGIN, "stranger": 403, "member": 200, "cohort": 200},
    ),
    (
        "/c/{slug}/members/",
        "invite",
        {"anonymous": LOGIN, "stranger": 403, "member": 200, "cohort": 200},
    ),
    (
        "/c/{slug}/members/",
        "unlisted",
        {"anonymous": LOGIN, "stranger": 404, "member": 200, "cohort": 200},
    ),
    (
        "/c/{slug}/settings/",
        "open",
        {"anonymous": LOGIN, "stranger": 403, "member": 403, "cohort": 200},
    ),
    (
        "/c/{slug}/settings/",
        "unlisted",
        {"anonymous": LOGIN, "stranger": 404, "member": 403, "cohort": 200},
    ),
    ("/communities/", "open", dict.fromkeys(ALL, 200)),
    ("/topics/", "open", dict.fromkeys(ALL, 200)),
    (
        "/communities/new/",
        "open",
        {"anonymous": LOGIN, "stranger": 200, "member": 200, "cohort": 200},
    ),
]
CASES = [
    pytest.param(path, kind, viewer, status, id=f"{path}-{kind}-{viewer}")
    for path, kind, statuses in MATRIX
    for viewer, status in statuses.items()
]


@pytest.mark.parametrize(("path", "kind", "viewer", "status"), CASES)
def test_pages_answer_each_viewer_as_allowed(
    client, places, viewers, path, kind, viewer, status
):
    path = path.format(slug=places[kind].slug)
    response = visit(client, viewers, viewer).get(path)
    assert response.status_code == status
    if status == LOGIN:
        assert response["Location"] == f"/login/?next={path}"


def test_community_members_refuses_a_stranger_with_a_reason(client, places, charlie):
    response = as_member(client, charlie).get("/c/open-place/members/")
    assert response.status_code == 403
    assert "Only members see who else belongs here." in text_of(response)


def test_community_settings_refuses_a_member_with_a_reason(client, places, alice):
    response = as_member(client, alice).get("/c/open-place/settings/")
    assert response.status_code == 403
    assert "Only the community&#x27;s cohort may do that." in text_of(response)


@pytest.mark.parametrize("viewer", ["stranger", "member"])
def test_community_settings_actions_refuse_who_is_not_cohort(
    client, places, viewers, viewer, charlie
):
    waiting = MembershipFactory(
        community=places["request"], state=Membership.State.REQUESTED
    )
    visit(client, viewers, viewer)
    assert (
        client.post(
            "/c/request-place/settings/rules/", {"rules": "Be kind"}
        ).status_code
        == 403
    )
    assert (
        client.post("/c/request-place/settings/invites/", {"days": 7}).status_code
        == 403
    )
    decide = f"/c/request-place/settings/requests/{waiting.pk}/"
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.state == Membership.State.REQUESTED
    assert not Invite.objects.exists()


def test_community_detail_shows_a_request_communitys_posts_to_members_only(
    client, places, alice, charlie
):
    stranger_view = as_member(client, charlie).get("/c/request-place/")
    assert "A <em>request</em> place to talk about comets." in text_of(stranger_view)
    assert "Comets seen from request" not in text_of(stranger_view)
    assert "Posts here are for members." in text_of(stranger_view)

    member_view = as_member(client, alice).get("/c/request-place/")
    assert "Comets seen from request" in text_of(member_view)


def test_community_detail_shows_an_open_communitys_posts_to_anyone(client, places):
    response = client.get("/c/open-place/")
    assert "Comets seen from open" in text_of(response)
    assert 'action="/search/"' in text_of(response)
    assert 'name="community" value="open-place"' in text_of(response)


def test_community_detail_shows_rules_in_order_and_the_cohort(client, places, bob):
    community = places["open"]
    actions.set_rules(community, by=bob, rules=["Be kind", "Stay on topic"])
    response = client.get("/c/open-place/")
    text = text_of(response)
    assert '<li value="1">Be kind</li>' in text
    assert '<li value="2">Stay on topic</li>' in text
    assert "@bob</span> · lead" in text


def test_community_detail_gives_members_a_new_post_link(client, places, alice):
    member_view = as_member(client, alice).get("/c/open-place/")
    assert 'href="/c/open-place/posts/new/"' in text_of(member_view)


def test_community_detail_gives_strangers_no_new_post_link(client, places, charlie):
    response = as_member(client, charlie).get("/c/open-place/")
    assert "/posts/new/" not in text_of(response)


def test_community_detail_loads_more_posts_newest_first(client, places, alice):
    community = places["open"]
    start = timezone.now() - timedelta(days=1)
    for number in range(25):
        PostFactory(
            community=community,
            author=alice,
            title=f"Night {number:02d}",
            created_at=start + timedelta(minutes=number),
        )
    first = client.get("/c/open-place/")
    # The newest post of the shared setup comes first, then 19 of these.
    assert text_of(first).index("Comets seen from open") < text_of(first).index("Night")
    titles = re.findall(r"Night (\d\d)", text_of(first))
    assert titles == [f"{n:02d}" for n in range(24, 5, -1)]
    cursor = re.search(r'name="cursor" value="([^"]+)"', text_of(first)).group(1)

    more = client.get("/c/open-place/", {"cursor": cursor}, headers=HTMX)
    assert "<html" not in text_of(more)
    assert re.findall(r"Night (\d\d)", text_of(more)) == [
        f"{n:02d}" for n in range(5, -1, -1)
    ]
    assert "Load more" not in text_of(more)


def test_community_detail_refuses_a_damaged_cursor(client, places):
    response = client.get("/c/open-place/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "This page link is damaged." in text_of(response)


# The directory ------------------------------------------------------------------------


@pytest.mark.django_db
def test_community_list_tells_what_to_do_when_nothing_is_listed(client):
    response = client.get("/communities/")
    assert response.status_code == 200
    assert "No communities are listed yet." in text_of(response)
    assert 'href="/communities/new/"' in text_of(response)


def test_community_list_shows_name_excerpt_topics_and_visibility(client, places):
    places["request"].topics.set(actions.topics_named(["astronomy"]))
    response = client.get("/communities/")
    text = text_of(response)
    assert "The Request Place" in text
    assert "A request place to talk about comets." in text
    assert 'href="/topics/astronomy/"' in text
    for label in ("open", "by request", "by invitation"):
        assert f'<span class="badge">{label}</span>' in text


def test_community_list_filters_by_topic(client, places):
    places["request"].topics.set(actions.topics_named(["astronomy"]))
    response = client.get("/communities/", {"topic": "astronomy"})
    assert "The Request Place" in text_of(response)
    assert "The Open Place" not in text_of(response)


def test_community_list_explains_an_unknown_topic_next_to_the_field(client, places):
    response = client.get("/communities/", {"topic": "basket-weaving"})
    assert response.status_code == 400
    assert "does not exist" in field_error(response, "topic")


def test_community_list_refuses_a_damaged_cursor(client, places):
    response = client.get("/communities/", {"cursor": "tampered"})
    assert response.status_code == 400
    assert "This page link is damaged." in text_of(response)


def test_community_list_sorts_by_newest(client, alice):
    CommunityFactory(name="Aardvarks", created_at=timezone.now() - timedelta(days=2))
    CommunityFactory(name="Zebras", created_at=timezone.now())
    by_name = text_of(client.get("/communities/", {"sort": "name"}))
    newest = text_of(client.get("/communities/", {"sort": "newest"}))
    assert by_name.index("Aardvarks") < by_name.index("Zebras")
    assert newest.index("Zebras") < newest.index("Aardvarks")


def test_community_list_loads_more_with_and_without_htmx(client, alice):
    for number in range(23):
        CommunityFactory(name=f"Circle {number:02d}")
    first = client.get("/communities/", {"sort": "name"})
    assert re.findall(r"Circle (\d\d)", text_of(first)) == [
        f"{n:02d}" for n in range(20)
    ]
    assert '<button type="submit" class="secondary">Load more</button>' in text_of(
        first
    )
    cursor = re.search(r'name="cursor" value="([^"]+)"', text_of(first)).group(1)
    assert '<input type="hidden" name="sort" value="name">' in text_of(first)

    fragment = client.get(
        "/communities/", {"sort": "name", "cursor": cursor}, headers=HTMX
    )
    assert "<html" not in text_of(fragment)
    assert re.findall(r"Circle (\d\d)", text_of(fragment)) == ["20", "21", "22"]
    assert "autofocus" in text_of(fragment)
    assert "Load more" not in text_of(fragment)

    page = client.get("/communities/", {"sort": "name", "cursor": cursor})
    assert "<html" in text_of(page)
    assert re.findall(r"Circle (\d\d)", text_of(page)) == ["20", "21", "22"]
    assert "Start again from the first page" in text_of(page)


def test_community_list_answers_htmx_with_the_results_only(client, places):
    response = client.get("/communities/", {"sort": "newest"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in text_of(response)
    assert "The Open Place" in text_of(response)
    assert "HX-Request" in response["Vary"]


def test_community_list_answers_a_history_restore_with_the_whole_page(client, places):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    assert "<html" in text_of(client.get("/communities/", headers=headers))


def test_community_list_search_updates_while_typing_and_works_without_javascript(
    client, places
):
    text = text_of(client.get("/communities/"))
    assert re.search(r'<form[^>]*role="search"[^>]*method="get"', text)
    search_input = re.search(r"<input[^>]*name=\"q\"[^>]*>", text).group(0)
    assert 'hx-get="/communities/"' in search_input
    assert 'hx-trigger="input changed delay:300ms, search"' in search_input
    assert 'hx-target="#directory-results"' in search_input
    assert 'hx-push-url="true"' in search_input
    assert 'id="directory-results"' in text
    assert 'aria-live="polite"' in text
    assert '<label for="id_q">Search communities:</label>' in text


def test_community_list_hides_unlisted_communities_from_everyone(
    client, places, viewers
):
    places["unlisted"].topics.set(actions.topics_named(["hidden-topic"]))
    for viewer in ALL:
        visit(client, viewers, viewer)
        assert "The Unlisted Place" not in text_of(client.get("/communities/"))
        assert "hidden-topic" not in text_of(client.get("/topics/"))
        assert "The Unlisted Place" not in text_of(client.get("/topics/hidden-topic/"))
        client.logout()


def test_community_list_finds_by_a_word_of_the_description(client, alice):
    actions.create_community(
        by=alice,
        slug="night-sky",
        name="Night Sky Watchers",
        description="We compare notes on telescopes and dark places.",
        topics="astronomy",
    )
    actions.create_community(
        by=alice, slug="knitters", name="Knitters", description="Wool and patterns."
    )
    response = client.get("/communities/", {"q": "telescopes"})
    assert "Night Sky Watchers" in text_of(response)
    assert "Knitters" not in text_of(response)

    fragment = client.get("/communities/", {"q": "telescope"}, headers=HTMX)
    assert "<html" not in text_of(fragment)
    assert "Night Sky Watchers" in text_of(fragment)


def test_community_list_finds_by_topic_words(client, alice):
    actions.create_community(
        by=alice,
        slug="night-sky",
        name="Night Sky Watchers",
        description="Notes on dark places.",
        topics="astronomy",
    )
    assert "Night Sky Watchers" in text_of(
        client.get("/communities/", {"q": "astronomy"})
    )
    by_topic = client.get("/communities/", {"topic": "astronomy"})
    assert "Night Sky Watchers" in text_of(by_topic)


def test_community_list_search_never_shows_unlisted_communities(client, alice, bob):
    actions.create_community(
        by=alice,
        slug="secret-comets",
        name="Secret Comets",
        description="Comets nobody else watches.",
        is_listed=False,
    )
    for viewer in (None, alice, bob):
        if viewer:
            client.force_login(viewer)
        response = client.get("/communities/", {"q": "comets"})
        assert "Secret Comets" not in text_of(response)
        assert "No listed community matches “comets”." in text_of(response)


def test_community_list_pins_its_query_count(client, places, django_assert_num_queries):
    # Topics of the filter, the communities, their topics: the same for 4 rows or 40.
    with django_assert_num_queries(3):
        client.get("/communities/")
    for number in range(30):
        CommunityFactory(name=f"More {number}")
    with django_assert_num_queries(3):
        client.get("/communities/")


# Topics -------------------------------------------------------------------------------


def test_topic_list_names_topics_of_listed_communities_alphabetically(client, places):
    places["open"].topics.set(actions.topics_named(["zoology", "astronomy"]))
    places["invite"].topics.set(actions.topics_named(["moths"]))
    text = text_of(client.get("/topics/"))
    assert text.index(">astronomy<") < text.index(">moths<") < text.index(">zoology<")


@pytest.mark.django_db
def test_topic_list_says_what_to_do_when_there_are_none(client):
    assert "No topics yet." in text_of(client.get("/topics/"))


def test_topic_detail_lists_the_topics_communities(client, places):
    places["open"].topics.set(actions.topics_named(["astronomy"]))
    response = client.get("/topics/astronomy/")
    assert response.status_code == 200
    assert "<h1>Communities about astronomy</h1>" in text_of(response)
    assert "The Open Place" in text_of(response)
    assert "The Request Place" not in text_of(response)


def test_topic_detail_redirects_another_spelling(client, places):
    places["open"].topics.set(actions.topics_named(["board-games"]))
    response = client.get("/topics/Board_Games/")
    assert response.status_code == 301
    assert response["Location"] == "/topics/board-games/"


@pytest.mark.django_db
def test_topic_detail_is_missing_for_an_unknown_topic(client):
    assert client.get("/topics/nothing-here/").status_code == 404


# Joining and leaving ------------------------------------------------------------------


def test_community_join_without_javascript_redirects_back(client, places, charlie):
    response = as_member(client, charlie).post("/c/open-place/join/")
    assert response.status_code == 302
    assert response["Location"] == "/c/open-place/"
    membership = Membership.objects.get(community=places["open"], member=charlie)
    assert membership.state == Membership.State.ACTIVE
    assert "Welcome to The Open Place." in text_of(client.get("/c/open-place/"))


def test_community_join_by_htmx_swaps_the_membership_box(client, places, charlie):
    response = as_member(client, charlie).post("/c/open-place/join/", headers=HTMX)
    assert response.status_code == 200
    text = text_of(response)
    assert "<html" not in text
    assert 'role="status"' in text
    assert "You belong to this community" in text
    assert 'action="/c/open-place/leave/"' in text
    assert 'href="/c/open-place/posts/new/"' in text


def test_community_leave_by_htmx_swaps_back_to_join(client, places, alice):
    response = as_member(client, alice).post("/c/open-place/leave/", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in text_of(response)
    assert 'action="/c/open-place/join/"' in text_of(response)
    assert not Membership.objects.filter(
        community=places["open"], member=alice
    ).exists()


def test_community_leave_without_javascript_redirects_back(client, places, alice):
    response = as_member(client, alice).post("/c/open-place/leave/")
    assert response.status_code == 302
    assert response["Location"] == "/c/open-place/"


def test_community_leave_of_a_private_community_reloads_the_page(client, places, alice):
    response = as_member(client, alice).post("/c/request-place/leave/", headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/c/request-place/"


def test_community_leave_of_an_unlisted_community_goes_to_the_directory(
    client, places, alice
):
    response = as_member(client, alice).post("/c/unlisted-place/leave/")
    assert response.status_code == 302
    assert response["Location"] == "/communities/"


def test_community_leave_refuses_the_sole_lead_with_a_reason(client, places, bob):
    response = as_member(client, bob).post("/c/open-place/leave/")
    assert response.status_code == 400
    assert "You lead this community." in text_of(response)


def test_community_leave_by_htmx_puts_a_refusal_in_the_alerts(client, places, bob):
    response = as_member(client, bob).post("/c/open-place/leave/", headers=HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#alerts"
    assert "<html" not in text_of(response)


def test_community_join_needs_a_login(client, places):
    response = client.post("/c/open-place/join/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "Log in</a> to join" in text_of(client.get("/c/open-place/"))


def test_community_join_refuses_an_invite_community_without_an_invite(
    client, places, charlie
):
    response = as_member(client, charlie).post("/c/invite-place/join/")
    assert response.status_code == 403
    assert "open by invitation only" in text_of(response)
    assert not Membership.objects.filter(member=charlie).exists()


def test_community_join_of_an_unlisted_community_is_missing_for_a_stranger(
    client, places, charlie
):
    assert as_member(client, charlie).post("/c/unlisted-place/join/").status_code == 404


def test_community_join_request_waits_until_the_cohort_approves(
    client, places, bob, charlie
):
    as_member(client, charlie)
    asked = client.post(
        "/c/request-place/join/", {"note": "I watch comets too."}, headers=HTMX
    )
    assert REQUESTED in text_of(asked)
    assert "Withdraw the request" in text_of(asked)
    assert REQUESTED in text_of(client.get("/c/request-place/"))
    assert "Comets seen from request" not in text_of(client.get("/c/request-place/"))

    as_member(client, bob)
    settings_page = client.get("/c/request-place/settings/")
    assert "@charlie" in text_of(settings_page)
    assert "I watch comets too." in text_of(settings_page)
    membership = Membership.objects.get(member=charlie, community=places["request"])
    approved = client.post(
        f"/c/request-place/settings/requests/{membership.pk}/",
        {"decision": "approve"},
        headers=HTMX,
    )
    assert approved.status_code == 200
    assert "<html" not in text_of(approved)
    assert f'id="request-{membership.pk}"' in text_of(approved)
    assert "@charlie is now a member." in text_of(approved)

    membership.refresh_from_db()
    assert membership.state == Membership.State.ACTIVE
    as_member(client, charlie)
    assert "Comets seen from request" in text_of(client.get("/c/request-place/"))


def test_community_request_decide_declines_without_javascript(
    client, places, bob, charlie
):
    waiting = MembershipFactory(
        community=places["request"], member=charlie, state=Membership.State.REQUESTED
    )
    response = as_member(client, bob).post(
        f"/c/request-place/settings/requests/{waiting.pk}/", {"decision": "decline"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/c/request-place/settings/"
    assert not Membership.objects.filter(pk=waiting.pk).exists()
    assert "You declined @charlie." in text_of(client.get(response["Location"]))


def test_community_request_decide_by_htmx_keeps_the_row_id_after_declining(
    client, places, bob, charlie
):
    waiting = MembershipFactory(
        community=places["request"], member=charlie, state=Membership.State.REQUESTED
    )
    response = as_member(client, bob).post(
        f"/c/request-place/settings/requests/{waiting.pk}/",
        {"decision": "decline"},
        headers=HTMX,
    )
    assert f'id="request-{waiting.pk}"' in text_of(response)


def test_community_settings_says_when_no_one_waits(client, places, bob):
    response = as_member(client, bob).get("/c/open-place/settings/")
    assert "No one is waiting." in text_of(response)


def test_community_leave_withdraws_a_request(client, places, charlie):
    as_member(client, charlie).post("/c/request-place/join/")
    response = client.post("/c/request-place/leave/", headers=HTMX)
    assert "Your request is withdrawn." in text_of(response)
    assert not Membership.objects.filter(member=charlie).exists()


# Invites ------------------------------------------------------------------------------


def new_invite_url(response):
    match = re.search(
        r'data-testid="new-invite">http://testserver(/invite/[^<]+/)<',
        text_of(response),
    )
    assert match, text_of(response)
    return match.group(1)


def test_community_invite_flow_lets_one_person_in_once(client, places, bob, charlie):
    created = as_member(client, bob).post(
        "/c/invite-place/settings/invites/", {"days": 7}
    )
    assert created.status_code == 201
    path = new_invite_url(created)

    as_member(client, charlie)
    shown = client.get(path)
    assert shown.status_code == 200
    assert "You are invited to The Invite Place" in text_of(shown)
    assert '<button type="submit">Join The Invite Place</button>' in text_of(shown)

    joined = client.post(path)
    assert joined.status_code == 302
    assert joined["Location"] == "/c/invite-place/"
    membership = Membership.objects.get(member=charlie, community=places["invite"])
    assert membership.state == Membership.State.ACTIVE

    someone = MemberFactory()
    again = as_member(client, someone).post(path)
    assert again.status_code == 400
    assert "wrong, expired or already used" in text_of(again)
    assert not Membership.objects.filter(member=someone).exists()


def test_community_invite_create_by_htmx_answers_the_fragment(client, places, bob):
    response = as_member(client, bob).post(
        "/c/invite-place/settings/invites/", {"days": 1}, headers=HTMX
    )
    assert response.status_code == 201
    assert "<html" not in text_of(response)
    assert new_invite_url(response)
    assert Invite.objects.get().expires_at > timezone.now() + timedelta(hours=23)


def test_community_invite_create_refuses_an_odd_duration(client, places, bob):
    response = as_member(client, bob).post(
        "/c/invite-place/settings/invites/", {"days": 99}
    )
    assert response.status_code == 400
    assert field_error(response, "days")
    assert not Invite.objects.exists()


@pytest.mark.parametrize(
    "problem", ["wrong", "used", "expired"], ids=["wrong", "used", "expired"]
)
def test_community_invite_refuses_a_bad_link_with_the_reason(
    client, places, bob, charlie, problem
):
    invite = actions.create_invite(places["invite"], by=bob)
    if problem == "used":
        invite.used_at, invite.used_by = timezone.now(), bob
        invite.save()
    if problem == "expired":
        invite.expires_at = timezone.now() - timedelta(minutes=1)
        invite.save()
    code = "not-a-real-code" if problem == "wrong" else invite.code
    as_member(client, charlie)
    for response in (client.get(f"/invite/{code}/"), client.post(f"/invite/{code}/")):
        assert response.status_code == 400
        assert actions.INVITE_UNUSABLE in text_of(response)
    assert not Membership.objects.filter(member=charlie).exists()


def test_community_invite_asks_an_anonymous_visitor_to_log_in(client, places, bob):
    invite = actions.create_invite(places["invite"], by=bob)
    shown = client.get(f"/invite/{invite.code}/")
    assert shown.status_code == 200
    assert f'href="/login/?next=/invite/{invite.code}/"' in text_of(shown)
    posted = client.post(f"/invite/{invite.code}/")
    assert posted.status_code == 302
    assert posted["Location"].startswith("/login/")
    invite.refresh_from_db()
    assert invite.used_at is None


def test_community_invite_opens_an_unlisted_community(client, places, bob, charlie):
    invite = actions.create_invite(places["unlisted"], by=bob)
    as_member(client, charlie)
    assert client.get("/c/unlisted-place/").status_code == 404
    assert "The Unlisted Place" in text_of(client.get(f"/invite/{invite.code}/"))
    client.post(f"/invite/{invite.code}/")
    assert client.get("/c/unlisted-place/").status_code == 200


def test_community_invite_lets_in_a_member_whose_request_waits(
    client, places, bob, charlie
):
    as_member(client, charlie).post("/c/request-place/join/")
    invite = actions.create_invite(places["request"], by=bob)
    client.post(f"/invite/{invite.code}/")
    membership = Membership.objects.get(member=charlie, community=places["request"])
    assert membership.state == Membership.State.ACTIVE


def test_community_invite_tells_a_member_they_already_belong(
    client, places, alice, bob
):
    invite = actions.create_invite(places["invite"], by=bob)
    response = as_member(client, alice).get(f"/invite/{invite.code}/")
    assert "You already belong here." in text_of(response)


# Creating a community -----------------------------------------------------------------

NEW = {
    "slug": "night-sky",
    "name": "Night Sky Watchers",
    "description": "We compare notes on telescopes and dark places.",
    "topics": "astronomy, night-sky",
    "visibility": "open",
    "is_listed": "on",
    "rules": "Be kind\n\nShare what you saw, not what you heard\n",
}


def test_community_create_opens_the_community_led_by_its_creator(client, alice):
    response = as_member(client, alice).post("/communities/new/", NEW)
    assert response.status_code == 302
    assert response["Location"] == "/c/night-sky/"
    community = Community.objects.get(slug="night-sky")
    assert community.is_listed
    assert [rule.text for rule in community.current_rules()] == [
        "Be kind",
        "Share what you saw, not what you heard",
    ]
    assert community.memberships.get(member=alice).role == Membership.Role.LEAD
    assert "is ready. You lead its cohort." in text_of(client.get("/c/night-sky/"))


def test_community_create_keeps_an_unlisted_community_out_of_the_directory(
    client, alice
):
    as_member(client, alice).post("/communities/new/", {**NEW, "is_listed": ""})
    assert not Community.objects.get(slug="night-sky").is_listed
    assert client.get("/c/night-sky/").status_code == 200
    assert "Night Sky Watchers" not in text_of(client.get("/communities/"))


@pytest.mark.django_db
def test_community_create_shows_an_unverified_member_why_and_how_to_verify(client):
    unverified = MemberFactory(email_verified_at=None)
    response = as_member(client, unverified).get("/communities/new/")
    assert response.status_code == 403
    text = text_of(response)
    assert "Verify your email address before you create a community." in text
    assert 'action="/verify/resend/"' in text
    assert (
        as_member(client, unverified).post("/communities/new/", NEW).status_code == 403
    )
    assert not Community.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "taken-place", "The address “taken-place” is taken. Choose another."),
        ("slug", "new", "“new” is reserved. Choose another address."),
        ("slug", "Night Sky!", "An address is 3–50 letters a–z, digits and hyphens"),
        ("description", "   ", "Describe what the community is about"),
        ("name", "", "Give the community a name."),
        ("topics", "a, b, c, d, e, f, g, h, i", "Choose at most 8 topics."),
        ("visibility", "secret", "Select a valid choice."),
    ],
)
def test_community_create_explains_a_refused_field_next_to_it(
    client, alice, field, value, message
):
    CommunityFactory(slug="taken-place")
    response = as_member(client, alice).post("/communities/new/", {**NEW, field: value})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert 'role="alert"' in text_of(response)
    assert not Community.objects.filter(slug="night-sky").exists()


def test_community_create_keeps_what_was_typed(client, alice):
    response = as_member(client, alice).post(
        "/communities/new/", {**NEW, "slug": "new"}
    )
    assert "We compare notes on telescopes and dark places." in text_of(response)
    assert "Share what you saw, not what you heard" in text_of(response)


def test_community_create_labels_every_field(client, alice):
    text = text_of(as_member(client, alice).get("/communities/new/"))
    for field in ("slug", "name", "description", "topics", "is_listed", "rules"):
        assert f'for="id_{field}"' in text
    assert "<legend>Who may join</legend>" in text or "Who may join" in text


# Settings -----------------------------------------------------------------------------


def test_community_rules_saves_and_keeps_the_history(client, places, bob):
    actions.set_rules(places["open"], by=bob, rules=["Be kind", "No spoilers"])
    response = as_member(client, bob).post(
        "/c/open-place/settings/rules/", {"rules": "Be kind\nNo spoilers for a week"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/c/open-place/settings/"
    page = text_of(client.get("/c/open-place/settings/"))
    assert "Be kind\nNo spoilers for a week" in page or "No spoilers for a week" in page
    history = page[page.index("Earlier wordings") :]
    assert "Rule 2," in history
    assert "No spoilers" in history
    detail = text_of(client.get("/c/open-place/"))
    assert '<li value="2">No spoilers for a week</li>' in detail


def test_community_rules_explains_too_long_a_rule(client, places, bob):
    response = as_member(client, bob).post(
        "/c/open-place/settings/rules/", {"rules": "x" * 600}
    )
    assert response.status_code == 400
    assert "Rule 1 is too long" in field_error(response, "rules")


def test_community_settings_saves_the_details(client, places, bob):
    response = as_member(client, bob).post(
        "/c/open-place/settings/",
        {
            "name": "The Comet Place",
            "description": "Only comets now.",
            "topics": "comets",
            "visibility": "request",
        },
    )
    assert response.status_code == 302
    community = Community.objects.get(slug="open-place")
    assert community.name == "The Comet Place"
    assert community.visibility == Community.Visibility.REQUEST
    assert not community.is_listed


def test_community_settings_explains_an_empty_description(client, places, bob):
    response = as_member(client, bob).post(
        "/c/open-place/settings/",
        {"name": "Still here", "description": "", "visibility": "open"},
    )
    assert response.status_code == 400
    assert "Describe what the community is about" in field_error(
        response, "description"
    )
    assert Community.objects.get(slug="open-place").name == "The Open Place"


def test_community_settings_shows_the_current_details(client, places, bob):
    places["open"].topics.set(actions.topics_named(["comets", "astronomy"]))
    text = text_of(as_member(client, bob).get("/c/open-place/settings/"))
    assert 'value="The Open Place"' in text
    assert "comets" in text
    assert "astronomy" in text


# No counts, anywhere ------------------------------------------------------------------


def test_community_members_lists_members_without_a_count(client, places, alice, bob):
    for letter in "abcdefghijkl":
        star = MemberFactory(handle=f"star_{letter}")
        MembershipFactory(community=places["open"], member=star)
    response = as_member(client, alice).get("/c/open-place/members/")
    assert response.status_code == 200
    text = visible_text(response)
    assert "@alice" in text
    assert "@bob" in text
    assert not MEMBER_COUNT.search(text), MEMBER_COUNT.search(text)
    # Digits appear only in relative dates ("joined 0 minutes ago").
    for number in re.findall(r"\d+(?:\s+\w+)?", text):
        assert re.fullmatch(
            r"\d+ (?:minutes?|hours?|days?|weeks?|months?|years?)", number
        ), number


def test_community_members_loads_more_by_handle(client, places, alice):
    for number in range(105):
        MembershipFactory(
            community=places["open"], member=MemberFactory(handle=f"zz_{number:03d}")
        )
    first = as_member(client, alice).get("/c/open-place/members/")
    cursor = re.search(r'name="cursor" value="([^"]+)"', text_of(first)).group(1)
    more = client.get("/c/open-place/members/", {"cursor": cursor}, headers=HTMX)
    assert "<html" not in text_of(more)
    handles = re.findall(r"@(zz_\d+)", text_of(more))
    assert handles
    assert handles == sorted(handles)
    assert set(handles).isdisjoint(re.findall(r"@(zz_\d+)", text_of(first)))


@pytest.mark.parametrize(
    "path",
    [
        "/communities/",
        "/c/open-place/",
        "/c/request-place/",
        "/topics/",
        "/c/open-place/settings/",
    ],
)
def test_pages_never_show_a_member_count(client, places, bob, path):
    for _ in range(5):
        MembershipFactory(community=places["open"])
    places["open"].topics.set(actions.topics_named(["comets"]))
    text = visible_text(as_member(client, bob).get(path))
    assert not MEMBER_COUNT.search(text), MEMBER_COUNT.search(text)
