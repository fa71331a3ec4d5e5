"""The pure parts of reading a thread: folded lines, the chat form, where each message
is, and find-in-thread matches (also across wrapped lines and in hostile text)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.cells import cell_len

from lemlist_inbox import render
from lemlist_inbox.api.models import Direction, Message
from lemlist_inbox.render import Body, RenderedMessage
from lemlist_inbox.ui.thread.layout import ThreadLayout, build_layout, find_pattern, fold_line
from lemlist_inbox.ui.thread.style import ASCII_GLYPHS, UNICODE_GLYPHS, ThreadStyles
from lemlist_inbox.ui.thread.wrap import make_console, wrap_text

STYLES = ThreadStyles()
WHEN = datetime(2024, 12, 5, 17, 39, tzinfo=UTC)


def message(
    number: int,
    text: str = "",
    *,
    direction: Direction = Direction.RECEIVED,
    channel: str = "email",
    type: str = "emailsReplied",
    sender: str = "Hugo Martin",
) -> RenderedMessage:
    return RenderedMessage(
        message_id=f"act_{number}",
        direction=direction,
        channel=channel,
        type=type,
        sender=sender,
        sender_address="alice@example.com" if direction is Direction.SENT else "hugo@example.com",
        when=WHEN,
        subject=f"Subject {number}",
        step=None,
        body=Body(text=text or f"Body of message {number}"),
        attachments=(),
        recipient="hugo@example.com" if direction is Direction.SENT else "",
    )


def layout(messages: list[RenderedMessage], width: int = 60, **kwargs: object) -> ThreadLayout:
    built = build_layout(messages, width=width, expanded=False, styles=STYLES, tz=UTC, **kwargs)  # type: ignore[arg-type]
    assert built is not None
    return built


def line_text(built: ThreadLayout, index: int) -> str:
    return "".join(segment.text for segment in built.lines[index][0])


# --------------------------------------------------------------------------- folds


@pytest.mark.parametrize("width", [12, 20, 40, 77, 200])
def test_a_folded_message_is_one_line_at_any_width(width: int) -> None:
    rm = message(1, "word " * 500, direction=Direction.SENT, sender="Alice Martin " * 20)
    lines = wrap_text(make_console(width), fold_line(rm, styles=STYLES, glyphs=UNICODE_GLYPHS, tz=UTC), width)
    assert len(lines) == 1
    assert lines[0][1] <= width
    text = "".join(segment.text for segment in lines[0][0])
    assert text.startswith("▸ → us")


def test_the_folded_line_says_direction_sender_date_and_first_words() -> None:
    rm = message(1, "Thanks Alice,\n\n  interesting   offer.\nBest")
    text = fold_line(rm, styles=STYLES, glyphs=UNICODE_GLYPHS, tz=UTC).plain
    assert text == "▸ ← them · Hugo Martin · 5 Dec 2024 17:39 · Thanks Alice, interesting offer. Best"
    ascii_text = fold_line(rm, styles=STYLES, glyphs=ASCII_GLYPHS, tz=UTC).plain
    assert ascii_text.startswith("> <- them - Hugo Martin - 5 Dec 2024 17:39 - Thanks")
    assert ascii_text.isascii()


def test_consecutive_folded_messages_have_no_rule_between_them() -> None:
    messages = [message(n) for n in range(4)]
    built = layout(messages, folded={0, 1, 2})
    lines = built.text().splitlines()
    assert [lines[start][:1] for start in built.message_starts[:3]] == ["▸", "▸", "▸"]
    assert built.message_starts[:3] == [0, 1, 2], "one line each, one after the other"
    assert lines[3] == "" and set(lines[4]) == {"─"}, "a rule before the unfolded one"
    assert lines[5] == "← Reply from contact"
    assert built.folded == frozenset({0, 1, 2})


def test_message_at_counts_the_rule_above_a_message_as_its_own() -> None:
    built = layout([message(n) for n in range(3)])
    starts = built.message_starts
    assert built.message_at(starts[1]) == 1
    assert built.message_at(starts[1] - 1) == 1  # the rule
    assert built.message_at(starts[1] - 2) == 1  # the blank line above it
    assert built.message_at(starts[1] - 3) == 0
    assert built.message_at(0) == 0


def test_there_is_room_to_put_a_short_newest_message_at_the_top() -> None:
    built = layout([message(n) for n in range(3)])
    newest = built.message_starts[-1]
    assert built.line_count - newest < 20
    assert built.scroll_height(20) == newest + 20
    assert built.scroll_height(2) == built.line_count
    assert ThreadLayout([], 10, []).scroll_height(20) == 0


def test_folds_out_of_range_are_ignored() -> None:
    built = layout([message(0), message(1)], folded={-1, 5, 1})
    assert built.folded == frozenset({1})


# --------------------------------------------------------------------------- chat


def test_linkedin_and_whatsapp_messages_read_as_a_chat() -> None:
    raw = [
        {
            "_id": "a",
            "type": "linkedinSent",
            "createdAt": "2024-12-05T17:39:00Z",
            "sendUserName": "Alice",
            "message": "Hi Hugo",
            "subject": "should not show",
            "leadEmail": "h@x.io",
            "campaignName": "Camp",
        },
        {"_id": "b", "type": "whatsappReplied", "createdAt": "2024-12-05T18:00:00Z", "message": "Yes!"},
        {
            "_id": "c",
            "type": "whatsappMessageSent",
            "createdAt": "2024-12-05T18:05:00Z",
            "sendUserName": "Alice",
            "message": "Great",
        },
        {"_id": "d", "type": "smsReplied", "createdAt": "2024-12-05T18:06:00Z", "message": "ok"},
    ]
    messages = render.render_thread([Message.model_validate(m) for m in raw], contact_name="Hugo")
    assert all(render.is_chat(rm) for rm in messages)
    text = layout(messages, width=100).text()
    assert text.splitlines() == [
        "→ Alice · LinkedIn · Thu 5 Dec 2024 17:39",
        "Hi Hugo",
        "",
        "← Hugo · WhatsApp · Thu 5 Dec 2024 18:00",
        "Yes!",
        "",
        "→ Alice · WhatsApp · Thu 5 Dec 2024 18:05",
        "Great",
        "",
        "← Hugo · SMS · Thu 5 Dec 2024 18:06",
        "ok",
    ]
    # lemlist-inbox show prints the same lines
    assert render.thread_as_text(messages, tz=UTC).splitlines() == text.splitlines()


def test_email_keeps_its_headers_and_an_unknown_type_stays_generic() -> None:
    email = message(1, direction=Direction.SENT, type="emailsSent")
    odd = message(2, direction=Direction.OTHER, channel="linkedin", type="linkedinSomethingNew")
    assert not render.is_chat(email) and not render.is_chat(odd)
    lines = layout([email, odd], width=100).text().splitlines()
    assert "Subject: Subject 1" in lines and "To:      hugo@example.com" in lines
    assert "• linkedinSomethingNew" in lines
    assert any(line.startswith("Type:") and "linkedinSomethingNew" in line for line in lines)


def test_a_known_linkedin_activity_reads_as_a_chat_line_with_its_name() -> None:
    invite = message(1, "", direction=Direction.OTHER, channel="linkedin", type="linkedinInviteAccepted")
    assert render.is_chat(invite)
    first = layout([invite], width=100).text().splitlines()[0]
    assert first == "• Hugo Martin · LinkedIn invitation accepted · Thu 5 Dec 2024 17:39"


# --------------------------------------------------------------------------- find


def cells_text(built: ThreadLayout, cells: tuple[tuple[int, int, int], ...]) -> str:
    """The text under a match's cells (wide characters count two cells)."""
    out = []
    for line, left, right in cells:
        text = line_text(built, line)
        column = 0
        for char in text:
            if left <= column < right:
                out.append(char)
            column += cell_len(char)
    return "".join(out)


