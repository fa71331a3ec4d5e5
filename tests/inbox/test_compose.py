"""Composing a reply: the editor file round-trips, nothing typed becomes markup, empty never sends."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lemlist_inbox.inbox.compose import (
    ComposeError,
    ReplyTemplate,
    parse_reply,
    render_template,
    text_to_html,
)
from lemlist_inbox.render.html import html_to_body

TEMPLATE = ReplyTemplate(
    to="Victoire Martin <victoire@example.com>",
    channel="email",
    sender="John Doe <john@acme.com>",
    subject="Re: Pricing",
    quoted="Is the price final?\n\nThanks",
    attribution="On Tue 3 Dec 2024 17:39, Victoire Martin wrote:",
)


def edit(template: ReplyTemplate, body: str, **headers: str) -> str:
    text = render_template(template)
    head, _, rest = text.partition("\n\n")
    for name, value in headers.items():
        head = re.sub(rf"(?m)^{name}:.*$", f"{name}: {value}", head)
    return f"{head}\n\n{body}{rest}"


def test_the_template_round_trips_with_the_users_words() -> None:
    reply = parse_reply(edit(TEMPLATE, "Yes, final.\nBest,\nJohn"), TEMPLATE)
    assert (reply.channel, reply.subject, reply.cc) == ("email", "Re: Pricing", ())
    assert reply.body == "Yes, final.\nBest,\nJohn"
    assert reply.quoted == "Is the price final?\n\nThanks"
    assert reply.attribution == TEMPLATE.attribution
    assert reply.html == (
        "<p>Yes, final.<br>Best,<br>John</p>"
        "<p>On Tue 3 Dec 2024 17:39, Victoire Martin wrote:</p>"
        "<blockquote><p>Is the price final?</p><p>Thanks</p></blockquote>"
    )


def test_markup_typed_by_the_user_arrives_as_text() -> None:
    body = "<b>&</b> and\n<script>alert(1)</script>\n\"quotes\" 'too'"
    sent = text_to_html(body)
    assert "<b>" not in sent and "<script>" not in sent
    assert sent == (
        "<p>&lt;b&gt;&amp;&lt;/b&gt; and<br>&lt;script&gt;alert(1)&lt;/script&gt;<br>"
        "&quot;quotes&quot; &#x27;too&#x27;</p>"
    )
    # and lemlist's reader (our own renderer here) shows exactly what was typed
    assert html_to_body(sent).text.strip() == body


def test_links_become_links_and_stay_escaped() -> None:
    sent = text_to_html('see https://example.com/a?b=1&c="x" now.')
    assert '<a href="https://example.com/a?b=1&amp;c=">https://example.com/a?b=1&amp;c=</a>' in sent
    assert text_to_html("javascript:alert(1)") == "<p>javascript:alert(1)</p>"


def test_deleting_the_quote_drops_it() -> None:
    text = render_template(TEMPLATE)
    head, _, _ = text.partition("\n\n")
    reply = parse_reply(f"{head}\n\nJust the answer.\n", TEMPLATE)
    assert reply.quoted == "" and "blockquote" not in reply.html


@pytest.mark.parametrize("body", ["", "   \n\n  "])
def test_an_empty_reply_is_never_sent(body: str) -> None:
    with pytest.raises(ComposeError, match="empty"):
        parse_reply(edit(TEMPLATE, body), TEMPLATE)


def test_an_unchanged_template_is_never_sent() -> None:
    template = ReplyTemplate(to="a <a@x.io>", channel="email", sender="b <b@y.io>", body="Hi Ana,\n\n")
    with pytest.raises(ComposeError, match="unchanged"):
        parse_reply(render_template(template), template)


def test_to_and_from_cannot_be_changed() -> None:
    with pytest.raises(ComposeError, match="To cannot be changed"):
        parse_reply(edit(TEMPLATE, "hi", To="someone@else.io"), TEMPLATE)
    with pytest.raises(ComposeError, match="From cannot be changed"):
        parse_reply(edit(TEMPLATE, "hi", From="ceo@acme.com"), TEMPLATE)


def test_cc_and_channel_are_checked() -> None:
    reply = parse_reply(edit(TEMPLATE, "hi", Cc="a@x.io, b@y.io"), TEMPLATE)
    assert reply.cc == ("a@x.io", "b@y.io")
    with pytest.raises(ComposeError, match="not an email address: nope"):
        parse_reply(edit(TEMPLATE, "hi", Cc="nope"), TEMPLATE)
    with pytest.raises(ComposeError, match="Channel must be one of"):
        parse_reply(edit(TEMPLATE, "hi", Channel="fax"), TEMPLATE)


def test_switching_to_linkedin_drops_subject_and_quote_with_a_warning() -> None:
    reply = parse_reply(edit(TEMPLATE, "hi", Channel="linkedin"), TEMPLATE)
    assert (reply.channel, reply.subject, reply.quoted) == ("linkedin", "", "")
    assert reply.warnings == ("the quote is not sent on linkedin",)


def test_a_line_that_is_not_a_header_is_explained() -> None:
    with pytest.raises(ComposeError, match="line 1 is not a header"):
        parse_reply("hello there\n\nbody", TEMPLATE)


def test_a_body_over_30_kb_is_refused() -> None:
    with pytest.raises(ComposeError, match="30 KB"):
        parse_reply(edit(TEMPLATE, "x" * 30_001), TEMPLATE)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200))
def test_no_typed_text_ever_produces_a_tag(body: str) -> None:
    sent = text_to_html(body)
    tags = re.findall(r"<\s*/?\s*([a-zA-Z]+)", sent)
    assert set(tags) <= {"p", "br", "a"}
    for href in re.findall(r'href="([^"]*)"', sent):
        assert href.lower().startswith(("http://", "https://"))
