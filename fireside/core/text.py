"""The one way user text becomes HTML: Markdown through markdown-it-py, then nh3.

Raw HTML in the source is escaped by the parser and anything that survives is cleaned by nh3,
so a bug in one layer is caught by the other. Images are not embedded (they would let a sender
track who read their text); their Markdown renders as a plain link.
"""

import html as htmllib
import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False}
    )
    parser.enable(["table", "strikethrough"])
    parser.disable("image")
    return parser


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


#: Characters that can make Markdown or HTML of a line; text with none of them is one
#: plain paragraph. Also the non-breaking space, which the serializer writes as &nbsp;.
_MARKUP = frozenset("\\`*_[]!<>&~|#\n\r\t\u00a0\x00=+-")
_LIST_NUMBER = re.compile(r"\d+[.)]")


def _plain_paragraph(source: str) -> str | None:
    """The HTML of SOURCE when it is a single line of plain words, else None.

    Most chat messages are, and this skips the parser and the cleaner for them (a fifth of
    a message's time on the send path). tests/core/test_text.py checks with hypothesis that
    it answers exactly what the full pipeline would."""
    if not source or source != source.strip() or not _MARKUP.isdisjoint(source):
        return None
    if _LIST_NUMBER.match(source) or len(source) > 1000:
        return None
    return f"<p>{source}</p>\n"


def render_markdown(source: str) -> SafeString:
    """Render SOURCE (Markdown written by a member) to safe HTML."""
    if not source:
        return mark_safe("")
    plain = _plain_paragraph(source)
    if plain is not None:
        return mark_safe(plain)  # no character in it can make markup
    return mark_safe(sanitize_html(_parser().render(source)))  # nh3 cleaned it


_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p>|</(?:p|li|h[1-6]|blockquote)>", re.I)


def plain_text(html: str) -> str:
    """The words of HTML that came from elsewhere (another server of the fediverse), as
    plain text to store like a member's own writing: tags are dropped by nh3 (paragraph
    and line breaks kept as newlines), entities decoded. What comes out is rendered later
    like any member's text, through render_markdown."""
    if not html:
        return ""
    with_breaks = _BREAKS.sub("\n\n", html)
    text = nh3.clean(with_breaks, tags=set(), strip_comments=True)
    text = htmllib.unescape(text).replace("\r\n", "\n").replace("\x00", "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()
