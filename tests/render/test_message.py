"""RenderedMessage, header lines and the ``show`` text of a thread."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest
from seeds import seed_messages

from lemlist_inbox.api.models import Attachment, Direction, Message
from lemlist_inbox.render import (
    FAILED_NOTE,
    header_lines,
    human_size,
    render_message,
    render_thread,
    thread_as_text,
)

PARIS = timezone(timedelta(hours=1))


def _message(**fields: object) -> Message:
    return Message.model_validate({"_id": "act_x", **fields})


def test_seed_thread_rendered_oldest_first() -> None:
    rendered = render_thread(seed_messages(), contact_name="Victoire")
    assert [r.direction for r in rendered] == [Direction.SENT, Direction.RECEIVED, Direction.SENT]
    first, reply, last = rendered
    assert (first.sender, first.sender_address) == ("Christophe OPOIX", "christophe.o@lemtest.com")
    assert (reply.sender, reply.sender_address) == ("Victoire", "victoire@lemlist.co")
    assert (last.sender, last.sender_address) == ("Camille INGOUF", "camille@lemtest.com")
    assert first.step == "step 1"
    assert last.when is not None and last.when.tzinfo is not None


def test_header_lines_of_a_sent_email() -> None:
    rendered = render_thread(seed_messages())[2]
    assert header_lines(rendered, PARIS) == [
        ("From", "Camille INGOUF <camille@lemtest.com>"),
        ("To", "victoire@lemlist.co"),
        ("Date", "Thu 5 Dec 2024 17:39"),
        ("Subject", "Meet me !"),
        ("Campaign", "step 1"),
    ]


def test_reply_without_contact_name_shows_the_address() -> None:
    reply = render_thread(seed_messages())[1]
    assert header_lines(reply, UTC)[0] == ("From", "victoire@lemlist.co")


def test_linkedin_reply_has_a_type_line_and_plain_body() -> None:
    rm = render_message(
        _message(
            type="linkedinReplied",
            leadEmail="a@b.co",
            message="Hi <3\nsee you",
            createdAt="2024-12-05T16:39:41Z",
            campaignName="Q4",
            sequenceStep=2,
        )
    )
    assert rm.channel == "linkedin"
    assert rm.body.text == "Hi <3\nsee you"
    lines = dict(header_lines(rm, UTC))
    assert lines["Type"] == "LinkedIn reply"
    assert lines["Campaign"] == "Q4 · step 3"


def test_unknown_type_shown_literally() -> None:
    rm = render_message(_message(type="carrierPigeonLanded", message="<p>coo</p>"))
    assert rm.direction is Direction.OTHER
    assert dict(header_lines(rm))["Type"] == "carrierPigeonLanded"
    assert rm.title == "carrierPigeonLanded"


def test_every_field_missing() -> None:
    rm = render_message(_message())
    assert rm.body.text == ""
    assert rm.sender == "" and rm.subject == "" and rm.step is None and rm.when is None
    assert header_lines(rm)[0] == ("From", "(unknown sender)")
    assert ("Date", "(unknown date)") in header_lines(rm)
    out = thread_as_text([rm, rm])
    assert out.startswith("• Other activity\n")
    assert "\n(no text)\n\n" + "─" * 72 + "\n• Other activity" in out
    assert "\n\n\n" not in out


def test_attachments_with_human_sizes() -> None:
    rm = render_message(
        _message(
            type="emailsReplied",
            attachments=[
                {"name": "deck.pdf", "size": 12345},
                {"filename": "photo.jpg", "size": 4_500_000},
                {"name": "notes.txt"},
                {"name": "bad\x1b[2J\u202egpj.exe", "size": 12},
            ],
        )
    )
    assert rm.attachments == (
        "deck.pdf (12.3 kB)",
        "photo.jpg (4.5 MB)",
        "notes.txt",
        "badgpj.exe (12 B)",
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (10**12, "1.0 TB"), (None, None), (-1, None)],
)
def test_human_size(size: int | None, text: str | None) -> None:
    assert human_size(size) == text


def test_attachment_display_name_fallback() -> None:
    assert Attachment.model_validate({}).display_name == "(unnamed attachment)"


def test_thread_as_text_folded() -> None:
    out = thread_as_text(render_thread(seed_messages(), contact_name="Victoire"), tz=UTC)
    assert out.startswith("→ Sent by us\nFrom:     Christophe OPOIX <christophe.o@lemtest.com>\n")
    assert "← Reply from contact\nFrom:     Victoire <victoire@lemlist.co>\n" in out
    assert (
        "▸ 21 quoted lines hidden — On Tue, Dec 3, 2024 at 10:52 AM Christophe OPOIX "
        "<christophe.o@lemtest.com> wrote: (--quotes to show)"
    ) in out
    assert out.count("\n\n[1] https://app.lemcal.com/@christophe-opoix/15-min-chat") == 1
    assert "\n\n\n" not in out
    assert all(line == line.rstrip() for line in out.split("\n"))


def test_thread_as_text_expanded() -> None:
    out = thread_as_text(render_thread(seed_messages()), expand_quotes=True, tz=UTC)
    assert "▾ quoted text\nOn Tue" in out
    assert "wrote:\n> Hey Victoire ,\n>\n> I hope this email finds you well!" in out
    assert out.count("[1] https://app.lemcal.com/@christophe-opoix/15-min-chat") == 2


def test_thread_as_text_flags_suspicious_links_and_lists_attachments() -> None:
    rm = render_message(
        _message(
            type="emailsReplied",
            message='<p><a href="https://evil.example/">https://paypal.com</a></p>',
            attachments=[{"name": "a.pdf", "size": 2048}],
        )
    )
    out = thread_as_text([rm], tz=UTC)
    assert "https://paypal.com [1]" in out
    assert "[1] https://evil.example/\n    ⚠ text shows paypal.com, goes to evil.example\n" in out
    assert out.endswith("\n\n+ a.pdf (2.0 kB)\n")


def test_empty_thread() -> None:
    assert thread_as_text([]) == "No messages in this conversation.\n"


def test_undisplayable_body_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import lemlist_inbox.render.html as html_module

    def boom(_: str) -> str:
        raise RuntimeError("html2text exploded")

    monkeypatch.setattr(html_module, "html2text_convert", boom)
    rm = render_message(_message(message="<p>Hello <b>there</b></p>"))
    assert rm.body.failed
    assert rm.body.text == f"{FAILED_NOTE}\n\nHello there"
