"""Servers that lie, over real loopback HTTP: every case ends in one clear error or a
complete, de-duplicated result, within seconds (the stand-in's ``Faults.lie`` modes).

Each bound is checked by what it prevents (requests sent, items kept, messages
raised), never by the clock, so a loaded machine cannot make these fail.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator

import pytest
from api_helpers import SECRET_KEY, live_client

from lemlist_inbox.api import (
    BadRequestError,
    InvalidResponseError,
    LemlistClient,
    RateLimitedError,
    RateLimiter,
    RetryPolicy,
    ServerError,
)
from lemlist_inbox.api.client import MAX_THREAD_MESSAGES
from lemlist_inbox.api.errors import InvalidIdError, TooLargeError
from lemlist_inbox.api.models import MAX_USERS_PER_CONVERSATION
from lemlist_inbox.api.timestamps import instant_key, parse_time
from lemlist_inbox.demo import DemoServer, Faults, lies

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=250, api_key=SECRET_KEY, faults=Faults(rate_limit=False)) as srv:
        yield srv


def client_for(server: DemoServer, **kwargs: object) -> LemlistClient:
    kwargs.setdefault("rate_limiter", RateLimiter(1000, 1.0))
    return live_client(server.base_url, SECRET_KEY, **kwargs)


def user_of(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


def first_contact(server: DemoServer) -> str:
    return str(server.dataset.conversations[0]["contactId"])


async def load_ids(client: LemlistClient, user: str) -> list[str]:
    return [c.id async for page in client.iter_conversation_pages(user) for c in page.items]


# ---- decompression bombs ------------------------------------------------------------


@pytest.fixture(scope="module")
def bombs_built() -> None:
    """Build the stand-in's bombs before the client asks for one (cached per process).

    Building one hashes a gigabyte of zeros: seconds of the server's CPU on a busy
    machine, inside the first request, so the client's 5 s timeout fired, the
    request was retried, and "one request, never retried" failed for the server's
    slowness, not the client's.
    """
    lies.bomb(31)
    lies.bomb(15)


@pytest.mark.parametrize("mode", ["gzip-bomb", "deflate-bomb"])
async def test_body_that_inflates_to_a_gigabyte_is_one_error_never_retried(
    server: DemoServer, mode: str, bombs_built: None
) -> None:
    server.faults.lie = mode
    tracemalloc.start()
    try:
        async with client_for(server, max_retries=4) as client:
            with pytest.raises(TooLargeError, match=r"^lemlist sent more than 32 MB for one page$"):
                await client.conversations_page(user_of(server), 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(server.requests("/api/inbox")) == 1, "the same request would bring the same flood"
    assert peak < 200 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB traced for a 32 MB cap"


async def test_thread_that_inflates_to_a_gigabyte_is_one_error(server: DemoServer, bombs_built: None) -> None:
    server.faults.lie = "gzip-bomb"
    async with client_for(server) as client:
        with pytest.raises(TooLargeError, match="more than 32 MB"):
            await client.thread(first_contact(server))
    assert len(server.requests("/api/inbox/")) == 1


# ---- pagination that never ends -------------------------------------------------------


@pytest.mark.parametrize("mode", ["endless-pages", "bare-array"])
async def test_pages_that_repeat_forever_end_at_the_first_page_with_nothing_new(
    server: DemoServer, mode: str
) -> None:
    server.faults.lie = mode
    async with client_for(server) as client:
        got = await load_ids(client, user_of(server))
    assert got == server.dataset.conversations.ids()[:100], "page 1, once"
    # Page 1, the concurrent look-ahead, and a bounded check: not a billion pages.
    assert len(server.requests("/api/inbox")) <= 40


async def test_thread_that_never_ends_is_cut_at_the_message_cap_and_says_so(server: DemoServer) -> None:
    server.faults.lie = "endless-thread"
    async with client_for(server) as client:
        thread = await client.thread(first_contact(server))
    assert len(thread.messages) == MAX_THREAD_MESSAGES
    assert len({m.id for m in thread.messages}) == MAX_THREAD_MESSAGES
    assert thread.truncated
    assert thread.notice == f"thread truncated at {MAX_THREAD_MESSAGES} messages"
    assert len(server.requests("/api/inbox/")) <= MAX_THREAD_MESSAGES // 100 + 1


async def test_thread_that_repeats_its_page_ends_with_each_message_once(server: DemoServer) -> None:
    server.faults.lie = "repeat-thread"
    contact = first_contact(server)
    async with client_for(server) as client:
        thread = await client.thread(contact, page_size=2)
    served = server.dataset.thread(contact)[:2]
    assert sorted(m.id for m in thread.messages) == sorted(m["_id"] for m in served)
    assert len(server.requests("/api/inbox/")) == 2
    assert not thread.truncated


# ---- Retry-After and the retry budget -------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "pattern"),
    [("retry-after-day", r"^rate-limited by lemlist for 1440 min"), ("retry-after-date", r"for \d{5,} min")],
)
async def test_retry_after_beyond_the_bound_fails_at_once(
    server: DemoServer, mode: str, pattern: str
) -> None:
    server.faults.lie = mode
    async with client_for(server, max_retries=5) as client:
        with pytest.raises(RateLimitedError, match=pattern):
            await client.team_users()
        # No hold was put on everyone else for a day.
        server.faults.lie = ""
        users = await client.team_users()
    assert users
    assert [r.status for r in server.requests("/api/team")] == [429, 200]


async def test_total_time_spent_retrying_one_request_is_bounded() -> None:
    faults = Faults(rate_limit=False, error_every=1)
    with DemoServer(conversations=10, faults=faults) as srv:
        policy = RetryPolicy(backoff_base=0.1, max_backoff=0.1, jitter=0.0, max_total=0.5)
        async with live_client(
            srv.base_url,
            "demo-key",
            retry_policy=policy,
            max_retries=1000,
            rate_limiter=RateLimiter(1000, 1.0),
        ) as client:
            with pytest.raises(ServerError, match="HTTP 500"):
                await client.team_users()
    # A 0.5 s budget at 0.1 s a wait: a handful of attempts, not a thousand.
    assert len(srv.requests("/api/team")) <= 7


# ---- JSON that cannot be read whole -----------------------------------------------------


async def test_json_nested_100000_deep_is_one_clean_error(server: DemoServer) -> None:
    server.faults.lie = "deep-json"
    async with client_for(server) as client:
        with pytest.raises(InvalidResponseError, match="nested too deeply"):
            await client.conversations_page(user_of(server), 1)
        with pytest.raises(InvalidResponseError, match="nested too deeply"):
            await client.thread(first_contact(server))


async def test_one_invalid_utf8_byte_costs_its_item_not_the_page(server: DemoServer) -> None:
    server.faults.lie = "bad-utf8"
    expected = server.dataset.conversations.ids()[:100]
    async with client_for(server) as client:
        page = await client.conversations_page(user_of(server), 1)
    assert page.skipped == 1
    assert page.skip_reasons == ["item 1: invalid UTF-8"]
    assert [c.id for c in page.items] == expected[:1] + expected[2:]
    surrogate = page.items[1]
    assert surrogate.contact is not None
    assert surrogate.contact.full_name == "Lone \ufffd surrogate", "a lone surrogate is replaced, item kept"
    for conv in page.items:
        conv.to_api_dict()  # no field holds a lone surrogate any more
        assert conv.model_dump_json()


# ---- dates at the ends of the calendar ------------------------------------------------------


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("tokyo")
async def test_years_9999_and_0001_never_crash_and_sort_by_instant(server: DemoServer) -> None:
    server.faults.lie = "far-dates"
    async with client_for(server) as client:
        page = await client.conversations_page(user_of(server), 1)
    first, second, east, west = page.items[:4]
    assert first.last_activity is None, "9999-12-31T23:59:59Z cannot be shown east of UTC"
    assert second.last_activity is None, "0001-01-01T00:00+05:00 is before year 1 in UTC"
    for conv in page.items:
        when = conv.last_activity
        if when is not None:
            when.astimezone()  # local time, here UTC+9: never OverflowError
    # "2024-06-01T12:00+14:00" sorts after "...T00:30-11:00" as a string, but is 13.5 h earlier.
    newest_first = sorted([east, west], key=lambda c: -instant_key(c.last_activity_at))
    assert newest_first == [west, east]


@pytest.mark.usefixtures("tokyo")
@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+05:00",
        "0001-01-01",
        "9999-12-31",
        "+275760-09-13T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "x" * 10_000,
    ],
)
def test_parse_time_gives_none_or_an_instant_every_zone_can_show(value: str) -> None:
    when = parse_time(value)
    if when is not None:
        when.astimezone()
        assert when.utcoffset() is not None
    assert isinstance(instant_key(value), float)


# ---- 10,000 users in one conversation --------------------------------------------------------


async def test_ten_thousand_users_are_cut_to_the_cap_keeping_the_viewer(server: DemoServer) -> None:
    server.faults.lie = "many-users"
    user = user_of(server)
    expected = {c["_id"]: c for c in server.dataset.page(0, 10)[0]}
    async with client_for(server) as client:
        # Ten per page: a hundred conversations of 10,000 users each pass the 32 MB cap.
        page = await client.conversations_page(user, 1, limit=10)
    assert len(page.items) == 10
    for conv in page.items:
        assert len(conv.users) <= MAX_USERS_PER_CONVERSATION + 1
        mine = [u for u in expected[conv.id]["users"] if u["userId"] == user]
        assert [u.user_id for u in conv.users if u.user_id == user] == [user] * len(mine)
        if mine:
            assert conv.is_read_by(user) == bool(mine[0]["read"])


# ---- ids that would walk to another endpoint ----------------------------------------------------

BAD_IDS = [
    "",
    ".",
    "..",
    "a/b",
    "../team",
    "a?b",
    "a#b",
    "a%2e",
    "a b",
    "a\tb",
    "a\x1b]0;x\x07",
    "a\u202eb",
    "a\x9bb",
]


@pytest.mark.parametrize("bad", BAD_IDS, ids=[repr(b) for b in BAD_IDS])
async def test_unusable_id_is_refused_before_any_request(server: DemoServer, bad: str) -> None:
    async with client_for(server) as client:
        with pytest.raises(InvalidIdError, match=r"^refused contact id"):
            await client.thread(bad, user_id=user_of(server), mark_as_read=True)
        with pytest.raises(InvalidIdError):
            await client.mark_read(bad, user_of(server))
        with pytest.raises(InvalidIdError, match=r"^refused user id"):
            await client.thread("ctc_ok", user_id=bad or " ", mark_as_read=True)
    assert server.requests() == []


async def test_ids_from_a_lying_list_are_refused_when_opened(server: DemoServer) -> None:
    server.faults.lie = "bad-ids"
    user = user_of(server)
    async with client_for(server) as client:
        page = await client.conversations_page(user, 1)
        server.clear_log()
        for conv in page.items[:5]:
            with pytest.raises(InvalidIdError):
                await client.thread(conv.thread_id or "", user_id=user, mark_as_read=True)
    assert server.requests() == [], "nothing was marked read anywhere"


# ---- a key echoed back -----------------------------------------------------------------------


async def test_key_echoed_split_by_zero_width_characters_is_redacted(server: DemoServer) -> None:
    server.faults.lie = "echo-key"
    async with client_for(server) as client:
        with pytest.raises(BadRequestError) as info:
            await client.team_users()
    message = str(info.value)
    assert SECRET_KEY not in message
    assert "\u200b" not in message
    assert "<redacted>" in message
    assert message.startswith("lemlist rejected the request (HTTP 400: Bad request: unknown key <redacted>")
