"""The nasty corpus at the render level: each case named, each shown literally and safely."""

from __future__ import annotations

from typing import Any

import pytest
from corpus_path import corpus

from lemlist_inbox.api.models import Message
from lemlist_inbox.render import Body, header_lines, html_to_body, render_message, thread_as_text

C = corpus()


def assert_clean(text: str) -> None:
    assert not C.FORBIDDEN.search(text), repr(text)
    assert not any(payload in text for payload in C.PAYLOADS), repr(text)
    text.encode("utf-8")


def assert_body_clean(body: Body) -> None:
    for part in (body.text, body.quoted or "", body.quote_header or ""):
        assert_clean(part)
    for link in body.links:
        assert_clean(link.text + link.target + link.warning)


def _message(**fields: Any) -> Message:
    base: dict[str, Any] = {"_id": "act_c", "type": "emailsReplied", "createdAt": "2024-12-03T10:10:45Z"}
    return Message.model_validate({**base, **fields})


@pytest.mark.parametrize("case", sorted(C.NASTY_BODIES))
def test_nasty_body(case: str) -> None:
    assert_body_clean(html_to_body(C.NASTY_BODIES[case]))


@pytest.mark.parametrize("case", sorted(C.NASTY_NAMES))
def test_nasty_sender_name(case: str) -> None:
    rm = render_message(_message(type="emailsSent", sendUserName=C.NASTY_NAMES[case], sendUserEmail="a@b.co"))
    for label, value in header_lines(rm):
        assert "\n" not in value
        assert_clean(label + value)
    assert_clean(thread_as_text([rm]))


@pytest.mark.parametrize("case", sorted(C.NASTY_SUBJECTS))
def test_nasty_subject(case: str) -> None:
    rm = render_message(_message(subject=C.NASTY_SUBJECTS[case]))
    assert "\n" not in rm.subject
    assert_clean(rm.subject)


def test_rich_markup_stays_literal_text() -> None:
    rm = render_message(
        _message(
            type="emailsSent",
            sendUserName=C.RICH_MARKUP,
            sendUserEmail="a@b.co",
            subject="[bold]x[/bold]",
            message="<p>[bold]x[/bold]</p>",
        )
    )
    assert rm.sender == "[bold]x[/bold]"
    assert rm.subject == "[bold]x[/bold]"
    assert rm.body.text == "[bold]x[/bold]"


def test_esc_2j_clear_screen_removed() -> None:
    assert html_to_body(C.NASTY_BODIES["csi_clear"]).text == "beforeafter"
    assert render_message(_message(subject=C.NASTY_SUBJECTS["csi_clear"])).subject == "Invoice overdue"


def test_osc52_clipboard_write_removed_with_payload() -> None:
    assert html_to_body(C.NASTY_BODIES["osc52"]).text == "copythis"


def test_osc8_hyperlink_reduced_to_its_text() -> None:
    assert html_to_body(C.NASTY_BODIES["osc8"]).text == "Look: click me"


def test_bel_removed() -> None:
    assert html_to_body(C.NASTY_BODIES["bel"]).text == "ring"


def test_cr_overwrite_cannot_hide_text() -> None:
    body = html_to_body(C.NASTY_BODIES["cr_overwrite"])
    assert body.text == "Please confirm your password Ignore this line"  # both parts visible
    assert render_message(_message(type="emailsSent", sendUserName=C.NASTY_NAMES["cr_overwrite"])).sender == (
        "Totally Legit BankEVIL CORP"
    )


def test_cr_in_subject_cannot_inject_a_header_line() -> None:
    rm = render_message(_message(subject=C.NASTY_SUBJECTS["cr_header_injection"]))
    assert rm.subject == "Your account Bcc: everyone@example.com"


def test_rlo_bidi_override_removed_from_names() -> None:
    rm = render_message(_message(type="emailsSent", sendUserName=C.NASTY_NAMES["bidi_rlo"]))
    assert rm.sender == "Ann fdp.exe"


def test_link_whose_text_is_another_url_is_flagged() -> None:
    body = html_to_body(C.NASTY_BODIES["lookalike_link"])
    assert body.text == "https://www.paypal.com/signin [1]"
    (link,) = body.links
    assert link.target == "https://evil.example/login"
    assert link.suspicious and link.warning == "text shows paypal.com"


def test_300_char_name_kept_whole() -> None:
    rm = render_message(_message(type="emailsSent", sendUserName=C.LONG_NAME, sendUserEmail="a@b.co"))
    assert rm.sender == C.LONG_NAME.strip()
    assert len(rm.sender) >= 290


