"""The ``s`` screen: full-text search over every stored message, newest first.

Typing searches as you go: each change waits ``DEBOUNCE`` seconds for the next key, then
the query runs in a worker thread (``inbox.search``; the FTS query is a few ms, but a
key must never wait for SQLite), and only the answer to the latest query is shown. Each
result is two lines: date, channel, contact and subject, then the matching words in
context. Every string in a result is the server's: results are ``Content`` built from
plain strings (never markup), the matched words styled from the index's own markers.

Enter on a result dismisses the screen with it; the main screen opens the conversation
(``MainScreen.open_search_hit``). Nothing here needs the network: it reads the local
inbox only, so it works offline as well.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lemlist_inbox.inbox.search import SearchError, SearchHit, split_hits
from lemlist_inbox.render.sanitize import sanitize, sanitize_line
from lemlist_inbox.ui.charset import chrome
from lemlist_inbox.ui.exiting import quiet_at_exit
from lemlist_inbox.ui.format import Glyphs, absolute_time, channel_marks, choose_glyphs, fit
from lemlist_inbox.ui.widgets.filter_input import FilterInput
from lemlist_inbox.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from collections.abc import Callable

    from lemlist_inbox.inbox.local import LocalInbox

#: Seconds without a key before a query runs (a word typed at speed is one search).
DEBOUNCE = 0.12
#: Results shown at most; "N+" says there are more (a narrower query finds them).
LIMIT = 200
#: Why nothing can be searched without a file.
NO_STORE = "search needs the local inbox, and none is kept (cache = false, or the file cannot be used)"
#: Results put on screen at once; the rest follow a frame later (``_fill``).
FIRST_PAINT = 12
#: What the box says before anything is typed.
PLACEHOLDER = 'search: words, "a phrase", prefix*, -word, a OR b'
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchAnswer:
    """What one query found, or why it could not run."""

    query: str
    hits: list[SearchHit]
    error: str | None = None
    more: bool = False


def context_words(width: int) -> int:
    """Words of context that fill one result line of ``width`` cells (about 6 a word)."""
    return max(8, min(48, (width - 4) // 6))


def run_query(local: LocalInbox | None, query: str, limit: int = LIMIT, width: int = 80) -> SearchAnswer:
    """Search the local inbox (in a worker thread): hits, or the sentence for a bad query."""
    index = local.search_index if local is not None else None
    if index is None:
        return SearchAnswer(query, [], NO_STORE)
    try:
        hits = index.search(query, limit=limit + 1, words=context_words(width))
    except SearchError as exc:
        return SearchAnswer(query, [], str(exc))
    return SearchAnswer(query, hits[:limit], more=len(hits) > limit)


def empty_index_text(local: LocalInbox | None) -> str:
    """What an empty index means and how to fill it (in a worker: it counts rows)."""
    if local is None or local.db is None:
        return NO_STORE
    stored = len(local.db.thread_ids())
    progress = local.index_progress
    if progress is not None:
        return f"indexing stored threads: {progress[0]} of {progress[1]}{chrome().ellipsis}"
    noun = "thread" if stored == 1 else "threads"
    return f"nothing is indexed yet: open threads or wait for the prefetch; {stored} {noun} stored"


def hit_prompt(hit: SearchHit, width: int, now: datetime, glyphs: Glyphs) -> Content:
    """Two lines for one hit, each cut to ``width`` cells (never wrapped, never markup).

    ``12 Nov 14:05  ✉  Ana Lopez  Re: Pricing`` then the context with its matched words
    in bold reverse (readable without colour too). Cut as strings, then one ``Content``
    built: the first screenful of these is on the path from query to frame.
    """
    try:
        when = datetime.fromtimestamp(hit.created, UTC) if hit.created > 0 else None
    except (OverflowError, ValueError, OSError):
        when = None
    date = fit(absolute_time(when, now) or "", 12, glyphs.ellipsis)
    channel = fit(channel_marks([hit.channel], glyphs) if hit.channel else "", 3, glyphs.ellipsis)
    who = sanitize_line(hit.contact or hit.sender or hit.contact_id, 200)
    rest = max(0, width - 12 - 2 - 3 - 1)
    name_width = min(cell_len(who), max(12, rest // 3))
    name = fit(who, name_width, glyphs.ellipsis).rstrip()
    head: list[tuple[str, bool | None]] = [(date, None), ("  ", False), (channel, False), (" ", False)]
    head += [(name, None), ("  ", False)]
    first = _cut(head + _runs(hit.subject, glyphs), width, glyphs)
    second = _cut([("  ", False), *_runs(hit.snippet, glyphs)], width, glyphs)
    styles = {None: "bold", True: "bold reverse"}
    parts: list[str | tuple[str, str]] = []
    for number, line in enumerate((first, second)):
        if number:
            parts.append("\n")
        for index, (text, matched) in enumerate(line):
            style = "dim" if index == 0 and number == 0 else styles.get(matched)
            parts.append((text, style) if style else text)
    return Content.assemble(*parts, strip_control_codes=True)


def _runs(text: str, glyphs: Glyphs) -> list[tuple[str, bool | None]]:
    """Marked text on one line as (text, matched) runs, each sanitized again."""
    flat = _SPACES.sub(" ", text).replace("…", glyphs.ellipsis).strip()
    runs: list[tuple[str, bool | None]] = []
    for piece, matched in split_hits(flat):
        # The index holds sanitized text already; cleaned again here, as everything
        # bound for the terminal is (the markers are gone by now, so they survive).
        clean = piece if piece.isprintable() else _SPACES.sub(" ", sanitize(piece))
        runs.append((clean, matched))
    return runs


def _cut(runs: list[tuple[str, bool | None]], width: int, glyphs: Glyphs) -> list[tuple[str, bool | None]]:
    """``runs`` cut to ``width`` cells, an ellipsis marking the cut."""
    if sum(cell_len(text) for text, _ in runs) <= width:
        return runs
    room = max(0, width - cell_len(glyphs.ellipsis))
    out: list[tuple[str, bool | None]] = []
    for text, matched in runs:
        size = cell_len(text)
        if size > room:
            if room > 0:
                out.append((set_cell_size(text, room), matched))
            break
        out.append((text, matched))
        room -= size
    out.append((glyphs.ellipsis, False))
    return out


class SearchInput(FilterInput):
    """The query box: Esc closes the search (the filter box's Esc clears a filter)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", key_display="esc"),
        Binding("enter", "submit", "Results", key_display="⏎"),  # shown; the screen handles it
    ]


