"""What lemlist's write endpoints take: the send payloads and the draft limits.

Pure (no HTTP): the reply service builds a payload here, writes it to the outbox exactly
as it will be sent, and hands the same dict to ``LemlistClient.send_payload``, so a retry
after a restart sends byte for byte what the user reviewed.

Field names and required fields follow lemlist's spec (``openapi-inbox.json``):

* ``POST /inbox/email``: ``sendUserId``, ``sendUserEmail``, ``sendUserMailboxId``,
  ``message`` (HTML) required, plus ``contactId`` (or ``leadId``); ``replyToActivityId``
  threads it (In-Reply-To) and reuses the thread's subject and Cc when those are left out;
* ``POST /inbox/linkedin``: ``sendUserId``, ``leadId``, ``contactId``, ``message``;
* ``POST /inbox/whatsapp``: ``sendUserId``, ``sendUserWhatsappAccountId``, ``contactId``,
  ``leadId``, ``message``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "DRAFT_LIMIT",
    "DRAFT_MAX_BYTES",
    "SEND_CHANNELS",
    "WRITE_BODY_LIMIT",
    "draft_limit_message",
    "draft_too_large_message",
    "email_payload",
    "linkedin_payload",
    "whatsapp_payload",
]

#: Channels lemlist sends replies through (``POST /inbox/{channel}``).
SEND_CHANNELS = ("email", "linkedin", "whatsapp")
#: lemlist keeps a draft's content up to 30 KB ("Content too large" above).
DRAFT_MAX_BYTES = 30 * 1024
#: lemlist keeps at most 10 drafts a conversation ("Draft limit reached").
DRAFT_LIMIT = 10
#: Most bytes one write request may carry: far above a 30 KB reply and its quote.
WRITE_BODY_LIMIT = 1024 * 1024


def draft_limit_message(contact_id: str = "") -> str:
    hint = f" (lemlist-inbox drafts {contact_id} lists them)" if contact_id else ""
    return (
        f"this conversation already has {DRAFT_LIMIT} drafts, lemlist's limit: send or delete one first{hint}"
    )


def draft_too_large_message(size: int) -> str:
    return (
        f"the draft is {size / 1024:.1f} KB and lemlist keeps drafts up to "
        f"{DRAFT_MAX_BYTES // 1024} KB: shorten it (or send it as a reply)"
    )


def email_payload(
    *,
    contact_id: str,
    send_user_id: str,
    send_user_email: str,
    send_user_mailbox_id: str,
    message: str,
    reply_to_activity_id: str | None = None,
    subject: str | None = None,
    cc: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The body of ``POST /inbox/email``; ``subject``/``cc`` None: the thread's are reused."""
    payload: dict[str, Any] = {
        "sendUserId": send_user_id,
        "sendUserEmail": send_user_email,
        "sendUserMailboxId": send_user_mailbox_id,
        "contactId": contact_id,
        "message": message,
    }
    if reply_to_activity_id:
        payload["replyToActivityId"] = reply_to_activity_id
    if subject is not None:
        payload["subject"] = subject
    if cc is not None:
        payload["cc"] = list(cc)
    return payload


def linkedin_payload(*, contact_id: str, lead_id: str, send_user_id: str, message: str) -> dict[str, Any]:
    """The body of ``POST /inbox/linkedin``."""
    return {"sendUserId": send_user_id, "leadId": lead_id, "contactId": contact_id, "message": message}


def whatsapp_payload(
    *, contact_id: str, lead_id: str, send_user_id: str, account_id: str, message: str
) -> dict[str, Any]:
    """The body of ``POST /inbox/whatsapp``."""
    return {
        "sendUserId": send_user_id,
        "sendUserWhatsappAccountId": account_id,
        "contactId": contact_id,
        "leadId": lead_id,
        "message": message,
    }