def test_find_is_literal_and_case_insensitive() -> None:
    messages = [message(0, "Price: $5.00 (a+b)* [bold]x[/bold] PRICE price")]
    built = layout(messages, find=find_pattern("price"))
    assert len(built.matches) == 3
    assert [cells_text(built, m.cells) for m in built.matches] == ["Price", "PRICE", "price"]
    for query, count in [("(a+b)*", 1), ("$5.00", 1), ("[bold]", 1), (".*", 0), ("\\d", 0)]:
        assert len(layout(messages, find=find_pattern(query)).matches) == count, query
    assert find_pattern("") is None and find_pattern("   ") is None


def test_a_match_across_a_wrapped_line_covers_both_lines() -> None:
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda"
    built = layout([message(0, text)], width=22, find=find_pattern("delta epsilon"))
    (match,) = built.matches
    assert len(match.cells) == 2, "the end of one line and the start of the next"
    (first, a, b), (second, c, d) = match.cells
    assert second == first + 1 and match.line == first
    assert line_text(built, first)[a:b] == "delta" and line_text(built, second)[c:d] == "epsilon"


def test_matches_in_wide_characters_are_counted_in_cells() -> None:
    built = layout([message(0, "日本語のテキスト 日本語 end")], find=find_pattern("日本語"))
    assert len(built.matches) == 2
    assert all(cells_text(built, m.cells) == "日本語" for m in built.matches)
    _line, left, right = built.matches[1].cells[0]
    assert right - left == 6


