"""The list's ages and dates on screen: they tick, agree with each other, and read the same
at every width."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from textual.app import App, ComposeResult
from ui_helpers import REFERENCE, ServerFactory, loaded, make_app, wait_for

from lemlist_inbox.api.models import Conversation
from lemlist_inbox.inbox.store import ConversationStore
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.widgets.conversation_list import ConversationList
from tui_harness import screen_lines

ME = "usr_me"
#: A date at the end of a row, in any order a list could write it ("7 Dec", "Dec 7", "Dec 2023").
DATE = re.compile(r"(\d{1,2} [A-Z][a-z]{2}|[A-Z][a-z]{2} \d{1,4})\s*$")


def conv(n: int, when: datetime) -> Conversation:
    return Conversation.model_validate(
        {
            "_id": f"ibx_{n}",
            "contactId": f"ctc_{n}",
            "lastActivityAt": when.isoformat(),
            "users": [{"userId": ME, "read": True}],
            "contact": {"fullName": f"Person {n}", "email": f"p{n}@example.com"},
        }
    )


class ListApp(App[None]):
    """Just the list over a hand-made store, on the clock given."""

    def __init__(self, store: ConversationStore, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.store = store
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield ConversationList(self.store, clock=self.clock, id="list")

    def on_mount(self) -> None:
        self.query_one(ConversationList).sync()


def ages(app: App[None], rows: int) -> list[str]:
    """The time column of the first ``rows`` rows, as on screen."""
    return [line.split()[-1] for line in screen_lines(app)[:rows]]


def store_of(*moments: datetime) -> ConversationStore:
    store = ConversationStore(ME)
    store.merge([conv(n, when) for n, when in enumerate(moments)])
    return store


async def test_ages_tick_when_the_clock_passes_a_minute() -> None:
    # A real clock, half a second before a minute ends: the list must repaint its ages
    # when that minute ends, not some time later.
    started, origin = time.monotonic(), REFERENCE - timedelta(seconds=0.5)

    def clock() -> datetime:
        moment: datetime = origin + timedelta(seconds=time.monotonic() - started)
        return moment

    store = store_of(REFERENCE - timedelta(minutes=4, seconds=30), REFERENCE - timedelta(hours=2))
    app = ListApp(store, clock)
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        first = ages(app, 2)
        if clock() < REFERENCE:  # painted before the minute ended (the machine was not slower)
            assert first == ["4m", "1h"], first
        await wait_for(lambda: ages(app, 2) == ["5m", "2h"])


async def test_every_row_of_the_same_minute_shows_the_same_age() -> None:
    minute = REFERENCE - timedelta(minutes=5)  # 09:40
    now = REFERENCE + timedelta(seconds=30)  # 09:45:30: 5 min 25 s after 09:40:05, 4 min 35 s after 09:40:55
    store = store_of(
        minute + timedelta(seconds=5), minute + timedelta(seconds=30), minute + timedelta(seconds=55)
    )
    app = ListApp(store, lambda: now)
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        assert ages(app, 3) == ["5m", "5m", "5m"]


async def test_moving_the_cursor_never_shows_two_ages_for_one_minute() -> None:
    """Rows repainted later (the cursor's) use the same "now" as the rows around them."""
    now = [REFERENCE - timedelta(minutes=2, seconds=50)]  # 09:42:10
    store = store_of(*[REFERENCE - timedelta(minutes=5, seconds=30)] * 4)  # 09:39:30
    app = ListApp(store, lambda: now[0])
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        shown = ages(app, 4)
        assert len(set(shown)) == 1, shown
        now[0] += timedelta(seconds=40)  # 09:42:50, the same clock minute
        await pilot.press("j", "j")
        await pilot.pause()
        assert ages(app, 4) == shown


async def test_one_date_format_at_80_and_160_columns(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(40)
    lines: dict[int, dict[str, str]] = {}
    for width, height in ((80, 24), (160, 45)):
        app = make_app(server, page_size=100)
        apps.append(app)
        async with app.run_test(size=(width, height)) as pilot:
            screen = await loaded(app)
            await pilot.pause()
            region = screen.conversation_list.region
            rows = screen_lines(app)[region.y : region.y + 18]
            lines[width] = {
                screen.store.view_at(i).id: row[region.x : region.right] for i, row in enumerate(rows)
            }
    checked = 0
    for conversation_id, narrow in lines[80].items():
        found = DATE.search(narrow.rstrip(" ▇▁▂▃▄▅▆█▐▌"))
        if found is None:  # an age ("5m"): the wide list shows it too, beside the date
            continue
        checked += 1
        assert found.group(1) in lines[160][conversation_id], (narrow, lines[160][conversation_id])
    assert checked >= 3, "the data has conversations older than a week"
