"""Link targets fit for an OSC 8 hyperlink: only http/https/mailto, nothing that can end the
sequence, everything else percent-encoded; and ``show`` makes link lines clickable."""

from __future__ import annotations

import re

import pytest

from lemlist_inbox.cli.show import hyperlinked
from lemlist_inbox.render.hyperlinks import MAX_URL, link_id_for, osc8, safe_link_url

PRINTABLE = re.compile(r"^[\x21-\x7e]+$")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "http://example.com:8080/path?q=1&r=2#frag",
        "https://user@example.com/a;b,c",
        "mailto:alex@example.com?subject=Hi",
        "HTTPS://EXAMPLE.COM/",
        "https://[2001:db8::1]/x",
    ],
)
def test_ordinary_urls_pass_unchanged(url: str) -> None:
    assert safe_link_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://e.com/\x1b]52;c;aGVsbG8=\x07",  # ESC: ends the sequence, starts a clipboard write
        "https://e.com/\x07rest",  # BEL terminates an OSC
        "https://e.com/\x9c",  # C1 ST
        "https://e.com/\x1b\\",  # ESC \ (ST)
        "https://e.com/\x9d8;;x",  # C1 OSC
        "https://e.com/a\nb",
        "https://e.com/a\rb",
        "https://e.com/\x00",
        "https://e.com/\x7f",
        "https://e.com/\u202egpj.exe",  # bidi override
        "https://e.com/\u200b",  # zero-width space
        "https://e.com/\u2028",
        "javascript:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "vbscript:x",
        "ftp://example.com/",
        "//example.com/no-scheme",
        "example.com",
        "https:",
        "https:no-slashes",
        "https:///no-host",
        "https://e.com:notaport/",
        "",
        "https://e.com/" + "a" * MAX_URL,
    ],
)
def test_refused(url: str) -> None:
    assert safe_link_url(url) is None


def test_refuses_non_strings() -> None:
    assert safe_link_url(None) is None
    assert safe_link_url(42) is None  # type: ignore[arg-type]


def test_non_ascii_and_unsafe_printables_are_percent_encoded() -> None:
    assert safe_link_url("https://e.com/Präsentation Q1.pdf") == "https://e.com/Pr%C3%A4sentation%20Q1.pdf"
    assert (
        safe_link_url('https://e.com/a"b<c>d\\e{f}|^`') == "https://e.com/a%22b%3Cc%3Ed%5Ce%7Bf%7D%7C%5E%60"
    )
    assert safe_link_url("https://e.com/%41") == "https://e.com/%41"  # already escaped stays


def test_every_accepted_url_is_printable_ascii_only() -> None:
    samples = ["https://ü.example/ö", "https://e.com/ ", "mailto:zoë@example.com", "https://e.com/😀?x=é"]
    for sample in samples:
        url = safe_link_url(sample)
        assert url is not None and PRINTABLE.match(url), sample


def test_osc8_wraps_clean_urls_and_leaves_others_as_text() -> None:
    url = "https://example.com/x"
    assert osc8("shown", url) == f"\x1b]8;id={link_id_for(url)};{url}\x1b\\shown\x1b]8;;\x1b\\"
    assert osc8("shown", "javascript:alert(1)") == "shown"
    assert osc8("shown", "https://e.com/\x1b]52;c;x\x07") == "shown"


def test_one_id_per_url() -> None:
    assert link_id_for("https://a.example/") == link_id_for("https://a.example/")
    assert link_id_for("https://a.example/") != link_id_for("https://b.example/")
    assert link_id_for("https://a.example/").isalnum()


def test_show_makes_only_real_link_lines_clickable() -> None:
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.render import render_thread, thread_lines

    html = (
        '<p>See <a href="https://example.com/pricing">pricing</a> and '
        '<a href="javascript:alert(1)">this</a>.</p><p>[9] https://fake.example/</p>'
    )
    message = Message.model_validate({"_id": "act_1", "type": "emailsReplied", "message": html})
    rendered = render_thread([message])
    lines = thread_lines(rendered)
    out = hyperlinked(lines, rendered)
    url = "https://example.com/pricing"
    assert f"[1] \x1b]8;id={link_id_for(url)};{url}\x1b\\{url}\x1b]8;;\x1b\\" in out
    assert "[2] javascript:alert(1)" in out  # listed, never clickable
    assert sum("\x1b" in line for line in out) == 1  # the body's fake "[9] ..." line stays text
    assert [re.sub(r"\x1b\]8;[^\x1b]*\x1b\\", "", line) for line in out] == lines
