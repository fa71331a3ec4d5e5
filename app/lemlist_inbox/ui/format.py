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


UNICODE = Glyphs(unread="●", replied="↩", email="✉", linkedin="in", other="•", ellipsis="…")
ASCII = Glyphs(unread="*", replied="R", email="@", linkedin="in", other="+", ellipsis="~")


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
    """Cell widths of each column for one list width (computed once per resize)."""

    name: int
    email: int
    channels: int
    time: int
    absolute: int


MARK_WIDTH = 2  # unread mark + space
REPLIED_WIDTH = 2
CHANNEL_WIDTH = 5  # "✉ in •"-ish, cut if more
TIME_WIDTH = 6  # "59m", "23h": the relative column beside the absolute one
DATE_WIDTH = 8  # "Mar 2023": the relative column when it also shows dates
#: Terminal columns from which both panes show side by side (and the list shows absolute times).
WIDE_SCREEN = 100
ABSOLUTE_WIDTH = 12
ABSOLUTE_FROM = 70  # list width from which the absolute time is shown (a 160-column screen)
EMAIL_FROM = 40  # cells left for name + email below which the email column is dropped


def columns_for(width: int, *, wide_screen: bool = True) -> Columns:
    """Split a row's width: fixed marks and times, the rest shared by name and email.

    The absolute time is for wide screens only: on an 80-column terminal the list is
    as wide as the whole screen, but the name and email need those cells more.
    """
    absolute = ABSOLUTE_WIDTH if wide_screen and width >= ABSOLUTE_FROM else 0
    time = TIME_WIDTH if absolute else DATE_WIDTH
    fixed = MARK_WIDTH + CHANNEL_WIDTH + 1 + REPLIED_WIDTH + time + (absolute + 1 if absolute else 0)
    flexible = max(width - fixed, 0)
    if flexible < EMAIL_FROM:
        # Too narrow for both: the name (or the email, when there is no name) only.
        return Columns(name=flexible, email=0, channels=CHANNEL_WIDTH, time=time, absolute=absolute)
    name = flexible * 45 // 100
    email = flexible - name - 1
    return Columns(name=name, email=email, channels=CHANNEL_WIDTH, time=time, absolute=absolute)


def row_times(entry: Entry, columns: Columns, now: datetime) -> tuple[str, str]:
    """The row's (relative, absolute) time texts at ``now`` ("" where not shown).

    All a row's text that changes with time, so the list can tell which rows a new
    minute changes (and key its cache on them) without drawing any row.
    """
    when = entry.last_activity
    relative = relative_time(when, now, dates=not columns.absolute)
    return relative, absolute_time(when, now) if columns.absolute else ""


def row_pieces(
    entry: Entry,
    columns: Columns,
    now: datetime,
    glyphs: Glyphs,
    tz: tzinfo | None = None,
    times: tuple[str, str] | None = None,
) -> list[Piece]:
    """The row as (text, role) pieces whose cells add up to the row width.

    Roles: ``mark`` (unread), ``name``, ``email``, ``channels``, ``replied``,
    ``time``, ``space``. The widget adds ``unread`` styling to the whole row itself.
    ``times`` is ``row_times`` when the caller has it already; ``tz`` is the zone for
    the absolute time (``now``'s when None).
    """
    if times is None:
        times = row_times(entry, columns, now if tz is None else now.astimezone(tz))
    relative, stamp = times
    pieces: list[Piece] = [
        (fit(glyphs.unread if entry.unread else "", MARK_WIDTH), "mark"),
        (fit(entry.name, columns.name, glyphs.ellipsis), "name"),
    ]
    if columns.email:
        pieces.append((" ", "space"))
        # A contact without a name already shows its email as the name: say it once.
        email = "" if entry.email == entry.name else entry.email
        pieces.append((fit(email, columns.email, glyphs.ellipsis), "email"))
    pieces.append((" ", "space"))
    pieces.append((fit(channel_marks(entry.channels, glyphs), columns.channels, ""), "channels"))
    replied = glyphs.replied if entry.have_replies else ""
    pieces.append((fit(replied, REPLIED_WIDTH), "replied"))
    relative = relative[: columns.time]
    pieces.append((" " * max(columns.time - cell_len(relative), 0) + relative, "time"))
    if columns.absolute:
        pieces.append((" ", "space"))
        pieces.append((" " * max(columns.absolute - cell_len(stamp), 0) + stamp, "time"))
    return pieces
