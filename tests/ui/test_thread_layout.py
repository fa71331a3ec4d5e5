"""The thread pane's pure parts: layout building, glyph choice, error lines, caches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.style import Style

from lemlist_inbox.api.errors import AuthError, NetworkError, NotFoundError, ServerError
from lemlist_inbox.api.models import Direction
from lemlist_inbox.render import Body, Link, RenderedMessage
from lemlist_inbox.ui.thread.cache import CachedThread, LayoutCache, ThreadCache
from lemlist_inbox.ui.thread.view import (
    ASCII_GLYPHS,
    UNICODE_GLYPHS,
    ThreadStyles,
    build_layout,
    choose_glyphs,
    error_line,
    layout_cost,
    message_text,
)

STYLES = ThreadStyles()


def rendered(
    number: int = 1,
    *,
    direction: Direction = Direction.RECEIVED,
    type: str = "emailsReplied",
    channel: str = "email",
    body: Body | None = None,
    attachments: tuple[str, ...] = (),
) -> RenderedMessage:
    return RenderedMessage(
        message_id=f"act_{number}",
        direction=direction,
        channel=channel,
        type=type,
        sender="Victoire",
        sender_address="victoire@example.com",
        when=datetime(2024, 12, 3, 10, 10, tzinfo=UTC),
        subject=f"Subject {number}",
        step="step 1",
        body=body or Body(text=f"Hello number {number}"),
        attachments=attachments,
    )


def test_header_block_and_direction() -> None:
    text = message_text(rendered(), expanded=False, styles=STYLES, tz=UTC)
    lines = text.splitlines()
    assert lines[0] == "← Reply from contact"
    assert "From:     Victoire <victoire@example.com>" in lines
    assert "Date:     Tue 3 Dec 2024 10:10" in lines
    assert "Subject:  Subject 1" in lines
    assert "Campaign: step 1" in lines
    sent = message_text(rendered(direction=Direction.SENT, type="emailsSent"), expanded=False, styles=STYLES)
    assert sent.startswith("→ Sent by us")


def test_unknown_type_and_channel_shown_literally() -> None:
    msg = rendered(direction=Direction.OTHER, type="mysteryEvent", channel="other")
    text = message_text(msg, expanded=False, styles=STYLES)
    assert text.splitlines()[0] == "• mysteryEvent"
    assert "mysteryEvent" in text.split("\n", 1)[1]  # also as the Type row
    odd = rendered(direction=Direction.OTHER, type="linkedinMysteryDone", channel="linkedin")
    lines = message_text(odd, expanded=False, styles=STYLES).splitlines()
    assert lines[0] == "• linkedinMysteryDone"  # an unknown LinkedIn type: the generic form
    assert "Type:     linkedinMysteryDone" in lines


def test_quote_folded_to_one_line_and_expanded() -> None:
    body = Body(
        text="Thanks!",
        quoted="line 1\nline 2\nline 3",
        quote_header="On Tue, Dec 3, 2024 Someone wrote:",
        quote_line_count=3,
    )
    folded = message_text(rendered(body=body), expanded=False, styles=STYLES)
    assert "▸ 3 quoted lines hidden — On Tue, Dec 3, 2024 Someone wrote: (z to show)" in folded
    assert "line 2" not in folded
    expanded = message_text(rendered(body=body), expanded=True, styles=STYLES)
    assert "line 2" in expanded
    assert "(z to hide)" in expanded
    assert "On Tue, Dec 3, 2024 Someone wrote:" in expanded


def test_links_listed_suspicious_flagged_quoted_only_when_expanded() -> None:
    body = Body(
        text="See [1] and [2]",
        quoted="old [3]",
        links=(
            Link(1, "docs", "https://docs.example.com/a", False),
            Link(2, "https://paypal.com", "https://evil.example/login", True, "text shows paypal.com"),
            Link(3, "old", "https://old.example.com", False, quoted=True),
        ),
        quote_line_count=1,
    )
    folded = message_text(rendered(body=body), expanded=False, styles=STYLES)
    assert "[1] https://docs.example.com/a" in folded
    assert "[2] https://evil.example/login" in folded
    assert "⚠ text shows paypal.com, goes to evil.example" in folded
    assert "[3]" not in folded.split("See [1] and [2]")[1]
    expanded = message_text(rendered(body=body), expanded=True, styles=STYLES)
    assert "[3] https://old.example.com" in expanded


def test_attachments_listed() -> None:
    msg = rendered(attachments=("report.pdf (12.3 kB)", "x.png"))
    text = message_text(msg, expanded=False, styles=STYLES)
    assert "+ report.pdf (12.3 kB)" in text
    assert "+ x.png" in text


def test_layout_wraps_to_width_and_folds_long_urls_on_their_line() -> None:
    url = "https://example.com/" + "a" * 120
    body = Body(text="word " * 60, links=(Link(1, "x", url, False),))
    layout = build_layout([rendered(body=body)], width=40, expanded=False, styles=STYLES)
    assert layout is not None
    assert all(strip.cell_length <= 40 for strip in layout.strips)
    lines = layout.text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("[1] "))
    assert lines[first] == ("[1] " + url)[:40]
    assert "".join(lines[first : first + 5]).replace(" ", "")[3:].startswith(url[:100])


def test_layout_wide_characters_stay_within_width() -> None:
    body = Body(text="漢字テキスト😀" * 30)
    layout = build_layout([rendered(body=body)], width=21, expanded=False, styles=STYLES)
    assert layout is not None
    assert all(cell_len(strip.text) <= 21 for strip in layout.strips)


def test_layout_message_starts_and_oldest_first() -> None:
    messages = [rendered(i) for i in range(3)]
    layout = build_layout(messages, width=60, expanded=False, styles=STYLES)
    assert layout is not None
    assert len(layout.message_starts) == 3
    lines = layout.text().splitlines()
    for index, start in enumerate(layout.message_starts):
        assert lines[start] == "← Reply from contact"
        assert f"Subject {index}" in "\n".join(lines[start : start + 8])


def test_empty_thread_and_skipped_notice() -> None:
    layout = build_layout([], width=60, expanded=False, styles=STYLES, skipped=2)
    assert layout is not None
    text = layout.text()
    assert "No messages in this conversation." in text
    assert "2 messages could not be read" in text


def test_cancelled_build_returns_none() -> None:
    assert build_layout([rendered()], width=60, expanded=False, styles=STYLES, cancelled=lambda: True) is None


def test_styles_reach_the_segments() -> None:
    styles = ThreadStyles(sent=Style(bold=True), link=Style(underline=True))
    body = Body(text="x", links=(Link(1, "x", "https://example.com", False),))
    layout = build_layout(
        [rendered(direction=Direction.SENT, body=body)], width=60, expanded=False, styles=styles
    )
    assert layout is not None
    first = list(layout.strips[0])
    assert any(seg.style is not None and seg.style.bold for seg in first)
    link_line = next(s for s in layout.strips if s.text.startswith("[1]"))
    assert any(seg.style is not None and seg.style.underline for seg in link_line)


def test_layout_cost_counts_quotes_only_when_expanded() -> None:
    body = Body(text="a" * 100, quoted="b" * 1000, quote_line_count=1)
    assert layout_cost([rendered(body=body)], True) - layout_cost([rendered(body=body)], False) == 1000


def test_choose_glyphs() -> None:
    assert choose_glyphs({"LEMLIST_INBOX_ASCII": "1"}, "utf-8") is ASCII_GLYPHS
    assert choose_glyphs({}, "ascii") is ASCII_GLYPHS
    assert choose_glyphs({}, "utf-8") is UNICODE_GLYPHS
    text = message_text(rendered(), expanded=False, styles=STYLES, glyphs=ASCII_GLYPHS)
    assert text.startswith("<- Reply from contact")
    assert text.isascii() or "Victoire" in text


def test_error_lines_are_one_clear_line() -> None:
    cases = [
        (NotFoundError("Contact not found", status=404), "not found"),
        (AuthError("The authentication you supplied is incorrect", status=401), "API key"),
        (NetworkError("cannot reach 127.0.0.1"), "retry"),
        (ServerError("HTTP 500: boom\x1b[2J"), "retry"),
        (ValueError("bug"), "retry"),
    ]
    for exc, expected in cases:
        line = error_line(exc)
        assert expected in line
        assert "\n" not in line
        assert "\x1b" not in line
        assert "Traceback" not in line


# --------------------------------------------------------------------------- caches


def cached(conversation_id: str, stamp: str | None = "t1") -> CachedThread:
    return CachedThread(conversation_id, stamp, (rendered(),))


def test_thread_cache_lru_and_stale_stamp() -> None:
    cache = ThreadCache(max_threads=2)
    cache.put(cached("a"))
    cache.put(cached("b"))
    assert cache.get("a", "t1") is not None  # a is now most recent
    cache.put(cached("c"))
    assert "b" not in cache
    assert "a" in cache and "c" in cache
    assert cache.get("a", "t2") is None  # activity moved: stale, dropped
    assert "a" not in cache
    assert len(cache) == 1
    cache.discard("c")
    assert len(cache) == 0


@dataclass
class FakeLayout:
    lines: int

    @property
    def line_count(self) -> int:
        return self.lines


def test_layout_cache_bounded_by_lines() -> None:
    cache: LayoutCache[FakeLayout] = LayoutCache(max_lines=100)
    cache.put(("a", 80), FakeLayout(40))
    cache.put(("b", 80), FakeLayout(40))
    assert cache.get(("a", 80)) is not None
    cache.put(("c", 80), FakeLayout(40))  # over budget: the least recent (b) goes
    assert cache.get(("b", 80)) is None
    assert cache.total_lines == 80
    cache.put(("huge", 80), FakeLayout(500))  # alone over budget: kept, it is on screen
    assert cache.get(("huge", 80)) is not None
    assert len(cache) == 1
    cache.put(("a", 100), FakeLayout(10))  # the newest stays; the huge one makes room
    assert cache.get(("huge", 80)) is None
    cache.put(("a", 120), FakeLayout(10))
    cache.put(("b", 120), FakeLayout(10))
    cache.discard_conversation("a")
    assert cache.get(("a", 100)) is None and cache.get(("a", 120)) is None
    assert cache.total_lines == 10


def test_fast_wrap_matches_rich_wrapping() -> None:
    """The single-style fast path must wrap exactly like rich's general wrapper."""
    import io
    import random

    from rich.console import Console
    from rich.text import Text

    from lemlist_inbox.ui.thread.view import _wrap

    rng = random.Random(3)
    url = "https://example.com/" + "p" * 70
    words = ["a", "lorem", "ipsum,", "x" * 30, "漢字テキスト", "😀ok", "  ", "end.", url]
    for width in (7, 20, 33, 80):
        console = Console(width=width, file=io.StringIO(), force_terminal=True, legacy_windows=False)
        options = console.options.update(width=width, overflow="fold")
        for _ in range(40):
            lines = [" ".join(rng.choice(words) for _ in range(rng.randrange(0, 25))) for _ in range(3)]
            source = "\n".join(lines)
            text = Text(end="", overflow="fold")
            text.append(source, Style(bold=True))
            rendered = console.render_lines(text, options, pad=False)
            # rich folds a run of spaces longer than the width into blank or space-led
            # lines; we drop those spaces, so compare the words line by line
            expected = ["".join(seg.text for seg in line).strip() for line in rendered]
            wrapped = _wrap(console, text, width)
            got = ["".join(seg.text for seg in segments).strip() for segments, _ in wrapped]
            assert [g for g in got if g] == [e for e in expected if e], (width, source)
            assert all(cell_len(line) <= width for line in got)


