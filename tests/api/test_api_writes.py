"""Writes (sends, drafts) are sent once and never retried; what a failure means is in its type.

Over loopback against the stand-in where the network matters (what reached the server is
counted on ``DemoServer.writes``), over a mock transport for answers the stand-in never gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_helpers import FAST_POLICY, SECRET_KEY, make_client

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.api.errors import (
    BadRequestError,
    DraftLimitError,
    NetworkError,
    RateLimitedError,
    ServerError,
    UncertainWriteError,
)
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer

VICTOIRE = "ctc_wfKeM8EmiTikud7QE"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=20) as srv:
        srv.faults.write_stall = 5.0
        yield srv
    assert srv.errors == []


def loopback(server: DemoServer, timeout: float = 1.0) -> LemlistClient:
    return LemlistClient(
        DEMO_API_KEY, base_url=server.base_url, retry_policy=FAST_POLICY, max_retries=5, timeout=timeout
    )


def payload(server: DemoServer) -> dict[str, Any]:
    sender = server.dataset.senders[0]
    return {
        "sendUserId": sender.user_id,
        "sendUserEmail": sender.email,
        "sendUserMailboxId": sender.mailbox_id,
        "contactId": VICTOIRE,
        "message": "<p>once</p>",
        "replyToActivityId": "latest",
    }


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (503, ServerError, "was not sent"),
        (429, RateLimitedError, "was not sent"),
        (500, UncertainWriteError, "may have gone through"),
        (502, UncertainWriteError, "may have gone through"),
        (504, UncertainWriteError, "may have gone through"),
    ],
)
async def test_a_write_that_fails_is_never_sent_again_by_the_client(
    server: DemoServer, status: int, error: type[Exception], words: str
) -> None:
    server.faults.write_failures = 5
    server.faults.write_status = status
    async with loopback(server) as client:
        with pytest.raises(error, match=words) as caught:
            await client.send_payload("email", payload(server))
    assert len(server.writes) == 1  # a GET would have been retried; a write is not
    assert type(caught.value) is error  # a 503 is not "maybe sent", a 500 is not "not sent"


async def test_no_answer_after_the_request_left_is_uncertain_and_not_resent(server: DemoServer) -> None:
    server.faults.write_timeouts = 1
    async with loopback(server, timeout=0.5) as client:
        with pytest.raises(UncertainWriteError, match=r"timed out.*may have gone through"):
            await client.send_payload("email", payload(server))
    assert len(server.writes) == 1 and len(server.sent()) == 1
    server.faults.write_resets = 1
    async with loopback(server) as client:
        with pytest.raises(UncertainWriteError, match="may have gone through"):
            await client.send_payload("email", payload(server))
    assert len(server.writes) == 2


async def test_a_request_that_never_left_is_certainly_not_sent(server: DemoServer) -> None:
    url = server.base_url
    server.stop()
    async with LemlistClient(DEMO_API_KEY, base_url=url, retry_policy=FAST_POLICY, timeout=1) as client:
        with pytest.raises(NetworkError) as caught:
            await client.send_payload("email", payload(server))
    assert not isinstance(caught.value, UncertainWriteError)


async def test_lemlists_refusal_is_shown_in_one_clean_line_without_the_key() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, text=f"Invalid sendUserMailboxId\n\x1b[31m{SECRET_KEY}\u202e", request=request
        )

    async with make_client(answer) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.send_payload("email", {"contactId": "ctc_1", "message": "x"})
    message = str(caught.value)
    assert message.startswith("lemlist refused the reply (HTTP 400: Invalid sendUserMailboxId")
    assert SECRET_KEY not in message and "<redacted>" in message
    assert message.isprintable()


@pytest.mark.parametrize(
    ("response", "ok"),
    [
        (httpx.Response(200, json={"ok": True, "contactId": "ctc_1"}), True),
        (httpx.Response(200, text=""), None),  # WhatsApp's documented "Success" has no body
        (httpx.Response(200, text="Success", headers={"content-type": "text/plain"}), None),
        (httpx.Response(201, json=["odd", "but", "a", "yes"]), None),
    ],
)
async def test_any_plain_yes_from_lemlist_is_a_sent_reply(response: httpx.Response, ok: bool | None) -> None:
    async with make_client(lambda request: response) as client:
        result = await client.send_payload("whatsapp", {"contactId": "ctc_1", "message": "x"})
    assert result.ok is ok


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, json={"ok": False}),
        httpx.Response(200, text="<!DOCTYPE html><html>Sign in to the Wi-Fi</html>"),
    ],
)
async def test_a_2xx_that_does_not_confirm_is_uncertain(response: httpx.Response) -> None:
    async with make_client(lambda request: response) as client:
        with pytest.raises(UncertainWriteError):
            await client.send_payload("email", {"contactId": "ctc_1", "message": "x"})


async def test_draft_limits_are_clear_and_the_size_is_checked_before_asking() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(400, text="Draft limit reached (max 10 per conversation)")

    async with make_client(answer, retry_policy=FAST_POLICY) as client:
        with pytest.raises(DraftLimitError, match="up to 30 KB"):
            await client.create_draft("ctc_1", "usr_1", {"channel": "email", "content": "x" * 40_000})
        assert seen == []
        with pytest.raises(DraftLimitError, match=r"already has 10 drafts.*lemlist-inbox drafts ctc_1"):
            await client.create_draft("ctc_1", "usr_1", {"channel": "email", "content": "x"})
    assert [r.method for r in seen] == ["POST"] and seen[0].url.params["draftOwner"] == "usr_1"


async def test_drafts_round_trip_against_the_stand_in(server: DemoServer) -> None:
    owner = str(server.dataset.users[0]["userId"])
    async with loopback(server) as client:
        draft_id = await client.create_draft(VICTOIRE, owner, {"channel": "email", "content": "<p>a</p>"})
        assert draft_id in {d.id for d in await client.drafts(VICTOIRE, owner)}
        updated = await client.update_draft(VICTOIRE, draft_id, owner, {"content": "<p>b</p>"})
        assert updated is not None and updated.content == "<p>b</p>"
        assert (await client.draft(VICTOIRE, draft_id, owner)).content == "<p>b</p>"
        await client.delete_draft(VICTOIRE, draft_id, owner)
        assert draft_id not in {d.id for d in await client.drafts(VICTOIRE, owner)}
        user = await client.user(owner)
    assert [m.id for m in user.mailboxes] == [server.dataset.senders[0].mailbox_id]
    assert user.whatsapp_account_ids == [server.dataset.senders[0].whatsapp_account_id]
