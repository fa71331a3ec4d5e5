"""Quoted history from the common mail clients is found and folded."""

from __future__ import annotations

from lemlist_inbox.render import html_to_body, text_to_body

OUTLOOK_WEB = """<div>Sounds good, see you Thursday.</div>
<div id="appendonsend"></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Christophe OPOIX
&lt;christophe.o@lemtest.com&gt;<br><b>Sent:</b> Tuesday, December 3, 2024 10:52 AM<br>
<b>To:</b> Victoire &lt;victoire@lemlist.co&gt;<br><b>Subject:</b> Quick chat?</font><div>&nbsp;</div></div>
<div><p>Hey Victoire, would you have 15 minutes?</p></div>"""

OUTLOOK_DESKTOP = """<div class="WordSection1"><p class="MsoNormal">Thanks, that works.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">
<p class="MsoNormal"><b>From:</b> Camille &lt;camille@lemtest.com&gt; <br><b>Sent:</b> Monday,
December 2, 2024 4:00 PM<br><b>To:</b> Bob &lt;bob@example.com&gt;<br><b>Subject:</b> Demo</p></div>
<p class="MsoNormal">Would a demo help?</p></div>"""

APPLE = """<div>Great, thanks!</div><div><br><blockquote type="cite"><div>On Dec 3, 2024, at 10:52,
Christophe OPOIX &lt;christophe.o@lemtest.com&gt; wrote:</div><br class="Apple-interchange-newline">
<div>Hey, are you free?</div><div>Line two</div></blockquote></div>"""

APPLE_HEADER_OUTSIDE = """<div>Great, thanks!</div><div><br><div>On 3 Dec 2024, at 10:52, Christophe
&lt;c@l.com&gt; wrote:</div><br><blockquote type="cite"><div>Hey, are you free?</div></blockquote></div>"""

THUNDERBIRD = """<p>Yes.</p><div class="moz-cite-prefix">On 03/12/2024 10:52, Christophe wrote:<br></div>
<blockquote type="cite">Old text</blockquote>"""


def test_outlook_web_reply() -> None:
    body = html_to_body(OUTLOOK_WEB)
    assert body.text == "Sounds good, see you Thursday."
    assert body.quote_header == (
        "From: Christophe OPOIX <christophe.o@lemtest.com>, Sent: Tuesday, December 3, 2024 10:52 AM"
    )
    assert body.quoted is not None
    assert "Hey Victoire, would you have 15 minutes?" in body.quoted
    assert "Subject: Quick chat?" in body.quoted


def test_outlook_desktop_border_box() -> None:
    body = html_to_body(OUTLOOK_DESKTOP)
    assert body.text == "Thanks, that works."
    assert body.quote_header is not None and body.quote_header.startswith(
        "From: Camille <camille@lemtest.com>"
    )
    assert body.quoted is not None and body.quoted.endswith("Would a demo help?")


def test_outlook_hr_then_from_block() -> None:
    html = "<p>New text</p><hr><p><b>From:</b> A &lt;a@x.com&gt;<br><b>Sent:</b> Monday</p><p>old</p>"
    body = html_to_body(html)
    assert body.text == "New text"
    assert body.quote_header == "From: A <a@x.com>, Sent: Monday"
    assert body.quoted == "old"


def test_plain_hr_is_a_visible_rule_not_a_quote() -> None:
    body = html_to_body("<p>above</p><hr><p>below</p>")
    assert body.quoted is None
    assert body.text == "above\n\n----------\n\nbelow"


def test_original_message_separator() -> None:
    html = "<p>My answer</p><p>-----Original Message-----<br>From: Bob<br>Sent: today</p><p>question</p>"
    body = html_to_body(html)
    assert body.text == "My answer"
    assert body.quote_header == "From: Bob, Sent: today"
    assert body.quoted == "question"


def test_apple_mail_cite_blockquote() -> None:
    body = html_to_body(APPLE)
    assert body.text == "Great, thanks!"
    assert body.quote_header == "On Dec 3, 2024, at 10:52, Christophe OPOIX <christophe.o@lemtest.com> wrote:"
    assert body.quoted == "Hey, are you free?\n\nLine two"


