"""Plain-text bodies (LinkedIn) are shown as written, only cleaned."""

from __future__ import annotations

from lemlist_inbox.render import text_to_body


def test_linkedin_message_shown_as_is() -> None:
    text = "Hi Camille,\n\nThanks for connecting!  <3\n- a\n- b\n1. c\n*not bold*"
    body = text_to_body(text)
    assert body.text == text
    assert body.quoted is None and body.links == ()


def test_whitespace_cleaned() -> None:
    body = text_to_body("\n\n  indented stays\ntrailing   \n\n\n\nend\u00a0here\n\n")
    assert body.text == "  indented stays\ntrailing\n\nend here"


def test_controls_removed_from_plain_text() -> None:
    body = text_to_body("a\x1b[2Jb\rc\x07\td\u202e")
    assert body.text == "abc    d"


def test_trailing_quote_folded() -> None:
    body = text_to_body("Sounds good\n\nLe mar. 3 déc. 2024, Bob a écrit :\n> old line\n> second")
    assert body.text == "Sounds good"
    assert body.quote_header == "Le mar. 3 déc. 2024, Bob a écrit :"
    assert body.quoted == "old line\nsecond"
    assert body.quote_line_count == 2


def test_none_and_empty() -> None:
    assert text_to_body("").text == ""
    assert text_to_body(None).text == ""  # type: ignore[arg-type]
