"""Every XSS payload of xss_payloads.py, typed into every field a member writes, rendered
on every page that shows that field, in Debian's Chromium. Nothing may run: payloads call
`__xss(n)` (an exposed binding) or `alert(n)` (a dialog), and the page is also searched
for what would run on a click or a hover (event-handler attributes, script URLs, HTMX
attributes) and for Content Security Policy violations — a CSP report means the escaping
or the sanitizer let markup through that only the policy stopped, which counts as a
failure too. Each page must show the payload's marker, so a field that was simply not
rendered cannot pass as safe."""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from fireside.accounts.actions import issue_api_token
from fireside.accounts.models import ApiToken
from fireside.accounts.tests.factories import MemberFactory
from fireside.appeals.models import Appeal
from fireside.blocklists.models import Blocklist, BlocklistEntry
from fireside.communities.models import Rule
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations.models import Conversation, Message
from fireside.moderation.actions import case_for, snapshot_of
from fireside.moderation.models import CaseNote, ModAction, Notice, Report
from fireside.posts.tests.factories import PostFactory
from fireside.search import fulltext
from tests.security.xss_payloads import PAYLOADS, marker, stored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Run in the page after it loaded: everything in the DOM that would run script on a
#: click, a hover or a focus, or fetch on HTMX's behalf, and that the site's own
#: templates never contain.
DANGEROUS_MARKUP = """() => {
  const found = [];
  const scriptUrl = /^\\s*(javascript|vbscript|data):/i;
  for (const el of document.querySelectorAll('*')) {
    if (el.tagName === 'SCRIPT' && !el.src) found.push('inline <script>: ' + el.textContent.slice(0, 80));
    if (['IFRAME', 'OBJECT', 'EMBED', 'STYLE'].includes(el.tagName)) found.push('<' + el.tagName.toLowerCase() + '>');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(el.tagName + ' ' + name + '=' + attr.value);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(name) && scriptUrl.test(attr.value))
        found.push(el.tagName + ' ' + name + '=' + attr.value);
      // hx-confirm and hx-prompt only show their (escaped) text in a dialog.
      const shownOnly = ['hx-confirm', 'hx-prompt', 'data-hx-confirm', 'data-hx-prompt'];
      if ((name.startsWith('hx-') || name.startsWith('data-hx-')) && !shownOnly.includes(name)
          && /__xss|xss-htmx/i.test(attr.value))
        found.push(el.tagName + ' ' + name + '=' + attr.value);
      if (name === 'style' && /__xss|javascript/i.test(attr.value)) found.push(el.tagName + ' style=' + attr.value);
    }
  }
  return found;
}"""


#: Resolves after a frame and a turn of the event loop: the tasks queued while a page
#: loaded (onerror, ontoggle, HTMX's load triggers) have run by then.
NEXT_TURN = "() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))"


@dataclass
class Scene:
    reader: object
    author: object
    asker: object
    community: object
    post: object
    conversation: object
    token_name: str
    case_id: int
    appeal_id: int
    blocklist_id: int


def _limit(model, field):
    return model._meta.get_field(field).max_length


