"""Links are numbered, listed with their real targets, and misleading ones flagged."""

from __future__ import annotations

import pytest
from corpus_path import corpus

from lemlist_inbox.render import html_to_body
from lemlist_inbox.render.links import suspicious_reason

NASTY_LINKS = corpus().NASTY_LINKS


@pytest.mark.parametrize("case", sorted(NASTY_LINKS))
def test_corpus_links(case: str) -> None:
    html, target, suspicious = NASTY_LINKS[case]
    body = html_to_body(html)
    assert [link.target for link in body.links] == [target]
    assert body.links[0].suspicious is suspicious
    assert body.text.endswith(" [1]")


def test_links_numbered_in_order_and_deduplicated() -> None:
    html = (
        '<p><a href="https://a.example/">first</a> <a href="https://b.example/">second</a> '
        '<a href="https://a.example/">first again</a></p>'
    )
    body = html_to_body(html)
    assert body.text == "first [1] second [2] first again [1]"
    assert [(lk.number, lk.target) for lk in body.links] == [
        (1, "https://a.example/"),
        (2, "https://b.example/"),
    ]


def test_mailto_with_address_text_is_not_numbered() -> None:
    body = html_to_body('<p>Write to <a href="mailto:bob@example.com">bob@example.com</a>.</p>')
    assert body.text == "Write to bob@example.com."
    assert body.links == ()


def test_mailto_with_other_text_is_numbered_and_empty_mailto_shows_address() -> None:
    body = html_to_body(
        '<p><a href="mailto:bob@example.com?subject=hi">Bob</a> <a href="mailto:c@d.fr"></a></p>'
    )
    assert body.text == "Bob [1] c@d.fr"
    assert [lk.target for lk in body.links] == ["mailto:bob@example.com?subject=hi"]
    assert not body.links[0].suspicious


def test_internal_anchor_and_missing_href_are_not_links() -> None:
    body = html_to_body('<p><a href="#top">top</a> <a>nothing</a> <a name="x">anchor</a></p>')
    assert body.text == "top nothing anchor"
    assert body.links == ()


def test_image_only_link_gets_a_bare_number() -> None:
    body = html_to_body('<p>See <a href="https://x.example/"><img src="https://x.example/a.png"></a></p>')
    assert body.text == "See [1]"
    assert body.links[0].target == "https://x.example/"


def test_image_alt_used_as_link_text_but_tracking_alt_never() -> None:
    body = html_to_body(
        '<a href="https://x.example/"><img alt="Our site" src="https://x.example/a.png"></a>'
        '<img alt="logo" width="1" height="1" src="https://t.example/p.gif">'
    )
    assert body.text == "Our site [1]"


def test_link_targets_are_sanitized() -> None:
    body = html_to_body('<a href="https://x.example/\x1b[2Ja\u202eb">t</a>')
    assert body.links[0].target == "https://x.example/ab"


@pytest.mark.parametrize(
    ("text", "target", "flagged"),
    [
        ("https://www.paypal.com/signin", "https://evil.example/", True),
        ("paypal.com", "https://paypal.com.evil.example/", True),
        ("lemlist.com", "https://www.lemlist.com/pricing", False),
        ("app.lemlist.com", "https://lemlist.com/", False),
        ("Node.js", "https://github.com/nodejs", False),  # not a domain to a reader
        ("click here", "https://anything.example/", False),
        ("http://a.example", "mailto:x@y.example", True),
        ("www.Example.COM.", "https://example.com", False),
        ("bob@example.com", "mailto:Bob@Example.com", False),
        ("x", "data:text/html,<script>", True),
        (
            "https://www.lemlist.com",
            "https://zr0.lemlst.org/api/track/click/u/t?u=https%3A%2F%2Fwww.lemlist.com",
            False,
        ),
        ("paypal.com", "https://zr0.lemlst.org/api/track/click/u/t?u=https%3A%2F%2Fevil.example", True),
        ("paypal.com", "https://evil.example/track/click/x?u=https%3A%2F%2Fpaypal.com", True),
    ],
)
def test_suspicious_reason(text: str, target: str, flagged: bool) -> None:
    assert (suspicious_reason(text, target) is not None) is flagged


def test_warning_names_the_shown_host() -> None:
    assert suspicious_reason("https://www.paypal.com/x", "https://evil.example/") == "text shows paypal.com"
