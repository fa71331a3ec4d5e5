"""``lemlist-inbox reply``, ``drafts`` and ``outbox``: replying from a shell or a script.

All three go through ``inbox.replies.ReplyService``, as the TUI does, so the rules are the
same: the reply is written to the local inbox's outbox before the request starts, a
failure keeps it there (exit 1, and the message says so), and an entry whose send had no
answer is never resent without looking at the thread first and, if it is not there, the
user's word (``--yes``, or a "y" typed on the terminal).

Nothing is sent without a yes: ``reply`` prints exactly what will be sent (the header
block, then the text as the thread pane will show it) and asks on the terminal; when
stdin is not a terminal (a pipe, cron, ``--message-file -``) there is no one to ask, so
``--yes`` is required and without it the command stops with exit 2 after the preview.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.cli.local import iso_time, local_time, open_inbox
from lemlist_inbox.cli.output import json_array
from lemlist_inbox.cli.session import OfflineError, Session, UsageError, resolve_user
from lemlist_inbox.render.sanitize import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.inbox.compose import Reply
    from lemlist_inbox.inbox.local import LocalInbox
    from lemlist_inbox.inbox.outbox import OutboxEntry
    from lemlist_inbox.inbox.replies import ReplyContext, ReplyService, SendOutcome

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
#: The most of a message file read: far above lemlist's 30 KB, so an over-long file is
#: refused with its size rather than read whole.
MAX_MESSAGE_FILE = 1024 * 1024

OUTBOX_HINT = "`lemlist-inbox outbox` lists it, `lemlist-inbox outbox --send` sends it again"


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


async def _ask(question: str) -> bool:
    """A yes/no on the terminal (stderr for the question, stdin for the answer)."""

    def ask() -> str:
        sys.stderr.write(question)
        sys.stderr.flush()
        return sys.stdin.readline()

    try:
        answer = await asyncio.to_thread(ask)
    except (EOFError, OSError):
        return False
    return answer.strip().lower() in ("y", "yes")


def _read_message(source: str) -> str:
    """The reply's text from a file, or stdin for ``-``; bounded, UTF-8."""
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_MESSAGE_FILE + 1)
        else:
            with Path(source).open("rb") as file:
                data = file.read(MAX_MESSAGE_FILE + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    if len(data) > MAX_MESSAGE_FILE:
        raise UsageError(f"{source} is over {MAX_MESSAGE_FILE // 1024} KB: far more than lemlist accepts")
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise UsageError(f"{source} is not UTF-8 text") from None


def _service(session: Session, inbox: LocalInbox) -> ReplyService:
    from lemlist_inbox.inbox.replies import ReplyService

    return ReplyService(session.client, inbox)


# ---------------------------------------------------------------------------- reply


async def cmd_reply(session: Session) -> int:
    args = session.args
    if session.offline:
        raise UsageError("reply sends a request; it cannot be used with --offline")
    user_id = await resolve_user(session)
    text = _read_message(args.message_file) if args.message_file is not None else None
    inbox = open_inbox(session, user_id, rows=False)
    try:
        service = _service(session, inbox)
        context = await service.context(args.contact_id)
        return await _reply(session, service, context, text)
    except LemlistError:
        if args.message_file == "-" and text and text.strip():
            # Read from a pipe and not in the outbox yet: printed, so it is not lost.
            session.out.lines(text.rstrip("\n").splitlines())
            session.out.message("nothing was sent or saved; the text read from stdin is printed above")
        raise
    finally:
        inbox.close()


async def _reply(session: Session, service: ReplyService, context: ReplyContext, text: str | None) -> int:
    from lemlist_inbox.inbox.compose import ComposeError
    from lemlist_inbox.inbox.replies import ReplyError

    args, out = session.args, session.out
    for warning in context.warnings:
        out.warning(warning)
    try:
        draft = await service.open_draft(context.contact_id, args.draft_id) if args.draft_id else None
        reply = await _compose(session, context, text, draft)
        if args.draft:
            draft_id = await service.save_draft(context, reply, draft_id=args.draft_id)
            verb = "updated" if args.draft_id else "saved"
            out.message(
                f"{verb} draft {sanitize_line(draft_id, 100)} ({reply.channel}) "
                f"for {context.to(reply.channel)}"
            )
            return EXIT_OK
        out.lines(service.preview(context, reply))
    except (ComposeError, ReplyError) as exc:
        raise UsageError(str(exc)) from None
    if not args.yes:
        if args.message_file == "-" or not _stdin_is_terminal():
            raise UsageError(
                "nothing was sent: stdin is not a terminal, so the reply cannot be confirmed here; "
                "add --yes to send it as shown"
            )
        if not await _ask("Send this reply? [y/N] "):
            out.message("not sent")
            return EXIT_ERROR
    try:
        outcome = await service.send(context, reply, draft_id=args.draft_id)
    except ReplyError as exc:
        out.error(str(exc))
        return EXIT_ERROR
    return _report(session, service, outcome, reply.body)


async def _compose(session: Session, context: ReplyContext, text: str | None, draft: Any) -> Reply:
    """The reply from the message file (or the draft), or from the editor."""
    from lemlist_inbox.inbox.compose import Reply, check_addresses, check_body

    args = session.args
    channel = args.channel or (draft.channel if draft is not None else None) or context.default_channel
    if channel not in context.channels:
        why = context.unavailable.get(channel) or "not offered for this conversation"
        raise UsageError(f"cannot reply on {channel} here: {why}")
    if text is None and draft is None:
        return await _edit(session, context, channel)
    body = (text if text is not None else draft.body).strip("\n")
    check_body(body)
    if channel != "email" and (args.subject is not None or args.cc is not None):
        raise UsageError(f"--subject and --cc are for email; a {channel} reply has neither")
    subject = context.subject
    cc = context.cc
    if draft is not None:
        subject, cc = draft.subject or subject, draft.cc or cc
    if args.subject is not None:
        subject = args.subject.strip()
    if args.cc is not None:
        cc = check_addresses([part for value in args.cc for part in value.split(",")])
    return Reply(channel=channel, subject=subject, cc=cc, body=body)


async def _edit(session: Session, context: ReplyContext, channel: str) -> Reply:
    """No message file: the editor opens on the template, as in the TUI (terminal only)."""
    from lemlist_inbox.editor import EditorError, edit, editor_command
    from lemlist_inbox.inbox.compose import parse_reply, render_template

    if not _stdin_is_terminal():
        raise UsageError("give the reply with --message-file FILE, or --message-file - to read it from stdin")
    template = context.template(channel)
    try:
        argv = editor_command(session.settings.editor)
        edited = await asyncio.to_thread(edit, render_template(template), argv)
    except EditorError as exc:
        raise UsageError(str(exc)) from None
    return parse_reply(edited, template)


def _report(session: Session, service: ReplyService, outcome: SendOutcome, text: str) -> int:
    out = session.out
    if outcome.sent:
        out.message("sent" + (f"; {outcome.note}" if outcome.note else ""))
        return EXIT_OK
    kept = f"the text is kept in the outbox: {OUTBOX_HINT}"
    if not service.persistent:
        kept = "cache = false keeps no outbox, so here is the text again:"
    if outcome.state == "unknown":
        out.error(
            f"no clear answer from lemlist ({outcome.error}). The reply may have been sent; {kept} "
            "(it checks the thread first and never resends by itself)"
        )
    else:
        out.error(f"not sent: {outcome.error}; {kept}")
    if not service.persistent:
        out.lines(text.splitlines())
    return EXIT_ERROR


# ---------------------------------------------------------------------------- drafts


async def cmd_drafts(session: Session) -> int:
    if session.offline:
        raise UsageError("drafts are kept by lemlist; listing them needs the network (no --offline)")
    user_id = await resolve_user(session)
    args = session.args
    if args.show or args.delete:
        return await _one_draft(session, user_id, args.show or args.delete, delete=bool(args.delete))
    drafts = await session.client.drafts(session.args.contact_id, user_id)
    if session.args.json:
        session.out.raw(json_array(d.to_api_dict() for d in drafts))
        return EXIT_OK
    rows = []
    for draft in drafts:
        stamp = draft.updated
        when = local_time(stamp.timestamp()) if stamp is not None else "-"
        fields = (draft.id, draft.channel, draft.source, when, draft.subject, draft.content_preview)
        rows.append([sanitize_line(field, 200) or "-" for field in fields])
    session.out.lines(_table(session, rows))
    if not drafts:
        session.out.message("no drafts for this conversation")
    return EXIT_OK


async def _one_draft(session: Session, user_id: str, draft_id: str, *, delete: bool) -> int:
    """``--show``: the draft as text; ``--delete``: that, then the draft is deleted."""
    from lemlist_inbox.inbox.reply_context import html_text
    from lemlist_inbox.render.sanitize import sanitize

    contact_id = session.args.contact_id
    draft = await session.client.draft(contact_id, draft_id, user_id)
    body, quoted = html_text(draft.content or "")
    lines = [f"Channel: {sanitize_line(draft.channel, 40) or '-'}"]
    if draft.subject:
        lines.append(f"Subject: {sanitize_line(draft.subject, 500)}")
    if draft.cc:
        lines.append(f"Cc: {', '.join(sanitize_line(a, 200) for a in draft.cc)}")
    lines += ["", *sanitize(body).strip("\n").splitlines()]
    if quoted.strip():
        lines += ["", *(f"> {line}" if line else ">" for line in sanitize(quoted).splitlines())]
    session.out.lines(lines)
    if delete:
        await session.client.delete_draft(contact_id, draft_id, user_id)
        session.out.message(f"deleted draft {sanitize_line(draft_id, 100)} (its text is printed above)")
    return EXIT_OK


def _table(session: Session, rows: list[list[str]]) -> list[str]:
    """Tab-separated into a pipe, aligned on a terminal (the last column not padded)."""
    if not session.out.stdout_is_terminal:
        return ["\t".join(row) for row in rows]
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]) for row in rows
    ]


