"""The stand-in's write endpoints: sending replies and keeping drafts, checked as lemlist does.

* ``POST /api/inbox/email|linkedin|whatsapp``: the fields lemlist's spec requires, each
  checked against the team (a sender that is not a team user, a mailbox or WhatsApp
  account not theirs, a lead not the contact's) with lemlist's 400 texts ("Invalid
  sendUserId", "contactId or leadId is required"...); an unknown contact is 404 "Contact
  not found". A send from a disconnected mailbox (``Dataset.disconnect_mailbox``) is 400
  "Failed to send email: ...". The message joins the thread as ``emailsSent`` /
  ``linkedinSent`` / ``whatsappSent`` with the HTML exactly as received, and the
  conversation moves to the top of ``/api/inbox``. ``replyToActivityId`` must be an email
  activity of the contact, or ``latest``; without ``subject`` a reply takes the thread's.
* ``/api/inbox/{contactId}/drafts[/{draftId}]``: GET (list: previews of 100 characters),
  POST (201 ``{"draftId"}``), GET one, PATCH (only the fields given), DELETE (soft).
  ``draftOwner`` (a user id or a team user's email) is required; each owner sees only
  their drafts. Content must not be empty nor over 30 KB; at most 10 drafts a
  conversation and owner ("Draft limit reached (max 10 per conversation)").

Answers are ``(status, value)``: a dict for JSON, a str for lemlist's plain-text errors.
"""

from __future__ import annotations

import html
import random
import re
import threading
import time
from typing import Any

from lemlist_inbox.demo.data import Dataset, parse_ms
from lemlist_inbox.demo.ids import random_id
from lemlist_inbox.demo.threads import iso

__all__ = ["DRAFT_LIMIT", "DRAFT_MAX_BYTES", "Outgoing"]

DRAFT_MAX_BYTES = 30 * 1024
DRAFT_LIMIT = 10
DRAFT_CHANNELS = ("email", "linkedin", "whatsapp", "sms")
OWNER_UNKNOWN = "User not found: neither a valid email nor a valid user id for this team"
_TAG = re.compile(r"<[^>]*>")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")

Answer = tuple[int, "dict[str, Any] | str"]


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _preview(content: str) -> str:
    text = " ".join(html.unescape(_TAG.sub(" ", content)).split())
    return text[:100]


