"""An axe-core audit (WCAG 2.1 A and AA rules) of the pages people use, in Debian's
Chromium: anonymous pages, a member's pages and the cohort's. axe-core comes with the
axe-playwright-python package (no download at test time); it is injected through the
DevTools protocol, which the page's Content Security Policy does not govern.

Any violation fails, whatever its impact: the list is short because the pages are few
and share one base template, and a rule we chose to break would be written down here."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations.actions import request_conversation
from fireside.federation.members import member_for_actor
from fireside.federation.models import RemoteActor
from tests.security.test_xss_corpus import build_scene, pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The rule sets audited: WCAG 2.0 and 2.1, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
#: A payload of the XSS corpus that is plain text (template syntax in words), so the
#: scene's pages hold ordinary writing.
PLAIN_SCENE = 30

ANONYMOUS_PAGES = [
    ("home", "/"),
    ("sign up", "/signup/"),
    ("log in", "/login/"),
    ("password reset", "/password/reset/"),
    ("directory", "/communities/"),
    ("topics", "/topics/"),
    ("about", "/about/"),
    ("blocked instances", "/about/instances/"),
]
MEMBER_PAGES = [
    ("settings", "/settings/"),
    ("safety settings", "/settings/safety/"),
    ("trust", "/settings/trust/"),
    ("request settings", "/settings/requests/"),
    ("your data", "/settings/data/"),
    ("connections", "/connections/"),
    ("connection audit", "/connections/audit/"),
    ("reminders", "/settings/reminders/"),
    ("new community", "/communities/new/"),
    ("remote follows", "/settings/follows/"),
    ("find someone to talk with", "/conversations/new/"),
]


def _cookies(member, url):
    client = Client()
    client.force_login(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return [{"name": cookie.key, "value": cookie.value, "url": url}]


def _describe(name, path, violation):
    targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
    return (
        f"{name} ({path}): {violation['id']} [{violation['impact']}] "
        f"{violation['help']} at {targets}"
    )


def test_pages_pass_an_axe_audit(browser, live_server):
    scene = build_scene(PLAIN_SCENE)
    visits = [(name, path, None) for name, path in ANONYMOUS_PAGES]
    visits += [(name, path, "reader") for name, path in MEMBER_PAGES]
    visits += [(name, path, who) for name, path, _, who in pages(scene, PLAIN_SCENE)]
    slug = scene.community.slug
    visits += [
        ("cohort's blocked servers", f"/c/{slug}/cohort/instances/", "author"),
        ("staff area", "/staff/", "staff"),
        ("staff federation", "/staff/federation/", "staff"),
    ]
    sam = member_for_actor(
        RemoteActor.objects.create(
            actor_id="https://social.example/users/sam",
            inbox="https://social.example/users/sam/inbox",
            preferred_username="sam",
            name="Sam Okafor",
            domain="social.example",
        )
    )
    remote_talk = request_conversation(by=scene.reader, to=sam, message="Hello Sam")
    visits += [
        ("remote member's profile", "/@sam@social.example/", "reader"),
        (
            "conversation with a remote member",
            f"/conversations/{remote_talk.pk}/",
            "reader",
        ),
    ]
    staff = MemberFactory(handle="staffer", is_staff=True)
    cookies = {
        who: _cookies(getattr(scene, who), live_server.url)
        for who in ("reader", "author", "asker")
    }
    cookies["staff"] = _cookies(staff, live_server.url)
    axe = Axe()
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    audited = 0
    viewer = "nobody"
    try:
        for name, path, who in visits:
            if who != viewer:
                context.clear_cookies()
                if who is not None:
                    context.add_cookies(cookies[who])
                viewer = who
            response = page.goto(live_server.url + path)
            assert response is not None
            if response.status != 200:
                problems.append(f"{name} ({path}): status {response.status}")
                continue
            results = axe.run(page, options=AXE_OPTIONS)
            audited += 1
            problems += [
                _describe(name, path, violation)
                for violation in results.response["violations"]
            ]
    finally:
        context.close()
    assert audited >= 45, f"only {audited} pages were audited"
    assert not problems, "\n".join(problems)


def test_the_audit_sees_a_violation(browser, live_server):
    """The audit is live: an unlabelled field added to a page is reported."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login/")
        clean = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        page.evaluate(
            "() => document.querySelector('main').append(document.createElement('input'))"
        )
        found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    finally:
        context.close()
    assert clean == []
    assert "label" in {violation["id"] for violation in found}
