"""The machinery of the authorization matrix: outcome classes, expectations, how a rule's
request is made for a persona. The table itself is in rules.py."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.test import Client
from django.urls import reverse

from tests.security.world import PERSONAS, World, api_headers, page_client

# Outcome classes -----------------------------------------------------------------------

OK = "ok"  # 2xx
REDIRECT = "redirect"  # 3xx anywhere but the login page (a page form's usual success)
LOGIN = "login_required"  # 302 to the login page, or 401 from the API
NOT_FOUND = "not_found"  # 404
FORBIDDEN = "forbidden"  # 403
INVALID = "invalid"  # 400 or 422: the request got past authorization and was refused
NOT_ALLOWED = "method_not_allowed"  # 405
LIMITED = "rate_limited"  # 429
SERVER_ERROR = "server_error"  # 5xx: never expected

#: Outcomes that mean "the request did what it asked" (or would have, with valid data).
SUCCESS = {OK, REDIRECT}


def classify(response: Any) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        return LOGIN if target == reverse("login") else REDIRECT
    if status == 401:
        return LOGIN
    if 200 <= status < 300:
        return OK
    return {
        400: INVALID,
        403: FORBIDDEN,
        404: NOT_FOUND,
        405: NOT_ALLOWED,
        422: INVALID,
        429: LIMITED,
    }.get(status, SERVER_ERROR if status >= 500 else f"status {status}")


# Expectations --------------------------------------------------------------------------

Outcomes = str | tuple[str, ...]
Expect = dict[str, frozenset[str]]


def _as_set(outcomes: Outcomes) -> frozenset[str]:
    return frozenset((outcomes,) if isinstance(outcomes, str) else outcomes)


def expect(
    anonymous: Outcomes,
    members: Outcomes,
    *,
    suspended: Outcomes | None = None,
    **overrides: Outcomes,
) -> Expect:
    """What each persona gets: ANONYMOUS for the visitor without an account, MEMBERS for
    every logged-in persona, unless OVERRIDES names it. A suspended account's session
    stops working, so on pages it is refused like an anonymous visitor unless stated."""
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"no such persona: {unknown}"
    table = {persona: _as_set(members) for persona in PERSONAS}
    table["anonymous"] = _as_set(anonymous)
    table["suspended"] = _as_set(anonymous if suspended is None else suspended)
    for persona, outcomes in overrides.items():
        table[persona] = _as_set(outcomes)
    return table


def api_expect(anonymous: Outcomes, members: Outcomes, **overrides: Outcomes) -> Expect:
    """As `expect`, for an API operation that asks for credentials (or takes them when
    sent): a suspended account's token no longer authenticates, so it gets 401 even where
    an anonymous visitor, who sends no token, may read."""
    return expect(anonymous, members, suspended=LOGIN, **overrides)


def everyone(outcomes: Outcomes) -> Expect:
    """The same for every persona, the suspended one included (a public form or a route
    that refuses the method before anything else)."""
    return expect(outcomes, outcomes, suspended=outcomes)


@dataclass
class Rule:
    """The expectations of one route (a page: per method; an API operation: `expected`).

    `params` fills path parameters the default way cannot (see DEFAULT_PARAMS); `data`
    is the form data or JSON body sent, so a request is refused for who sends it and not
    for what it lacks; `owned` marks a resource that belongs to the participant (or the
    cohort): on it, nobody else may ever succeed with an unsafe method."""

    get: Expect | None = None
    post: Expect | None = None
    expected: Expect | None = None
    params: dict[str, Callable[[World], Any]] = field(default_factory=dict)
    data: Callable[[World], dict[str, Any]] | None = None
    owned: bool = False
    query: Callable[[World], dict[str, Any]] | None = None
    variants: dict[str, "Rule"] = field(default_factory=dict)
    why: str = ""

    def for_method(self, method: str) -> Expect | None:
        if self.expected is not None:
            return self.expected
        return {"GET": self.get, "POST": self.post}.get(method)


DEFAULT_PARAMS: dict[str, Callable[[World], Any]] = {
    "slug": lambda w: w.community.slug,
    "post_id": lambda w: w.post.pk,
    "conversation_id": lambda w: w.conversation.pk,
    "seq": lambda w: 1,
    "token_id": lambda w: w.token.pk,
    "handle": lambda w: w.alice.handle,
    "membership_id": lambda w: w.join_request.pk,
    "code": lambda w: w.invite.code,
    "name": lambda w: w.topic.name,
    "token": lambda w: "not-a-real-token",
    "uid": lambda w: "MQ",
    "case_id": lambda w: w.case.pk,
    "action_id": lambda w: w.action.pk,
    "appeal_id": lambda w: w.appeal.pk,
    "blocklist_id": lambda w: w.blocklist.pk,
    "entry_id": lambda w: w.blocklist_entry.pk,
    "subscription_id": lambda w: w.subscription.pk,
    "dialogue_id": lambda w: w.dialogue.pk,
}


def fill(params: Iterable[str], rule: Rule | None, world: World) -> dict[str, Any]:
    values = {}
    for name in params:
        maker = (rule.params if rule else {}).get(name) or DEFAULT_PARAMS.get(name)
        assert maker is not None, (
            f"path parameter {name!r} has no default in DEFAULT_PARAMS: give the rule "
            "a params entry for it"
        )
        values[name] = maker(world)
    return values


def visit_page(
    world: World,
    persona: str,
    name: str,
    params: Iterable[str],
    method: str,
    rule: Rule | None,
) -> Any:
    url = reverse(name, kwargs=fill(params, rule, world))
    if rule and rule.query:
        url += "?" + urlencode(rule.query(world))
    browser: Client = page_client(world, persona)
    if method == "GET":
        return browser.get(url)
    data = rule.data(world) if rule and rule.data else {}
    return browser.post(url, data)


def call_api(
    world: World,
    persona: str,
    method: str,
    path: str,
    params: Iterable[str],
    rule: Rule | None,
) -> Any:
    values = fill(params, rule, world)
    url = path.format(**values)
    if rule and rule.query:
        url += "?" + urlencode(rule.query(world))
    headers = api_headers(world, persona)
    # CSRF enforced as in production: a bearer-token client never needs it.
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    kwargs: dict[str, Any] = {"headers": headers}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        kwargs["data"] = rule.data(world) if rule and rule.data else {}
        kwargs["content_type"] = "application/json"
    return getattr(browser, method.lower())(url, **kwargs)