def build_scene(n: int) -> Scene:
    """Payload N in every field a member writes, and a reader who sees them all."""
    from fireside.accounts.models import Member
    from fireside.communities.models import Community
    from fireside.posts.models import Post

    def text(model, field):
        return stored(n, _limit(model, field))

    reader = MemberFactory(handle="reader", display_name="Rita Reader")
    author = MemberFactory(
        handle="author",
        display_name=text(Member, "display_name"),
        bio=stored(n),
        interests=[stored(n, 30)],
    )
    asker = MemberFactory(handle="asker", display_name=text(Member, "display_name"))
    community = CommunityFactory(
        slug="xss",
        name=text(Community, "name"),
        description=stored(n),
        created_by=author,
    )
    Rule.objects.create(
        community=community, number=1, text=stored(n, 500), created_by=author
    )
    MembershipFactory(community=community, member=reader)
    MembershipFactory(community=community, member=asker)
    post = PostFactory(
        community=community, author=author, title=text(Post, "title"), body=stored(n)
    )
    fulltext.index("post", post.pk, title=post.title, body=post.body, topics=[])
    fulltext.index(
        "community",
        community.pk,
        title=community.name,
        body=community.description,
        topics=[],
    )
    now = timezone.now()
    conversation = _conversation(author, reader, Conversation.State.ACTIVE, n, now)
    _conversation(asker, reader, Conversation.State.REQUESTED, n, now)
    # A report on the post, as hearth's cohort (the author leads it) reads it.
    case = case_for(community=community, target=post)
    Report.objects.create(
        case=case,
        reporter=reader,
        rule_number=1,
        rule_text=stored(n, _limit(Report, "rule_text")),
        reason=stored(n),
        snapshot=snapshot_of(post),
    )
    CaseNote.objects.create(case=case, author=author, body=stored(n))
    # A warning the cohort gave asker, in the public log, and asker's appeal of it.
    member_case = case_for(community=community, target=asker)
    action = ModAction.objects.create(
        case=member_case,
        community=community,
        kind=ModAction.Kind.WARN,
        subject=asker,
        rule_number=1,
        rule_text=stored(n, _limit(ModAction, "rule_text")),
        reason=stored(n),
        state=ModAction.State.IN_FORCE,
        proposed_by=author,
        in_force_at=timezone.now(),
    )
    Notice.objects.create(member=asker, kind=Notice.Kind.ACTION, action=action)
    appeal = Appeal.objects.create(
        action=action, appellant=asker, reason=stored(n), assignee=author
    )
    blocklist = Blocklist.objects.create(
        community=community,
        name=text(Blocklist, "name"),
        description=stored(n),
        created_by=author,
    )
    BlocklistEntry.objects.create(
        blocklist=blocklist,
        member=reader,
        handle=reader.handle,
        reason=stored(n),
        added_by=author,
    )
    token, _ = issue_api_token(author, name="x")
    token.name = stored(n, _limit(ApiToken, "name"))
    token.save(update_fields=["name"])
    return Scene(
        reader,
        author,
        asker,
        community,
        post,
        conversation,
        token.name,
        case.pk,
        appeal.pk,
        blocklist.pk,
    )


def _conversation(by, to, state, n, now):
    low, high = sorted([by.pk, to.pk])
    conversation = Conversation.objects.create(
        initiator=by,
        recipient=to,
        pair_low=low,
        pair_high=high,
        state=state,
        tray=Conversation.Tray.REQUESTS,
        decided_at=now if state == Conversation.State.ACTIVE else None,
        last_seq=1,
        last_author=by,
        last_message_at=now,
    )
    Message.objects.create(
        conversation=conversation, seq=1, author=by, body=stored(n), sent_at=now
    )
    return conversation


#: (name, path, fields shown literally there, who looks): each page that shows text a
#: member wrote, to a reader, or to its author in the forms that edit it (where a value
#: sits inside an attribute or a textarea, the classic break-outs).
def pages(scene: Scene, n: int) -> list[tuple[str, str, list[str], str]]:
    author, community, post = scene.author, scene.community, scene.post
    conversation = scene.conversation.pk
    name, title = author.display_name, post.title
    return [
        ("profile", f"/@{author.handle}/", [name], "reader"),
        ("community page", f"/c/{community.slug}/", [community.name, title], "reader"),
        ("directory", "/communities/", [community.name], "reader"),
        (
            "directory search",
            f"/communities/?q={marker(n)}",
            [community.name],
            "reader",
        ),
        ("post page", f"/p/{post.pk}/", [title, name], "reader"),
        ("post history", f"/p/{post.pk}/history/", [title], "reader"),
        ("home feed", "/", [title], "reader"),
        ("search results", f"/search/?q={marker(n)}", [title], "reader"),
        ("inbox", "/conversations/", [name], "reader"),
        ("conversation", f"/conversations/{conversation}/", [name], "reader"),
        (
            "requests tray",
            "/conversations/requests/",
            [scene.asker.display_name],
            "reader",
        ),
        ("community members", f"/c/{community.slug}/members/", [name], "reader"),
        (
            "new request",
            f"/conversations/new/?to={scene.asker.handle}",
            [scene.asker.display_name],
            "author",
        ),
        ("own profile", f"/@{author.handle}/", [name], "author"),
        ("profile form", "/settings/profile/", [name, author.bio], "author"),
        ("post form", f"/p/{post.pk}/edit/", [title, post.body], "author"),
        (
            "community settings",
            f"/c/{community.slug}/settings/",
            [community.name],
            "author",
        ),
        (
            "message form",
            f"/conversations/{conversation}/messages/1/edit/",
            [],
            "author",
        ),
        ("tokens", "/settings/tokens/", [scene.token_name], "author"),
        ("case", f"/cases/{scene.case_id}/", [title, name], "author"),
        ("moderation log", f"/c/{community.slug}/log/", [], "reader"),
        ("cohort page", f"/c/{community.slug}/cohort/", [name], "reader"),
        ("appeal", f"/appeals/{scene.appeal_id}/", [], "author"),
        ("community appeals", f"/c/{community.slug}/appeals/", [], "author"),
        ("blocklist", f"/blocklists/{scene.blocklist_id}/", [], "author"),
        ("community blocklists", f"/c/{community.slug}/blocklists/", [], "author"),
        ("moderation notices", "/settings/moderation/", [], "asker"),
        ("own appeals", "/appeals/", [], "asker"),
    ]


