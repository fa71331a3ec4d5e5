"""The reply service over real loopback HTTP: what is posted, what is kept, nothing sent twice.

Every count of sends is read on the stand-in (``DemoServer.sent``: the writes it acted on),
never on the client's side: a send the client thinks failed may have landed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from lemlist_inbox.api.client import LemlistClient, Thread
from lemlist_inbox.api.errors import DraftLimitError
from lemlist_inbox.api.models import Message
from lemlist_inbox.api.retry import RetryPolicy
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.inbox.compose import ComposeError, Reply, parse_reply, render_template
from lemlist_inbox.inbox.local import LocalInbox, StoreOptions
from lemlist_inbox.inbox.replies import LOCAL_MARK, ReplyError, ReplyService
from lemlist_inbox.render.message import render_message

FAST = RetryPolicy(backoff_base=0.001, max_backoff=0.005, max_retry_after=0.02, default_retry_after=0.01)
VICTOIRE = "ctc_wfKeM8EmiTikud7QE"
HOSTILE_BODY = "Hello <b>&</b> team\n<script>alert('x')</script>\nsee https://example.com/a?b=1&c=2"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=250) as srv:
        srv.faults.write_stall = 5.0  # held answers end with the test, not 30 s later
        yield srv
    assert srv.errors == []


def user_of(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


def open_inbox(tmp_path: Path, server: DemoServer) -> LocalInbox:
    return LocalInbox(StoreOptions(data_dir=tmp_path / "data", base_url=server.base_url), user_of(server))


@pytest.fixture
async def client(server: DemoServer) -> AsyncIterator[LemlistClient]:
    async with LemlistClient(
        DEMO_API_KEY, base_url=server.base_url, retry_policy=FAST, max_retries=1, timeout=1.0
    ) as c:
        yield c


@pytest.fixture
async def inbox(tmp_path: Path, server: DemoServer, client: LemlistClient) -> AsyncIterator[LocalInbox]:
    local = open_inbox(tmp_path, server)
    await local.sync(client, page_size=100)
    yield local
    local.close()


def contact_on(server: DemoServer, channel: str) -> str:
    for conversation in server.dataset.conversations:
        if (
            conversation["channels"]
            and channel in conversation["channels"]
            and conversation["contactId"] != VICTOIRE
        ):
            thread = server.dataset.thread(conversation["contactId"])
            if thread and thread[0]["type"].startswith(channel):  # the latest message is on it
                return str(conversation["contactId"])
    raise AssertionError(f"no {channel} conversation in the demo data")


def reply_text(service: ReplyService, template_text: str, body: str) -> str:
    return template_text.replace("\n\n", f"\n\n{body}\n", 1)


async def test_an_email_reply_goes_to_the_latest_email_from_the_last_mailbox_as_escaped_html(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    service = ReplyService(client, inbox)
    context = await service.context(VICTOIRE)
    thread = [m for m in server.dataset.thread(VICTOIRE) if isinstance(m, dict)]  # newest first
    latest_email = next(m for m in thread if m["type"] in ("emailsSent", "emailsReplied"))
    last_ours = next(m for m in thread if m["type"] == "emailsSent")
    template = context.template()
    assert template.channel == "email" and template.subject.startswith("Re: ")
    reply = parse_reply(reply_text(service, render_template(template), HOSTILE_BODY), template)
    review = render_message(service.preview_message(context, reply))
    assert "Hello <b>&</b> team\n<script>alert('x')</script>" in review.body.text  # as the pane will show it
    assert server.writes == []  # a review sends nothing

    outcome = await service.send(context, reply)

    assert outcome.sent and outcome.entry is None and service.entries() == []
    [sent] = server.sent("email")
    body = sent.body
    assert body["replyToActivityId"] == latest_email["_id"]
    assert (body["sendUserId"], body["sendUserEmail"], body["sendUserMailboxId"]) == (
        last_ours["sendUserId"],
        last_ours["sendUserEmail"],
        last_ours["sendUserMailboxId"],
    )
    assert body["contactId"] == VICTOIRE
    assert "subject" not in body and "cc" not in body  # lemlist reuses the thread's
    html = body["message"]
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2">' in html
    assert "<blockquote>" in html  # the quote the user kept
    # What lemlist now serves reads back as the text typed, literally.
    newest = Message.model_validate(server.dataset.thread(VICTOIRE)[0])
    text = render_message(newest).body.text
    assert "Hello <b>&</b> team" in text and "<script>alert('x')</script>" in text


async def test_the_sent_message_shows_at_once_and_the_conversation_moves_to_the_top(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    contact = contact_on(server, "email")
    service = ReplyService(client, inbox)
    context = await service.context(contact)
    reply = Reply("email", context.subject, context.cc, "Thursday works for me.")

    outcome = await service.send(context, reply)

    assert outcome.message is not None and (outcome.message.model_extra or {})[LOCAL_MARK] is True
    assert "Thursday works for me." in render_message(outcome.message).body.text
    assert inbox.store.view_at(0).contact_id == contact
    assert inbox.db is not None and inbox.db.conversations(limit=1)[0].contact_id == contact
    copy = await inbox.threads.load(contact)
    assert copy is not None and copy.thread.messages[-1].id == outcome.message.id
    stored = inbox.db.conversation_for_contact(contact)
    assert stored is not None and not copy.fresh_for(stored.activity)  # the next open fetches lemlist's


async def test_a_503_keeps_the_text_and_a_retry_sends_it_exactly_once(
    tmp_path: Path, server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    contact = contact_on(server, "email")
    service = ReplyService(client, inbox)
    context = await service.context(contact)
    server.faults.write_failures = 1
    server.faults.write_status = 503

    failed = await service.send(context, Reply("email", context.subject, (), "Kept, not lost."))

    assert failed.state == "failed" and "503" in failed.error
    assert server.sent() == []
    [entry] = service.entries()
    assert entry.state == "failed" and entry.text == "Kept, not lost."
    # Nothing was resent by itself; the user retries (here from a new process' view of the file).
    again = ReplyService(client, open_inbox(tmp_path, server))
    outcome = await again.retry(entry.id)
    assert outcome.sent
    assert len(server.sent()) == 1 and again.entries() == []
    assert [r.processed for r in server.writes] == [False, True]


async def test_a_timeout_after_lemlist_sent_it_is_never_resent_by_itself(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    contact = contact_on(server, "email")
    service = ReplyService(client, inbox)
    context = await service.context(contact)
    server.faults.write_timeouts = 1  # sent by the server, the answer never comes

    outcome = await service.send(context, Reply("email", context.subject, (), "Did this go out?"))

    assert outcome.state == "unknown" and "may have gone through" in outcome.error
    assert len(server.sent()) == 1
    [entry] = service.entries()
    assert entry.state == "unknown"
    with pytest.raises(ReplyError, match="may have been sent"):
        await service.retry(entry.id)  # not without looking and asking
    assert len(server.sent()) == 1
    check = await service.check_unknown(entry.id)
    assert check.appeared
    service.confirm_sent(entry.id)
    assert service.entries() == [] and len(server.sent()) == 1


async def test_a_reset_before_lemlist_acted_is_found_missing_and_resent_only_when_confirmed(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    contact = contact_on(server, "email")
    service = ReplyService(client, inbox)
    context = await service.context(contact)
    server.faults.write_failures = 1
    server.faults.write_status = 502  # a gateway error: lemlist may or may not have acted

    outcome = await service.send(context, Reply("email", context.subject, (), "Maybe lost in a gateway."))

    assert outcome.state == "unknown" and server.sent() == []
    [entry] = service.entries()
    check = await service.check_unknown(entry.id)
    assert not check.appeared
    resent = await service.retry(entry.id, confirmed_not_sent=True)
    assert resent.sent and len(server.sent()) == 1


async def test_a_disconnected_mailbox_shows_lemlists_words_and_keeps_the_text(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    service = ReplyService(client, inbox)
    context = await service.context(VICTOIRE)
    server.dataset.disconnect_mailbox(context.senders["email"].mailbox_id)

    outcome = await service.send(context, Reply("email", context.subject, (), "Hello again"))

    assert outcome.state == "failed"
    assert "HTTP 400" in outcome.error and "mailbox is disconnected" in outcome.error
    assert "\n" not in outcome.error
    assert [e.text for e in service.entries()] == ["Hello again"]


@pytest.mark.parametrize("channel", ["linkedin", "whatsapp"])
async def test_linkedin_and_whatsapp_replies_carry_their_required_fields(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox, channel: str
) -> None:
    contact = contact_on(server, channel)
    service = ReplyService(client, inbox)
    context = await service.context(contact)
    assert context.default_channel == channel  # the latest message's channel
    template = context.template()
    reply = parse_reply(reply_text(service, render_template(template), "On it <3 & more"), template)

    outcome = await service.send(context, reply)

    assert outcome.sent, outcome.error
    [sent] = server.sent(channel)
    thread = [m for m in server.dataset.thread(contact) if isinstance(m, dict)]
    ours = next(m for m in thread[1:] if m["type"] == f"{channel}Sent")
    required = {"sendUserId", "leadId", "contactId", "message"}
    if channel == "whatsapp":
        required.add("sendUserWhatsappAccountId")
        assert sent.body["sendUserWhatsappAccountId"] == ours["sendUserWhatsappAccountId"]
    assert required <= set(sent.body)
    assert sent.body["leadId"] == ours["leadId"] and sent.body["contactId"] == contact
    assert sent.body["message"] == "On it <3 & more"  # a plain-text channel: sent as typed


async def test_the_mailbox_comes_from_the_users_endpoint_when_the_thread_lacks_it(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    raw = [m for m in reversed(server.dataset.thread(VICTOIRE)) if isinstance(m, dict)]
    for message in raw:
        message.pop("sendUserMailboxId", None)
    thread = Thread(messages=[Message.model_validate(m) for m in raw])
    service = ReplyService(client, inbox)
    server.clear_log()

    context = await service.context(VICTOIRE, thread=thread)

    sender = context.senders["email"]
    user = server.dataset.sender(sender.user_id)
    assert user is not None and sender.mailbox_id == user.mailbox_id
    assert [r.path for r in server.requests()] == [f"/api/users/{sender.user_id}"]


async def test_empty_unchanged_or_misaddressed_replies_are_refused_before_anything_is_written(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    service = ReplyService(client, inbox)
    context = await service.context(VICTOIRE)
    template = context.template()
    with pytest.raises(ComposeError, match="empty"):
        parse_reply(render_template(template), template)
    with pytest.raises(ComposeError, match="empty"):
        await service.send(context, Reply("email", "", (), "  \n "))
    with pytest.raises(ReplyError, match="no whatsapp"):
        await service.send(context, Reply("whatsapp", "", (), "hi"))
    assert service.entries() == [] and server.writes == []


async def test_drafts_are_saved_listed_continued_and_deleted_after_the_send(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    service = ReplyService(client, inbox)
    context = await service.context(VICTOIRE)
    web = [d for d in await service.drafts(VICTOIRE) if d.source == "ui"]
    assert len(web) == 1  # made in lemlist's web app
    draft_id = await service.save_draft(context, Reply("email", context.subject, (), "Half <written> & kept"))
    listed = {d.id: d for d in await service.drafts(VICTOIRE)}
    assert draft_id in listed and listed[draft_id].source == "api"

    opened = await service.open_draft(VICTOIRE, draft_id)
    assert opened.body == "Half <written> & kept"
    template = context.template(draft=opened)
    reply = parse_reply(render_template(template), template)  # sent as it was drafted
    outcome = await service.send(context, reply, draft_id=draft_id)

    assert outcome.sent and outcome.note == ""
    assert draft_id not in {d.id for d in await service.drafts(VICTOIRE)}
    assert "Half &lt;written&gt; &amp; kept" in server.sent()[0].body["message"]


async def test_the_draft_limits_are_said_before_asking(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    service = ReplyService(client, inbox)
    context = await service.context(VICTOIRE)
    while len(await service.drafts(VICTOIRE)) < 10:
        await service.save_draft(context, Reply("email", context.subject, (), "one more"))
    writes = len(server.writes)
    with pytest.raises(DraftLimitError, match=r"already has 10 drafts.*lemlist-inbox drafts"):
        await service.save_draft(context, Reply("email", context.subject, (), "the eleventh"))
    with pytest.raises(DraftLimitError, match=r"up to 30 KB"):
        await service.save_draft(context, Reply("email", "", (), "x" * 29_000 + "<" * 600), draft_id="drf_x")
    assert len(server.writes) == writes  # neither reached lemlist


async def test_the_outbox_survives_a_restart(
    tmp_path: Path, server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    service = ReplyService(client, inbox)
    context = await service.context(VICTOIRE)
    server.faults.write_failures = 1
    await service.send(context, Reply("email", context.subject, (), "Written before the crash"))
    inbox.close()

    reopened = open_inbox(tmp_path, server)
    try:
        after = ReplyService(client, reopened)
        [entry] = after.recover()
        assert entry.text == "Written before the crash" and entry.state == "failed"
        assert re.search(r"Written before the crash", entry.payload["message"])
        assert (await after.retry(entry.id)).sent
        assert len(server.sent()) == 1
    finally:
        reopened.close()


async def test_the_list_row_names_the_recipient_and_a_sent_reply_moves_it_up(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    contact = contact_on(server, "email")
    row = next(
        inbox.store.view_at(i)
        for i in range(inbox.store.view_size)
        if inbox.store.view_at(i).contact_id == contact
    )
    service = ReplyService(client, inbox)
    context = await service.context(contact, conversation=row)
    assert context.conversation_id == row.id and row.name in context.to()
    assert render_template(context.template()).startswith(f"To: {context.to()}\nChannel: email\n")
    assert (await service.send(context, Reply("email", context.subject, (), "Up you go"))).sent
    assert inbox.store.view_index(row.id) == 0


async def test_hostile_threads_give_clean_templates_and_previews(tmp_path: Path) -> None:
    """Names, subjects, quotes and Cc of the hostile corpus reach the editor file cleaned."""
    allowed = {"\n", "\u200c", "\u200d"}  # ZWJ/ZWNJ: emoji and scripts need them (render.sanitize)
    with DemoServer(conversations=3, hostile=True) as hostile:
        hostile.faults.rate_limit = False
        local = LocalInbox(StoreOptions(data_dir=tmp_path / "h", base_url=hostile.base_url), user_of(hostile))
        async with LemlistClient(DEMO_API_KEY, base_url=hostile.base_url, retry_policy=FAST, timeout=5) as c:
            await local.sync(c, page_size=100)
            service = ReplyService(c, local)
            checked = 0
            for conversation in hostile.dataset.conversations:
                context = await service.context(str(conversation["contactId"]))
                for channel in context.channels:
                    template = context.template(channel)
                    reply = Reply(channel, template.subject or "Hello", template.cc, "ok")
                    for text in (render_template(template), "\n".join(service.preview(context, reply))):
                        bad = {ch for ch in text if ch not in allowed and not ch.isprintable()}
                        assert not bad, (conversation["contactId"], channel, bad)
                    checked += 1
        local.close()
    assert checked >= len(hostile.dataset.conversations) - 2


async def test_the_last_writer_is_kept_even_when_an_older_message_names_another_mailbox(
    server: DemoServer, client: LemlistClient, inbox: LocalInbox
) -> None:
    raw = [m for m in reversed(server.dataset.thread(VICTOIRE)) if isinstance(m, dict)]  # oldest first
    last = raw[-1]
    assert last["type"] == "emailsSent"
    others = {m["sendUserId"] for m in raw[:-1]}
    assert last["sendUserId"] not in others  # an older message names a colleague's mailbox
    del last["sendUserMailboxId"]
    service = ReplyService(client, inbox)
    server.clear_log()

    context = await service.context(
        VICTOIRE, thread=Thread(messages=[Message.model_validate(m) for m in raw])
    )

    sender = context.senders["email"]
    writer = server.dataset.sender(last["sendUserId"])
    assert writer is not None and (sender.user_id, sender.mailbox_id) == (writer.user_id, writer.mailbox_id)
    assert [r.path for r in server.requests()] == [f"/api/users/{writer.user_id}"]