class Outgoing:
    """Sends and drafts over one ``Dataset`` (thread-safe: the server answers from many threads)."""

    def __init__(self, dataset: Dataset, *, seed: int = 7) -> None:
        self.dataset = dataset
        self._lock = threading.Lock()
        self._rng = random.Random(f"outgoing:{seed}")
        #: contact id -> drafts (dicts with ``owner`` and ``deletedAt`` beside the API fields)
        self._drafts: dict[str, list[dict[str, Any]]] = {}

    def _new_id(self, prefix: str) -> str:
        with self._lock:
            return random_id(self._rng, prefix)

    # ------------------------------------------------------------------ sends

    def send(self, channel: str, body: Any) -> Answer:
        if not isinstance(body, dict):
            return 400, "Bad params (the body must be a JSON object)"
        sender = self.dataset.sender(_text(body, "sendUserId") or "")
        if sender is None:
            return 400, "Invalid sendUserId"
        contact_id, lead_id = _text(body, "contactId"), _text(body, "leadId")
        if contact_id is None and lead_id is None:
            return 400, "contactId or leadId is required"
        if contact_id is None:
            assert lead_id is not None
            if channel != "email":
                return 400, "Invalid contactId"
            contact_id = self.dataset.contact_for_lead(lead_id)
            if contact_id is None:
                return 400, "Lead not found"
        try:
            thread = [m for m in self.dataset.thread(contact_id) if isinstance(m, dict)]  # newest first
        except KeyError:
            return 404, "Contact not found"
        leads = [m["leadId"] for m in thread if isinstance(m.get("leadId"), str)]
        if lead_id is None and channel != "email":
            return 400, "Invalid leadId"
        if lead_id is not None and lead_id not in leads:
            return 400, "Invalid leadId"
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            return 400, "message is required"
        lead_email = next((m["leadEmail"] for m in thread if isinstance(m.get("leadEmail"), str)), None)
        out: dict[str, Any] = {
            "_id": self._new_id("act"),
            "type": f"{channel}Sent" if channel != "email" else "emailsSent",
            "createdAt": "",
            "teamId": self.dataset.team_id,
            "leadId": lead_id or (leads[0] if leads else None),
            "sendUserId": sender.user_id,
            "sendUserName": sender.name,
            "sendUserEmail": sender.email,
            "sendUserMailboxId": sender.mailbox_id,
            "leadEmail": lead_email,
            "contactId": contact_id,
        }
        if channel == "email":
            refused = self._email_fields(body, sender.email, sender.mailbox_id, thread, out)
            if refused is not None:
                return refused
        elif channel == "whatsapp":
            if _text(body, "sendUserWhatsappAccountId") != sender.whatsapp_account_id:
                return 400, "Invalid sendUserWhatsappAccountId"
            out["sendUserWhatsappAccountId"] = sender.whatsapp_account_id
        out["message"] = message
        out["attachments"] = []
        self.dataset.add_message(contact_id, out, sender.user_id)
        if channel == "email":
            return 200, {"ok": True, "contactId": contact_id}
        return 200, {"ok": True}

    def _email_fields(
        self,
        body: dict[str, Any],
        email: str,
        mailbox_id: str,
        thread: list[dict[str, Any]],
        out: dict[str, Any],
    ) -> Answer | None:
        """Check and fill an email's own fields; an answer when refused, else None."""
        if (_text(body, "sendUserEmail") or "").lower() != email.lower():
            return 400, "Invalid sendUserEmail"
        if _text(body, "sendUserMailboxId") != mailbox_id:
            return 400, "Invalid sendUserMailboxId"
        if mailbox_id in self.dataset.disconnected:
            return 400, "Failed to send email: the mailbox is disconnected (reconnect it in lemlist)"
        emails = [m for m in thread if m.get("type") in ("emailsSent", "emailsReplied")]
        reply_to = body.get("replyToActivityId")
        answered: dict[str, Any] | None = None
        if reply_to == "latest":
            answered = emails[0] if emails else None
        elif reply_to is not None:
            answered = next((m for m in emails if m.get("_id") == reply_to), None)
            if answered is None:
                return 400, "Invalid replyToActivityId"
        subject = body.get("subject")
        if subject is not None and not isinstance(subject, str):
            return 400, "Invalid subject"
        if subject is None:
            if answered is None:
                return 400, "subject is required for an email that is not a reply"
            base = str(answered.get("subject") or "")
            subject = base if base.lower().startswith("re:") else f"Re: {base}"
        cc = body.get("cc")
        if cc is not None and (
            not isinstance(cc, list) or not all(isinstance(a, str) and _EMAIL.match(a) for a in cc)
        ):
            return 400, "Invalid cc"
        if cc is None and answered is not None:
            cc = answered.get("cc") if isinstance(answered.get("cc"), list) else []
        out["messageId"] = f"<{self._new_id('msg')[4:]}@mail.lemlist.test>"
        if answered is not None:
            out["inReplyTo"] = answered.get("messageId")
        out["subject"] = subject
        out["cc"] = list(cc or [])
        return None

    # ------------------------------------------------------------------ drafts

    def _owner(self, query: dict[str, str]) -> str | Answer:
        owner = (query.get("draftOwner") or "").strip()
        if not owner:
            return 400, "Missing draftOwner"
        for user in self.dataset.users:
            if owner == user["userId"] or owner.lower() == str(user["email"]).lower():
                return str(user["userId"])
        return 400, OWNER_UNKNOWN

    def drafts(
        self, method: str, contact_id: str, draft_id: str | None, query: dict[str, str], body: Any
    ) -> Answer:
        owner = self._owner(query)
        if not isinstance(owner, str):
            return owner
        try:
            self.dataset.conversation(contact_id)
        except KeyError:
            return 404, "Contact not found"
        with self._lock:
            mine = [
                d for d in self._drafts.get(contact_id, []) if d["owner"] == owner and d["deletedAt"] is None
            ]
            if draft_id is None:
                if method == "GET":
                    return 200, {"drafts": [self._summary(d) for d in mine]}
                if method == "POST":
                    return self._create(contact_id, owner, mine, body)
                return 405, "Method not allowed"
            found = next((d for d in mine if d["_id"] == draft_id), None)
            if found is None:
                return 404, "Draft not found"
            if method == "GET":
                return 200, {"draft": self._full(found)}
            if method == "PATCH":
                return self._update(found, body)
            if method == "DELETE":
                found["deletedAt"] = iso(self._now())
                return 200, {"success": True}
            return 405, "Method not allowed"

    def seed_draft(self, contact_id: str, owner: str, **fields: Any) -> str:
        """A draft made in lemlist's web app (``source: "ui"``), for the demo and tests."""
        with self._lock:
            draft = self._new_draft(owner, {"channel": "email", **fields}, source="ui")
            self._drafts.setdefault(contact_id, []).append(draft)
            return str(draft["_id"])

    def _create(self, contact_id: str, owner: str, mine: list[dict[str, Any]], body: Any) -> Answer:
        if not isinstance(body, dict):
            return 400, "Bad params (the body must be a JSON object)"
        if body.get("channel") not in DRAFT_CHANNELS:
            return 400, "Invalid channel"
        refused = self._check_fields(body, creating=True)
        if refused is not None:
            return refused
        if len(mine) >= DRAFT_LIMIT:
            return 400, f"Draft limit reached (max {DRAFT_LIMIT} per conversation)"
        draft = self._new_draft(owner, body, source="api")
        self._drafts.setdefault(contact_id, []).append(draft)
        return 201, {"draftId": draft["_id"]}

    def _update(self, draft: dict[str, Any], body: Any) -> Answer:
        if not isinstance(body, dict):
            return 400, "Bad params (the body must be a JSON object)"
        refused = self._check_fields(body, creating=False)
        if refused is not None:
            return refused
        for name in ("subject", "cc", "content", "attachments", "replyToActivityId"):
            if name in body:
                draft[name] = body[name]
        draft["updatedAt"] = iso(max(self._now(), parse_ms(draft["updatedAt"]) + 1))
        return 200, {"draft": self._full(draft)}

    @staticmethod
    def _check_fields(body: dict[str, Any], *, creating: bool) -> Answer | None:
        if creating or "content" in body:
            content = body.get("content")
            if not isinstance(content, str) or not content.strip():
                return 400, "Content must not be empty"
            if len(content.encode("utf-8", "surrogatepass")) > DRAFT_MAX_BYTES:
                return 400, "Content too large"
        if "subject" in body and not isinstance(body["subject"], str):
            return 400, "Invalid subject"
        cc = body.get("cc")
        if cc is not None and (not isinstance(cc, list) or not all(isinstance(a, str) for a in cc)):
            return 400, "Invalid cc"
        return None

    def _new_draft(self, owner: str, body: dict[str, Any], *, source: str) -> dict[str, Any]:
        now = iso(self._now())
        return {
            "_id": random_id(self._rng, "drf"),
            "channel": body.get("channel"),
            "subject": body.get("subject") or "",
            "cc": list(body.get("cc") or []),
            "content": body.get("content") or "",
            "attachments": list(body.get("attachments") or []),
            "replyToActivityId": body.get("replyToActivityId"),
            "source": source,
            "createdAt": now,
            "updatedAt": now,
            "owner": owner,
            "deletedAt": None,
        }

    @staticmethod
    def _summary(draft: dict[str, Any]) -> dict[str, Any]:
        return {
            "_id": draft["_id"],
            "channel": draft["channel"],
            "subject": draft["subject"],
            "contentPreview": _preview(draft["content"]),
            "source": draft["source"],
            "createdAt": draft["createdAt"],
            "updatedAt": draft["updatedAt"],
        }

    @staticmethod
    def _full(draft: dict[str, Any]) -> dict[str, Any]:
        full = {k: v for k, v in draft.items() if k not in ("owner", "deletedAt")}
        if full.get("replyToActivityId") is None:
            del full["replyToActivityId"]
        return full

    @staticmethod
    def _now() -> int:
        return int(time.time() * 1000)
