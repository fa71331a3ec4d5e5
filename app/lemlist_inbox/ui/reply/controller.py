"""The main screen's replying: ``R``, ``O``, sends in the background, what the status says.

Kept out of ``screens.main`` so the screen only binds the two keys and makes one call
when a conversation opens; everything about replies is here.

- ``R`` (from the thread pane, or a list row: the conversation the pane or the cursor
  is on, as ``y`` chooses) runs the reply flow (``flow``) in a worker; a ``send``
  decision starts a send worker of its own, so the user reads on meanwhile.
- A send goes through the reply service, which writes the outbox entry before the POST.
  Until it is confirmed the status says ``sending…``; then either the message shows in
  the thread at once (the pane fetches the thread again: the service has it stored, the
  server on the next refresh), the conversation moves to the top of the list and the
  entry is gone; or the status says ``not sent (O to retry): <reason>`` and the text waits
  there. A ``4xx`` says lemlist's own sentence (the service gives it sanitized, one line).
- ``O`` lists the outbox. Sending an entry again follows the outbox's rule: a ``failed``
  one is sent; an ``unknown`` one (timed out, may have gone) is first looked for in the
  thread, and the user is asked either way, never resent by itself.
- At start (and after each send), the status says how many replies wait.
- Opening a conversation asks, in the background, whether it has drafts; if so the
  status says so (``1 draft here · R continues``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from rich.style import Style

from lemlist_inbox.inbox.compose import render_template, text_to_html
from lemlist_inbox.render import sanitize_line
from lemlist_inbox.ui.reply.ask import Ask
from lemlist_inbox.ui.reply.backend import Prepared, ReplyBackend, ReplyTarget, SendOutcome
from lemlist_inbox.ui.reply.flow import Decision, ReplyFlow, first_words
from lemlist_inbox.ui.reply.outbox_screen import OutboxAction, OutboxScreen
from lemlist_inbox.ui.reply.preview import sent_message
from lemlist_inbox.ui.reply.review import split_sender
from lemlist_inbox.ui.thread.style import ThreadStyles, resolve_styles

if TYPE_CHECKING:
    from lemlist_inbox.inbox.outbox import OutboxEntry
    from lemlist_inbox.inbox.store import Entry
    from lemlist_inbox.ui.screens.main import MainScreen

__all__ = ["BackendFactory", "ReplyController"]

#: Builds the reply service's adapter for the screen's viewing user (None: no user yet).
BackendFactory = Callable[["MainScreen"], "ReplyBackend | None"]

#: Seconds "sent to …" stays in the status line.
SAID_FOR = 10.0
SENT_PREFIX = "sent to "
NO_STORE = "choose whose inbox to read first (U): replies go from that user"


class ReplyController:
    """See the module docstring; one per main screen."""

    def __init__(self, screen: MainScreen, backend_factory: BackendFactory) -> None:
        self.screen = screen
        self._factory = backend_factory
        self._backend: ReplyBackend | None = None
        self._backend_user: str | None = None
        #: The outbox entry of each send in flight (so ``O`` does not start it twice).
        self.in_flight: set[str] = set()
        self._sending_text = ""
        self._active: ReplyFlow | None = None
        #: ``1 draft · R continues it`` while a conversation with drafts is open.
        self._draft_text = ""

    # -- plumbing -------------------------------------------------------------------

    @property
    def backend(self) -> ReplyBackend | None:
        user = self.screen.user_id
        if self._backend is None or self._backend_user != user:
            self._backend = self._factory(self.screen) if user is not None else None
            self._backend_user = user
        return self._backend

    def _styles(self) -> ThreadStyles:
        thread = self.screen.thread
        return resolve_styles(lambda component: thread.get_component_rich_style(component, default=Style()))

    def _flow(self, backend: ReplyBackend) -> ReplyFlow:
        app = self.screen.inbox_app
        self._active = ReplyFlow(
            app,
            backend,
            editor_setting=lambda: getattr(app.settings, "editor", None),
            styles=self._styles,
        )
        return self._active

    def _target_entry(self) -> Entry | None:
        screen = self.screen
        conversation_id = screen.thread.current_conversation_id
        if screen.focused is screen.conversation_list or conversation_id is None:
            conversation_id = screen.conversation_list.cursor_id
        return screen.store.get(conversation_id) if conversation_id else None

    def _target(self, entry: Entry) -> ReplyTarget | None:
        contact_id = entry.thread_id
        if contact_id is None or self.screen.user_id is None:
            return None
        return ReplyTarget(
            conversation_id=entry.id,
            contact_id=contact_id,
            user_id=self.screen.user_id,
            contact_name=entry.name,
            contact_email=entry.email,
        )

    def _say(self, text: str) -> None:
        """The replies' part of the status line (sending, not sent, waiting)."""
        self._sending_text = text
        self._show()

    def _unsay(self, text: str) -> None:
        if self._sending_text == text:
            self._say("")

    def _show(self) -> None:
        parts = [p for p in (self._sending_text, self._draft_text) if p]
        self.screen.status.update_state(outbox=" · ".join(parts))

    def _warn(self, text: str) -> None:
        self.screen.notify(sanitize_line(text, 300), severity="warning", markup=False)

    # -- quitting ---------------------------------------------------------------------

    def unfinished(self) -> Path | None:
        """The file of a reply being written (editor or review open), if any."""
        flow = self._active
        file = flow.open_file if flow is not None else None
        return file.path if file is not None else None

    async def settle(self, timeout: float) -> None:
        """At quit: let sends in flight get lemlist's answer (bounded), so none is left
        "maybe sent" for want of a few hundred milliseconds."""
        running = [w for w in self.screen.workers if w.group in ("send", "outbox") and not w.is_finished]
        if running:
            self.screen.notify("waiting for lemlist to confirm the reply being sent…", timeout=timeout)
            await asyncio.wait([asyncio.ensure_future(w.wait()) for w in running], timeout=timeout)

    # -- the outbox in the status ------------------------------------------------------

    def show_waiting(self) -> None:
        """``2 replies not sent · O outbox`` (or nothing when the outbox is empty)."""
        backend = self.backend
        entries = backend.waiting() if backend is not None else []
        # "sending": on its way (here, or from another instance); said when it lands.
        waiting = [e for e in entries if e.id not in self.in_flight and e.state != "sending"]
        if not waiting:
            if not self.in_flight and not self._sending_text.startswith(SENT_PREFIX):
                self._say("")  # "sent to …" stays its few seconds
            return
        noun = "reply" if len(waiting) == 1 else "replies"
        maybe = sum(1 for e in waiting if e.may_have_been_sent)
        extra = f" ({maybe} may have gone)" if maybe else ""
        self._say(f"{len(waiting)} {noun} not sent{extra} · O outbox")

    # -- R ----------------------------------------------------------------------------

    def reply(self) -> None:
        entry = self._target_entry()
        if entry is None:
            self._warn("no conversation to reply to")
            return
        if self.screen.inbox_app.offline:
            self._warn("offline (--offline): replies cannot be sent")
            return
        target = self._target(entry)
        backend = self.backend
        if target is None:
            self._warn("this conversation has no contact id: it cannot be answered")
            return
        if backend is None:
            self._warn(NO_STORE)
            return
        if not backend.persistent:
            self._warn("cache = false: a reply that cannot be sent is kept only until you quit")
        self.screen.run_worker(
            self._compose(backend, target), group="reply", exclusive=True, exit_on_error=False
        )

    async def _compose(
        self, backend: ReplyBackend, target: ReplyTarget, *, prepared: Prepared | None = None, text: str = ""
    ) -> None:
        flow = self._flow(backend)

        async def ready() -> Prepared:
            if prepared is not None:
                return prepared
            self._say(f"preparing the reply to {sanitize_line(target.contact_name, 40) or 'the contact'}…")
            try:
                return await backend.prepare(target)
            finally:
                self.show_waiting()

        try:
            if text:
                decision = await flow.edit_text(target, await ready(), text)
            else:
                decision = await flow.compose(target, prepare=ready)
        except Exception as exc:  # a sentence, never a traceback; the flow kept the text
            self.screen.log.error(f"reply: {exc!r}")
            self.screen.notify(f"reply: {sanitize_line(str(exc), 300)}", severity="error", markup=False)
            return
        if decision.action == "send":
            self.send(backend, target, decision)
        elif decision.action == "postponed":
            self._count_drafts(backend, target)

    # -- sending ----------------------------------------------------------------------

    def send(
        self,
        backend: ReplyBackend,
        target: ReplyTarget,
        decision: Decision,
        *,
        replaces: OutboxEntry | None = None,
    ) -> None:
        self._say(f"sending the reply to {sanitize_line(target.contact_name, 40) or 'the contact'}…")
        self.screen.run_worker(
            self._send(backend, target, decision, replaces), group="send", exit_on_error=False
        )

    async def _send(
        self,
        backend: ReplyBackend,
        target: ReplyTarget,
        decision: Decision,
        replaces: OutboxEntry | None = None,
    ) -> None:
        assert decision.reply is not None and decision.prepared is not None
        try:
            outcome = await backend.send(
                target, decision.prepared, decision.reply, decision.text, draft_id=decision.draft_id
            )
        except Exception as exc:  # a bug in the service: the text is still in its file
            self.screen.log.error(f"send: {exc!r}")
            outcome = SendOutcome("not_saved", error=str(exc))
        if outcome.state == "not_saved":
            path = decision.file.path if decision.file is not None else None
            self.screen.notify(
                f"not sent, and not saved in the outbox: {sanitize_line(outcome.error, 200)}"
                + (f"; the text is kept in {path}" if path else ""),
                severity="error",
                timeout=30,
                markup=False,
            )
            self.show_waiting()
            return
        if decision.file is not None:
            decision.file.remove()  # the outbox (or lemlist) holds the text now
        if replaces is not None:
            backend.discard(replaces)  # its new version is in the outbox (or sent)
        self._after_send(target, outcome, decision, backend)

    def _after_send(
        self,
        target: ReplyTarget,
        outcome: SendOutcome,
        decision: Decision | None = None,
        backend: ReplyBackend | None = None,
    ) -> None:
        if outcome.entry_id is not None:
            self.in_flight.discard(outcome.entry_id)
        if outcome.sent:
            for note in outcome.notes:
                self._warn(note)
            self._sent(target, outcome, decision)
            if decision is not None and decision.draft_id is not None:
                self._count_drafts(backend, target)  # the draft it came from is gone
            self.show_waiting()
            if not self._sending_text or self._sending_text.startswith(SENT_PREFIX):
                said = f"{SENT_PREFIX}{sanitize_line(target.contact_name, 40) or 'the contact'}"
                self._say(said)
                self.screen.set_timer(SAID_FOR, lambda: self._unsay(said))
            return
        reason = sanitize_line(outcome.error, 200) or outcome.state
        if outcome.state == "not_sent":  # refused before any request: nothing changed
            self._warn(reason)
            self.show_waiting()
            return
        # The key first: a narrow terminal cuts the reason, not the way out.
        if outcome.state == "unknown":
            self._say(f"maybe sent, not confirmed (O checks the thread): {reason}")
        else:
            self._say(f"not sent (O to retry): {reason}")
        self.screen.notify(
            f"reply not sent: {reason}; kept in the outbox (O)", severity="error", markup=False
        )

    def _sent(self, target: ReplyTarget, outcome: SendOutcome, decision: Decision | None) -> None:
        """The reply shows in the thread now, and its conversation goes to the top.

        The pane gets the message as lemlist answered it, or as it was reviewed; the
        list's row moves by a new activity stamp, so the next open fetches the thread.
        """
        screen = self.screen
        stamp = screen.inbox_app.clock().astimezone(UTC)
        now = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        message = outcome.message
        if message is None and decision is not None and decision.reply is not None:
            name, address = split_sender(decision.prepared.template.sender if decision.prepared else "")
            email = decision.reply.channel == "email"
            message = sent_message(
                # As the review showed it: chat text escaped, so a typed "<i>" stays text.
                html=decision.reply.html if email else text_to_html(decision.reply.body),
                channel=decision.reply.channel,
                subject=decision.reply.subject,
                sender_name=name,
                sender_email=address,
                lead_email=target.contact_email if email else "",
                when=now,
            )
        if message is not None:
            screen.thread.show_sent(target.conversation_id, message)
        entry = screen.store.get(target.conversation_id)
        if entry is not None and outcome.message is None:
            # The service moves the row itself when it built the message; else it is done here.
            moved = entry.conversation.model_copy(update={"last_activity_at": now})
            screen.store.merge([moved])
        screen.conversation_list.sync()

    # -- O ----------------------------------------------------------------------------

    def open_outbox(self, select: str | None = None) -> None:
        backend = self.backend
        if backend is None:
            self._warn(NO_STORE)
            return

        def contact(entry: OutboxEntry) -> str:
            found = self._entry_of(entry)
            return found.name if found is not None else entry.contact_id

        def waiting() -> list[OutboxEntry]:
            return backend.waiting()

        def chosen(entry: OutboxEntry, action: OutboxAction) -> None:
            self.screen.run_worker(
                self._outbox_action(backend, entry, action, screen), group="outbox", exit_on_error=False
            )

        screen = OutboxScreen(waiting, contact, on_choice=chosen, select=select)
        self.screen.app.push_screen(screen, lambda _: self.show_waiting())

    def _entry_of(self, entry: OutboxEntry) -> Entry | None:
        """The list's row of an outbox entry (by conversation, else by contact)."""
        store = self.screen.store
        found = store.get(entry.conversation_id) if entry.conversation_id else None
        if found is not None:
            return found
        for conversation_id in store.ids():
            candidate = store.get(conversation_id)
            if candidate is not None and candidate.thread_id == entry.contact_id:
                return candidate
        return None

    async def _outbox_action(
        self, backend: ReplyBackend, entry: OutboxEntry, action: OutboxAction, screen: OutboxScreen
    ) -> None:
        app = self.screen.app
        if entry.id in self.in_flight:
            self._warn("this reply is being sent right now")
            return
        if action == "delete":
            words = first_words(entry.text, 40)
            if await app.push_screen_wait(
                Ask(f"Delete this reply from the outbox? It is not sent. ({words})")
            ):
                backend.discard(entry)
            screen.reload()
            return
        confirmed = False
        if entry.may_have_been_sent:
            gone = await self._check_thread(backend, entry)
            if gone is None:
                return
            if gone:
                if await app.push_screen_wait(
                    Ask("This reply is in the thread already: it was sent. Remove it from the outbox?")
                ):
                    backend.confirm_sent(entry)
                screen.reload()
                return
            question = "It timed out, so it may have been sent, but it is not in the thread yet. " + (
                "Send it again?" if action == "send" else "Edit it and send it again?"
            )
            if not await app.push_screen_wait(Ask(question)):
                return
            confirmed = True
        if action == "edit":
            await self._edit_entry(backend, entry, screen)
            return
        self.in_flight.add(entry.id)
        screen.reload()
        self._say("sending again…")
        try:
            outcome = await backend.retry(entry, confirmed_not_sent=confirmed)
        except Exception as exc:
            self.screen.log.error(f"retry: {exc!r}")
            outcome = SendOutcome("failed", error=str(exc), entry_id=entry.id)
        finally:
            self.in_flight.discard(entry.id)
        target = ReplyTarget(
            conversation_id=entry.conversation_id or "",
            contact_id=entry.contact_id,
            user_id=entry.user_id,
            contact_name=(
                found.name if (found := self.screen.store.get(entry.conversation_id or "")) else ""
            ),
        )
        self._after_send(target, outcome, backend=backend)
        if screen.is_attached:
            screen.reload()

    async def _check_thread(self, backend: ReplyBackend, entry: OutboxEntry) -> bool | None:
        self._say("looking for it in the thread…")
        try:
            return await backend.appears_sent(entry)
        except Exception as exc:
            self._warn(f"could not check the thread: {exc}; try again when lemlist answers")
            return None
        finally:
            self.show_waiting()

    async def _edit_entry(self, backend: ReplyBackend, entry: OutboxEntry, screen: OutboxScreen) -> None:
        found = self._entry_of(entry)
        target = ReplyTarget(
            conversation_id=found.id if found is not None else "",
            contact_id=entry.contact_id,
            user_id=entry.user_id,
            contact_name=found.name if found is not None else "",
            contact_email=found.email if found is not None else "",
        )
        try:
            prepared = await backend.prepare(target)
        except Exception as exc:
            self._warn(f"could not prepare the reply: {exc}")
            return
        text = render_template(backend.template_for(prepared, entry.channel, entry.text))
        decision = await self._flow(backend).edit_text(target, prepared, text)
        if decision.action == "send":
            # The edited text replaces the entry once it is in the outbox itself.
            self.send(backend, target, decision, replaces=entry)
        elif decision.action == "discarded":
            backend.discard(entry)
        if screen.is_attached:
            screen.reload()

    # -- drafts on open ---------------------------------------------------------------

    def conversation_opened(self, entry: Entry) -> None:
        """Say, lightly, when the opened conversation has drafts (asked in the background)."""
        target = self._target(entry)
        backend = self.backend
        if self._draft_text:
            self._draft_text = ""
            self._show()
        if target is None or backend is None:
            return
        self._count_drafts(backend, target)

    def _count_drafts(self, backend: ReplyBackend | None, target: ReplyTarget) -> None:
        if backend is None or self.screen.inbox_app.offline:
            return
        self.screen.run_worker(
            self._drafts_of(backend, target), group="drafts", exclusive=True, exit_on_error=False
        )

    async def _drafts_of(self, backend: ReplyBackend, target: ReplyTarget) -> None:
        try:
            count = await backend.draft_count(target)
        except Exception as exc:  # a hint is not worth an error
            self.screen.log.warning(f"drafts: {exc!r}")
            return
        if self.screen.thread.current_conversation_id != target.conversation_id:
            return
        noun = "draft" if count == 1 else "drafts"
        self._draft_text = f"{count} {noun} here · R continues" if count else ""
        self._show()
