"""Row formatting for the conversation list: pure functions, no Textual.

Everything here works in terminal *cells*, not characters, so wide CJK and emoji
never push a column out of line; and everything returns plain strings tagged with a
role, which the widget turns into styled segments (never markup: a contact named
``[bold]x[/bold]`` must show its brackets).
"""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len, set_cell_size

from lemlist_inbox.ui.store import Entry

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


def unicode_wanted(sample: str, env: dict[str, str] | None = None, encoding: str | None = None) -> bool:
    """False when ASCII is asked for (``LEMLIST_INBOX_ASCII=1``) or the output cannot encode ``sample``.

    One rule for the list and the thread pane, so both fall back together.
    """
    env = dict(os.environ) if env is None else env
    if env.get("LEMLIST_INBOX_ASCII", "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    if encoding is None:
        encoding = getattr(sys.stdout, "encoding", None) or locale.getpreferredencoding(False)
    try:
        sample.encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def choose_glyphs(env: dict[str, str] | None = None, encoding: str | None = None) -> Glyphs:
    """The list's marks: Unicode where the terminal can show them (see ``unicode_wanted``)."""
    return UNICODE if unicode_wanted("●↩✉•…", env, encoding) else ASCII


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


def relative_time(when: datetime | None, now: datetime, *, dates: bool = True) -> str:
    """``now``, ``5m``, ``3h``, ``2d`` within a week, then ``Mar 4`` (``2023-03`` another year).

    ``dates=False`` leaves older ones empty: beside the absolute column a date would
    only say the same thing twice ("Nov 20  20 Nov 19:37").
    """
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    if not dates:
        return ""
    local = when.astimezone(now.tzinfo)
    if local.year == now.year:
        return f"{_MONTHS[local.month - 1]} {local.day}"
    return f"{local.year}-{local.month:02d}"


def absolute_time(when: datetime | None, now: datetime) -> str:
    """Local day and time, minutes precision: the wide list's extra column.

    Twelve cells at most (``27 Nov 14:05``; ``2025-03-04`` for another year), so it
    fits beside name and email in the left pane of a 160-column terminal.
    """
    if when is None:
        return ""
    local = when.astimezone(now.tzinfo)
    if local.year != now.year:
        return f"{local.year}-{local.month:02d}-{local.day:02d}"
    return f"{local.day:2d} {_MONTHS[local.month - 1]} {local.hour:02d}:{local.minute:02d}"


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
TIME_WIDTH = 6
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
    fixed = MARK_WIDTH + CHANNEL_WIDTH + 1 + REPLIED_WIDTH + TIME_WIDTH + (absolute + 1 if absolute else 0)
    flexible = max(width - fixed, 0)
    if flexible < EMAIL_FROM:
        # Too narrow for both: the name (or the email, when there is no name) only.
        return Columns(name=flexible, email=0, channels=CHANNEL_WIDTH, time=TIME_WIDTH, absolute=absolute)
    name = flexible * 45 // 100
    email = flexible - name - 1
    return Columns(name=name, email=email, channels=CHANNEL_WIDTH, time=TIME_WIDTH, absolute=absolute)


def row_pieces(
    entry: Entry, columns: Columns, now: datetime, glyphs: Glyphs, tz: tzinfo | None = None
) -> list[Piece]:
    """The row as (text, role) pieces whose cells add up to the row width.

    Roles: ``mark`` (unread), ``name``, ``email``, ``channels``, ``replied``,
    ``time``, ``space``. The widget adds ``unread`` styling to the whole row itself.
    """
    when = entry.last_activity
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
    relative = relative_time(when, now, dates=not columns.absolute)
    pieces.append((" " * max(columns.time - cell_len(relative), 0) + relative[: columns.time], "time"))
    if columns.absolute:
        pieces.append((" ", "space"))
        stamp = absolute_time(when, now if tz is None else now.astimezone(tz))
        pieces.append((" " * max(columns.absolute - cell_len(stamp), 0) + stamp, "time"))
    return pieces
