"""pydantic models of the Inbox API, parsed leniently.

lemlist's OpenAPI schemas disagree with its own examples, so these models follow the
examples and trust nothing: every field but the ids may be missing, null or of the
wrong type (a wrong-typed field falls back to its default instead of rejecting the
item), unknown fields are kept and round-trip through ``to_api_dict``, and unknown
message ``type`` values are kept as they are. Only an item that is not an object or
has no usable ``_id`` is malformed; ``parse_items`` skips and counts those so one bad
item never costs the page.

Timestamps stay the strings the server sent (so ``--json`` prints them unchanged);
``api.timestamps.parse_time`` turns them into aware datetimes where a caller needs one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from lemlist_inbox.api.jsondecode import Unreadable
from lemlist_inbox.api.read_state import is_read_by
from lemlist_inbox.api.timestamps import parse_time

#: Team users kept per conversation. A team has a handful; a server that lists ten
#: thousand must not make every conversation ten thousand models. The viewing user's
#: entry (``context={"user_id": ...}``) is always kept: it holds the read state.
MAX_USERS_PER_CONVERSATION = 200
#: Channels, attachments and opportunities kept per item, for the same reason.
MAX_LIST_ENTRIES = 100


class ApiModel(BaseModel):
    """Base of every API model: extra fields kept, bad fields defaulted, ids required."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        validate_default=False,
        # Core schemas are built on first use, not at import: start-up paints the list
        # before any message or team user is parsed (benchmark row "1 start-up: first frame").
        defer_build=True,
    )

    #: Fields whose absence or bad type makes the whole item malformed.
    _required: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="wrap")
    @classmethod
    def _lenient(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        try:
            return handler(value)
        except ValidationError:
            name = info.field_name or ""
            if name in cls._required:
                raise
            return cls.model_fields[name].get_default(call_default_factory=True)

    def to_api_dict(self) -> dict[str, Any]:
        """The item as the API spelled it: aliases, unknown fields kept, unset fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _valid_entries(model: type[ApiModel], value: Any, limit: int = MAX_LIST_ENTRIES, keep: Any = None) -> Any:
    """Keep the list entries that validate, so one bad entry does not lose the whole list.

    At most ``limit`` are kept, the first ones; a dict entry whose ``userId`` is
    ``keep`` is kept beyond the limit (the viewing user's read state).
    """
    if not isinstance(value, list):
        return value
    kept: list[Any] = []
    for entry in value:
        if len(kept) >= limit and not (
            keep is not None and isinstance(entry, dict) and entry.get("userId") == keep
        ):
            continue
        if isinstance(entry, model):
            kept.append(entry)
        elif isinstance(entry, dict):
            try:
                kept.append(model.model_validate(entry))
            except ValidationError:
                continue
    return kept


class Contact(ApiModel):
    id: str | None = Field(default=None, alias="_id")
    full_name: str | None = Field(default=None, alias="fullName")
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    email: str | None = None
    linkedin_url: str | None = Field(default=None, alias="linkedinUrl")

    @property
    def display_name(self) -> str:
        """Name to show: full name, else first + last, else email, else the id."""
        if self.full_name and self.full_name.strip():
            return self.full_name.strip()
        parts = " ".join(p for p in (self.first_name, self.last_name) if p and p.strip())
        if parts:
            return parts
        return self.email or self.id or "(unknown contact)"


class ConversationUser(ApiModel):
    """One team user's view of a conversation: is it read for them."""

    _required = frozenset({"user_id"})

    user_id: str = Field(alias="userId")
    sender: bool | None = None
    read: bool | None = None


class Conversation(ApiModel):
    """One inbox conversation (a thread with one contact), as listed by ``GET /inbox``."""

    _required = frozenset({"id"})

    id: str = Field(alias="_id")
    contact_id: str | None = Field(default=None, alias="contactId")
    contact: Contact | None = None
    users: list[ConversationUser] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    last_activity_at: str | None = Field(default=None, alias="lastActivityAt")
    created_at: str | None = Field(default=None, alias="createdAt")
    have_replies: bool | None = Field(default=None, alias="haveReplies")
    last_replied_at: str | None = Field(default=None, alias="lastRepliedAt")
    last_replied_channel: str | None = Field(default=None, alias="lastRepliedChannel")
    team_id: str | None = Field(default=None, alias="teamId")
    created_by: str | None = Field(default=None, alias="createdBy")
    opportunities: list[Any] = Field(default_factory=list)

    @field_validator("users", mode="before")
    @classmethod
    def _users_objects(cls, value: Any, info: ValidationInfo) -> Any:
        context = info.context if isinstance(info.context, dict) else {}
        return _valid_entries(
            ConversationUser, value, MAX_USERS_PER_CONVERSATION, keep=context.get("user_id")
        )

    @field_validator("channels", mode="before")
    @classmethod
    def _channels_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)][:MAX_LIST_ENTRIES]
        return value

    @field_validator("opportunities", mode="before")
    @classmethod
    def _few_opportunities(cls, value: Any) -> Any:
        return value[:MAX_LIST_ENTRIES] if isinstance(value, list) else value

    @property
    def thread_id(self) -> str | None:
        """The id to fetch the thread with: ``contactId``, else ``contact._id``."""
        return self.contact_id or (self.contact.id if self.contact else None)

    @property
    def last_activity(self) -> datetime | None:
        return parse_time(self.last_activity_at)

    def is_read_by(self, user_id: str | None) -> bool:
        """Read state for one viewing user (``api.read_state``: not listed counts as read)."""
        return is_read_by(((u.user_id, u.sender, u.read) for u in self.users), user_id)

    def mark_read_by(self, user_id: str) -> None:
        """Flip the local read flag for one user (after a successful markAsRead)."""
        for user in self.users:
            if user.user_id == user_id:
                user.read = True
                return


