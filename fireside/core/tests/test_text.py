import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fireside.core.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    render_markdown,
)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


# Pieces an attacker (or a careless writer) would put in a bio or a post, mixed with
# arbitrary text so that hypothesis explores the seams between them.
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "<span style='color:red'>x</span>",
    '<p style="background:url(javascript:alert(1))">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
    "[x](https://example.org 'title\" onmouseover=\"x')",
    "<javascript:alert(1)>",
    "![pixel](https://tracker.example/p.gif)",
    "![x](javascript:alert(1))",
    "<!-- comment -->",
    "<style>body{}</style>",
    "<object data=x></object>",
    "<form action=x><input></form>",
    '" onmouseover="alert(1)',
    "&lt;script&gt;",
    "`<script>`",
    "```\n<script>\n```",
    "[a]: javascript:alert(1)\n\n[a]",
    "<https://example.org>",
    "[ok](https://example.org)",
    "[mail](mailto:ada@example.org)",
    "*",
    "_",
    "**",
    "`",
    "[",
    "](",
    ")",
    "<",
    ">",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "# ",
    "| a | b |\n|---|---|\n",
]
markdown_sources = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))).map("".join),
)


@given(markdown_sources)
def test_render_markdown_never_emits_script_or_embedded_content(source):
    html = render_markdown(source).lower()
    for opening in ("<script", "<img", "<iframe", "<svg", "<style", "<object", "<form"):
        assert opening not in html


@given(markdown_sources)
def test_render_markdown_emits_only_allowed_tags_and_attributes(source):
    html = str(render_markdown(source))
    for tag, attrs in _parse(html).elements:
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()) | (
            {"rel"} if tag == "a" else set()
        )
        assert not any(name.startswith("on") for name in attrs)
        assert "style" not in attrs
    # Every "<name" left in the raw output is one of those elements, not a smuggled one.
    for name in re.findall(r"<([a-zA-Z][^\s/>]*)", html):
        assert name.lower() in ALLOWED_TAGS


@given(markdown_sources)
def test_render_markdown_links_only_to_safe_schemes(source):
    for tag, attrs in _parse(str(render_markdown(source))).elements:
        if tag == "a" and "href" in attrs:
            href = re.sub(r"[\x00-\x20]", "", attrs["href"]).lower()
            assert not href.startswith(("javascript:", "vbscript:", "data:"))
            scheme = re.match(r"([a-z][a-z0-9+.-]*):", href)
            assert scheme is None or scheme.group(1) in {"http", "https", "mailto"}


@given(markdown_sources)
def test_render_markdown_marks_every_link_nofollow_ugc_noopener(source):
    for tag, attrs in _parse(str(render_markdown(source))).elements:
        if tag == "a":
            assert attrs.get("rel") == LINK_REL == "nofollow ugc noopener"


@given(markdown_sources)
def test_render_markdown_is_deterministic(source):
    assert render_markdown(source) == render_markdown(source)


plain_text = st.text(
    alphabet=st.one_of(
        st.characters(categories=["L", "N"]),
        st.just(" "),
    ),
)


@given(plain_text)
def test_render_markdown_keeps_plain_text_as_text(source):
    rendered = _parse(str(render_markdown(source)))
    assert " ".join("".join(rendered.text).split()) == " ".join(source.split())


def test_render_markdown_renders_nothing_for_empty_text():
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("*soft* and _soft_", "<p><em>soft</em> and <em>soft</em></p>"),
        (
            "**bold** and __bold__",
            "<p><strong>bold</strong> and <strong>bold</strong></p>",
        ),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("use `make run`", "<p>use <code>make run</code></p>"),
        ("```\nx < y\n```", "<pre><code>x &lt; y\n</code></pre>"),
        ("- tea\n- cake", "<ul>\n<li>tea</li>\n<li>cake</li>\n</ul>"),
        ("1. tea\n2. cake", "<ol>\n<li>tea</li>\n<li>cake</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("## Heading", "<h2>Heading</h2>"),
    ],
)
def test_render_markdown_renders_the_basics(source, html):
    assert render_markdown(source).strip() == html


@pytest.mark.parametrize(
    "url",
    ["https://example.org/a?b=c", "http://example.org/", "mailto:ada@example.org"],
)
def test_render_markdown_renders_links_with_safe_schemes(url):
    elements = _parse(render_markdown(f"[site]({url})")).elements
    assert elements == [("p", {}), ("a", {"href": url, "rel": LINK_REL})]


def test_render_markdown_renders_a_javascript_link_as_inert_text():
    html = render_markdown("[site](javascript:alert(1))")
    assert "<a" not in html
    assert "href" not in html


def test_render_markdown_turns_an_image_into_a_plain_link():
    html = render_markdown("![a cat](https://example.org/cat.png)")
    assert "<img" not in html
    assert _parse(html).elements == [
        ("p", {}),
        ("a", {"href": "https://example.org/cat.png", "rel": LINK_REL}),
    ]


def test_render_markdown_escapes_raw_html():
    html = render_markdown("<b onclick='x()'>hi</b>")
    assert html.strip() == "<p>&lt;b onclick='x()'&gt;hi&lt;/b&gt;</p>"


def _full_pipeline(source):
    from fireside.core.text import _parser, sanitize_html

    return sanitize_html(_parser().render(source))


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8", exclude_categories=["Cs"]),
            st.sampled_from(list("abc .,:;'\"?()/%$@0123456789")),
        ),
        max_size=60,
    )
)
def test_the_plain_text_shortcut_renders_exactly_what_the_pipeline_does(source):
    from fireside.core.text import _plain_paragraph

    shortcut = _plain_paragraph(source)
    if shortcut is not None:
        assert shortcut == _full_pipeline(source)


@pytest.mark.parametrize(
    "source",
    [
        "Hello Bob, how are you?",
        "It's 5 o'clock (roughly) at example.com/page",
        "1 2 3",
    ],
)
def test_the_plain_text_shortcut_takes_everyday_messages(source):
    from fireside.core.text import _plain_paragraph

    assert _plain_paragraph(source) == _full_pipeline(source)


@pytest.mark.parametrize(
    "source", ["*hi*", "1. one", "a\nb", "<b>", "a & b", "- item", "# head", " lead"]
)
def test_the_plain_text_shortcut_leaves_markup_to_the_pipeline(source):
    from fireside.core.text import _plain_paragraph

    assert _plain_paragraph(source) is None