def test_folded_quote_stays_one_line_when_narrow() -> None:
    body = Body(
        text="Thanks!",
        quoted="a\nb",
        quote_header="On Tue, Dec 3, 2024 at 10:52 AM Christophe OPOIX <christophe.o@lemtest.com> wrote:",
        quote_line_count=2,
    )
    layout = build_layout([rendered(body=body)], width=50, expanded=False, styles=STYLES)
    assert layout is not None
    lines = layout.text().splitlines()
    fold = [line for line in lines if "quoted lines hidden" in line]
    assert len(fold) == 1
    assert fold[0].endswith("(z to show)")
    assert "…" in fold[0]
    assert cell_len(fold[0]) <= 50
    assert lines[-1] == fold[0]  # nothing after it, not even a blank line
    wide = build_layout([rendered(body=body)], width=200, expanded=False, styles=STYLES)
    assert wide is not None
    assert "wrote: (z to show)" in wide.text()


def test_layout_lines_are_compact_and_measured() -> None:
    """Layouts hold plain segment tuples (a Strip per line would weigh ~1.2 kB)."""
    layout = build_layout([rendered(i) for i in range(3)], width=40, expanded=False, styles=STYLES)
    assert layout is not None
    for segments, cells in layout.lines:
        assert isinstance(segments, tuple)
        assert cells == sum(cell_len(seg.text) for seg in segments)