class SearchScreen(Screen["SearchHit | None"]):
    """Query box, status line and results; dismisses with the hit to open, or None."""

    AUTO_FOCUS = "#search-query"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", key_display="esc"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
        Binding("s,slash", "edit", "Edit query", key_display="s"),
        Binding("question_mark", "help", "Help", key_display="?"),
        # priority, handled as the key arrives: Enter then "j" typed in one burst moves
        # in the results (a Submitted message from the box would land after the "j").
        Binding("enter,down", "results", "Results", show=False, priority=True),
    ]

    def __init__(
        self,
        local: LocalInbox | None,
        *,
        query: str = "",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.local = local
        self.initial_query = query
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._timer: Timer | None = None
        #: Each query typed gets a number; only the newest one's answer is shown.
        self._asked = 0
        #: The answer on screen (its hits in option order).
        self.answer: SearchAnswer | None = None
        self.glyphs = choose_glyphs()

    def compose(self) -> ComposeResult:
        yield Static(Content("Search every stored message"), id="search-title")
        yield SearchInput(value=self.initial_query, placeholder=PLACEHOLDER, id="search-query")
        yield Static(Content(""), id="search-status")
        yield OptionList(id="search-results")
        yield KeyBar(id="search-keys")

    @property
    def query_box(self) -> SearchInput:
        return self.query_one("#search-query", SearchInput)

    @property
    def results(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    @property
    def status_text(self) -> str:
        return str(self.query_one("#search-status", Static).render())

    def on_mount(self) -> None:
        self.set_focus(self.query_box)
        self.search_now()

    # -- asking ----------------------------------------------------------------------

    @on(FilterInput.Changed, "#search-query")
    def _changed(self, event: FilterInput.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self.search_now)

    def search_now(self) -> None:
        self._timer = None
        self._asked += 1
        self._ask(self._asked, self.query_box.value)

    @work(group="search")
    @quiet_at_exit
    async def _ask(self, number: int, query: str) -> None:
        if not query.strip():
            idle = await asyncio.to_thread(self._idle_text)
            if number == self._asked and self.is_attached:
                self._show(SearchAnswer(query, []), idle)
            return
        # A screenful first (a snippet each: 201 of them took 4-12 ms at 10,000 threads),
        # then the rest of the results while that frame is drawn.
        first = self._screenful()
        answer = await asyncio.to_thread(run_query, self.local, query, first, self.size.width)
        if number != self._asked or not self.is_attached:
            return  # a newer query was typed meanwhile
        text: str | None = None
        if not answer.hits and answer.error is None:
            index = self.local.search_index if self.local is not None else None
            indexed = await asyncio.to_thread(index.indexed_threads) if index is not None else 0
            if indexed:
                text = f"no message matches {_quoted(query)}"
                progress = self.local.index_progress if self.local is not None else None
                if progress is not None:  # the catch-up has not reached every thread yet
                    text += f" (still indexing: {progress[0]} of {progress[1]} threads)"
            else:
                text = await asyncio.to_thread(empty_index_text, self.local)
            if number != self._asked or not self.is_attached:
                return  # closed, or a newer query, while it counted
        self._show(answer, text)
        if answer.more:
            painted = asyncio.Event()  # the rest is asked for once the screenful is drawn
            self.call_after_refresh(painted.set)
            await painted.wait()
            if number != self._asked or not self.is_attached:
                return
            full = await asyncio.to_thread(run_query, self.local, query, LIMIT, self.size.width)
            if number == self._asked and self.is_attached:
                self._extend(answer, full)

    def _screenful(self) -> int:
        """Hits that fill the results' height (two lines each), at least ``FIRST_PAINT``."""
        return max(FIRST_PAINT, self.results.size.height // 2 + 1)

    def _extend(self, shown: SearchAnswer, full: SearchAnswer) -> None:
        """The rest of the results below those on screen (the reader may be moving in them).

        The same query again: the first ones are the same messages unless a thread was
        indexed in between, and then the whole answer is shown afresh.
        """
        same = [h.message_id for h in full.hits[: len(shown.hits)]] == [h.message_id for h in shown.hits]
        if full.error is not None or not same:
            self._show(full)
            return
        self.answer = full
        self._set_status(full)
        results = self.results
        width = max(20, (results.content_region.width or self.size.width) - 1)
        rest = full.hits[len(shown.hits) :]
        results.add_options([Option(hit_prompt(hit, width, self._clock(), self.glyphs)) for hit in rest])

    def _idle_text(self) -> str:
        index = self.local.search_index if self.local is not None else None
        count = index.indexed_threads() if index is not None else 0
        if not count:
            return empty_index_text(self.local)
        noun = "thread" if count == 1 else "threads"
        return f"type to search {count} indexed {noun} (subjects, bodies, senders)"

    def _show(self, answer: SearchAnswer, text: str | None = None) -> None:
        """Put an answer on screen: the status line, then the results (top one highlighted)."""
        self.answer = answer
        self._set_status(answer, text)
        self._fill()

    def _set_status(self, answer: SearchAnswer, text: str | None = None) -> None:
        status = self.query_one("#search-status", Static)
        status.set_class(answer.error is not None, "-error")
        if answer.error is not None:
            status.update(Content(answer.error))
        elif text is not None:
            status.update(Content(text))
        else:
            count = f"{len(answer.hits)}+" if answer.more else str(len(answer.hits))
            noun = "message" if count == "1" else "messages"
            status.update(Content(f"{count} {noun}, newest first{chrome().separator}Enter opens, j/k move"))

    def _fill(self) -> None:
        """The results in the list: a screenful first, the rest after that frame.

        Each option is measured when added (Textual renders its prompt), so 200 hits at
        once cost ~100 ms before anything showed (benchmark figure 11): a screenful goes
        first (at least ``FIRST_PAINT``), and the rest follow one frame later.
        """
        results = self.results
        answer = self.answer
        hits = answer.hits if answer is not None else []
        width = max(20, (results.content_region.width or self.size.width) - 1)
        now = self._clock()
        first = self._screenful()
        with self.app.batch_update():
            results.clear_options()
            results.add_options([Option(hit_prompt(hit, width, now, self.glyphs)) for hit in hits[:first]])
            if hits:
                results.highlighted = 0
        if len(hits) > first:
            self.call_after_refresh(self._fill_rest, answer, first, width, now)

    def _fill_rest(self, answer: SearchAnswer, first: int, width: int, now: datetime) -> None:
        if answer is not self.answer or not self.is_attached:
            return  # a newer answer replaced it meanwhile
        rest = answer.hits[first:]
        self.results.add_options([Option(hit_prompt(hit, width, now, self.glyphs)) for hit in rest])

    def on_resize(self) -> None:
        if self.answer is not None and self.answer.hits:
            keep = self.results.highlighted
            self._fill()
            self.results.highlighted = keep

    # -- moving and opening ------------------------------------------------------------

    @on(FilterInput.Submitted, "#search-query")
    def _submitted(self) -> None:
        if self._timer is not None:  # Enter before the pause: search what is typed now
            self.search_now()
        # Screen.set_focus moves focus now (Widget.focus waits a turn): a "j" typed
        # right after Enter must reach the results, not the box.
        self.set_focus(self.results)

    @on(FilterInput.Cancelled)
    def _cancelled(self) -> None:
        self.action_close()

    def action_down(self) -> None:
        self.results.action_cursor_down()

    def action_up(self) -> None:
        self.results.action_cursor_up()

    def action_results(self) -> None:
        self._submitted()

    def action_edit(self) -> None:
        self.set_focus(self.query_box)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Typed into the box, j, k, s and / are text.
        in_box = self.focused is self.query_box
        if action == "results":
            return in_box
        return not (action in {"down", "up", "edit", "help"} and in_box)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        hits = self.answer.hits if self.answer is not None else []
        if 0 <= event.option_index < len(hits):
            self.dismiss(hits[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        from lemlist_inbox.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    @property
    def current_query(self) -> str:
        return self.query_box.value


def _quoted(query: str) -> str:
    marks = chrome()
    text = " ".join(query.split())
    if len(text) > 60:
        text = text[:59] + marks.ellipsis
    return f"{marks.open_quote}{text}{marks.close_quote}"
