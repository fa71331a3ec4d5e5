"""Row formatting for the conversation list: pure functions, no Textual.

Everything here works in terminal *cells*, not characters, so wide CJK and emoji
never push a column out of line; and everything returns plain strings tagged with a
role, which the widget turns into styled segments (never markup: a contact named
``[bold]x[/bold]`` must show its brackets).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len, set_cell_size

from lemlist_inbox.inbox.store import Entry
from lemlist_inbox.ui.charset import ascii_only

#: Roles a piece of a row can have; the list widget maps each to a component style.
Role = str
Piece = tuple[str, Role]


@dataclass(frozen=True)
class Glyphs:
    """The marks of a row; an ASCII set exists for terminals or locales without Unicode."""

    unread: str
    replied: str
    email: str
    linkedin: str
    other: str
    ellipsis: str
    #: The conversation open in the thread pane (where the unread mark is not shown).
    open: str = "▶"
    #: Who spoke last, as the thread pane marks a message: the contact, or us.
    them: str = "←"
    us: str = "→"
    #: Between the subject and the first words of the newest message.
    dash: str = " — "


UNICODE = Glyphs(unread="●", replied="↩", email="✉", linkedin="in", other="•", ellipsis="…")
ASCII = Glyphs(
    unread="*", replied="R", email="@", linkedin="in", other="+", ellipsis="~",
    open=">", them="<-", us="->", dash=" - ",
)  # fmt: skip


def choose_glyphs(env: dict[str, str] | None = None, encoding: str | None = None) -> Glyphs:
    """The list's marks: Unicode unless the screen is ASCII only (``ui.charset``: the
    setting, ``LEMLIST_INBOX_ASCII``, the locale, the output encoding)."""
    return ASCII if ascii_only(env, encoding) else UNICODE


def fit(text: str, width: int, ellipsis: str = "…") -> str:
    """Cut or pad ``text`` to exactly ``width`` cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    if width <= cell_len(ellipsis):
        return set_cell_size(text, width)
    return set_cell_size(text, width - cell_len(ellipsis)) + ellipsis


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: What a time that cannot be shown in the local zone (year 1 or 9999 near the edge) shows.
UNSHOWABLE = "-"
#: Minutes ahead of our clock still shown as "now" (the server's clock may be ahead).
FUTURE_SLACK = 5


def clock_minute(moment: datetime) -> int:
    """Whole minutes since the epoch (the clock minute ``moment`` falls in)."""
    return math.floor(moment.timestamp() / 60)


def _local(when: datetime, tz: tzinfo | None) -> datetime | None:
    """``when`` in ``tz``, or None when that falls outside what ``datetime`` can hold."""
    try:
        return when.astimezone(tz)
    except (OverflowError, ValueError, OSError):
        return None


def age_minutes(when: datetime, now: datetime) -> int:
    """Clock minutes between ``when`` and ``now``: the difference of the minutes they
    fall in, not of the instants. So every conversation of one clock minute shows the
    same age, agreeing with its ``hh:mm``, and every age changes at the same moment,
    when the clock's minute changes (the list repaints then, and only then)."""
    return clock_minute(now) - clock_minute(when)


def seconds_to_next_minute(now: datetime) -> float:
    """How long until ``now``'s clock minute ends: when the next age can change."""
    return 60.0 - now.timestamp() % 60.0


def short_date(when: datetime, now: datetime) -> str:
    """``4 Mar`` this year, ``Mar 2023`` another (in ``now``'s zone).

    The list's one date format, at every width: the wide list's absolute column says
    the same with more (``" 4 Mar 09:05"``, ``" 4 Mar 2023"``), and the thread pane's
    header is day-month too (``Mon 4 Mar 2024 09:05``).
    """
    local = _local(when, now.tzinfo)
    if local is None:
        return UNSHOWABLE
    if local.year == now.year:
        return f"{local.day} {_MONTHS[local.month - 1]}"
    return f"{_MONTHS[local.month - 1]} {local.year:04d}"