def test_apple_mail_attribution_before_the_blockquote() -> None:
    body = html_to_body(APPLE_HEADER_OUTSIDE)
    assert body.text == "Great, thanks!"
    assert body.quote_header == "On 3 Dec 2024, at 10:52, Christophe <c@l.com> wrote:"
    assert body.quoted == "Hey, are you free?"


def test_thunderbird_cite_prefix() -> None:
    body = html_to_body(THUNDERBIRD)
    assert body.text == "Yes."
    assert body.quote_header == "On 03/12/2024 10:52, Christophe wrote:"
    assert body.quoted == "Old text"


def test_plain_gt_lines_inside_html() -> None:
    html = "<p>Sure.</p><p>On Mon, Bob wrote:<br>&gt; can we talk?<br>&gt; thanks</p>"
    body = html_to_body(html)
    assert body.text == "Sure."
    assert body.quote_header == "On Mon, Bob wrote:"
    assert body.quoted == "can we talk?\nthanks"


def test_a_message_that_is_only_a_quote_is_not_folded_away() -> None:
    body = html_to_body('<div class="gmail_quote">Forwarded text only</div>')
    assert body.quoted is None
    assert body.text == "Forwarded text only"


def test_nested_history_keeps_inner_levels() -> None:
    html = (
        '<p>Top</p><div class="gmail_quote"><div class="gmail_attr">On Mon, B wrote:</div>'
        "<blockquote>middle<blockquote>oldest</blockquote></blockquote></div>"
    )
    body = html_to_body(html)
    assert body.text == "Top"
    assert body.quote_header == "On Mon, B wrote:"
    assert body.quoted == "middle\n\n> oldest"


def test_plain_text_reply_two_line_attribution() -> None:
    text = (
        "Thanks!\n\nOn Tue, Dec 3, 2024 at 10:52 AM Christophe OPOIX <\n"
        "christophe.o@lemtest.com> wrote:\n\n> Hey\n>\n> Bye\n"
    )
    body = text_to_body(text)
    assert body.text == "Thanks!"
    assert (
        body.quote_header
        == "On Tue, Dec 3, 2024 at 10:52 AM Christophe OPOIX < christophe.o@lemtest.com> wrote:"
    )
    assert body.quoted == "Hey\n\nBye"
    assert body.quote_line_count == 3


def test_plain_text_gt_in_the_middle_is_not_folded() -> None:
    body = text_to_body("> a quote\nmy answer below it")
    assert body.quoted is None
    assert body.text == "> a quote\nmy answer below it"


def test_links_in_a_text_detected_quote_are_marked_quoted() -> None:
    html = (
        '<p>See <a href="https://new.example/">this</a></p><hr><p><b>From:</b> A<br><b>Sent:</b> Monday</p>'
        '<p>old <a href="https://old.example/">link</a></p>'
    )
    body = html_to_body(html)
    assert body.text == "See this [1]"
    assert [(lk.target, lk.quoted) for lk in body.links] == [
        ("https://new.example/", False),
        ("https://old.example/", True),
    ]
    assert [lk.number for lk in body.visible_links] == [1]


def test_gmail_forward_gets_a_forwarded_header() -> None:
    html = (
        '<div>FYI</div><div class="gmail_quote"><div class="gmail_attr">---------- Forwarded message '
        "---------<br>From: <b>Bob</b> &lt;bob@x.com&gt;<br>Date: Mon, Dec 2, 2024<br>Subject: Hi<br></div>"
        "<br><br><div>Original text</div></div>"
    )
    body = html_to_body(html)
    assert body.text == "FYI"
    assert body.quote_header is not None and body.quote_header.startswith("---------- Forwarded message")
    assert body.quoted == "Original text"


def test_forward_without_gmail_attr() -> None:
    html = (
        '<div>FYI</div><div class="gmail_quote">---------- Forwarded message ---------<br>'
        "From: Bob &lt;bob@x.com&gt;<br>Date: Mon<br>Subject: Hi<br><br>Original text</div>"
    )
    body = html_to_body(html)
    assert body.text == "FYI"
    assert body.quote_header == "Forwarded message, From: Bob <bob@x.com>, Date: Mon"
    assert body.quoted == "Subject: Hi\n\nOriginal text"
