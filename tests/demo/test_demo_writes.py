"""The stand-in's write endpoints: lemlist's required fields and texts, drafts, write faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lemlist_inbox.demo import DemoServer

VICTOIRE = "ctc_wfKeM8EmiTikud7QE"


def email_body(server: DemoServer, user_id: str, **extra: Any) -> dict[str, Any]:
    sender = server.dataset.sender(user_id)
    assert sender is not None
    body: dict[str, Any] = {
        "sendUserId": user_id,
        "sendUserEmail": sender.email,
        "sendUserMailboxId": sender.mailbox_id,
        "contactId": VICTOIRE,
        "message": "<p>Thanks &amp; see you</p>",
        "replyToActivityId": "latest",
    }
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


def test_a_sent_email_joins_the_thread_and_its_conversation_moves_to_the_top(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    before = http.get(f"/inbox/{VICTOIRE}").json()["data"]
    latest = next(m for m in before if m["type"] in ("emailsSent", "emailsReplied"))
    sent = http.post("/inbox/email", json=email_body(server, user_id))
    assert sent.status_code == 200 and sent.json() == {"ok": True, "contactId": VICTOIRE}
    after = http.get(f"/inbox/{VICTOIRE}").json()["data"]
    newest = after[0]
    assert len(after) == len(before) + 1
    assert newest["type"] == "emailsSent" and newest["message"] == "<p>Thanks &amp; see you</p>"
    assert newest["sendUserId"] == user_id and newest["inReplyTo"] == latest["messageId"]
    assert newest["subject"] == "Re: " + latest["subject"].removeprefix("Re: ")
    top = http.get("/inbox", params={"userId": user_id, "limit": 1}).json()["data"][0]
    assert top["contactId"] == VICTOIRE and top["lastActivityAt"] == newest["createdAt"]
    assert next(u for u in top["users"] if u["userId"] == user_id)["read"] is True
    assert [r.processed for r in server.sent("email")] == [True]


@pytest.mark.parametrize(
    ("change", "status", "text"),
    [
        ({"sendUserId": "usr_nobody"}, 400, "Invalid sendUserId"),
        ({"sendUserEmail": "someone@else.com"}, 400, "Invalid sendUserEmail"),
        ({"sendUserMailboxId": "usm_other"}, 400, "Invalid sendUserMailboxId"),
        ({"contactId": None}, 400, "contactId or leadId is required"),
        ({"contactId": "ctc_doesNotExist00000"}, 404, "Contact not found"),
        ({"message": ""}, 400, "message is required"),
        ({"replyToActivityId": "act_notInThisThread"}, 400, "Invalid replyToActivityId"),
        ({"replyToActivityId": None}, 400, "subject is required for an email that is not a reply"),
        ({"cc": ["not an address"]}, 400, "Invalid cc"),
    ],
)
def test_an_email_missing_or_misnaming_a_field_is_refused_with_lemlists_text(
    server: DemoServer, http: httpx.Client, user_id: str, change: dict[str, Any], status: int, text: str
) -> None:
    body = email_body(server, user_id)
    body.update(change)
    answer = http.post("/inbox/email", json={k: v for k, v in body.items() if v is not None})
    assert (answer.status_code, answer.text) == (status, text)
    assert answer.headers["content-type"].startswith("text/plain")
    assert server.sent() == []


def _contact_on(server: DemoServer, channel: str) -> tuple[str, dict[str, Any]]:
    for conversation in server.dataset.conversations:
        for message in server.dataset.thread(conversation["contactId"]):
            if isinstance(message, dict) and message["type"] == f"{channel}Sent":
                return str(conversation["contactId"]), message
    raise AssertionError(f"no {channel} thread")


def test_linkedin_and_whatsapp_need_their_fields(server: DemoServer, http: httpx.Client) -> None:
    contact, ours = _contact_on(server, "whatsapp")
    whatsapp = {
        "sendUserId": ours["sendUserId"],
        "sendUserWhatsappAccountId": ours["sendUserWhatsappAccountId"],
        "contactId": contact,
        "leadId": ours["leadId"],
        "message": "On my way",
    }
    assert http.post("/inbox/whatsapp", json={**whatsapp, "sendUserWhatsappAccountId": "wha_x"}).text == (
        "Invalid sendUserWhatsappAccountId"
    )
    assert http.post("/inbox/whatsapp", json={**whatsapp, "leadId": "lea_other"}).text == "Invalid leadId"
    assert http.post("/inbox/whatsapp", json=whatsapp).json() == {"ok": True}
    contact, ours = _contact_on(server, "linkedin")
    linkedin = {"sendUserId": ours["sendUserId"], "contactId": contact, "message": "Hi"}
    assert http.post("/inbox/linkedin", json=linkedin).text == "Invalid leadId"
    assert http.post("/inbox/linkedin", json={**linkedin, "leadId": ours["leadId"]}).status_code == 200
    assert server.dataset.thread(contact)[0]["type"] == "linkedinSent"
    assert [r.path for r in server.sent()] == ["/api/inbox/whatsapp", "/api/inbox/linkedin"]


def test_the_users_endpoint_lists_the_mailboxes(server: DemoServer, http: httpx.Client, user_id: str) -> None:
    user = http.get(f"/users/{user_id}").json()
    sender = server.dataset.sender(user_id)
    assert sender is not None
    assert [(m["_id"], m["status"]) for m in user["mailboxes"]] == [(sender.mailbox_id, "CONNECTED")]
    server.dataset.disconnect_mailbox(sender.mailbox_id)
    assert http.get(f"/users/{user_id}").json()["mailboxes"][0]["status"] == "DISCONNECTED"
    refused = http.post("/inbox/email", json=email_body(server, user_id))
    assert refused.status_code == 400 and refused.text.startswith("Failed to send email")
    assert http.get("/users/usr_nobody").status_code == 404


def test_drafts_belong_to_their_owner_and_keep_lemlists_limits(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    server.faults.rate_limit = False  # many requests in a row: the limits under test are the drafts'
    path = f"/inbox/{VICTOIRE}/drafts"
    other = str(server.dataset.users[1]["userId"])
    assert (http.get(path).status_code, http.get(path).text) == (400, "Missing draftOwner")
    assert http.get(path, params={"draftOwner": "who@nowhere.io"}).text.startswith("User not found")
    seeded = http.get(path, params={"draftOwner": user_id}).json()["drafts"]
    assert [d["source"] for d in seeded] == ["ui"]  # made in the web app
    owner_email = str(server.dataset.users[1]["email"])
    made = http.post(
        path, params={"draftOwner": owner_email}, json={"channel": "email", "content": "<p>x</p>"}
    )
    assert made.status_code == 201
    draft_id = made.json()["draftId"]
    assert [d["_id"] for d in http.get(path, params={"draftOwner": other}).json()["drafts"]] == [draft_id]
    assert draft_id not in {d["_id"] for d in http.get(path, params={"draftOwner": user_id}).json()["drafts"]}
    one = f"{path}/{draft_id}"
    assert http.get(one, params={"draftOwner": user_id}).status_code == 404  # not theirs
    patched = http.patch(one, params={"draftOwner": other}, json={"content": "<p>better</p>", "subject": "S"})
    assert (
        patched.json()["draft"]["content"] == "<p>better</p>"
        and patched.json()["draft"]["channel"] == "email"
    )
    assert (
        http.patch(one, params={"draftOwner": other}, json={"content": " "}).text
        == "Content must not be empty"
    )
    too_big = {"channel": "email", "content": "x" * (30 * 1024 + 1)}
    assert http.post(path, params={"draftOwner": other}, json=too_big).text == "Content too large"
    assert http.post(path, params={"draftOwner": other}, json={"channel": "fax", "content": "x"}).text == (
        "Invalid channel"
    )
    for _ in range(9):
        assert http.post(
            path, params={"draftOwner": other}, json={"channel": "sms", "content": "x"}
        ).is_success
    full = http.post(path, params={"draftOwner": other}, json={"channel": "email", "content": "x"})
    assert (full.status_code, full.text) == (400, "Draft limit reached (max 10 per conversation)")
    assert http.delete(one, params={"draftOwner": other}).json() == {"success": True}
    assert http.get(one, params={"draftOwner": other}).text == "Draft not found"
    assert http.get("/inbox/ctc_doesNotExist00000/drafts", params={"draftOwner": other}).status_code == 404


def test_write_faults_fail_unread_or_lose_the_answer_after_the_work(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    server.faults.write_failures = 1
    server.faults.write_status = 503
    refused = http.post("/inbox/email", json=email_body(server, user_id))
    assert (refused.status_code, refused.text) == (503, "Service Unavailable")
    assert server.sent() == []
    server.faults.write_resets = 1
    with pytest.raises(httpx.TransportError):
        http.post("/inbox/email", json=email_body(server, user_id))
    assert len(server.sent()) == 1  # done, though no answer came
    server.faults.write_timeouts = 1
    server.faults.write_stall = 5.0
    with pytest.raises(httpx.ReadTimeout):
        http.post("/inbox/email", json=email_body(server, user_id), timeout=0.5)
    assert len(server.sent()) == 2
    messages = [m for m in server.dataset.thread(VICTOIRE) if m.get("type") == "emailsSent"]
    assert sum(m["message"] == "<p>Thanks &amp; see you</p>" for m in messages) == 2