# ---------------------------------------------------------------------------- outbox


def _entry_json(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "state": entry.state,
        "channel": entry.channel,
        "contact_id": entry.contact_id,
        "conversation_id": entry.conversation_id,
        "user_id": entry.user_id,
        "created_at": iso_time(entry.created_at),
        "updated_at": iso_time(entry.updated_at),
        "attempts": entry.attempts,
        "last_error": entry.last_error,
        "draft_id": entry.draft_id,
        "text": entry.text,
        "payload": dict(entry.payload),
    }


_STATE_WORDS = {
    "pending": "not sent yet",
    "failed": "not sent",
    "unknown": "maybe sent (no answer)",
    "sending": "being sent",
}


async def cmd_outbox(session: Session) -> int:
    args = session.args
    if args.send and session.offline:
        raise UsageError("outbox --send sends requests; it cannot be used with --offline")
    user_id = await resolve_user(session)
    inbox = open_inbox(session, user_id, rows=False)
    try:
        if inbox.db is None:
            raise OfflineError("cache = false keeps no local inbox, so there is no outbox")
        from lemlist_inbox.inbox.outbox import Outbox

        outbox = Outbox(inbox.db)
        if args.discard:
            return _discard(session, outbox, args.discard)
        if args.send:
            return await _send_all(session, inbox)
        entries = outbox.entries()
        if args.json:
            session.out.raw(json_array(_entry_json(e) for e in entries))
            return EXIT_OK
        rows = []
        for entry in entries:
            first = next((line for line in entry.text.splitlines() if line.strip()), "")
            fields = (
                entry.id,
                _STATE_WORDS.get(entry.state, entry.state),
                entry.channel,
                entry.contact_id,
                local_time(entry.created_at),
                entry.last_error or "",
                first,
            )
            rows.append([sanitize_line(field, 120) or "-" for field in fields])
        session.out.lines(_table(session, rows))
        if not entries:
            session.out.message("the outbox is empty: nothing waits")
        return EXIT_OK
    finally:
        inbox.close()


