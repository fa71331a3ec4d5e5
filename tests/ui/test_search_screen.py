"""The ``s`` search screen, over real loopback HTTP against the stand-in, on a local inbox.

A thread opened in the reader is stored and indexed; ``s`` then finds a word that only
its message bodies hold, typing updates the results, j/k move, Enter opens the
conversation on the main screen, Esc closes without opening anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import ui_helpers
from textual.pilot import Pilot
from ui_helpers import REFERENCE, loaded, main_screen, screen_text, snapshot_server, wait_for

from lemlist_inbox.demo import DemoServer
from lemlist_inbox.inbox.search import SearchIndex
from lemlist_inbox.render.message import render_thread
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from lemlist_inbox.ui.screens.search import SearchScreen

SnapCompare = Callable[..., bool]
_WORD = re.compile(r"[A-Za-z]{7,}")


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with snapshot_server() as running:
        yield running


def local_app(server: DemoServer, data_dir: Path, *, offline: bool = False) -> InboxApp:
    # No prefetch: only the threads a test opens are stored and indexed.
    return ui_helpers.local_app(server, data_dir, offline=offline, page_size=100)


def index_of(screen: MainScreen) -> SearchIndex:
    assert screen.local is not None and screen.local.search_index is not None
    return screen.local.search_index


async def open_and_index(pilot: Pilot[Any], row: int) -> MainScreen:
    """Open list row ``row`` and wait until its thread is in the index."""
    app = pilot.app
    assert isinstance(app, InboxApp)
    screen = await loaded(app)
    screen.conversation_list.move_to(row)
    await pilot.press("enter")
    entry = screen.store.view_at(row)
    await wait_for(lambda: screen.thread.state == "thread")
    index = index_of(screen)
    assert entry.thread_id is not None
    contact_id = entry.thread_id
    await wait_for(lambda: index.indexed_threads() >= 1 and bool(index.search(_any_word(screen, contact_id))))
    return screen


def _any_word(screen: MainScreen, contact_id: str) -> str:
    return body_only_word(screen, contact_id) or "the"


def body_only_word(screen: MainScreen, contact_id: str) -> str | None:
    """A word in a body of ``contact_id``'s stored thread and in no subject, sender or name."""
    local = screen.local
    assert local is not None and local.db is not None
    stored = local.db.thread(contact_id)
    if stored is None:
        return None
    from lemlist_inbox.api.models import Message, parse_items

    messages = render_thread(parse_items(Message, stored.messages)[0])
    elsewhere = " ".join(f"{m.subject} {m.sender} {m.sender_address}" for m in messages).lower()
    for message in messages:
        for word in _WORD.findall(message.body.text):
            if word.lower() not in elsewhere:
                return word
    return None


async def search_for(pilot: Pilot[Any], text: str) -> SearchScreen:
    await pilot.press("s")
    await wait_for(lambda: isinstance(pilot.app.screen, SearchScreen))
    search = pilot.app.screen
    assert isinstance(search, SearchScreen)
    await pilot.press(*text)
    await wait_for(lambda: search.answer is not None and search.answer.query == text)
    return search


