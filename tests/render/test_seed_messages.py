"""The three real messages from lemlist's docs, rendered."""

from __future__ import annotations

from seeds import FIRST_SENT, MEET_ME, REPLY, html_of

from lemlist_inbox.render import html_to_body

LEMCAL = "https://app.lemcal.com/@christophe-opoix/15-min-chat?leadId=lea_WoeA2FAw8jemE2Mex"


def _assert_tidy(text: str) -> None:
    assert "\n\n\n" not in text
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert text == text.strip("\n")
    assert "\u00a0" not in text


def test_sent_message_text_and_numbered_link() -> None:
    body = html_to_body(html_of(FIRST_SENT))
    lines = body.text.split("\n")
    assert lines[0] == "Hey Victoire ,"
    assert "☑️ Book an appointment on 📅 my lemcal [1] !" in lines
    assert lines[-1] == "Best regards, as your contemporary, Christophe Opoix"
    assert len(body.links) == 1
    link = body.links[0]
    assert (link.number, link.text, link.target, link.suspicious) == (1, "my lemcal", LEMCAL, False)
    assert body.quoted is None and body.quote_header is None
    _assert_tidy(body.text)


def test_tracking_pixel_span_marker_and_images_gone() -> None:
    for message_id in (FIRST_SENT, REPLY, MEET_ME):
        body = html_to_body(html_of(message_id))
        everything = body.text + (body.quoted or "")
        assert "logo" not in everything
        assert "track" not in everything
        assert "summary" not in everything and "/api/reply" not in everything
        assert ".png" not in everything
        assert not any("lemlst.org" in link.target for link in body.links)


def test_reply_quote_folded_with_gmail_attribution() -> None:
    body = html_to_body(html_of(REPLY))
    assert body.text == "Haha Welcome Christophe, j'adore cette campagne !\n\nA très vite,\n\nVictoire"
    assert body.quote_header == (
        "On Tue, Dec 3, 2024 at 10:52 AM Christophe OPOIX <christophe.o@lemtest.com> wrote:"
    )
    assert body.quoted is not None
    quoted = body.quoted.split("\n")
    assert quoted[0] == "Hey Victoire ,"
    assert "☑️ Book an appointment on 📅 my lemcal [1] !" in quoted
    assert not any(line.startswith(">") for line in quoted)
    assert body.quote_line_count == len(quoted)
    assert [(lk.number, lk.target, lk.quoted) for lk in body.links] == [(1, LEMCAL, True)]
    assert body.visible_links == ()
    _assert_tidy(body.text)
    _assert_tidy(body.quoted)


def test_meet_me_keeps_literal_markdown_and_emoji() -> None:
    body = html_to_body(html_of(MEET_ME))
    assert body.text.split("\n")[0] == "Hello lemlist Team! 😎"
    # lemlist sent this as literal text (an unrendered template link): shown as the contact saw it.
    assert "You can book it [here](https://app.lemcal.com/@camille-ingouf/" in body.text
    assert body.text.endswith("See you soon!\n\nCamille INGOUF")
    assert body.links == ()
    _assert_tidy(body.text)


def test_html_entities_decoded_and_not_markdown_escaped() -> None:
    body = html_to_body("<p>1. first &amp; second - third * fourth _x_ #5 (a) [b] &quot;c&quot;</p>")
    assert body.text == '1. first & second - third * fourth _x_ #5 (a) [b] "c"'
