"""One reply, from ``R`` to a decision: choose a draft, edit, review, then send, keep or drop.

The steps, each a screen awaited in turn (the caller runs ``compose`` in a worker):

1. ``prepare``: the template (recipient, sender, subject, the message quoted) and the
   contact's drafts from the reply service. With drafts, a choice: continue one (the web
   app's included) or start anew.
2. The text goes into a private file (``editor.ReplyFile``), and the user's editor opens
   on it with the terminal handed over; where it cannot (headless, ``editor =
   "internal"``, the command not found), the in-app editor does.
3. ``compose.parse_reply`` reads it back, and the review screen shows what would be
   sent; ``e`` goes back to 2, ``n`` discards (after asking, unless the user wrote
   nothing), ``p`` saves a lemlist draft, ``y`` hands the reply to ``send``.

The file is removed once the text is somewhere safer (the outbox, a draft) or the user
dropped it; if the flow is cancelled midway (the app quits), it is kept, and its path
logged. ``send`` is called by the screen in a worker of its own, so the user can go on
reading while it runs; the service writes the outbox entry before the POST.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from lemlist_inbox.inbox.compose import ComposeError, Reply, parse_reply, render_template
from lemlist_inbox.render import sanitize_line
from lemlist_inbox.ui.reply.ask import Ask, Choose
from lemlist_inbox.ui.reply.backend import DraftInfo, Prepared, ReplyBackend, ReplyTarget
from lemlist_inbox.ui.reply.editor import ReplyFile, editor_command, run_editor
from lemlist_inbox.ui.reply.internal_editor import InternalEditor
from lemlist_inbox.ui.reply.review import ReviewChoice, ReviewScreen

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from lemlist_inbox.ui.thread.style import ThreadStyles

__all__ = ["Decision", "ReplyFlow", "first_words"]


def first_words(text: str, limit: int = 60) -> str:
    """The start of a text on one line, for lists and questions."""
    return sanitize_line(" ".join(text.split()), limit)


@dataclass(frozen=True)
class Decision:
    """What the user decided: ``send`` (with the reply), ``postponed``, ``discarded``, ``cancelled``."""

    action: str
    reply: Reply | None = None
    text: str = ""
    draft_id: str | None = None
    prepared: Prepared | None = None
    #: The private file, still there for ``send`` (removed once the outbox holds the text).
    file: ReplyFile | None = None


class ReplyFlow:
    """See the module docstring; one instance per app, any number of replies in turn."""

    def __init__(
        self,
        app: App[Any],
        backend: ReplyBackend,
        *,
        editor_setting: Callable[[], str | None],
        styles: Callable[[], ThreadStyles],
    ) -> None:
        self.app = app
        self.backend = backend
        self._editor_setting = editor_setting
        self._styles = styles
        #: The file of the reply being written, while the flow runs (None between replies).
        self.open_file: ReplyFile | None = None

    async def _ask(self, screen: Screen[Any]) -> Any:
        return await self.app.push_screen_wait(screen)

    # -- the steps ---------------------------------------------------------------

    async def _pick_draft(self, prepared: Prepared) -> DraftInfo | bool | None:
        """A draft to continue, None for a new reply, False when the user cancelled."""
        drafts = list(prepared.drafts)
        if not drafts:
            return None
        options = [
            f"continue the {d.channel} draft{(' of ' + d.updated) if d.updated else ''}: "
            f"{first_words(d.body)}"
            for d in drafts
        ]
        options.append("start a new reply")
        noun = "draft" if len(drafts) == 1 else "drafts"
        index = await self._ask(Choose(f"This conversation has {len(drafts)} {noun}.", options))
        if index is None:
            return False
        return drafts[index] if index < len(drafts) else None

    async def _edit(self, file: ReplyFile, text: str) -> str:
        """The text after one editing round (external editor, else the in-app one)."""
        file.write(text)
        argv = editor_command(self._editor_setting())
        if argv is not None:
            try:
                result = run_editor(self.app, argv, file)
            except SuspendNotSupported:
                pass  # no terminal to hand over: the in-app editor does the job
            else:
                if result.error is None:
                    if result.status:
                        self.app.notify(
                            f"the editor exited with status {result.status}; review the text before sending",
                            severity="warning",
                            markup=False,
                        )
                    return result.text
                self.app.notify(
                    f"could not start the editor ({sanitize_line(result.error, 200)}); "
                    "using the in-app editor",
                    severity="warning",
                    markup=False,
                )
        edited: str = await self._ask(InternalEditor(text, on_change=file.write))
        file.write(edited)
        return edited

    async def compose(
        self,
        target: ReplyTarget,
        *,
        prepare: Callable[[], Awaitable[Prepared]] | None = None,
    ) -> Decision:
        """Run steps 1-3; the decision (``send`` leaves the file for ``send`` to remove)."""
        prepared = await (prepare() if prepare is not None else self.backend.prepare(target))
        draft = await self._pick_draft(prepared)
        if draft is False:
            return Decision("cancelled")
        assert draft is None or isinstance(draft, DraftInfo)
        draft_id = draft.id if draft is not None else None
        if draft is not None:
            prepared = await self.backend.continue_draft(prepared, draft)
        start = render_template(prepared.template)
        return await self._loop(target, prepared, start, draft_id=draft_id, from_draft=draft is not None)

    async def edit_text(self, target: ReplyTarget, prepared: Prepared, text: str) -> Decision:
        """Steps 2-3 on a text of the user's own (an outbox entry to change)."""
        return await self._loop(target, prepared, text, draft_id=None, from_draft=True)

    async def _loop(
        self, target: ReplyTarget, prepared: Prepared, start: str, *, draft_id: str | None, from_draft: bool
    ) -> Decision:
        file = ReplyFile()
        self.open_file = file
        #: Removed when the user dropped the text or it is a draft now; kept when the
        #: flow stops midway (the app quits, a bug), and handed to ``send`` with ``y``.
        remove = False
        try:
            text = start
            edit = True
            while True:
                if edit:
                    text = await self._edit(file, text)
                edit = True
                reply, problem = self._parse(text, prepared, from_draft=from_draft)
                if reply is not None and problem is None:
                    problem = self.backend.check(prepared, reply)
                choice: ReviewChoice = await self._ask(
                    ReviewScreen(
                        prepared.template,
                        reply,
                        problem=problem,
                        styles=self._styles,
                        lead_email=target.contact_email,
                        from_draft=from_draft,
                        warnings=self.backend.warnings(prepared),
                        message=self.backend.preview(prepared, reply) if reply and not problem else None,
                    )
                )
                if choice == "edit":
                    continue
                if choice == "discard":
                    if self._has_words(text, prepared) and not await self._ask(
                        Ask("Discard this reply? Its text is not kept anywhere.")
                    ):
                        edit = False  # back to the review, nothing lost
                        continue
                    remove = True
                    return Decision("discarded")
                if choice == "postpone":
                    assert reply is not None  # the review refuses ``p`` without one
                    try:
                        draft_id = await self.backend.postpone(target, prepared, reply, draft_id=draft_id)
                    except Exception as exc:  # the text stays: back to the review
                        self.app.notify(
                            f"not saved as a draft: {sanitize_line(str(exc), 300)}",
                            severity="error",
                            markup=False,
                        )
                        edit = False
                        continue
                    remove = True
                    self.app.notify("kept as a lemlist draft (R continues it)", markup=False)
                    return Decision("postponed", reply, text, draft_id, prepared)
                assert reply is not None  # the review refuses ``y`` without one
                return Decision("send", reply, text, draft_id, prepared, file)
        except BaseException:
            self.app.log.warning(f"reply not finished; its text is kept in {file.path}")
            raise
        finally:
            self.open_file = None
            if remove:
                file.remove()

    @staticmethod
    def _has_words(text: str, prepared: Prepared) -> bool:
        """Whether discarding would drop anything the user wrote."""
        try:
            parse_reply(text, prepared.template)
        except ComposeError as exc:
            return "empty" not in str(exc) and "unchanged" not in str(exc)
        return True

    @staticmethod
    def _parse(text: str, prepared: Prepared, *, from_draft: bool) -> tuple[Reply | None, str | None]:
        template = prepared.template
        if from_draft:  # a draft's body is the user's own: sending it unchanged is fine
            from dataclasses import replace

            template = replace(template, body="")
        try:
            return parse_reply(text, template), None
        except ComposeError as exc:
            return None, str(exc)
