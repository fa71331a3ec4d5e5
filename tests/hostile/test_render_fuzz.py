"""Property-based tests of the renderer on arbitrary, hostile HTML and text.

Properties: nothing raises past ``lemlist_inbox.render``; no output field holds a C0/C1 control
(newline aside), a bidi control or a lone surrogate; every ``<a href=X>`` that is a real link is
listed with X as its target.
"""

from __future__ import annotations

import html as stdlib_html

from corpus import FORBIDDEN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lemlist_inbox.render import Body, html_to_body, sanitize, sanitize_line, text_to_body

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NASTY_CHARS = [
    "\x00",
    "\x07",
    "\x08",
    "\x1b",
    "\x1b[2J",
    "\x1b]52;c;cGF5bG9hZA==\x07",
    "\x1b]8;;http://e/\x1b\\",
    "\r",
    "\r\n",
    "\t",
    "\x7f",
    "\x85",
    "\x9b",
    "\x9d",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\ue000",
    "\ue001",
    "\ue003",
    "\ue005",
    "\ue006",
    "\u2028",
    "\xa0",
    "\U0001f600",
]
TAGS = [
    "div",
    "p",
    "a",
    "span",
    "b",
    "i",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "script",
    "style",
    "head",
    "title",
    "img",
    "br",
    "hr",
    "pre",
    "html",
    "body",
    "iframe",
    "svg",
    "h1",
    "font",
    "o:p",
    "xml",
    "textarea",
    "code",
    "q",
    "abbr",
    "del",
]
ATTRS = [
    "",
    ' class="gmail_quote"',
    ' class="gmail_attr"',
    ' type="cite"',
    ' style="display:none"',
    ' style="border-top:solid 1pt"',
    " hidden",
    ' href="https://x.example/a"',
    " href='javascript:1'",
    ' href="mailto:a@b.co"',
    ' href="#top"',
    ' id="divRplyFwdMsg"',
    ' summary="/api/reply/x"',
    ' width="1" height="1"',
    ' src="data:image/png;base64,AAAA"',
    ' alt="alt\x1b[2J text"',
    " a='unterminated",
    ' start="99999999999"',
    ' href="https://paypal.com.evil.example/"',
]
ENTITIES = [
    "&#xD800;",
    "&#0;",
    "&#x1b;",
    "&#x9b;",
    "&#13;",
    "&#x85;",
    "&amp;",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "&#x202e;",
    "&bogus;",
    "&#",
    "&",
    "&#xFFFFFFFF;",
    "&#1114112;",
    "&#x110000;",
]
JUNK = ["<", ">", "<!--", "-->", "<!", "<?", "<![CDATA[", "]]>", "'", '"', "/>", "</", "<a", "> wrote:", "> "]

text_chars = st.one_of(st.characters(), st.sampled_from(NASTY_CHARS))
nasty_text = st.lists(text_chars, max_size=30).map("".join)
long_text = st.lists(text_chars, max_size=300).map("".join)
start_tag = st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(TAGS), st.sampled_from(ATTRS))
end_tag = st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS))
nesting = st.builds(lambda t, n: f"<{t}>" * n, st.sampled_from(TAGS), st.integers(0, 600))
piece = st.one_of(
    start_tag,
    end_tag,
    st.sampled_from(ENTITIES),
    st.sampled_from(JUNK),
    nasty_text,
    nesting,
    st.sampled_from(["\n", "On Tue, Dec 3, 2024 Bob wrote:", "-----Original Message-----", "From: x"]),
)
html_ish = st.lists(piece, max_size=40).map("".join)


def assert_clean(value: str) -> None:
    assert not FORBIDDEN.search(value), repr(value)
    value.encode("utf-8")


def assert_body_clean(body: Body) -> None:
    assert isinstance(body, Body)
    for part in (body.text, body.quoted or "", body.quote_header or ""):
        assert_clean(part)
        assert "\n\n\n" not in part
        assert all(line == line.rstrip() for line in part.split("\n"))
        assert not any(c in part for c in "\ue000\ue001\ue002\ue003\ue004\ue005\ue006") or not body.failed
    for link in body.links:
        assert_clean(link.text)
        assert_clean(link.target)
        assert "\n" not in link.target + link.text


@FUZZ
@given(html_ish)
def test_html_to_body_never_raises_and_output_is_clean(html: str) -> None:
    assert_body_clean(html_to_body(html))


@FUZZ
@given(long_text)
def test_arbitrary_text_as_html(text: str) -> None:
    assert_body_clean(html_to_body(text))


@FUZZ
@given(long_text | html_ish)
def test_text_to_body_never_raises_and_output_is_clean(text: str) -> None:
    body = text_to_body(text)
    assert_body_clean(body)
    assert body.links == ()


@FUZZ
@given(long_text)
def test_sanitize_clean_idempotent(text: str) -> None:
    once = sanitize(text)
    assert_clean(once)
    assert sanitize(once) == once
    line = sanitize_line(text)
    assert_clean(line)
    assert "\n" not in line


# -- links ---------------------------------------------------------------------------------------
host = st.from_regex(r"[a-z][a-z0-9-]{0,12}\.(com|org|example|fr|io)", fullmatch=True)
path = st.from_regex(r"[A-Za-z0-9._~/?=&%-]{0,30}", fullmatch=True)
target = st.builds(lambda s, h, p: f"{s}://{h}/{p}", st.sampled_from(["http", "https"]), host, path)
label = st.lists(text_chars, max_size=20).map("".join)
filler = st.lists(
    st.one_of(
        nasty_text, st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<br>", "<b>", "</b>", "<ul><li>"])
    ),
    max_size=5,
).map("".join)


@FUZZ
@given(st.lists(st.tuples(target, label, filler), min_size=1, max_size=8))
def test_link_targets_listed_are_the_real_hrefs(links: list[tuple[str, str, str]]) -> None:
    html = "".join(
        f'{around}<a href="{stdlib_html.escape(href)}">{stdlib_html.escape(text)}</a>'
        for href, text, around in links
    )
    body = html_to_body(html)
    assert_body_clean(body)
    expected = list(dict.fromkeys(href for href, _, _ in links))
    assert [link.target for link in body.links] == expected
    assert [link.number for link in body.links] == list(range(1, len(expected) + 1))
    for link in body.links:
        assert f"[{link.number}]" in body.text + (body.quoted or "")


@FUZZ
@given(html_ish, target, label)
def test_a_link_after_any_junk_is_never_misreported(junk: str, href: str, text: str) -> None:
    body = html_to_body(junk + f'<a href="{stdlib_html.escape(href)}">{stdlib_html.escape(text)}</a>')
    assert_body_clean(body)
    # The junk may hide the link (an unclosed <script> or hidden element): then it is not
    # listed; but whatever is listed is a real href from the input, never an invented one.
    real = {href, *(a.split('"')[1] for a in ATTRS if ' href="' in a), "javascript:1"}
    for link in body.links:
        assert link.target in real


@FUZZ
@given(long_text)
def test_plain_text_without_quotes_is_shown_unchanged_but_clean(text: str) -> None:
    from lemlist_inbox.render.whitespace import clean_whitespace

    body = text_to_body(text)
    if body.quoted is None:
        assert body.text == clean_whitespace(sanitize(text))
    else:
        assert body.quoted and body.text  # a fold never leaves either side empty
