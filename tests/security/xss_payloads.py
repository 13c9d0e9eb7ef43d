"""Classic cross-site scripting payloads. Each is a format string: `{n}` is the payload's
number, so a call to `__xss(n)` or `alert(n)` names the payload that got through. Every
payload is stored behind a visible marker "XSS<n>" (see `stored`), which the page must
show: a field that was simply not rendered cannot pass as safe."""

PAYLOADS = [
    "<script>__xss({n})</script>",
    "<img src=x onerror=__xss({n})>",
    "<img src=x onerror=alert({n})>",
    "<svg onload=__xss({n})>",
    "<svg><script>__xss({n})</script></svg>",
    '<iframe src="javascript:__xss({n})"></iframe>',
    '<a href="javascript:__xss({n})">link</a>',
    '<a href=" javascript:__xss({n})">spaced</a>',
    "<details open ontoggle=__xss({n})>x</details>",
    "<body onload=__xss({n})>",
    "<input autofocus onfocus=__xss({n})>",
    "[click](javascript:__xss({n}))",
    "[click](JaVaScRiPt:__xss({n}))",
    "[click](&#106;avascript:__xss({n}))",
    "[click](java\tscript:__xss({n}))",
    "[click](data:text/html;base64,PHNjcmlwdD5fX3hzcygpPC9zY3JpcHQ+)",
    "[click](vbscript:__xss({n}))",
    '[x](https://example.org "t" onmouseover="__xss({n})")',
    "<javascript:__xss({n})>",
    '<https://example.org/"onmouseover="__xss({n})>',
    '" onmouseover="__xss({n})" x="',
    "' autofocus onfocus='__xss({n})' x='",
    "</textarea><script>__xss({n})</script>",
    "</title><script>__xss({n})</script>",
    "</script><script>__xss({n})</script>",
    "<style>body{{display:none}}</style>",
    '<p style="background:url(javascript:__xss({n}))">styled</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    '<div hx-get="/xss-htmx-{n}/" hx-trigger="load">htmx</div>',
    '<a hx-on:click="__xss({n})" hx-get="/xss-htmx-{n}/">htmx</a>',
    "{{{{ 7*7 }}}} {{% debug %}} ${{7*7}} #{{7*7}}",
    "&lt;script&gt;__xss({n})&lt;/script&gt;",
    "&#60;img src=x onerror=__xss({n})&#62;",
    "\uff1cscript\uff1e__xss({n})\uff1c/script\uff1e",
    "<scr\u0000ipt>__xss({n})</scr\u0000ipt>",
    "\u202e<img src=x onerror=__xss({n})>",
    "`<script>__xss({n})</script>`",
    '<!--<img src="--><img src=x onerror=__xss({n})//">',
    '<object data="javascript:__xss({n})"></object>',
    '<form action="javascript:__xss({n})"><button>go</button></form>',
]


def marker(n: int) -> str:
    return f"XSS{n}"


def stored(n: int, limit: int | None = None) -> str:
    """Payload N as a member would type it, behind its marker, cut to LIMIT characters
    (a field's maximum length: a cut payload is still a payload)."""
    text = f"{marker(n)} {PAYLOADS[n].format(n=n)}"
    return text[:limit] if limit else text
