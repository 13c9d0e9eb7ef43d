"""Cohort moderation in real browsers, one per person (issue 6, "Must show").

A reader reports a post; moderator A finds the case in the cohort's queue, claims it and
proposes a ban; the ban waits, the author can still post, and A's own confirmation is
refused; moderator B confirms and the ban is in force; the public log shows it with the
rule and the reason, signed by the cohort. The banned author appeals, and the appeal goes
to C, who took no part. The cohort puts the author on its published blocklist: a
community that subscribed in "refuse" mode turns the author away, one in "queue" mode
holds the join for review.

Every step goes through the pages, starting from the community page's links."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import Page, expect

from fireside.accounts.tests.factories import MemberFactory
from fireside.appeals.models import Appeal
from fireside.blocklists import actions as blocklists
from fireside.communities.models import Membership, Rule
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.moderation.models import ModAction
from fireside.posts.tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWN_CONFIRMATION_REFUSED = (
    "You proposed this action, so another member of the cohort has to confirm it."
)
BAN_REASON = "Sells telescopes in every post after two warnings."


class People:
    """Hearth (ann leads; ben and cleo moderate; mel writes; rita reads) and two other
    communities that subscribe to Hearth's published blocklist: Lantern refuses the
    members on it, Harbor queues them for review."""

    def __init__(self) -> None:
        self.ann = MemberFactory(handle="ann", display_name="Ann Lead")
        self.ben = MemberFactory(handle="ben", display_name="Ben Moderator")
        self.cleo = MemberFactory(handle="cleo", display_name="Cleo Moderator")
        self.mel = MemberFactory(handle="mel", display_name="Mel Writer")
        self.rita = MemberFactory(handle="rita", display_name="Rita Reader")
        self.hearth = CommunityFactory(
            slug="hearth", name="Hearth", created_by=self.ann
        )
        for moderator in (self.ben, self.cleo):
            MembershipFactory(
                community=self.hearth, member=moderator, role=Membership.Role.MODERATOR
            )
        for member in (self.mel, self.rita):
            MembershipFactory(community=self.hearth, member=member)
        Rule.objects.create(community=self.hearth, number=1, text="Be kind.")
        Rule.objects.create(community=self.hearth, number=2, text="No selling.")
        self.post = PostFactory(
            community=self.hearth, author=self.mel, title="Cheap telescopes, ask me"
        )
        blocklist = blocklists.create_blocklist(
            self.hearth, by=self.ann, name="Repeat sellers"
        )
        blocklists.set_blocklist_published(blocklist, by=self.ann, is_published=True)
        for slug, name, mode in (
            ("lantern", "Lantern", "refuse"),
            ("harbor", "Harbor", "queue"),
        ):
            lead = MemberFactory(handle=f"{slug}_lead")
            community = CommunityFactory(slug=slug, name=name, created_by=lead)
            blocklists.subscribe(community, by=lead, blocklist=blocklist, mode=mode)
        connection.close()


@pytest.fixture
def people(transactional_db):
    # Playwright keeps an event loop running in this thread, where actions could not
    # publish their events; a worker thread has none.
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(People).result()


@pytest.fixture
def open_as(browser, live_server):
    """A new browser context for MEMBER (None: a visitor), on the community page."""
    contexts = []
    csp = []

    def open_as(member, path="/c/hearth/"):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        if member is not None:
            client = Client()
            client.force_login(member)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                csp.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.goto(path)
        return page

    open_as.csp = csp
    yield open_as
    for context in contexts:
        context.close()


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def alerts(page: Page):
    return page.locator("#alerts")


def cohort_tools(page: Page):
    return page.get_by_role("navigation", name="Cohort tools")


def open_case_as(page: Page, title: str) -> None:
    cohort_tools(page).get_by_role("link", name="Cases").click()
    expect(heading(page)).to_have_text("Cases in Hearth")
    page.get_by_role("link", name=f"Post: {title}").click()
    expect(heading(page)).to_contain_text(title)


def test_moderation_journey_report_two_person_ban_log_appeal_and_blocklists(
    people, open_as
):
    # --- rita reports mel's post through its Report link, citing a numbered rule.
    rita = open_as(people.rita)
    expect(heading(rita)).to_have_text("Hearth")
    expect(cohort_tools(rita)).to_have_count(0)  # no cohort links for a member
    rita.get_by_role("link", name="Cheap telescopes, ask me").click()
    rita.get_by_role("link", name="Report this post").click()
    expect(heading(rita)).to_have_text("Report the post “Cheap telescopes, ask me”")
    rita.get_by_role("radio", name="2. No selling.").check()
    rita.get_by_label("What is wrong?").fill("Every post of theirs sells telescopes.")
    rita.get_by_role("button", name="Send the report").click()
    expect(alerts(rita)).to_contain_text("Your report is with the reviewers")
    expect(heading(rita)).to_have_text("Cheap telescopes, ask me")

    # --- ann (A) finds the case in the cohort's queue, claims it and proposes a ban.
    ann = open_as(people.ann)
    open_case_as(ann, "Cheap telescopes, ask me")
    expect(ann.get_by_text("Reported by @rita")).to_contain_text("rule 2: No selling.")
    ann.get_by_role("button", name="Claim it").click()
    expect(alerts(ann)).to_contain_text("The case is yours now.")
    ann.get_by_label("Action", exact=True).select_option(
        label="Banned from the community"
    )
    ann.get_by_label("Rule", exact=True).select_option(label="2. No selling.")
    ann.get_by_label("Reason (the member reads it").fill(BAN_REASON)
    ann.get_by_role("button", name="Propose").click()
    expect(alerts(ann)).to_contain_text(
        "It takes effect when another cohort member confirms it within 72 hours."
    )
    actions = ann.get_by_role("region", name="Actions")
    expect(actions).to_contain_text("waiting for a second cohort member")
    expect(actions).to_contain_text(
        "You proposed it, so another cohort member confirms it."
    )
    expect(actions.get_by_role("button", name="Confirm this ban")).to_have_count(0)
    case_url = ann.url

    # --- The ban is not in force yet: mel can still open a post in Hearth.
    mel = open_as(people.mel)
    mel.get_by_role("link", name="New post").first.click()
    expect(heading(mel)).to_have_text("New post in Hearth")
    new_post_url = mel.url
    mel.get_by_label("Title").fill("A second-hand eyepiece")
    mel.get_by_label("Body").fill("Still looking for someone to talk optics with.")
    mel.get_by_role("button", name="Open the post").click()
    expect(alerts(mel)).to_contain_text("Your post is open.")
    expect(heading(mel)).to_have_text("A second-hand eyepiece")

    # --- A's own confirmation is refused. The page offers A no button, so A's browser
    # sends the confirmation the way a stale tab would: a form posted with A's session
    # and CSRF token.
    ban = ModAction.objects.get(case__post=people.post, kind=ModAction.Kind.BAN)
    ann.evaluate(
        """url => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = url;
            form.append(
                document.querySelector("input[name=csrfmiddlewaretoken]").cloneNode()
            );
            document.body.append(form);
            form.submit();
        }""",
        f"/actions/{ban.pk}/confirm/",
    )
    expect(ann.get_by_role("alert")).to_contain_text(OWN_CONFIRMATION_REFUSED)
    expect(ann.get_by_role("region", name="Actions")).to_contain_text(
        "waiting for a second cohort member"
    )
    mel.goto(new_post_url)
    expect(heading(mel)).to_have_text("New post in Hearth")
    expect(mel.get_by_role("button", name="Open the post")).to_be_visible()

    # --- ben (B) sees the ban waiting in the queue and confirms it: now it is in force.
    ben = open_as(people.ben)
    cohort_tools(ben).get_by_role("link", name="Cases").click()
    waiting = ben.get_by_role("region", name="Waiting for a second cohort member")
    expect(waiting).to_contain_text("proposed by @ann")
    waiting.get_by_role("link", name="Banned from the community").click()
    assert ben.url == case_url  # the case A proposed the ban on
    ben.get_by_role("button", name="Confirm this ban").click()
    expect(alerts(ben)).to_contain_text("Confirmed: the action is in force")
    expect(ben.get_by_role("region", name="Actions")).to_contain_text(
        "confirmed by @ben · in force"
    )

    # --- mel is banned: the new-post page refuses with the sentence that says why.
    mel.goto(new_post_url)
    expect(mel.get_by_role("alert")).to_have_text(
        "You are banned from Hearth (rule 2), so you cannot post there. You can "
        "appeal the ban under Settings → Moderation notices."
    )
    expect(mel.get_by_role("button", name="Open the post")).to_have_count(0)

    # --- The public log, read by a visitor: the ban, its rule and reason, by the cohort.
    visitor = open_as(None)
    visitor.get_by_role("link", name="Moderation log").click()
    expect(heading(visitor)).to_have_text("Moderation log of Hearth")
    entries = visitor.get_by_role("main").get_by_role("listitem")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("Banned from the community")
    expect(entries).to_contain_text("Rule 2: No selling.")
    expect(entries).to_contain_text(BAN_REASON)
    expect(entries).to_contain_text("by the cohort")
    log = visitor.get_by_role("main")
    for name in ("@ann", "Ann Lead", "@ben", "Ben Moderator", "@mel", "Mel Writer"):
        expect(log).not_to_contain_text(name)

    # --- mel appeals from the moderation notices.
    mel.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Settings"
    ).click()
    mel.get_by_role("link", name="Moderation notices").click()
    expect(heading(mel)).to_have_text("Moderation notices")
    notices = mel.get_by_role("main")
    expect(notices).to_contain_text("Rule 2: No selling.")
    expect(notices).to_contain_text(f"Reason: {BAN_REASON}")
    mel.get_by_role("link", name="Appeal", exact=True).click()
    expect(heading(mel)).to_have_text("Appeal a moderation action")
    mel.get_by_label("Why should this action be reviewed?").fill(
        "I sold one telescope, once, to a friend who asked."
    )
    mel.get_by_role("button", name="Send the appeal").click()
    expect(alerts(mel)).to_contain_text("Your appeal is sent.")

    # --- The appeal goes to cleo (C), who neither proposed nor confirmed the ban.
    cleo = open_as(people.cleo)
    cohort_tools(cleo).get_by_role("link", name="Appeals").click()
    expect(heading(cleo)).to_have_text("Appeals in Hearth")
    appeal_item = cleo.get_by_role("main").get_by_role("listitem")
    expect(appeal_item).to_have_count(1)
    expect(appeal_item).to_contain_text("by @mel · assigned to @cleo")
    for moderator in (ann, ben):
        moderator.goto("/c/hearth/")
        cohort_tools(moderator).get_by_role("link", name="Appeals").click()
        item = moderator.get_by_role("main").get_by_role("listitem")
        expect(item).to_contain_text("assigned to @cleo")
        expect(item).not_to_contain_text("assigned to @ann")
        expect(item).not_to_contain_text("assigned to @ben")
    assert Appeal.objects.get(action=ban).assignee_id == people.cleo.pk

    # --- ann puts mel on Hearth's published blocklist.
    ann.goto("/c/hearth/")
    cohort_tools(ann).get_by_role("link", name="Blocklists").click()
    expect(heading(ann)).to_have_text("Blocklists of Hearth")
    ann.get_by_role("link", name="Repeat sellers").click()
    ann.get_by_role("textbox", name="Handle").fill("mel")
    ann.get_by_role("textbox", name="Reason").fill("Banned from Hearth for selling.")
    ann.get_by_role("button", name="Add to the list").click()
    expect(alerts(ann)).to_contain_text("@mel is on the list.")

    # --- Lantern subscribed in "refuse" mode: mel is turned away.
    mel.goto("/c/lantern/")
    mel.get_by_role("button", name="Join Lantern").click()
    expect(mel.get_by_role("alert")).to_have_text(
        "This community does not accept your request to join."
    )
    mel.reload()
    expect(mel.get_by_role("button", name="Join Lantern")).to_be_visible()
    expect(mel.get_by_role("link", name="New post")).to_have_count(0)

    # --- Harbor subscribed in "queue" mode: mel's join waits for its cohort.
    mel.goto("/c/harbor/")
    mel.get_by_role("button", name="Join Harbor").click()
    membership = mel.get_by_role("region", name="Your membership")
    expect(membership).to_contain_text("Your request is on its way to the cohort.")
    expect(membership).to_contain_text("Requested — the cohort will decide.")
    mel.reload()
    expect(mel.get_by_role("button", name="Withdraw the request")).to_be_visible()

    assert not open_as.csp, open_as.csp
