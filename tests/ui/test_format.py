"""Row formatting: cell widths, relative times, marks, ASCII fallback."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from rich.cells import cell_len

from lemlist_inbox.api.models import Conversation
from lemlist_inbox.inbox.store import ConversationStore
from lemlist_inbox.inbox.summary import ThreadSummary
from lemlist_inbox.ui.format import (
    ASCII,
    UNICODE,
    absolute_time,
    channel_marks,
    choose_glyphs,
    columns_for,
    fit,
    relative_time,
    row_pieces,
    seconds_to_next_minute,
    short_date,
)

NOW = datetime(2024, 12, 17, 12, 0, tzinfo=UTC)


def test_relative_time() -> None:
    assert relative_time(NOW + timedelta(seconds=5), NOW + timedelta(seconds=50)) == "now"
    assert relative_time(NOW - timedelta(minutes=5), NOW) == "5m"
    assert relative_time(NOW - timedelta(hours=3), NOW) == "3h"
    assert relative_time(NOW - timedelta(days=2), NOW) == "2d"
    assert relative_time(datetime(2024, 3, 4, tzinfo=UTC), NOW) == "4 Mar"
    assert relative_time(datetime(2023, 3, 4, tzinfo=UTC), NOW) == "Mar 2023"
    assert relative_time(None, NOW) == ""


def test_ages_count_clock_minutes_so_one_minute_shows_one_age() -> None:
    """11:57:05 and 11:57:55 are both "11:57": at 11:59:30 both are 2m (not 2m and 1m),
    and both become 3m together when the clock reaches 12:00."""
    early, late = NOW - timedelta(minutes=2, seconds=55), NOW - timedelta(minutes=2, seconds=5)
    at = NOW - timedelta(seconds=30)
    assert relative_time(early, at) == relative_time(late, at) == "2m"
    assert relative_time(early, NOW) == relative_time(late, NOW) == "3m"
    assert relative_time(NOW - timedelta(seconds=1), NOW) == "1m"  # 11:59 at 12:00
    assert relative_time(NOW + timedelta(minutes=3), NOW) == "now"  # a clock ahead of ours
    assert seconds_to_next_minute(NOW - timedelta(seconds=30)) == 30.0
    assert seconds_to_next_minute(NOW) == 60.0


def test_one_date_format_at_every_width() -> None:
    """The narrow list's date is the wide list's date, less the time (day, then month)."""
    for when, narrow in (
        (datetime(2024, 3, 4, 9, 5, tzinfo=UTC), "4 Mar"),
        (datetime(2023, 3, 4, 9, 5, tzinfo=UTC), "Mar 2023"),
    ):
        assert short_date(when, NOW) == narrow
        assert relative_time(when, NOW) == narrow
        assert narrow in absolute_time(when, NOW)


def test_times_that_cannot_be_shown_locally_show_a_dash() -> None:
    east = timezone(timedelta(hours=5))
    edge = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    now = datetime(2024, 12, 17, 12, 0, tzinfo=east)
    assert absolute_time(edge, now) == "-"
    assert short_date(edge, now) == "-"
    assert relative_time(edge, now) == "-"
    assert relative_time(datetime(1, 1, 1, tzinfo=UTC), now.astimezone(timezone(timedelta(hours=-5)))) == "-"
    assert relative_time(datetime(9999, 12, 1, tzinfo=UTC), NOW) == "Dec 9999"  # not "now"
    assert relative_time(datetime(9999, 12, 1, tzinfo=UTC), NOW, dates=False) == ""


def test_fit_counts_cells() -> None:
    assert fit("abc", 5) == "abc  "
    assert cell_len(fit("日本語テキスト", 7)) == 7
    assert fit("日本語テキスト", 7).endswith("…")
    assert cell_len(fit("😀😀😀", 4)) == 4
    assert fit("x", 0) == ""


def test_channel_marks_and_ascii() -> None:
    assert channel_marks(["email", "linkedin"], UNICODE) == "✉ in"
    assert channel_marks(["whatsapp"], ASCII) == "+"
    assert choose_glyphs({"LEMLIST_INBOX_ASCII": "1"}, "utf-8") is ASCII
    assert choose_glyphs({}, "ascii") is ASCII
    assert choose_glyphs({}, "utf-8") is UNICODE


def test_row_is_exactly_the_width_with_wide_names() -> None:
    store = ConversationStore("u")
    store.merge(
        [
            Conversation.model_validate(
                {
                    "_id": "ibx_1",
                    "lastActivityAt": "2024-12-17T11:55:00Z",
                    "channels": ["email", "linkedin"],
                    "haveReplies": True,
                    "users": [{"userId": "u", "read": False}],
                    "contact": {"fullName": "王小明 😀 " * 10, "email": "wang@例え.jp"},
                }
            )
        ]
    )
    entry = store.view_at(0)
    for width in (40, 80, 120):
        pieces = row_pieces(entry, columns_for(width), NOW, UNICODE)
        assert sum(cell_len(text) for text, _ in pieces) == width
        assert pieces[0][0].startswith("●")
        assert pieces[-1][0].strip() == ("17 Dec 11:55" if width >= 100 else "5m")


def test_absolute_time_is_compact_and_names_the_year_only_when_it_differs() -> None:
    now = datetime(2024, 12, 17, 12, 0, tzinfo=UTC)
    assert absolute_time(datetime(2024, 3, 4, 9, 5, tzinfo=UTC), now) == " 4 Mar 09:05"
    assert absolute_time(datetime(2023, 3, 4, 9, 5, tzinfo=UTC), now) == " 4 Mar 2023"
    assert absolute_time(None, now) == ""


def test_wide_rows_do_not_repeat_an_old_date() -> None:
    store = ConversationStore("u")
    old = {"_id": "ibx_old", "lastActivityAt": "2024-11-20T19:37:00Z", "contact": {"email": "a@b.c"}}
    store.merge([Conversation.model_validate(old)])
    pieces = row_pieces(store.view_at(0), columns_for(110), NOW, UNICODE)
    times = [text.strip() for text, role in pieces if role == "time"]
    assert times == ["", "20 Nov 19:37"]


def summarized_store(summary: ThreadSummary | None, **item: Any) -> ConversationStore:
    store = ConversationStore("u")
    raw: dict[str, Any] = {
        "_id": "ibx_1",
        "contactId": "ctc_1",
        "lastActivityAt": "2024-12-17T11:55:00Z",
        "channels": ["email"],
        "users": [{"userId": "u", "read": True}],
        "contact": {"fullName": "Ann Lee", "email": "ann@x.io"},
        **item,
    }
    store.merge([Conversation.model_validate(raw)])
    if summary is not None:
        store.apply_summary("ctc_1", summary)
    return store


def test_a_row_shows_subject_first_words_who_spoke_last_and_the_newest_message_time() -> None:
    latest = datetime(2024, 12, 17, 9, 0, tzinfo=UTC).timestamp()  # 3 h before NOW
    store = summarized_store(ThreadSummary("Re: Offer", "Sounds great, call me", "them", latest))
    narrow = row_pieces(store.view_at(0), columns_for(48), NOW, UNICODE)
    assert sum(cell_len(text) for text, _ in narrow) == 48
    # a narrow list's compact form: the newest words, no subject
    assert [text for text, role in narrow if role in ("subject", "snippet")] == ["Sounds great, ca…"]
    for width in (78, 110):
        pieces = row_pieces(store.view_at(0), columns_for(width), NOW, UNICODE)
        assert sum(cell_len(text) for text, _ in pieces) == width
        roles = dict((role, text) for text, role in pieces)
        assert roles["subject"] == "Re: Offer"
        assert roles["snippet"].startswith(" — Sounds great")
        assert roles["them"].strip() == "←"
        assert (
            next(text.strip() for text, role in pieces if role == "time") == "3h"
        )  # not lastActivityAt's 5m
    ours = summarized_store(ThreadSummary("", "Following up", "us", latest))
    pieces = row_pieces(ours.view_at(0), columns_for(78), NOW, ASCII, is_open=True)
    roles = dict((role, text) for text, role in pieces)
    assert roles["snippet"].startswith("Following up") and "subject" not in roles
    assert roles["us"] == "->" and roles["mark"] == "> "


def test_a_row_without_a_stored_thread_shows_its_email_and_what_the_item_says() -> None:
    replied = summarized_store(None, haveReplies=True)
    roles = dict((role, text) for text, role in row_pieces(replied.view_at(0), columns_for(78), NOW, UNICODE))
    assert roles["email"].startswith("ann@x.io") and roles["replied"].strip() == "↩"
    never = summarized_store(None, haveReplies=False)  # nobody replied: the last word is ours
    roles = dict((role, text) for text, role in row_pieces(never.view_at(0), columns_for(78), NOW, UNICODE))
    assert roles["us"].strip() == "→"


def test_a_long_subject_leaves_room_for_the_first_words() -> None:
    store = summarized_store(ThreadSummary("Re: " * 30 + "Offer", "Sounds great", "them", -math.inf))
    pieces = row_pieces(store.view_at(0), columns_for(78), NOW, UNICODE)
    roles = dict((role, text) for text, role in pieces)
    assert roles["subject"].endswith("…") and "Sounds" in roles["snippet"]
    assert next(text.strip() for text, role in pieces if role == "time") == "5m"  # unknown: last activity