async def test_a_word_only_in_a_body_is_found_and_enter_opens_its_conversation(
    server: DemoServer, tmp_path: Path
) -> None:
    app = local_app(server, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_index(pilot, 2)
        entry = screen.store.view_at(2)
        assert entry.thread_id is not None
        word = body_only_word(screen, entry.thread_id)
        assert word is not None
        await pilot.press("escape")  # back to the list: the hit must open it again
        screen.thread.clear()
        search = await search_for(pilot, word.lower())
        assert search.answer is not None and search.answer.hits
        hit = search.answer.hits[0]
        assert hit.conversation_id == entry.id
        assert [w.lower() for w in hit.matched_words()] == [word.lower()]  # what the pane will highlight
        opened: list[str] = []
        real_open = screen.open_search_hit
        screen.open_search_hit = lambda h: (opened.append(h.message_id), real_open(h))  # type: ignore[method-assign]
        assert word.lower() in screen_text(app).lower()
        assert "1 message" in search.status_text or "messages" in search.status_text
        await pilot.press("enter")  # to the results
        assert pilot.app.focused is search.results
        await pilot.press("enter")  # opens the highlighted one
        await wait_for(lambda: pilot.app.screen is screen)
        await wait_for(lambda: screen.thread.current_conversation_id == entry.id)
        assert screen.search_query == word.lower()
        assert opened == [hit.message_id]  # the one open path, with the message to land on
        # It lands on the message that matched, the word found and highlighted there.
        thread = screen.thread
        await wait_for(lambda: thread.find_text.lower() == word.lower() and thread.match_position[0] == 1)
        ids = [m.message_id for m in thread.rendered_for(entry.id)]
        assert hit.message_id in ids
        assert thread.message_position[0] == ids.index(hit.message_id) + 1
        assert word.lower() in screen_text(app).lower()
    await app.client.aclose()


async def test_typing_updates_results_and_j_k_move_between_them(server: DemoServer, tmp_path: Path) -> None:
    app = local_app(server, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_and_index(pilot, 0)
        await pilot.press("escape")
        search = await search_for(pilot, "th")
        await pilot.press("e")  # "the": every English body has it
        await wait_for(lambda: search.answer is not None and search.answer.query == "the")
        answer = search.answer
        assert answer is not None and len(answer.hits) >= 2
        times = [hit.created for hit in answer.hits]
        assert times == sorted(times, reverse=True)  # newest first
        await pilot.press("enter", "j", "j")  # one burst: Enter moves to the results first
        assert search.results.highlighted == 2 or len(answer.hits) == 2
        assert search.query_box.value == "the"
        await pilot.press("k")
        assert search.results.highlighted in (1, 0)
        await pilot.press("s")  # back to the query
        assert pilot.app.focused is search.query_box
        await pilot.press("escape")  # closes, opening nothing
        await wait_for(lambda: pilot.app.screen is screen)
        assert screen.thread.current_conversation_id == screen.store.view_at(0).id
    await app.client.aclose()


async def test_a_malformed_query_is_a_sentence_and_a_miss_says_so(server: DemoServer, tmp_path: Path) -> None:
    app = local_app(server, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_index(pilot, 1)
        search = await search_for(pilot, '"open')
        assert search.status_text.startswith("unbalanced quote")
        assert "sqlite" not in screen_text(app).lower() and "fts5" not in screen_text(app).lower()
        await pilot.press(*"zzqx")
        await wait_for(lambda: search.answer is not None and search.answer.query == '"openzzqx')
        assert search.status_text.startswith("unbalanced")
        await pilot.press("home", "delete")  # drop the quote
        await wait_for(lambda: search.answer is not None and search.answer.query == "openzzqx")
        assert search.status_text == "no message matches “openzzqx”"
    await app.client.aclose()


async def test_an_empty_index_says_how_to_fill_it(server: DemoServer, tmp_path: Path) -> None:
    app = local_app(server, tmp_path, offline=True)  # offline: no prefetch can store a thread
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted)
        search = await search_for(pilot, "pricing")
        assert "nothing is indexed yet: open threads or wait for the prefetch; 0 threads stored" in (
            search.status_text
        )
    await app.client.aclose()


async def test_the_palette_opens_the_search(server: DemoServer, tmp_path: Path) -> None:
    app = local_app(server, tmp_path)
    async with app.run_test(size=(80, 24)):
        await loaded(app)
        await main_screen(app).run_action("search")  # what the palette entry runs
        await wait_for(lambda: isinstance(app.screen, SearchScreen))
    await app.client.aclose()


async def test_every_search_key_in_help_is_bound(server: DemoServer, tmp_path: Path) -> None:
    app = local_app(server, tmp_path, offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted)
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        assert isinstance(search, SearchScreen)
        bound = set(search._bindings.key_to_bindings) | set(search.results._bindings.key_to_bindings)
        assert {"j", "k", "down", "up", "enter", "s", "slash", "escape"} <= bound
    await app.client.aclose()


def test_search_results_snapshot(snap_compare: SnapCompare, server: DemoServer, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await open_and_index(pilot, 0)
        await pilot.press("escape")
        await open_and_index(pilot, 2)
        await wait_for(lambda: index_of(screen).indexed_threads() == 2)
        await pilot.press("escape")
        search = await search_for(pilot, "you OR the")
        await wait_for(lambda: bool(search.answer and len(search.answer.hits) > 3))
        await pilot.press("enter", "j")
        await pilot.pause(0.2)

    assert snap_compare(local_app(server, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_a_hit_is_drawn_literally_and_cut_to_the_width() -> None:
    from datetime import UTC, datetime

    from lemlist_inbox.inbox.search import HIT_END, HIT_START, SearchHit
    from lemlist_inbox.ui.format import ASCII, UNICODE
    from lemlist_inbox.ui.screens.search import hit_prompt

    hit = SearchHit(
        contact_id="ctc_1",
        message_id="m1",
        created=datetime(2026, 11, 3, 9, 5, tzinfo=UTC).timestamp(),
        subject=f"[bold red]Re:[/] {HIT_START}pricing{HIT_END} \x1b[31m",
        sender="Ana",
        snippet=f"a [link=https://evil]click[/link] about {HIT_START}pricing{HIT_END}\nnext line …",
        channel="email",
        contact="Zoë [i]Lopez[/i]",
    )
    for glyphs in (UNICODE, ASCII):
        prompt = hit_prompt(hit, 60, REFERENCE, glyphs)
        first, second = prompt.plain.split("\n")
        assert "[bold red]Re:[/] pricing" in first and "Zoë [i]Lopez" in first and "\x1b" not in first
        assert second.startswith("  a [link=https://evil]click[/link] about pricing next line")
        assert len(first) <= 60 and len(second) <= 60
        assert any("reverse" in str(span.style) for span in prompt.spans)  # the matched words
    assert "…" not in hit_prompt(hit, 60, REFERENCE, ASCII).plain
    narrow = hit_prompt(hit, 30, REFERENCE, UNICODE).plain.split("\n")
    assert all(len(line) <= 30 for line in narrow) and narrow[0].endswith("…")


async def test_threads_stored_before_the_index_are_indexed_after_the_start(
    server: DemoServer, tmp_path: Path
) -> None:
    app = local_app(server, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_index(pilot, 1)
        local = screen.local
        assert local is not None and local.db is not None
        # as a release without search left it: threads stored, no index, no version
        local.db.write("forget the index", lambda c: c.execute("DELETE FROM message_text"))
        local.db.write("forget the map", lambda c: c.execute("DELETE FROM message_rows"))
        local.db.write(
            "forget the version", lambda c: c.execute("DELETE FROM state WHERE key='search_index'")
        )
    await app.client.aclose()

    again = local_app(server, tmp_path, offline=True)
    async with again.run_test(size=(80, 24)):
        await wait_for(lambda: again.main_screen is not None and again.main_screen.is_mounted)
        screen = main_screen(again)
        await wait_for(lambda: screen.local is not None and screen.local.index_checked)
        index = index_of(screen)
        await wait_for(lambda: index.indexed_threads() == 1 and not index.stale())
    await again.client.aclose()


async def test_a_screenful_comes_first_and_the_rest_follows_below_it(
    server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lemlist_inbox.ui.screens import search as search_module

    monkeypatch.setattr(search_module, "FIRST_PAINT", 1)
    app = local_app(server, tmp_path)
    async with app.run_test(size=(80, 7)) as pilot:  # a screenful is 2 hits
        screen = await open_and_index(pilot, 0)
        await pilot.press("escape")
        await open_and_index(pilot, 2)
        await wait_for(lambda: index_of(screen).indexed_threads() == 2)
        await pilot.press("escape")
        expected = index_of(screen).search("you OR the", limit=200)
        search = await search_for(pilot, "you OR the")
        first = search._screenful()
        assert len(expected) > first  # else this test shows nothing
        await wait_for(lambda: search.answer is not None and len(search.answer.hits) == len(expected))
        await wait_for(lambda: search.results.option_count == len(expected))
        assert [h.message_id for h in search.answer.hits] == [h.message_id for h in expected]
        assert search.status_text.startswith(f"{len(expected)} messages")
    await app.client.aclose()
