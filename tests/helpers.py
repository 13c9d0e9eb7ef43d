"""Assertions shared by page and API tests."""

import functools
from html.parser import HTMLParser

from asgiref.sync import async_to_sync


def assert_error(response, status, code):
    """RESPONSE is an API error of STATUS and CODE in the documented format."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    return body


def bearer(api_client, secret):
    """The API client, sending SECRET as its bearer token."""
    return type(api_client)(secret)


def all_keys(value):
    """Every key of every JSON object inside VALUE, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_keys(item)


class _FieldErrors(HTMLParser):
    """Collect the text of each `<ul class="errorlist" id="id_<field>_error">`, and which
    errors each input points at with aria-describedby."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors = {}
        self.described_by = {}
        self._current = None
        self._fieldset = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            # Radio buttons are described by their fieldset.
            self._fieldset = (attrs.get("aria-describedby") or "").split()
        if tag == "ul" and (attrs.get("id") or "").endswith("_error"):
            self._current = attrs["id"].removeprefix("id_").removesuffix("_error")
            self.errors[self._current] = ""
        if tag in {"input", "textarea", "select"} and attrs.get("name"):
            described = (attrs.get("aria-describedby") or "").split() + self._fieldset
            self.described_by.setdefault(attrs["name"], []).extend(described)

    def handle_endtag(self, tag):
        if tag == "ul":
            self._current = None
        if tag == "fieldset":
            self._fieldset = []

    def handle_data(self, data):
        if self._current:
            self.errors[self._current] += data


def field_error(response, field):
    """The error shown next to FIELD, checked to be tied to its input for screen readers."""
    parser = _FieldErrors()
    parser.feed(response.content.decode())
    assert f"id_{field}_error" in parser.described_by.get(field, []), parser.errors
    return parser.errors[field]


def run_async(test):
    """Run an async test body on one event loop. Its sync_to_async calls (the consumer's
    database reads included) come back to the test's thread, on the test database. Every
    socket it opened through the `sockets` argument is disconnected on that loop at the end."""

    @functools.wraps(test)
    def wrapper(*args, sockets, **kwargs):
        async def body():
            try:
                await test(*args, sockets=sockets, **kwargs)
            finally:
                await sockets.close_all()

        async_to_sync(body)()

    return wrapper
