"""The reply service (``inbox.replies.ReplyService``) as the UI's ``ReplyBackend``.

One service per viewing user, on that user's local inbox (the outbox lives in its
file). The service wants a client at construction, but the app's client is built
after the first frame (``InboxApp.connected``), and listing the outbox at start must
not wait for it: the service gets ``_LateClient``, which awaits the real one on each
call. Everything the service raises comes back as a sentence (``describe_error``);
``SendOutcome`` is translated into the UI's own, whose ``not_saved`` means "the outbox
could not take it, so nothing was sent and the text is only in its file".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lemlist_inbox.api.errors import LemlistError, describe_error
from lemlist_inbox.inbox.compose import ComposeError, Reply, ReplyTemplate, text_to_html
from lemlist_inbox.inbox.replies import ReplyContext, ReplyError, ReplyService
from lemlist_inbox.render import sanitize_line
from lemlist_inbox.ui.reply.backend import DraftInfo, Prepared, ReplyTarget, SendOutcome

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient, Thread
    from lemlist_inbox.api.models import Draft, Message, SendResult, User
    from lemlist_inbox.inbox.outbox import OutboxEntry
    from lemlist_inbox.ui.app import InboxApp
    from lemlist_inbox.ui.screens.main import MainScreen

__all__ = ["ServiceBackend", "reply_backend"]


def _say(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, ReplyError | ComposeError) else describe_error(exc)
    return sanitize_line(text, 300)


class _LateClient:
    """``ReplyClient`` over the app's client, built when first needed."""

    def __init__(self, app: InboxApp) -> None:
        self._app = app

    async def _client(self) -> LemlistClient:
        return await self._app.connected()

    async def thread(self, contact_id: str, *, user_id: str | None = None) -> Thread:
        return await (await self._client()).thread(contact_id, user_id=user_id)

    async def user(self, user_id: str) -> User:
        return await (await self._client()).user(user_id)

    async def send_payload(self, channel: str, payload: dict[str, Any]) -> SendResult:
        return await (await self._client()).send_payload(channel, payload)

    async def drafts(self, contact_id: str, owner: str) -> list[Draft]:
        return await (await self._client()).drafts(contact_id, owner)

    async def draft(self, contact_id: str, draft_id: str, owner: str) -> Draft:
        return await (await self._client()).draft(contact_id, draft_id, owner)

    async def create_draft(self, contact_id: str, owner: str, fields: dict[str, Any]) -> str:
        return await (await self._client()).create_draft(contact_id, owner, fields)

    async def update_draft(
        self, contact_id: str, draft_id: str, owner: str, fields: dict[str, Any]
    ) -> Draft | None:
        return await (await self._client()).update_draft(contact_id, draft_id, owner, fields)

    async def delete_draft(self, contact_id: str, draft_id: str, owner: str) -> None:
        await (await self._client()).delete_draft(contact_id, draft_id, owner)


class _Ticking:
    """The app's clock (pinned in tests) as POSIX time, never twice the same instant.

    It dates the outbox's entries (listed oldest first) and a sent message; two replies
    written within one tick of a coarse or pinned clock still keep their order.
    """

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._last = 0.0

    def __call__(self) -> float:
        self._last = max(self._clock().timestamp(), self._last + 0.001)
        return self._last


def _draft_info(draft: Draft) -> DraftInfo:
    from lemlist_inbox.render import format_when

    stamp = draft.updated
    when = format_when(stamp) if stamp is not None else ""
    source = " (web app)" if draft.source == "ui" else ""
    return DraftInfo(
        id=draft.id,
        channel=(draft.channel or "email") + source,
        body=draft.content_preview or "",
        subject=draft.subject or "",
        updated=when,
    )


