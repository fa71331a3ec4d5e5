"""The API key never shows: not in an error's str/repr/traceback, a repr, or any log line.

Runs the fault scenarios against a stand-in whose key is a recognisable secret, with
every logger (ours, httpx, httpcore) captured at DEBUG and no redacting handler in
between: what is checked is what the api layer itself emits.
"""

from __future__ import annotations

import base64
import logging
import traceback
from collections.abc import Awaitable, Callable

import pytest
from api_helpers import FAST_POLICY

from lemlist_inbox.api import LemlistClient, LemlistError, RateLimiter
from lemlist_inbox.demo import DemoServer, Faults

KEY = "sk-live-TOPSECRET-4c1d9e77b0"
WRONG_KEY = "sk-live-WRONGSECRET-aa99"
FORBIDDEN = [KEY, WRONG_KEY] + [base64.b64encode(f":{k}".encode()).decode() for k in (KEY, WRONG_KEY)]


def client_for(server: DemoServer, key: str = KEY, **kwargs: object) -> LemlistClient:
    kwargs.setdefault("max_retries", 2)
    kwargs.setdefault("retry_policy", FAST_POLICY)
    kwargs.setdefault("rate_limiter", RateLimiter(1000, 1.0))
    return LemlistClient(key, base_url=server.base_url, **kwargs)  # type: ignore[arg-type]


Scenario = Callable[[DemoServer], Awaitable[None]]


async def wrong_key(server: DemoServer) -> None:
    async with client_for(server, WRONG_KEY) as client:
        await client.team_users()


def team_users_under(name: str, **knobs: object) -> Scenario:
    """The scenario: the team call against the stand-in with these fault knobs set."""

    async def scenario(server: DemoServer) -> None:
        for knob, value in knobs.items():
            setattr(server.faults, knob, value)
        async with client_for(server) as client:
            await client.team_users()

    scenario.__name__ = name
    return scenario


server_errors = team_users_under("server_errors", error_every=1)
rate_limited = team_users_under("rate_limited", burst_429=10)
html_page = team_users_under("html_page", html_every=1)
truncated = team_users_under("truncated", truncate_every=1, truncate_mode="json")
resets = team_users_under("resets", reset_every=1)


async def timeout(server: DemoServer) -> None:
    server.faults.slow_body = 0.6
    async with client_for(server, timeout=0.2) as client:
        await client.team_users()


async def revoked(server: DemoServer) -> None:
    async with client_for(server) as client:
        await client.team_users()
        server.api_key = "rotated"
        await client.team_users()


async def gone(server: DemoServer) -> None:
    async with client_for(server) as client:
        await client.team_users()
        server.stop()
        await client.team_users()


async def bad_user(server: DemoServer) -> None:
    async with client_for(server) as client:
        await client.conversations_page("", 1)


async def faulty_load_succeeds(server: DemoServer) -> None:
    server.faults.error_every = 3
    server.faults.reset_every = 5
    async with client_for(server, max_retries=6) as client:
        user = (await client.team_users())[0].user_id
        async for _ in client.iter_conversation_pages(user):
            pass
        await client.thread(server.dataset.conversations[0]["contactId"], user_id=user, mark_as_read=True)
    raise LemlistError(f"done: {client!r} {client.stats}")


SCENARIOS = [
    wrong_key,
    server_errors,
    rate_limited,
    html_page,
    truncated,
    resets,
    timeout,
    revoked,
    gone,
    bad_user,
    faulty_load_succeeds,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_key_never_leaks(scenario: Scenario, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = DemoServer(conversations=250, api_key=KEY, faults=Faults(rate_limit=False))
    with server, pytest.raises(LemlistError) as info:
        await scenario(server)
    error = info.value
    renderings = [
        str(error),
        repr(error),
        error.message,
        "".join(traceback.format_exception(error)),
        caplog.text,
        *(record.getMessage() for record in caplog.records),
    ]
    for text in renderings:
        for secret in FORBIDDEN:
            assert secret not in text
    assert caplog.records, "the scenario did log something (so the check is not vacuous)"
