"""Each fault knob does what it says, over real loopback HTTP."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from lemlist_inbox.api.models import Conversation, parse_items
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, Faults


def statuses(http: httpx.Client, n: int, path: str = "/team") -> list[int]:
    return [http.get(path).status_code for _ in range(n)]


def test_faults_are_off_by_default() -> None:
    faults = Faults()
    assert (faults.latency, faults.burst_429, faults.error_every, faults.reset_every) == (0, 0, 0, 0)
    assert (faults.truncate_every, faults.html_every, faults.slow_body, faults.malformed_every) == (
        0,
        0,
        0,
        0,
    )
    assert faults.rate_limit and (faults.max_calls, faults.period) == (20, 2.0)


def test_latency_delays_each_response(server: DemoServer, http: httpx.Client) -> None:
    server.faults.latency = 0.3
    started = time.monotonic()
    assert http.get("/team").status_code == 200
    assert time.monotonic() - started >= 0.3  # a lower bound only: never flaky


def test_burst_429_counts_down(server: DemoServer, http: httpx.Client) -> None:
    server.faults.burst_429 = 3
    responses = [http.get("/team") for _ in range(4)]
    assert [r.status_code for r in responses] == [429, 429, 429, 200]
    assert responses[0].headers["Retry-After"] == "1"
    assert responses[0].headers["X-RateLimit-Remaining"] == "0"
    assert server.faults.burst_429 == 0


def test_error_every_third_request(server: DemoServer, http: httpx.Client) -> None:
    server.faults.error_every = 3
    responses = [http.get("/team") for _ in range(6)]
    assert [r.status_code for r in responses] == [200, 200, 500, 200, 200, 500]
    assert responses[2].headers["content-type"].startswith("text/plain")
    server.faults.status_for_error = 503
    assert statuses(http, 3) == [200, 200, 503]


def test_reset_drops_the_connection_without_a_response(server: DemoServer, http: httpx.Client) -> None:
    server.faults.reset_every = 2
    assert http.get("/team").status_code == 200
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        http.get("/team")
    assert http.get("/team").status_code == 200  # the client reconnects
    assert [r.status for r in server.log] == [200, 0, 200]


def test_truncate_close_cuts_the_body_mid_read(server: DemoServer, http: httpx.Client, user_id: str) -> None:
    server.faults.truncate_every = 1
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.get("/inbox", params={"userId": user_id})
    server.faults.truncate_every = 0
    assert http.get("/inbox", params={"userId": user_id}).status_code == 200


def test_truncate_json_is_a_200_with_half_a_document(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    full = http.get("/inbox", params={"userId": user_id})
    server.faults.truncate_every = 1
    server.faults.truncate_mode = "json"
    cut = http.get("/inbox", params={"userId": user_id})
    assert cut.status_code == 200
    assert cut.headers["content-type"].startswith("application/json")
    assert len(cut.content) == len(full.content) // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)


def test_html_every_answers_a_web_page(server: DemoServer, http: httpx.Client, user_id: str) -> None:
    server.faults.html_every = 2
    first, second = (http.get("/inbox", params={"userId": user_id}) for _ in range(2))
    assert first.headers["content-type"].startswith("application/json")
    assert second.status_code == 200
    assert second.headers["content-type"].startswith("text/html")
    assert second.text.lstrip().startswith("<!DOCTYPE html>")


def test_slow_body_trips_a_read_timeout(server: DemoServer) -> None:
    server.faults.slow_body = 5.0  # stop() cuts the stall short at teardown
    with (
        httpx.Client(
            base_url=server.base_url, auth=("", DEMO_API_KEY), timeout=httpx.Timeout(5, read=0.3)
        ) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.get("/team", params={"version": "v2"})


def test_slow_body_still_arrives_whole_for_a_patient_client(server: DemoServer, http: httpx.Client) -> None:
    server.faults.slow_body = 0.2
    assert http.get("/team", params={"version": "v2"}).json()["users"]


def test_malformed_items_are_junk_the_client_skips(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    server.faults.malformed_every = 7
    data = http.get("/inbox", params={"userId": user_id}).json()["data"]
    assert len(data) == 100
    good, skipped, _reasons = parse_items(Conversation, data)
    assert skipped == 100 // 7
    assert len(good) == 100 - 100 // 7
    # Positions are absolute, so page 2 has its own junk at 105, 112, ...
    page2 = http.get("/inbox", params={"userId": user_id, "page": 2}).json()["data"]
    assert parse_items(Conversation, page2)[1] == 200 // 7 - 100 // 7


def test_odd_items_keep_their_id_and_stay_usable(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    server.faults.odd_every = 5
    data = http.get("/inbox", params={"userId": user_id}).json()["data"]
    good, skipped, _ = parse_items(Conversation, data)
    assert skipped == 0
    assert len(good) == 100
    assert any(
        not isinstance(item.get("users"), list) or isinstance(item.get("lastActivityAt"), int)
        for item in data
    )


def test_paths_restrict_the_counted_faults(server: DemoServer, http: httpx.Client, user_id: str) -> None:
    server.faults.paths = ("/api/inbox",)
    server.faults.error_every = 1
    server.faults.burst_429 = 1
    assert statuses(http, 3) == [200, 200, 200]
    assert http.get("/inbox", params={"userId": user_id}).status_code == 429
    assert http.get("/inbox", params={"userId": user_id}).status_code == 500


def test_faults_can_be_replaced_while_running(server: DemoServer, http: httpx.Client) -> None:
    server.faults = Faults(error_every=1)
    assert statuses(http, 2) == [500, 500]
    server.faults = Faults()
    assert statuses(http, 2) == [200, 200]


def test_stop_drops_keep_alive_connections(server: DemoServer, http: httpx.Client) -> None:
    assert http.get("/team").status_code == 200
    server.stop()
    with pytest.raises(httpx.TransportError):
        http.get("/team")
    server.start()  # same port, same data: a client can come back
    assert http.get("/team").status_code == 200


def test_activity_every_shifts_the_list_between_pages(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    server.faults.activity_every = 2
    server.faults.activity_count = 3
    before = server.dataset.conversations.ids()
    first = http.get("/inbox", params={"userId": user_id, "limit": 50}).json()
    second = http.get("/inbox", params={"userId": user_id, "page": 2, "limit": 50}).json()
    after = server.dataset.conversations.ids()
    assert [c["_id"] for c in first["data"]] == before[:50]
    assert [c["_id"] for c in second["data"]] == after[50:100]  # answered after the shift
    assert second["pagination"]["totalItems"] == len(before) + 1  # one of the three is new
    assert after[:3] != before[:3]