class Attachment(ApiModel):
    """An attachment's metadata.

    lemlist documents ``{name, url, size, type}`` (``type`` the MIME type) for drafts and
    gives no shape for received messages, so other spellings seen in the wild are taken
    too (``filename``, ``contentType``/``mimeType``); any of them may be missing.
    """

    id: str | None = Field(default=None, alias="_id")
    name: str | None = None
    filename: str | None = None
    size: int | None = None
    content_type: str | None = Field(default=None, alias="contentType")
    mime_type: str | None = Field(default=None, alias="mimeType")
    type: str | None = None
    url: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.filename or self.id or "(unnamed attachment)"

    @field_validator("size", mode="before")
    @classmethod
    def _size_not_bool(cls, value: Any) -> Any:
        return None if isinstance(value, bool) else value  # pydantic would read true as 1 byte

    @property
    def media_type(self) -> str | None:
        """The MIME type, under whichever name the server used."""
        return self.type or self.content_type or self.mime_type

    @property
    def byte_size(self) -> int | None:
        """The size in bytes when it is a sensible one (not negative, not a bool)."""
        size = self.size
        return size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None


class Direction(StrEnum):
    """Who wrote a message, as far as its ``type`` tells."""

    SENT = "sent"  # by us (a team user)
    RECEIVED = "received"  # by the contact
    OTHER = "other"  # an activity type we do not know: shown, never dropped


class Message(ApiModel):
    """One message (activity) of a thread, from ``GET /inbox/{contactId}``."""

    _required = frozenset({"id"})

    id: str = Field(alias="_id")
    type: str | None = None
    message_id: str | None = Field(default=None, alias="messageId")
    created_at: str | None = Field(default=None, alias="createdAt")
    from_email: str | None = Field(default=None, alias="fromEmail")
    team_id: str | None = Field(default=None, alias="teamId")
    lead_id: str | None = Field(default=None, alias="leadId")
    campaign_id: str | None = Field(default=None, alias="campaignId")
    campaign_name: str | None = Field(default=None, alias="campaignName")
    sequence_id: str | None = Field(default=None, alias="sequenceId")
    sequence_step: int | None = Field(default=None, alias="sequenceStep")
    send_user_id: str | None = Field(default=None, alias="sendUserId")
    send_user_name: str | None = Field(default=None, alias="sendUserName")
    send_user_email: str | None = Field(default=None, alias="sendUserEmail")
    send_user_mailbox_id: str | None = Field(default=None, alias="sendUserMailboxId")
    lead_email: str | None = Field(default=None, alias="leadEmail")
    contact_id: str | None = Field(default=None, alias="contactId")
    message: str | None = None
    subject: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)

    @field_validator("attachments", mode="before")
    @classmethod
    def _attachments_objects(cls, value: Any) -> Any:
        return _valid_entries(Attachment, value)

    @property
    def created(self) -> datetime | None:
        return parse_time(self.created_at)

    @property
    def direction(self) -> Direction:
        kind = (self.type or "").lower()
        if kind.endswith(("replied", "received", "reply")):
            return Direction.RECEIVED
        if kind.endswith(("sent", "send")):
            return Direction.SENT
        return Direction.OTHER

    @property
    def channel(self) -> str:
        """``email``, ``linkedin``, ``whatsapp``... from the type's prefix; ``other`` if unknown."""
        kind = (self.type or "").lower()
        for name in ("email", "linkedin", "whatsapp", "sms", "call"):
            if kind.startswith(name):
                return name
        return "other"


class Pagination(ApiModel):
    total_items: int | None = Field(default=None, alias="totalItems")
    current_page: int | None = Field(default=None, alias="currentPage")
    next_page: int | None = Field(default=None, alias="nextPage")
    previous_page: int | None = Field(default=None, alias="previousPage")
    per_page: int | None = Field(default=None, alias="perPage")
    total_pages: int | None = Field(default=None, alias="totalPages")


