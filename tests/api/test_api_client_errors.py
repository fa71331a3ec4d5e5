"""Status codes, bodies and transport failures become typed errors with clear messages."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from api_helpers import SECRET_KEY, Recorder, make_client

from lemlist_inbox.api import (
    AuthError,
    BadRequestError,
    InvalidResponseError,
    LemlistClient,
    LemlistError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    ServerError,
)

TEAM = {"users": [{"userId": "usr_a", "name": "Ann"}]}
JSON_TYPE = {"content-type": "application/json"}


def text(status: int, body: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, text=body, headers={"content-type": "text/plain", **headers})


async def test_basic_auth_has_empty_login_and_key_as_password() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=TEAM))
    async with make_client(rec) as client:
        await client.team_users()
    request = rec.requests[0]
    expected = "Basic " + base64.b64encode(f":{SECRET_KEY}".encode()).decode()
    assert request.headers["authorization"] == expected
    assert SECRET_KEY not in str(request.url)
    assert request.url.path == "/api/team"
    assert request.url.params["version"] == "v2"


async def test_timeouts_are_explicit() -> None:
    async with make_client(lambda r: httpx.Response(200, json=TEAM), timeout=7.0) as client:
        timeout = client._http.timeout
    assert (timeout.read, timeout.write, timeout.pool) == (7.0, 7.0, 7.0)
    assert timeout.connect == 7.0


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (401, "The authentication you supplied is incorrect", AuthError, ["API key", "revoked"]),
        (403, "User linked to this API key is blocked", AuthError, ["API key", "blocked"]),
        (400, "User ID is required", BadRequestError, ["User ID is required"]),
        (402, "Not enough credits", PaymentRequiredError, ["credits"]),
        (404, "Contact not found", NotFoundError, ["Contact not found"]),
        (418, "I'm a teapot", LemlistError, ["418"]),
    ],
)
async def test_client_errors_are_typed_and_not_retried(
    status: int, body: str, error: type[LemlistError], words: list[str]
) -> None:
    rec = Recorder(lambda r: text(status, body))
    async with make_client(rec) as client:
        with pytest.raises(error) as info:
            await client.team_users()
        assert client.stats.errors == 1
        assert client.stats.retries == 0
    assert len(rec.requests) == 1, "4xx must not be retried"
    assert info.value.status == status
    for word in words:
        assert word in str(info.value)


async def test_5xx_is_retried_then_succeeds() -> None:
    answers = iter([text(503, "busy"), text(500, "oops"), httpx.Response(200, json=TEAM)])
    rec = Recorder(lambda r: next(answers))
    async with make_client(rec) as client:
        users = await client.team_users()
        assert client.stats.retries == 2
        assert client.stats.requests == 3
    assert [u.user_id for u in users] == ["usr_a"]


async def test_5xx_beyond_budget_is_server_error() -> None:
    rec = Recorder(lambda r: text(502, "bad gateway"))
    async with make_client(rec, max_retries=2) as client:
        with pytest.raises(ServerError) as info:
            await client.team_users()
    assert len(rec.requests) == 3
    assert "502" in str(info.value) and "bad gateway" in str(info.value)
    assert not isinstance(info.value, NetworkError)


async def test_429_waits_retry_after_then_succeeds() -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    answers = iter([text(429, "slow down", **{"retry-after": "0.015"}), httpx.Response(200, json=TEAM)])
    async with make_client(lambda r: next(answers), sleep=sleep) as client:
        await client.team_users()
        assert client.stats.rate_limited == 1
        assert client.stats.retries == 1
    assert len(sleeps) == 1
    assert 0.015 <= sleeps[0] <= 0.015 + 0.001 + 1e-9  # Retry-After plus at most the jitter


async def test_429_without_retry_after_uses_the_default() -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    answers = iter([text(429, ""), httpx.Response(200, json=TEAM)])
    async with make_client(lambda r: next(answers), sleep=sleep) as client:
        await client.team_users()
    assert sleeps and sleeps[0] >= 0.01


async def test_429_beyond_budget_is_rate_limited_error() -> None:
    rec = Recorder(lambda r: text(429, "Too many requests", **{"retry-after": "0"}))
    async with make_client(rec, max_retries=2) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.team_users()
        assert client.stats.rate_limited == 3
    assert len(rec.requests) == 3
    assert "429" in str(info.value)


async def test_html_200_is_invalid_response_after_one_retry() -> None:
    page = "<!DOCTYPE html><html><body>Welcome to lemlist</body></html>"
    rec = Recorder(lambda r: httpx.Response(200, text=page, headers={"content-type": "text/html"}))
    async with make_client(rec, base_url="https://www.example.test/app", max_retries=5) as client:
        with pytest.raises(InvalidResponseError) as info:
            await client.team_users()
    assert len(rec.requests) == 2, "an HTML page gets one more try, not the whole budget"
    message = str(info.value)
    assert "https://www.example.test/app" in message
    assert "check the base URL" in message
    assert "<" not in message


async def test_truncated_json_is_retried_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(200, content=b'{"users": [{"userId": "us', headers=JSON_TYPE),
            httpx.Response(200, json=TEAM),
        ]
    )
    async with make_client(lambda r: next(answers)) as client:
        users = await client.team_users()
        assert client.stats.retries == 1
    assert len(users) == 1


async def test_truncated_json_every_time_is_invalid_response() -> None:
    rec = Recorder(lambda r: httpx.Response(200, content=b'{"data": [', headers=JSON_TYPE))
    async with make_client(rec, max_retries=2) as client:
        with pytest.raises(InvalidResponseError):
            await client.conversations_page("usr_a", 1)
    assert len(rec.requests) == 3


async def test_json_of_the_wrong_shape_is_invalid_without_retry() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json={"hello": "world"}))
    async with make_client(rec) as client:
        with pytest.raises(InvalidResponseError):
            await client.conversations_page("usr_a", 1)
        assert client.stats.errors == 1
    assert len(rec.requests) == 1


async def test_404_html_page_points_at_the_base_url() -> None:
    html = {"content-type": "text/html"}
    rec = Recorder(lambda r: httpx.Response(404, text="<html>nope</html>", headers=html))
    async with make_client(rec) as client:
        with pytest.raises(InvalidResponseError, match="check the base URL"):
            await client.team_users()


async def test_redirect_is_not_followed() -> None:
    rec = Recorder(lambda r: httpx.Response(301, headers={"location": "https://elsewhere.test/"}))
    async with make_client(rec) as client:
        with pytest.raises(InvalidResponseError, match="redirect"):
            await client.team_users()
    assert len(rec.requests) == 1


async def test_connect_error_is_retried_then_network_error_naming_the_host() -> None:
    calls = 0
    refusing = False

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if refusing:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return httpx.Response(200, json=TEAM)

    async with make_client(handler, base_url="https://api.lemlist.com/api", max_retries=3) as client:
        await client.team_users()
        refusing = True
        calls = 0
        with pytest.raises(NetworkError) as info:
            await client.team_users()
    assert calls == 4, "a server that answered before gets the whole budget"
    assert str(info.value) == "cannot reach api.lemlist.com: connection refused"


async def test_nobody_there_on_first_contact_fails_fast() -> None:
    calls = 0

    def refuse(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with make_client(refuse, base_url="http://localhost:9/api", max_retries=5) as client:
        with pytest.raises(NetworkError, match="cannot reach localhost:9: connection refused"):
            await client.team_users()
    assert calls == 2, "a wrong base URL is reported after one more try, not the whole budget"


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ReadTimeout("timed out"), "timed out"),
        (httpx.ConnectTimeout("timed out"), "connection timed out"),
        (httpx.RemoteProtocolError("peer closed connection"), "closed before a complete answer"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "connection reset by peer"),
    ],
)
async def test_transport_failures_recover_on_retry(exc: httpx.TransportError, words: str) -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise exc
        return httpx.Response(200, json=TEAM)

    async with make_client(flaky) as client:
        await client.team_users()
        assert client.stats.retries == 1

    def always(request: httpx.Request) -> httpx.Response:
        raise exc

    async with make_client(always, max_retries=1) as client:
        with pytest.raises(NetworkError, match=words):
            await client.team_users()


async def test_server_message_is_cleaned_and_cut() -> None:
    body = "\x1b[2Jbad\x07 thing\r\n" + "x" * 1000
    async with make_client(lambda r: text(400, body)) as client:
        with pytest.raises(BadRequestError) as info:
            await client.team_users()
    message = str(info.value)
    assert "\x1b" not in message and "\x07" not in message and "\r" not in message and "\n" not in message
    assert "bad thing" in message
    assert len(message) < 300


async def test_a_server_echoing_the_key_does_not_leak_it() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return text(400, f"bad key {SECRET_KEY} in {request.headers['authorization']}")

    async with make_client(echo) as client:
        with pytest.raises(BadRequestError) as info:
            await client.team_users()
    encoded = base64.b64encode(f":{SECRET_KEY}".encode()).decode()
    for rendering in (str(info.value), repr(info.value), info.value.message):
        assert SECRET_KEY not in rendering
        assert encoded not in rendering


async def test_repr_hides_the_key() -> None:
    async with make_client(lambda r: httpx.Response(200, json=TEAM)) as client:
        assert SECRET_KEY not in repr(client)
        assert "api.example.test" in repr(client)


async def test_bad_scheme_is_a_clear_error_without_retry() -> None:
    async with LemlistClient(SECRET_KEY, base_url="ftp://api.example.test/api") as client:
        with pytest.raises(LemlistError, match="base URL") as info:
            await client.team_users()
        assert client.stats.retries == 0
    assert SECRET_KEY not in str(info.value)


async def test_html_200_after_json_gets_the_full_budget() -> None:
    page = httpx.Response(200, text="<html>portal</html>", headers={"content-type": "text/html"})
    answers = iter([httpx.Response(200, json=TEAM), page, page, page, httpx.Response(200, json=TEAM)])
    async with make_client(lambda r: next(answers), max_retries=3) as client:
        await client.team_users()
        await client.team_users()
        assert client.stats.retries == 3


async def test_cancelling_a_call_frees_its_slot_and_is_not_retried() -> None:
    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with make_client(hang) as client:
        task = asyncio.create_task(client.team_users())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert client.rate_limiter.in_flight == 0
        assert client.stats.retries == 0
        assert client.stats.requests == 1


async def test_html_after_json_does_not_blame_the_base_url() -> None:
    """Once the server has answered with JSON the URL is right: the advice is to retry."""
    html = False

    def handler(request: httpx.Request) -> httpx.Response:
        if html:
            return httpx.Response(200, text="<html>proxy error</html>", headers={"Content-Type": "text/html"})
        return httpx.Response(200, json={"users": []})

    async with make_client(handler, max_retries=1) as client:
        await client.team_users()
        html = True
        with pytest.raises(InvalidResponseError) as info:
            await client.team_users()
    assert "base URL" not in str(info.value)
    assert str(info.value).endswith("try again")
