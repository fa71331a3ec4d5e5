"""Attachment metadata in the shapes servers send, parsed leniently and cleaned for the pickers."""

from __future__ import annotations

from lemlist_inbox.api.models import Attachment, Message
from lemlist_inbox.render import render_message
from lemlist_inbox.render.attachments import AttachmentInfo, attachment_info


def info(raw: dict[str, object]) -> AttachmentInfo:
    return attachment_info(Attachment.model_validate(raw))


def test_the_documented_shape() -> None:
    got = info(
        {"name": "Pricing.pdf", "url": "https://files.example/p.pdf", "size": 1234, "type": "application/pdf"}
    )
    assert got == AttachmentInfo("Pricing.pdf", 1234, "application/pdf", "https://files.example/p.pdf")


def test_other_spellings_and_missing_fields() -> None:
    assert info({"filename": "a.xlsx", "contentType": "application/x"}) == AttachmentInfo(
        "a.xlsx", None, "application/x", ""
    )
    assert info({"_id": "fil_1", "mimeType": "image/png"}).name == "fil_1"
    assert info({}).name == "(unnamed attachment)"


def test_wrong_types_and_odd_values_fall_back() -> None:
    assert info({"name": "x", "size": "big"}).size is None
    assert info({"name": "x", "size": -1}).size is None
    assert info({"name": "x", "size": True}).size is None
    assert info({"name": "x", "type": 5}).media_type == ""
    assert info({"name": "x", "url": 7}).url == ""


def test_hostile_strings_are_cleaned_and_a_dirty_url_is_dropped() -> None:
    got = info(
        {"name": "invoice\u202efdp.exe\x1b[2J", "url": "https://e.example/\x1b]52;c;x\x07", "type": "a/b\x07"}
    )
    assert got.name == "invoicefdp.exe" and got.media_type == "a/b"
    assert got.url == ""  # a URL that needed cleaning is not one to follow
    assert info({"name": "x", "url": "https://e.example/" + "a" * 5000}).url == ""


def test_a_rendered_message_carries_them_in_full() -> None:
    message = Message.model_validate(
        {
            "_id": "act_1",
            "type": "emailsReplied",
            "message": "hi",
            "attachments": [
                {"name": "a.pdf", "url": "/files/fil_a", "size": 10},
                "junk",
                {"filename": "b.txt"},
            ],
        }
    )
    rendered = render_message(message)
    assert rendered.attachments == ("a.pdf (10 B)", "b.txt")
    assert [f.name for f in rendered.files] == ["a.pdf", "b.txt"] and rendered.files[0].url == "/files/fil_a"