class TeamUser(ApiModel):
    _required = frozenset({"user_id"})

    user_id: str = Field(alias="userId")
    name: str | None = None
    email: str | None = None
    role: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.user_id


class Mailbox(ApiModel):
    """One email mailbox of a team user (``GET /users/{userId}``): where a reply is sent from."""

    _required = frozenset({"id"})

    id: str = Field(alias="_id")
    email: str | None = None
    provider: str | None = None
    #: ``CONNECTED``, ``ERROR`` or ``DISCONNECTED`` (lemlist's spec); anything else kept as is.
    status: str | None = None

    @property
    def connected(self) -> bool:
        """Not known to be broken: a missing status is given the benefit of the doubt."""
        return (self.status or "CONNECTED").upper() == "CONNECTED"


class User(ApiModel):
    """A team user with their sending accounts (``GET /users/{userId}``)."""

    _required = frozenset({"id"})

    id: str = Field(alias="_id")
    email: str | None = None
    name: str | None = None
    role: str | None = None
    mailboxes: list[Mailbox] = Field(default_factory=list)

    @field_validator("mailboxes", mode="before")
    @classmethod
    def _mailbox_objects(cls, value: Any) -> Any:
        return _valid_entries(Mailbox, value)

    @property
    def whatsapp_account_ids(self) -> list[str]:
        """WhatsApp account ids if the answer lists any (undocumented: looked for leniently)."""
        found: list[str] = []
        extra = self.model_extra or {}
        for key in ("whatsappAccounts", "whatsapp", "whatsApp"):
            value = extra.get(key)
            entries = value if isinstance(value, list) else [value]
            for entry in entries:
                ident = entry.get("_id") or entry.get("id") if isinstance(entry, dict) else None
                if isinstance(ident, str) and ident and ident not in found:
                    found.append(ident)
        return found[:MAX_LIST_ENTRIES]


#: Channels a lemlist draft may have (its spec's enum).
DRAFT_CHANNELS = ("email", "linkedin", "whatsapp", "sms")


class Draft(ApiModel):
    """A lemlist draft (``/inbox/{contactId}/drafts``); the list gives a preview, one draft its content."""

    _required = frozenset({"id"})

    id: str = Field(alias="_id")
    channel: str | None = None
    subject: str | None = None
    content_preview: str | None = Field(default=None, alias="contentPreview")
    #: The full HTML content: only in ``GET .../drafts/{draftId}`` and the PATCH answer.
    content: str | None = None
    cc: list[str] = Field(default_factory=list)
    #: ``api`` (made through the API, by us or a script) or ``ui`` (lemlist's web app).
    source: str | None = None
    reply_to_activity_id: str | None = Field(default=None, alias="replyToActivityId")
    created_at: str | None = Field(default=None, alias="createdAt")
    updated_at: str | None = Field(default=None, alias="updatedAt")

    @field_validator("cc", mode="before")
    @classmethod
    def _cc_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)][:MAX_LIST_ENTRIES]
        return value

    @property
    def updated(self) -> datetime | None:
        return parse_time(self.updated_at or self.created_at)


@dataclass(frozen=True)
class SendResult:
    """lemlist's answer to a send: ``ok`` and the contact, whatever else it said kept in ``raw``."""

    ok: bool | None
    contact_id: str | None
    raw: dict[str, Any] = field(default_factory=dict)


M = TypeVar("M", bound=ApiModel)


@dataclass
class Page(Generic[M]):
    """One page of a list endpoint: the good items, how many were skipped, the pagination."""

    items: list[M]
    pagination: Pagination
    number: int = 1
    skipped: int = 0
    #: Why items were skipped (first few only), for the status line and logs.
    skip_reasons: list[str] = field(default_factory=list)


def parse_items(
    model: type[M], raw: Iterable[Any], *, context: dict[str, Any] | None = None
) -> tuple[list[M], int, list[str]]:
    """Validate each raw item on its own; return the good ones, the skip count and reasons.

    ``context`` reaches the validators (``user_id``: whose entry of ``users`` to keep).
    """
    good: list[M] = []
    skipped = 0
    reasons: list[str] = []
    for index, item in enumerate(raw):
        if isinstance(item, Unreadable):
            skipped += 1
            if len(reasons) < 5:
                reasons.append(f"item {index}: {item.reason}")
            continue
        try:
            if not isinstance(item, dict):
                raise TypeError(f"item {index} is {type(item).__name__}, not an object")
            good.append(model.model_validate(item, context=context))
        except (ValidationError, TypeError, RecursionError) as exc:
            skipped += 1
            if len(reasons) < 5:
                if isinstance(exc, ValidationError):
                    reasons.append(f"item {index}: {exc.errors()[0]['msg']}")
                elif isinstance(exc, RecursionError):
                    reasons.append(f"item {index}: nested too deeply")
                else:
                    reasons.append(f"item {index}: {exc}")
    return good, skipped, reasons