class Watch:
    """Everything on a page that shows a script ran, or that only the CSP stopped it."""

    def __init__(self, context):
        self.ran: list[str] = []
        self.csp: list[str] = []
        context.expose_binding(
            "__xss", lambda source, n: self.ran.append(f"__xss({n})")
        )

    def attach(self, page):
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("request", self._request)

    def _dialog(self, dialog):
        self.ran.append(f"dialog {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)

    def _request(self, request):
        if "xss-htmx" in request.url:
            self.ran.append(f"HTMX request {request.url}")

    def problems(self, page) -> list[str]:
        found = []
        if self.ran:
            found.append(f"script ran: {self.ran}")
        if self.csp:
            found.append(f"the CSP had to stop injected markup: {self.csp}")
        dangerous = page.evaluate(DANGEROUS_MARKUP)
        if dangerous:
            found.append(f"dangerous markup in the page: {dangerous}")
        self.ran.clear()
        self.csp.clear()
        return found


def _watch_a_page_that_runs_a_payload(browser):
    context = browser.new_context()
    try:
        watch = Watch(context)
        page = context.new_page()
        watch.attach(page)
        page.set_content('<p>hi</p><img src="data:," onerror="__xss(1); alert(2)">')
        page.wait_for_function("() => document.readyState === 'complete'")
        page.evaluate(NEXT_TURN)
        return watch.problems(page)
    finally:
        context.close()


def test_the_watch_sees_a_payload_that_runs(chromium):
    """The listener can fail: a page that does run a payload is caught three ways."""
    problems = chromium.run(_watch_a_page_that_runs_a_payload)
    assert any("__xss(1)" in problem for problem in problems), problems
    assert any("dialog alert '2'" in problem for problem in problems), problems
    assert any("onerror" in problem for problem in problems), problems


def _squash(text: str) -> str:
    # The browser drops NUL or shows it as U+FFFD, by context, and collapses white space.
    text = text.replace("\x00", "").replace("\ufffd", "")
    return re.sub(r"\s+", " ", text).strip()


#: The page's text, and the values of its form fields (which innerText leaves out).
SHOWN_TEXT = """() => document.body.innerText + ' ' +
  [...document.querySelectorAll('input, textarea')].map(field => field.value).join(' ')"""


def _session_cookie(member, url):
    client = Client()
    client.force_login(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return [{"name": cookie.key, "value": cookie.value, "url": url}]


def _visit_every_page(browser, url, cookies, visits, n):
    """In Chromium's thread: open each page as its viewer; return what went wrong."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    watch = Watch(context)
    page = context.new_page()
    watch.attach(page)
    problems = []
    viewer = None
    try:
        for name, path, literal, who in visits:
            if who != viewer:
                context.clear_cookies()
                context.add_cookies(cookies[who])
                viewer = who
            response = page.goto(url + path)
            assert response is not None
            page.evaluate(NEXT_TURN)
            where = f"payload {n} {PAYLOADS[n]!r} on the {name} ({path}, as {who})"
            if response.status != 200:
                problems.append(f"{where}: status {response.status}")
                continue
            problems += [f"{where}: {problem}" for problem in watch.problems(page)]
            shown = _squash(page.evaluate(SHOWN_TEXT))
            if marker(n) not in shown:
                problems.append(f"{where}: the marker {marker(n)} is not shown")
            for value in literal:
                if _squash(value) not in shown:
                    problems.append(f"{where}: not shown escaped as typed: {value!r}")
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("n", range(len(PAYLOADS)), ids=lambda n: f"payload{n}")
def test_no_payload_runs_anywhere(chromium, live_server, n):
    scene = build_scene(n)
    cookies = {
        who: _session_cookie(getattr(scene, who), live_server.url)
        for who in ("reader", "author", "asker")
    }
    visits = pages(scene, n)
    problems = chromium.run(_visit_every_page, live_server.url, cookies, visits, n)
    assert not problems, "\n".join(problems)