def _discard(session: Session, outbox: Any, entry_id: str) -> int:
    entry = outbox.get(entry_id)
    if entry is None:
        raise UsageError(
            f"no outbox entry {sanitize_line(entry_id, 100)} (`lemlist-inbox outbox` lists them)"
        )
    session.out.lines(entry.text.splitlines())  # the text is not lost: it is printed first
    outbox.discard(entry_id)
    session.out.message(f"discarded {sanitize_line(entry_id, 100)} (its text is printed above)")
    return EXIT_OK


async def _send_all(session: Session, inbox: LocalInbox) -> int:
    """Send what waits; an "unknown" entry only if the thread does not show it and the user says so."""
    from lemlist_inbox.inbox.replies import ReplyError

    service = _service(session, inbox)
    out = session.out
    left = 0
    for entry in service.recover():
        name = f"{sanitize_line(entry.id, 100)} ({entry.channel} to {sanitize_line(entry.contact_id, 100)})"
        confirmed = False
        if entry.state == "sending":  # another instance is on it right now
            out.message(f"{name}: being sent by another lemlist-inbox; left alone")
            left += 1
            continue
        if entry.state == "unknown":
            check = await service.check_unknown(entry.id)
            if check.appeared:
                service.confirm_sent(entry.id)
                out.message(f"{name}: already in the thread, so it was sent; removed from the outbox")
                continue
            if session.args.yes:
                confirmed = True
            elif _stdin_is_terminal():
                first = sanitize_line(entry.text, 80)
                confirmed = await _ask(
                    f'{name} may have been sent, but the thread does not show it: "{first}". '
                    "Send it again? [y/N] "
                )
            if not confirmed:
                out.message(
                    f"{name}: may have been sent (no answer came) and the thread does not show it yet; "
                    "not resent. Check with `lemlist-inbox show`, then `outbox --send --yes` to send it again"
                )
                left += 1
                continue
        try:
            outcome = await service.retry(entry.id, confirmed_not_sent=confirmed)
        except ReplyError as exc:
            out.message(f"{name}: {exc}")
            left += 1
            continue
        if outcome.sent:
            out.message(f"{name}: sent" + (f"; {outcome.note}" if outcome.note else ""))
        elif outcome.state == "unknown":
            out.error(f"{name}: no clear answer ({outcome.error}); it may have been sent, kept as such")
            left += 1
        else:
            out.error(f"{name}: not sent: {outcome.error}; kept in the outbox")
            left += 1
    if left:
        out.error(f"{left} repl{'y' if left == 1 else 'ies'} still in the outbox")
        return EXIT_ERROR
    return EXIT_OK


__all__ = ["cmd_drafts", "cmd_outbox", "cmd_reply"]
