"""The status line's wording (pure function, no app)."""

from __future__ import annotations

from lemlist_inbox.ui.widgets.status_line import StatusState, describe


def text(state: StatusState) -> str:
    return "".join(part for part, _style in describe(state))


def test_progress_then_total() -> None:
    assert text(StatusState(loading=True, loaded=1200, expected=4873, unread=3)).startswith(
        "loaded 1,200 of 4,873 · 3 unread"
    )
    assert text(StatusState(loading=True)).startswith("loading…")
    assert text(StatusState(total=4873, unread=12)) == "4,873 conversations · 12 unread"
    assert text(StatusState(total=1)) == "1 conversation · 0 unread"


def test_filters_skips_and_errors() -> None:
    line = text(StatusState(total=10, query="bob", unread_only=True, shown=2, skipped=3))
    assert "filter “bob” + unread only: 2 shown" in line
    assert "3 malformed skipped" in line
    error = text(StatusState(total=10, error="server unavailable (HTTP 503)"))
    assert error.startswith("press r to retry: server unavailable (HTTP 503)")


def test_error_that_a_retry_cannot_fix_offers_no_retry() -> None:
    line = text(StatusState(total=10, error="API key rejected: HTTP 401", retry=False))
    assert line.startswith("API key rejected: HTTP 401")
    assert "retry" not in line


def test_error_text_is_sanitized() -> None:
    line = text(StatusState(error="bad\x1b[2J\u202egateway\x07", query="q\x1b"))
    assert "\x1b" not in line and "\u202e" not in line and "\x07" not in line


def test_prompt_replaces_counts_until_there_is_a_user() -> None:
    assert text(StatusState(prompt="choose whose inbox to read (U)")) == "choose whose inbox to read (U)"