def test_message_cache_renders_only_new_or_changed_messages() -> None:
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.ui.thread.cache import MessageCache

    calls: list[list[str]] = []

    def render(messages: list[Message]) -> list[RenderedMessage]:
        calls.append([m.id for m in messages])
        return [rendered(int(m.id[4:])) for m in messages]

    def msg(number: int, body: str = "<p>x</p>") -> Message:
        return Message.model_validate({"_id": f"act_{number}", "message": body})

    cache = MessageCache(max_messages=10)
    first = cache.render([msg(1), msg(2)], "Victoire", render)
    assert [r.message_id for r in first] == ["act_1", "act_2"]
    again = cache.render([msg(1), msg(2), msg(3)], "Victoire", render)
    assert [r.message_id for r in again] == ["act_1", "act_2", "act_3"]
    assert calls == [["act_1", "act_2"], ["act_3"]]
    assert again[0] is first[0]
    cache.render([msg(1, "<p>edited</p>")], "Victoire", render)  # changed body: rendered again
    cache.render([msg(2)], "Someone else", render)  # sender name is part of the rendering
    assert calls[2:] == [["act_1"], ["act_2"]]
    assert cache.hits == 2


def test_message_cache_is_bounded() -> None:
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.ui.thread.cache import MessageCache

    cache = MessageCache(max_messages=3)
    messages = [Message.model_validate({"_id": f"act_{i}", "message": "x"}) for i in range(10)]
    cache.render(messages, None, lambda ms: [rendered(int(m.id[4:])) for m in ms])
    assert len(cache) == 3