def test_a_folded_message_counts_its_matches_and_unfolding_shows_them() -> None:
    messages = [message(0, "banana split, banana bread"), message(1, "one banana")]
    folded = layout(messages, folded={0}, find=find_pattern("banana"))
    unfolded = layout(messages, find=find_pattern("banana"))
    assert len(folded.matches) == len(unfolded.matches) == 3
    assert [m.folded for m in folded.matches] == [True, True, False]
    assert all(m.line == folded.message_starts[0] and not m.cells for m in folded.matches[:2])
    assert all(m.cells for m in unfolded.matches)


def test_hostile_text_and_queries() -> None:
    hostile = render.render_message(
        Message.model_validate(
            {
                "_id": "x",
                "type": "emailsReplied",
                "message": "evil \x1b[31mred\x1b[0m \u202etxt.exe \u0007bell",
            }
        )
    )
    built = layout([hostile], find=find_pattern("\x1b[31mred"))
    for segments, _cells in built.lines:
        assert not any(ord(ch) < 32 or ch == "\u202e" for segment in segments for ch in segment.text)
    # The query is sanitized like the text, so it finds what the pane shows.
    assert built.find == find_pattern("\x1b[31mred").pattern  # type: ignore[union-attr]
    long = find_pattern("x" * 10_000)
    assert long is not None and len(long.pattern) <= 200
    # A pattern-looking query is just characters (no catastrophic backtracking possible).
    built = layout([message(0, "a" * 5_000)], find=find_pattern("(a+)+$"))
    assert built.matches == []


def test_match_after_and_before_wrap_around() -> None:
    messages = [message(n, "needle") for n in range(3)]
    built = layout(messages, find=find_pattern("needle"))
    lines = [m.line for m in built.matches]
    assert built.match_after(0) == 0
    assert built.match_after(lines[1]) == 1
    assert built.match_after(lines[2] + 1) == 0  # wraps to the first
    assert built.match_before(lines[1]) == 0
    assert built.match_before(0) == 2  # wraps to the last
    assert ThreadLayout([], 1, []).match_after(0) == -1


def test_every_match_is_drawn_in_the_match_style_and_nothing_else_is() -> None:
    from rich.style import Style

    styles = ThreadStyles(match=Style(underline=True))
    text = "one needle here, and another NEEDLE that wraps across the line end needle"
    built = build_layout(
        [message(0, text)], width=30, expanded=False, styles=styles, find=find_pattern("needle")
    )
    assert built is not None
    marked: set[tuple[int, int]] = set()
    for number, (segments, _cells) in enumerate(built.lines):
        column = 0
        for segment in segments:
            width = cell_len(segment.text)
            if segment.style is not None and segment.style.underline:
                marked |= {(number, x) for x in range(column, column + width)}
            column += width
    expected = {(line, x) for m in built.matches for line, a, b in m.cells for x in range(a, b)}
    assert len(built.matches) == 3
    assert marked == expected
