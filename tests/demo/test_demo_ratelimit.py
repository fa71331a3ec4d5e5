"""The stand-in enforces lemlist's 20 requests / 2 s per key, with the documented headers."""

from __future__ import annotations

import httpx

from lemlist_inbox.demo import DemoServer
from lemlist_inbox.demo.ratelimit import SlidingWindowLimiter


def test_the_21st_request_in_a_window_is_429_with_headers(server: DemoServer, http: httpx.Client) -> None:
    server.faults.period = 60.0  # a window no test run can outlive: counts, not timing
    remaining = []
    for _ in range(20):
        response = http.get("/team")
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "20"
        assert "X-RateLimit-Reset" in response.headers
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == list(range(19, -1, -1))
    refused = http.get("/team")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("text/plain")
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Limit"] == "20"
    # Refused requests are logged but do not extend the window.
    assert [r.status for r in server.log].count(429) == 1


def test_limit_is_per_key_and_configurable(server: DemoServer, http: httpx.Client) -> None:
    server.faults.period = 60.0
    server.faults.max_calls = 3
    assert [http.get("/team").status_code for _ in range(4)] == [200, 200, 200, 429]
    server.api_key = "second-key"
    other = httpx.get(server.base_url + "/team", auth=("", "second-key"))
    assert other.status_code == 200
    assert other.headers["X-RateLimit-Limit"] == "3"


def test_rate_limit_can_be_switched_off(server: DemoServer, http: httpx.Client) -> None:
    server.faults.rate_limit = False
    server.faults.max_calls = 2
    assert {http.get("/team").status_code for _ in range(10)} == {200}


def test_unauthenticated_requests_do_not_use_the_window(server: DemoServer, http: httpx.Client) -> None:
    server.faults.period = 60.0
    server.faults.max_calls = 2
    for _ in range(5):
        assert httpx.get(server.base_url + "/team").status_code == 401
    assert [http.get("/team").status_code for _ in range(3)] == [200, 200, 429]


def test_window_slides_with_the_clock() -> None:
    now = [100.0]
    limiter = SlidingWindowLimiter(clock=lambda: now[0])
    assert all(limiter.check("k", 2, 2.0).allowed for _ in range(2))
    now[0] = 101.0
    refused = limiter.check("k", 2, 2.0)
    assert not refused.allowed
    assert refused.retry_after == 1
    now[0] = 101.99
    assert not limiter.check("k", 2, 2.0).allowed
    now[0] = 102.0  # the first two left the window together
    assert limiter.check("k", 2, 2.0).allowed
    assert limiter.check("k", 2, 2.0).allowed
    assert not limiter.check("k", 2, 2.0).allowed
    assert limiter.check("other-key", 2, 2.0).allowed