def test_emoji_and_cjk_preserved() -> None:
    rm = render_message(
        _message(
            type="emailsSent", sendUserName=C.NASTY_NAMES["emoji_cjk"], message=C.NASTY_BODIES["emoji_cjk"]
        )
    )
    assert rm.sender == C.NASTY_NAMES["emoji_cjk"]
    assert "全角テキスト と絵文字 🧑\u200d💻🏳️\u200d🌈" in rm.body.text


def test_entities_for_controls_and_surrogates() -> None:
    body = html_to_body(C.NASTY_BODIES["entity_controls"])
    assert body.text == "entity \ufffd \ufffd [2J › &bogus; end"


def test_hidden_script_style_tracking_dropped() -> None:
    assert html_to_body(C.NASTY_BODIES["script_style"]).text == "visible"
    assert html_to_body(C.NASTY_BODIES["hidden_preheader"]).text == "shown"
    assert html_to_body(C.NASTY_BODIES["tracking_pixel"]).text == "hi"
    assert html_to_body(C.NASTY_BODIES["base64_image"]).text == "pic:"


def test_whole_nasty_message() -> None:
    rm = render_message(Message.model_validate(C.NASTY_MESSAGE))
    out = thread_as_text([rm], expand_quotes=True)
    assert_clean(out)
    assert rm.attachments == ("invoicefdp.exe (12.3 kB)", "a.txt")


def test_500_deep_nesting() -> None:
    for tag in ("div", "blockquote", "ul><li", "table><tr><td", "span", "a href='https://x.example/'"):
        html = f"<{tag}>" * 500 + "deep" + f"</{tag.split('>')[0].split()[0]}>" * 500
        body = html_to_body(html)
        assert "deep" in body.text
        assert not body.failed
        assert_body_clean(body)


def test_unclosed_500_deep_nesting() -> None:
    body = html_to_body("<div><blockquote><ul><li><b><i>" * 500 + "x")
    assert body.text.endswith("x") and not body.failed


def test_2mb_body_completes_and_is_clean() -> None:
    row = (
        '<tr><td style="padding:8px"><a href="https://news.example/item/{n}">Item {n}</a><br>'
        "<span>Lorem ipsum dolor sit amet, consectetur adipiscing elit \x1b[2J &#x1b; \u202e.</span>"
        "</td></tr>"
    )
    parts, size, n = ["<html><head><style>td{color:red}</style></head><body><table>"], 0, 0
    while size < 2_000_000:
        parts.append(row.format(n=n))
        size += len(parts[-1])
        n += 1
    body = html_to_body("".join(parts))
    assert not body.failed and not body.truncated
    assert body.text.startswith("Item 0 [1]")
    assert len(body.links) == 500  # capped; the rest shown as text only
    assert_body_clean(body)


def test_oversized_body_truncated_with_a_note() -> None:
    body = html_to_body("<p>" + "word " * 700_000 + "</p>")
    assert body.truncated
    assert body.text.endswith("[message truncated: showing the first 3.0 MB of 3.5 MB]")


@pytest.mark.parametrize(
    "html",
    [
        "<a" * 20000,
        "<!--" * 20000,
        "</" * 20000,
        "<!" * 20000,
        "<?" * 20000,
        "<div a='" * 20000,
        "<script>" + "</" * 20000,
        "&#" * 20000,
        "<![CDATA[" * 5000,
    ],
    ids=["lt_a", "comment", "end_slash", "decl", "pi", "open_quote", "script", "charref", "cdata"],
)
def test_parser_traps_stay_linear(html: str) -> None:
    # CPython's HTMLParser is quadratic on these; 20k repetitions would take minutes without
    # ``prepare.defuse`` (no wall-time assert: a hang fails via pytest-timeout).
    body = html_to_body(html)
    assert not body.failed
    assert_body_clean(body)


def test_tag_soup_truncated_by_tag_count() -> None:
    body = html_to_body("<div>a" * 200_000)
    assert body.truncated and not body.failed
    assert body.text.endswith("[message truncated: showing the first 0.9 MB of 1.2 MB]")
    assert_body_clean(body)


def test_breaks_as_text_keep_structure_inside_quotes_lists_and_pre() -> None:
    html = (
        "<div>top<br>line</div><blockquote><div>q1</div><div>q2<br>q3</div></blockquote>"
        "<ul><li><div>item</div><div>more</div></li></ul><pre>a\n  b<br>c</pre><table><tr><td>x</td></tr>"
        "<tr><td>y</td></tr></table>"
    )
    assert html_to_body(html).text == (
        "top\nline\n\n> q1\n>\n> q2\n> q3\n\n  - item\n\nmore\n\n    a\n      b\n    c\n\nx\ny"
    )
