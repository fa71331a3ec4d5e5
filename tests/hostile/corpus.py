"""A fixed corpus of nasty content, as plain data, shared by the render and UI tests.

Each dict maps a case name (usable as a pytest id) to a value. Nothing here imports the app, so
any test can use it: ``sys.path`` gets ``tests/hostile`` when pytest collects a test there; from
another directory, load it with ``importlib`` or add the directory to ``sys.path``.

``FORBIDDEN`` matches what must never reach a terminal; ``PAYLOADS`` are fragments of escape
sequences whose presence in output would mean a sequence was only half removed.
"""

from __future__ import annotations

import re

ESC = "\x1b"
BEL = "\x07"
CSI_CLEAR = f"{ESC}[2J{ESC}[H"
OSC52 = f"{ESC}]52;c;cm0gLXJmIH4vKg==\x07"  # sets the clipboard to "rm -rf ~/*"
OSC8 = f"{ESC}]8;;https://evil.example/{ESC}\\click me{ESC}]8;;{ESC}\\"
RLO = "\u202e"
LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorff " * 9)[:300]
RICH_MARKUP = "[bold]x[/bold]"

#: Characters that must never be in rendered output (newline is the only control allowed).
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
#: Escape-sequence payloads that must not survive as text.
PAYLOADS = ("52;c;", "cm0gLXJmIH4vKg==", "]8;;")

NASTY_NAMES: dict[str, str] = {
    "rich_markup": RICH_MARKUP,
    "rich_link_markup": "[link=https://evil.example]Support[/link] [@click=app.quit]x[/]",
    "csi_clear": f"Eve{CSI_CLEAR}Admin",
    "osc52": f"Mallory{OSC52}",
    "osc8": f"Link{OSC8}",
    "bel": f"Ding{BEL}Dong",
    "cr_overwrite": "Totally Legit Bank\rEVIL CORP",
    "bidi_rlo": f"Ann {RLO}fdp.exe",
    "long_300": LONG_NAME,
    "emoji_cjk": "🦄 王伟 佐藤花子 👩‍👩‍👧‍👦",
    "nul": "Nul\x00Byte",
    "lone_surrogate": "Half\ud800Pair",
    "c1_csi": "Eight\x9b2JBit",
}

NASTY_SUBJECTS: dict[str, str] = {
    "rich_markup": "[blink]URGENT[/blink] [bold]x[/bold]",
    "csi_clear": f"Invoice{CSI_CLEAR} overdue",
    "osc52": f"Invoice{OSC52} overdue{BEL}",
    "osc8": f"See {OSC8}",
    "cr_header_injection": "Your account\r\nBcc: everyone@example.com",
    "bidi_rlo": f"Document {RLO}txt.exe",
    "long_300": "S" * 300,
    "emoji_cjk": "こんにちは 🎉 안녕하세요 مرحبا 🇫🇷🇯🇵",
    "tab_and_newlines": "a\tb\nc\x0bd\x0ce",
}

NASTY_BODIES: dict[str, str] = {
    "rich_markup": f"<p>Hello {RICH_MARKUP}, [reverse]this[/reverse] is [/] not markup.</p>",
    "csi_clear": f"<p>before{CSI_CLEAR}after</p>",
    "osc52": f"<p>copy{OSC52}this</p>",
    "osc8": f"<p>Look: {OSC8}</p>",
    "bel": f"<p>ring{BEL}{BEL}{BEL}</p>",
    "cr_overwrite": "<p>Please confirm your password\rIgnore this line</p>",
    "bidi_rlo": f"<p>Open the file {RLO}gpj.exe\u2066isolated\u2069 now</p>",
    "entity_controls": "<p>entity &#xD800; &#0; &#x1b;[2J &#x9b; &#13; &bogus; end</p>",
    "nul_surrogate": "<p>NUL:\x00 and lone surrogate:\ud800 end</p>",
    "emoji_cjk": "<p>全角テキスト　と絵文字 🧑‍💻🏳️‍🌈 e\u0301 combining</p>",
    "long_word": "<p>" + "x" * 5000 + "</p>",
    "script_style": "<style>body{color:red}</style><script>alert('x')</script><p>visible</p>",
    "deep_500": "<div>" * 500 + "deep" + "</div>" * 500,
    "unclosed": "<p>one <b>two <i>three <div>four <a href='https://example.com/u'>five",
    "base64_image": '<p>pic:<img alt="" src="data:image/png;base64,' + "iVBORw0KGgo" * 200 + '"></p>',
    "tracking_pixel": (
        '<p>hi</p><img alt="logo" src="https://t.example/api/track/open/x" width="1" height="1">'
    ),
    "hidden_preheader": '<div style="display:none;max-height:0">SECRET PREHEADER</div><p>shown</p>',
    "lookalike_link": '<p><a href="https://evil.example/login">https://www.paypal.com/signin</a></p>',
    "markup_in_tags": "<p>&lt;b&gt;not bold&lt;/b&gt; &amp;amp; [i]x[/i]</p>",
    "empty": "",
    "only_whitespace": "   \n\t  \r\n ",
}

#: (html, real target, suspicious?) for link checks.
NASTY_LINKS: dict[str, tuple[str, str, bool]] = {
    "url_text_other_host": (
        '<a href="https://evil.example/login">https://www.paypal.com/signin</a>',
        "https://evil.example/login",
        True,
    ),
    "domain_text_other_host": (
        '<a href="https://evil.example/2">www.lemlist.com</a>',
        "https://evil.example/2",
        True,
    ),
    "javascript": ('<a href="javascript:alert(1)">this</a>', "javascript:alert(1)", True),
    "same_host_subdomain": (
        '<a href="https://app.lemlist.com/x">lemlist.com</a>',
        "https://app.lemlist.com/x",
        False,
    ),
    "plain_words": ('<a href="https://example.com/a">read more</a>', "https://example.com/a", False),
    "email_text_other_mailto": (
        '<a href="mailto:evil@evil.example">ceo@bank.example</a>',
        "mailto:evil@evil.example",
        True,
    ),
}

#: A message as the API sends it, with every nasty field at once (plain JSON data).
NASTY_MESSAGE: dict[str, object] = {
    "_id": "act_nasty",
    "type": "emailsReplied",
    "createdAt": "2024-12-03T10:10:45.000Z",
    "fromEmail": f"eve{RLO}@evil.example",
    "sendUserName": NASTY_NAMES["csi_clear"],
    "sendUserEmail": "me@example.com",
    "leadEmail": "eve@evil.example",
    "subject": NASTY_SUBJECTS["osc52"],
    "message": NASTY_BODIES["osc8"] + NASTY_BODIES["rich_markup"],
    "sequenceStep": 1,
    "attachments": [{"name": f"invoice{RLO}fdp.exe", "size": 12345}, {"filename": "a\x1b[2J.txt"}],
}