class ServiceBackend:
    """See the module docstring."""

    def __init__(self, service: ReplyService) -> None:
        self.service = service
        #: ``recover`` runs once, at the first look at the outbox.
        self._recovered = False

    def _context(self, prepared: Prepared) -> ReplyContext:
        assert isinstance(prepared.context, ReplyContext)
        return prepared.context

    async def prepare(self, target: ReplyTarget) -> Prepared:
        try:
            row = self.service.inbox.store.get(target.conversation_id) if target.conversation_id else None
            context = await self.service.context(target.contact_id, conversation=row)
        except (ReplyError, LemlistError) as exc:
            raise ReplyError(f"cannot prepare the reply: {_say(exc)}") from None
        try:
            drafts = [_draft_info(d) for d in await self.service.drafts(target.contact_id)]
        except LemlistError:
            drafts = []  # a reply can still be written; the drafts are offered next time
        template = context.template()
        return Prepared(template, tuple(drafts), context)

    async def draft_count(self, target: ReplyTarget) -> int:
        return len(await self.service.drafts(target.contact_id))

    async def continue_draft(self, prepared: Prepared, draft: DraftInfo) -> Prepared:
        context = self._context(prepared)
        text = await self.service.open_draft(context.contact_id, draft.id)
        return replace(prepared, template=context.template(draft=text))

    @property
    def persistent(self) -> bool:
        return self.service.persistent

    def template_for(self, prepared: Prepared, channel: str, body: str) -> ReplyTemplate:
        context = self._context(prepared)
        try:
            return context.template(channel, body=body)
        except ReplyError:  # the channel is no longer possible here: the default one
            return context.template(body=body)

    def check(self, prepared: Prepared, reply: Reply) -> str | None:
        try:
            self._context(prepared).payload(reply)
        except ReplyError as exc:
            return _say(exc)
        return None

    def preview(self, prepared: Prepared, reply: Reply) -> Message | None:
        try:
            message = self.service.preview_message(self._context(prepared), reply)
        except ReplyError:
            return None
        if reply.channel != "email":
            # LinkedIn and WhatsApp carry the text as typed: escaped here, so the review
            # shows it exactly, tags and all, instead of the renderer taking "<i>" for markup.
            message = message.model_copy(update={"message": text_to_html(reply.body)})
        return message

    def warnings(self, prepared: Prepared) -> tuple[str, ...]:
        return self._context(prepared).warnings

    async def send(
        self, target: ReplyTarget, prepared: Prepared, reply: Reply, text: str, *, draft_id: str | None
    ) -> SendOutcome:
        try:
            outcome = await self.service.send(self._context(prepared), reply, draft_id=draft_id)
        except (ReplyError, ComposeError) as exc:
            return SendOutcome("not_saved", error=_say(exc))
        entry = outcome.entry.id if outcome.entry is not None else None
        notes = (outcome.note,) if outcome.note else ()
        return SendOutcome(outcome.state, _say_text(outcome.error), entry, outcome.message, notes)

    async def postpone(
        self, target: ReplyTarget, prepared: Prepared, reply: Reply, *, draft_id: str | None
    ) -> str:
        try:
            return await self.service.save_draft(self._context(prepared), reply, draft_id=draft_id)
        except (ReplyError, ComposeError, LemlistError) as exc:
            raise ReplyError(_say(exc)) from None

    def waiting(self) -> list[OutboxEntry]:
        if not self._recovered:
            self._recovered = True
            return self.service.recover()
        return self.service.entries()

    async def retry(self, entry: OutboxEntry, *, confirmed_not_sent: bool = False) -> SendOutcome:
        try:
            outcome = await self.service.retry(entry.id, confirmed_not_sent=confirmed_not_sent)
        except ReplyError as exc:
            return SendOutcome("not_sent", error=_say(exc), entry_id=entry.id)
        notes = (outcome.note,) if outcome.note else ()
        return SendOutcome(outcome.state, _say_text(outcome.error), entry.id, outcome.message, notes)

    async def appears_sent(self, entry: OutboxEntry) -> bool:
        return (await self.service.check_unknown(entry.id)).appeared

    def confirm_sent(self, entry: OutboxEntry) -> None:
        self.service.confirm_sent(entry.id)

    def discard(self, entry: OutboxEntry) -> None:
        self.service.discard(entry.id)


def _say_text(text: str) -> str:
    return sanitize_line(text, 300)


def reply_backend(screen: MainScreen) -> ServiceBackend | None:
    """The viewing user's backend (None before a user is chosen).

    With ``cache = false`` the service keeps its outbox in memory (``persistent``):
    replying works, and the controller says that an unsent reply lasts only this run.
    """
    local = screen.local
    if local is None:
        return None
    app = screen.inbox_app
    return ServiceBackend(ReplyService(_LateClient(app), local, clock=_Ticking(app.clock)))
