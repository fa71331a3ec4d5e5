"""Property-based tests of the API models on arbitrary JSON shapes, and of rendering them.

The server's JSON is not trusted: any field may be missing, null, of the wrong type, huge, or
unknown. Properties: ``model_validate`` succeeds or raises ``ValidationError`` (nothing else);
``parse_items`` never raises and accounts for every item; a validated ``Message`` always renders,
and its rendering holds no control character.
"""

from __future__ import annotations

from typing import Any

from corpus import FORBIDDEN, NASTY_BODIES, NASTY_NAMES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lemlist_inbox.api.models import Conversation, Message, parse_items
from lemlist_inbox.render import header_lines, render_message, render_thread, thread_as_text

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Whole-thread rendering examples are costly to generate; fewer of them, each bigger.
FUZZ_RENDER = settings(FUZZ, max_examples=80)

HUGE = ["x" * 50_000, 10**40, -(2**63), 2**64, 1e308, float("inf"), float("nan"), "\ud800" * 10]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(HUGE),
    st.sampled_from(list(NASTY_NAMES.values())),
    st.sampled_from(["2024-12-03T10:10:45.000Z", "not a date", "2024-13-45T99:99:99Z", "", "0", "9" * 30]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

CONVERSATION_KEYS = [
    "_id",
    "contactId",
    "contact",
    "users",
    "channels",
    "lastActivityAt",
    "createdAt",
    "haveReplies",
    "lastRepliedAt",
    "lastRepliedChannel",
    "teamId",
    "createdBy",
    "opportunities",
]
MESSAGE_KEYS = [
    "_id",
    "type",
    "messageId",
    "createdAt",
    "fromEmail",
    "teamId",
    "leadId",
    "campaignId",
    "campaignName",
    "sequenceId",
    "sequenceStep",
    "sendUserId",
    "sendUserName",
    "sendUserEmail",
    "sendUserMailboxId",
    "leadEmail",
    "contactId",
    "message",
    "subject",
    "attachments",
]
contact = st.dictionaries(st.sampled_from(["_id", "fullName", "firstName", "lastName", "email"]), json_values)
user = st.dictionaries(st.sampled_from(["userId", "sender", "read"]), json_values)
attachment = st.dictionaries(
    st.sampled_from(["_id", "name", "filename", "size", "contentType", "url"]), json_values
)
message_type = st.sampled_from(
    ["emailsSent", "emailsReplied", "linkedinReplied", "linkedinSent", "whatever", "", "SENT", "reply"]
)


def _object(keys: list[str], special: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    known = st.fixed_dictionaries(
        {}, optional={key: st.one_of(json_values, special.get(key, json_values)) for key in keys}
    )
    unknown = st.dictionaries(st.text(max_size=10), json_values, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, unknown)


conversations = _object(
    CONVERSATION_KEYS,
    {
        "_id": st.text(min_size=1, max_size=20),
        "contact": contact,
        "users": st.lists(st.one_of(user, json_values), max_size=4),
        "channels": st.lists(json_values, max_size=3),
    },
)
messages = _object(
    MESSAGE_KEYS,
    {
        "_id": st.text(min_size=1, max_size=20),
        "type": message_type,
        "message": st.one_of(st.sampled_from(list(NASTY_BODIES.values())), st.text(max_size=200)),
        "attachments": st.lists(st.one_of(attachment, json_values), max_size=3),
        "sequenceStep": st.integers(-5, 10),
    },
)
items = st.lists(st.one_of(conversations, messages, json_values), max_size=5)


@FUZZ
@given(conversations)
def test_conversation_validates_or_raises_validation_error(raw: dict[str, Any]) -> None:
    try:
        conv = Conversation.model_validate(raw)
    except ValidationError:
        return
    assert isinstance(conv.id, str)
    conv.thread_id  # noqa: B018 - properties must not raise
    conv.last_activity  # noqa: B018
    conv.is_read_by("usr_x")
    conv.is_read_by(None)
    assert conv.to_api_dict()["_id"] == conv.id  # unknown fields and all: still serialisable


@FUZZ
@given(messages)
def test_message_validates_or_raises_validation_error(raw: dict[str, Any]) -> None:
    try:
        msg = Message.model_validate(raw)
    except ValidationError:
        return
    msg.direction  # noqa: B018
    msg.channel  # noqa: B018
    msg.created  # noqa: B018


@FUZZ
@given(items)
def test_parse_items_never_raises(raw: list[Any]) -> None:
    for model in (Conversation, Message):
        good, skipped, reasons = parse_items(model, raw)
        assert len(good) + skipped == len(raw)
        assert len(reasons) <= 5


@FUZZ_RENDER
@given(st.lists(messages, max_size=3), st.one_of(st.none(), st.sampled_from(list(NASTY_NAMES.values()))))
def test_render_any_message_never_raises_and_is_clean(raws: list[dict[str, Any]], name: str | None) -> None:
    good, _, _ = parse_items(Message, raws)
    rendered = render_thread(good, contact_name=name)
    assert len(rendered) == len(good)
    for rm in rendered:
        for label, value in header_lines(rm):
            assert not FORBIDDEN.search(label + value)
            assert "\n" not in value
        for field in (rm.sender, rm.sender_address, rm.subject, rm.type, *rm.attachments):
            assert not FORBIDDEN.search(field) and "\n" not in field
    for expand in (False, True):
        out = thread_as_text(rendered, expand_quotes=expand)
        assert not FORBIDDEN.search(out)
        out.encode("utf-8")


def test_render_message_on_a_model_built_without_validation() -> None:
    # model_construct skips validation entirely: wrong types reach the renderer as they are.
    wrong: dict[str, Any] = {"type": 5, "message": ["<p>"], "subject": b"x", "attachments": None}
    msg = Message.model_construct(id="act_x", **wrong)
    rm = render_message(msg)
    assert rm.message_id == "act_x"
    assert not FORBIDDEN.search(thread_as_text([rm]))