def relative_time(when: datetime | None, now: datetime, *, dates: bool = True) -> str:
    """``now``, ``5m``, ``3h``, ``2d`` within a week, then ``4 Mar`` (``Mar 2023`` another year).

    Ages count clock minutes (``age_minutes``). ``dates=False`` leaves older ones empty:
    beside the absolute column a date would only say the same thing twice.
    """
    if when is None:
        return ""
    minutes = age_minutes(when, now)
    if minutes < -FUTURE_SLACK:
        # Not clock skew but a date to come (or a server's nonsense): say the date.
        return short_date(when, now) if dates else ""
    if minutes < 1:
        return "now"
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{minutes // 60}h"
    if minutes < 7 * 24 * 60:
        return f"{minutes // (24 * 60)}d"
    if not dates:
        return ""
    return short_date(when, now)


def absolute_time(when: datetime | None, now: datetime) -> str:
    """Local day and time, minutes precision: the wide list's extra column.

    Twelve cells at most (``27 Nov 14:05``; `` 4 Mar 2025`` for another year), so it
    fits beside name and email in the left pane of a 160-column terminal. Day and
    month read as in ``short_date``.
    """
    if when is None:
        return ""
    local = _local(when, now.tzinfo)
    if local is None:
        return UNSHOWABLE
    day = f"{local.day:2d} {_MONTHS[local.month - 1]}"
    if local.year != now.year:
        return f"{day} {local.year:04d}"
    return f"{day} {local.hour:02d}:{local.minute:02d}"


def channel_marks(channels: Sequence[str], glyphs: Glyphs) -> str:
    """One mark per channel: email, LinkedIn, then one mark for any others."""
    found = {channel.lower() for channel in channels}
    marks = []
    if "email" in found:
        marks.append(glyphs.email)
    if "linkedin" in found:
        marks.append(glyphs.linkedin)
    if found - {"email", "linkedin"}:
        marks.append(glyphs.other)
    return " ".join(marks)


@dataclass(frozen=True)
class Columns:
    """Cell widths of each column for one list width (computed once per resize).

    ``text`` holds the subject and first words of the newest message once the thread is
    stored (the contact's email until then).
    """

    name: int
    text: int
    channels: int
    time: int
    absolute: int


MARK_WIDTH = 2  # unread (or open) mark + space
DIRECTION_WIDTH = 2  # who spoke last: "←", "→", or "↩" when only "they replied once" is known
CHANNEL_WIDTH = 5  # "✉ in •"-ish, cut if more
TIME_WIDTH = 6  # "59m", "23h": the relative column beside the absolute one
DATE_WIDTH = 8  # "Mar 2023": the relative column when it also shows dates
#: Terminal columns from which both panes show side by side.
WIDE_SCREEN = 100
ABSOLUTE_WIDTH = 12
#: List width from which the absolute time is shown too (the list of a 200-column screen).
ABSOLUTE_FROM = 100
#: Cells left for name + text below which the text column is dropped (the name only).
TEXT_FROM = 30
#: Text columns narrower than this show the first words only (no subject).
SUBJECT_FROM = 32
#: The subject's share of the text column at most when there are first words to show,
#: and the fewest cells of first words worth showing.
SUBJECT_SHARE, SNIPPET_MIN = 55, 8
#: The name's share of name + text, and its bounds.
NAME_SHARE, NAME_MIN, NAME_MAX = 37, 12, 28


def columns_for(width: int, *, wide_screen: bool = True) -> Columns:
    """Split a row's width: fixed marks and times, the rest shared by name and text.

    One layout at 80x24 and in the left pane of 160x45 (both about 78 cells): contact,
    subject — first words, channels, who spoke last, time. The absolute time joins on a
    list wide enough for it (a wide screen's list of 100 cells and more).
    """
    absolute = ABSOLUTE_WIDTH if wide_screen and width >= ABSOLUTE_FROM else 0
    time = TIME_WIDTH if absolute else DATE_WIDTH
    fixed = MARK_WIDTH + 1 + CHANNEL_WIDTH + DIRECTION_WIDTH + time + (absolute + 1 if absolute else 0)
    flexible = max(width - fixed, 0)
    if flexible < TEXT_FROM:
        return Columns(name=flexible, text=0, channels=CHANNEL_WIDTH, time=time, absolute=absolute)
    name = min(max(flexible * NAME_SHARE // 100, NAME_MIN), NAME_MAX)
    text = flexible - name - 1
    return Columns(name=name, text=text, channels=CHANNEL_WIDTH, time=time, absolute=absolute)


def row_times(entry: Entry, columns: Columns, now: datetime) -> tuple[str, str]:
    """The row's (relative, absolute) time texts at ``now`` ("" where not shown).

    The time is the newest stored message's when the thread is stored (the last
    activity otherwise: ``Entry.shown_time``). All a row's text that changes with time,
    so the list can tell which rows a new minute changes (and key its cache on them)
    without drawing any row.
    """
    when = entry.shown_time
    relative = relative_time(when, now, dates=not columns.absolute)
    return relative, absolute_time(when, now) if columns.absolute else ""


def direction_mark(entry: Entry, glyphs: Glyphs) -> tuple[str, Role]:
    """Who spoke last, and its role: the stored thread's word, else what the item says
    ("↩": the contact replied at some point; we do not know who wrote last)."""
    if entry.summary is not None and entry.summary.last_from:
        return (glyphs.them, "them") if entry.summary.last_from == "them" else (glyphs.us, "us")
    if entry.have_replies:
        return glyphs.replied, "replied"
    if entry.last_from == "us":
        return glyphs.us, "us"
    return "", "space"


def text_pieces(entry: Entry, width: int, glyphs: Glyphs) -> list[Piece]:
    """Subject (role ``subject``) and first words (``snippet``), ``width`` cells in all;
    the email (``email``) while no thread is stored."""
    if width <= 0:
        return []
    summary = entry.summary
    if summary is None or not (summary.subject or summary.snippet):
        email = "" if entry.email == entry.name else entry.email
        return [(fit(email, width, glyphs.ellipsis), "email")]
    subject, snippet = summary.subject, summary.snippet
    if snippet and width < SUBJECT_FROM:
        # Compact (a narrow list): the newest words say more than "Re: <subject>".
        return [(fit(snippet, width, glyphs.ellipsis), "snippet")]
    if not snippet or not subject:
        return [(fit(subject or snippet, width, glyphs.ellipsis), "subject" if subject else "snippet")]
    # A long subject ("Re: Re: Quick question about …") leaves the newest words room:
    # they are what a triage reads.
    most = max(width * SUBJECT_SHARE // 100, SNIPPET_MIN)
    if cell_len(subject) > most:
        subject = fit(subject, most, glyphs.ellipsis)
    rest = width - cell_len(subject)
    if rest < cell_len(glyphs.dash) + SNIPPET_MIN:
        return [(fit(subject, width, glyphs.ellipsis), "subject")]
    return [(subject, "subject"), (fit(glyphs.dash + snippet, rest, glyphs.ellipsis), "snippet")]


def row_pieces(
    entry: Entry,
    columns: Columns,
    now: datetime,
    glyphs: Glyphs,
    tz: tzinfo | None = None,
    times: tuple[str, str] | None = None,
    *,
    is_open: bool = False,
) -> list[Piece]:
    """The row as (text, role) pieces whose cells add up to the row width.

    Roles: ``mark`` (unread, or the open conversation's mark), ``name``, ``subject``,
    ``snippet``, ``email``, ``channels``, ``them``/``us``/``replied`` (who spoke last),
    ``time``, ``space``. The widget adds ``unread`` (and ``open``) styling to the whole
    row itself. ``times`` is ``row_times`` when the caller has it already; ``tz`` is the
    zone for the absolute time (``now``'s when None).
    """
    if times is None:
        times = row_times(entry, columns, now if tz is None else now.astimezone(tz))
    relative, stamp = times
    mark = glyphs.unread if entry.unread else (glyphs.open if is_open else "")
    pieces: list[Piece] = [
        (fit(mark, MARK_WIDTH), "mark"),
        (fit(entry.name, columns.name, glyphs.ellipsis), "name"),
    ]
    if columns.text:
        pieces.append((" ", "space"))
        pieces.extend(text_pieces(entry, columns.text, glyphs))
    pieces.append((" ", "space"))
    pieces.append((fit(channel_marks(entry.channels, glyphs), columns.channels, ""), "channels"))
    direction, role = direction_mark(entry, glyphs)
    pieces.append((fit(direction, DIRECTION_WIDTH), role))
    relative = relative[: columns.time]
    pieces.append((" " * max(columns.time - cell_len(relative), 0) + relative, "time"))
    if columns.absolute:
        pieces.append((" ", "space"))
        pieces.append((" " * max(columns.absolute - cell_len(stamp), 0) + stamp, "time"))
    return pieces
