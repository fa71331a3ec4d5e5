"""The endpoints behave as lemlist documents them (auth, params, pagination, read state)."""

from __future__ import annotations

import base64

import httpx

from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.demo.data import seed_documents

PAGINATION_KEYS = ["totalItems", "currentPage", "nextPage", "previousPage", "perPage", "totalPages"]


def test_wrong_or_missing_key_is_401_plain_text(server: DemoServer) -> None:
    for auth in (None, ("", "wrong"), ("demo-key", ""), (DEMO_API_KEY, "x")):
        response = httpx.get(server.base_url + "/team", auth=auth)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "The authentication you supplied is incorrect"
    garbage = httpx.get(server.base_url + "/team", headers={"Authorization": "Basic !!!"})
    assert garbage.status_code == 401


def test_key_is_the_password_of_basic_auth(server: DemoServer) -> None:
    token = base64.b64encode(f":{DEMO_API_KEY}".encode()).decode()
    response = httpx.get(server.base_url + "/team", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 200


def test_changing_the_key_revokes_the_old_one(server: DemoServer, http: httpx.Client) -> None:
    assert http.get("/team").status_code == 200
    server.api_key = "rotated"
    assert http.get("/team").status_code == 401
    assert httpx.get(server.base_url + "/team", auth=("", "rotated")).status_code == 200


def test_team_v2_lists_users(http: httpx.Client) -> None:
    team = http.get("/team", params={"version": "v2"}).json()
    assert team["_id"].startswith("tea_")
    assert [set(u) for u in team["users"]] == [{"userId", "name", "email", "role"}] * 3
    assert team["users"][0]["name"] == "Christophe OPOIX"
    assert "users" not in http.get("/team").json()


def test_inbox_requires_a_team_user(http: httpx.Client) -> None:
    missing = http.get("/inbox")
    assert (missing.status_code, missing.text) == (400, "User ID is required")
    assert missing.headers["content-type"].startswith("text/plain")
    unknown = http.get("/inbox", params={"userId": "usr_nobody"})
    assert (unknown.status_code, unknown.text) == (400, "User not in team")


def test_pagination_object_matches_the_documented_shape(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    total = len(server.dataset)
    first = http.get("/inbox", params={"userId": user_id}).json()
    assert list(first["pagination"]) == PAGINATION_KEYS
    assert first["pagination"] == {
        "totalItems": total,
        "currentPage": 1,
        "nextPage": 2,
        "previousPage": None,
        "perPage": 100,
        "totalPages": 3,
    }
    assert len(first["data"]) == 100
    last = http.get("/inbox", params={"userId": user_id, "page": 3, "limit": 100}).json()
    assert last["pagination"]["nextPage"] is None
    assert last["pagination"]["previousPage"] == 2
    assert len(last["data"]) == total - 200
    beyond = http.get("/inbox", params={"userId": user_id, "page": 9}).json()
    assert beyond["data"] == []


def test_pages_cover_every_conversation_once_newest_first(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    seen: list[str] = []
    stamps: list[str] = []
    page = 1
    while page:
        body = http.get("/inbox", params={"userId": user_id, "page": page, "limit": 37}).json()
        seen += [c["_id"] for c in body["data"]]
        stamps += [c["lastActivityAt"] for c in body["data"]]
        page = body["pagination"]["nextPage"]
    assert len(seen) == len(set(seen)) == len(server.dataset)
    assert seen == server.dataset.conversations.ids()
    assert stamps == sorted(stamps, reverse=True)


def test_limit_is_capped_at_100_and_bad_numbers_are_400(http: httpx.Client, user_id: str) -> None:
    body = http.get("/inbox", params={"userId": user_id, "limit": 1000}).json()
    assert len(body["data"]) == 100
    assert body["pagination"]["perPage"] == 100
    for bad in ({"page": "x"}, {"page": "0"}, {"limit": "-1"}):
        assert http.get("/inbox", params={"userId": user_id, **bad}).status_code == 400


def test_thread_newest_first_with_skip_and_limit(server: DemoServer, http: httpx.Client) -> None:
    contact = next(c for c in server.dataset.conversations if len(server.dataset.thread(c["contactId"])) >= 5)
    cid = contact["contactId"]
    full = http.get(f"/inbox/{cid}").json()
    stamps = [m["createdAt"] for m in full["data"]]
    assert stamps == sorted(stamps, reverse=True)
    total = len(full["data"])
    assert full["pagination"]["totalItems"] == total
    part = http.get(f"/inbox/{cid}", params={"skip": 2, "limit": 2}).json()
    assert [m["_id"] for m in part["data"]] == [m["_id"] for m in full["data"][2:4]]
    assert part["pagination"] == {
        "totalItems": total,
        "currentPage": 2,
        "nextPage": 3 if total > 4 else None,
        "previousPage": 1,
        "perPage": 2,
        "totalPages": (total + 1) // 2,
    }
    assert all(m["contactId"] == cid for m in full["data"])


def test_unknown_contact_path_and_method(http: httpx.Client) -> None:
    missing = http.get("/inbox/ctc_doesNotExist00000")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/plain")
    assert http.get("/nothing-here").status_code == 404
    assert http.post("/inbox", json={}).status_code == 405
    assert http.delete("/team").status_code == 405


def test_mark_as_read_flips_only_that_user(server: DemoServer, http: httpx.Client) -> None:
    users = [u["userId"] for u in server.dataset.users]
    conv = next(c for c in server.dataset.conversations if not any(u["read"] for u in c["users"]))
    cid = conv["contactId"]
    viewer, other = users[0], users[1]
    # Reading without markAsRead changes nothing.
    http.get(f"/inbox/{cid}", params={"userId": viewer})
    assert server.dataset.is_read(cid, viewer) is False
    response = http.get(f"/inbox/{cid}", params={"userId": viewer, "markAsRead": "true", "limit": 1})
    assert response.status_code == 200
    assert server.dataset.is_read(cid, viewer) is True
    assert server.dataset.is_read(cid, other) is False
    listed = {
        c["contactId"]: c
        for page in (1, 2, 3)
        for c in http.get("/inbox", params={"userId": viewer, "page": page}).json()["data"]
    }
    flags = {u["userId"]: u["read"] for u in listed[cid]["users"]}
    assert flags[viewer] is True
    assert flags[other] is False
    marks = [r for r in server.log if r.query.get("markAsRead") == "true"]
    assert len(marks) == 1


def test_mark_as_read_needs_a_user(server: DemoServer, http: httpx.Client) -> None:
    cid = server.dataset.conversations[0]["contactId"]
    response = http.get(f"/inbox/{cid}", params={"markAsRead": "true"})
    assert response.status_code == 400


def test_log_records_every_request(server: DemoServer, http: httpx.Client, user_id: str) -> None:
    server.clear_log()
    http.get("/team", params={"version": "v2"})
    http.get("/inbox", params={"userId": user_id, "page": 2})
    httpx.get(server.base_url + "/team")
    assert [(r.method, r.path, r.status) for r in server.log] == [
        ("GET", "/api/team", 200),
        ("GET", "/api/inbox", 200),
        ("GET", "/api/team", 401),
    ]
    assert server.log[1].query == {"userId": user_id, "page": "2"}
    assert server.log[0].time <= server.log[1].time <= server.log[2].time


def test_thread_rejects_a_user_outside_the_team(server: DemoServer, http: httpx.Client) -> None:
    cid = server.dataset.conversations[0]["contactId"]
    response = http.get(f"/inbox/{cid}", params={"userId": "usr_stranger", "markAsRead": "true"})
    assert (response.status_code, response.text) == (400, "User not in team")


def test_team_size_is_configurable_and_every_user_has_a_read_flag() -> None:
    with DemoServer(conversations=30, users=5) as server:
        team = httpx.get(server.base_url + "/team", params={"version": "v2"}, auth=("", DEMO_API_KEY)).json()
        ids = [u["userId"] for u in team["users"]]
        assert len(ids) == len(set(ids)) == 5
        examples = {c["contactId"] for c in seed_documents()["conversations"]}  # two users only
        generated = [c for c in server.dataset.conversations if c["contactId"] not in examples]
        assert len(generated) == 30
        assert all([u["userId"] for u in c["users"]] == ids for c in generated)
