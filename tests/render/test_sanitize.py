"""sanitize: one test per class of character a terminal would interpret."""

from __future__ import annotations

import pytest

from lemlist_inbox.render import sanitize, sanitize_line


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b", "ab"),  # NUL
        ("a\x07b", "ab"),  # BEL
        ("a\x08b", "ab"),  # backspace (overstrike trick)
        ("a\x7fb", "ab"),  # DEL
        ("a\x85b", "a\nb"),  # NEL: a newline for some consumers, so made one
        ("a\x90b\x9cc", "ac"),  # C1 DCS ... ST, payload included
        ("a\x9fb\x9ec", "abc"),  # other C1
        ("a\tb", "a    b"),  # tab to spaces
        ("a\x0bb\x0cc", "a\nb\nc"),  # VT / FF
        ("a\u2028b\u2029c", "a\nb\nc"),  # Unicode line/paragraph separators
    ],
    ids=["nul", "bel", "backspace", "del", "nel", "c1_dcs", "c1_other", "tab", "vt_ff", "u2028"],
)
def test_control_characters(raw: str, expected: str) -> None:
    assert sanitize(raw) == expected


def test_csi_sequences_removed_whole() -> None:
    assert sanitize("x\x1b[2J\x1b[H\x1b[31;1mred\x1b[0m") == "xred"


def test_eight_bit_csi_removed_whole() -> None:
    assert sanitize("x\x9b2Jy") == "xy"


def test_osc52_payload_removed() -> None:
    assert sanitize("a\x1b]52;c;cm0gLXJmIH4vKg==\x07b") == "ab"


def test_osc8_hyperlink_keeps_only_the_visible_text() -> None:
    assert sanitize("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\") == "click"


def test_unterminated_osc_leaves_no_control() -> None:
    out = sanitize("a\x1b]52;c;payload")
    assert "\x1b" not in out and out.startswith("a")


def test_lone_esc_removed() -> None:
    assert sanitize("a\x1b") == "a"
    assert sanitize("\x1b\x1b\x1b") == ""


def test_crlf_becomes_lf_and_lone_cr_is_dropped() -> None:
    assert sanitize("a\r\nb") == "a\nb"
    assert sanitize("Legit\rEVIL") == "LegitEVIL"


@pytest.mark.parametrize(
    "char",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
    ],
)
def test_bidi_controls_removed(char: str) -> None:
    assert sanitize(f"ann{char}exe.pdf") == "annexe.pdf"


def test_zero_width_hiders_removed_but_joiners_kept() -> None:
    assert sanitize("pay\u200bpal\ufeff") == "paypal"
    family = "👩\u200d👩\u200d👧"
    assert sanitize(family) == family  # ZWJ builds emoji sequences


def test_lone_surrogates_replaced_and_output_encodes() -> None:
    out = sanitize("a\ud800b\udfffc")
    assert out == "a\ufffdb\ufffdc"
    out.encode("utf-8")


def test_surrogate_pair_is_joined() -> None:
    assert sanitize("\ud83d\ude00") == "😀"


def test_rich_markup_and_unicode_untouched() -> None:
    text = "[bold]x[/bold] 王伟 🦄 e\u0301"
    assert sanitize(text) == text


def test_idempotent() -> None:
    nasty = "a\x1b[2J\r\n\tb\u202e\ud800\x9b1m\x1b]0;t\x07"
    once = sanitize(nasty)
    assert sanitize(once) == once


def test_non_string_does_not_raise() -> None:
    assert sanitize(None) == ""  # type: ignore[arg-type]
    assert sanitize(12) == "12"  # type: ignore[arg-type]


def test_sanitize_line_single_line_and_capped() -> None:
    assert sanitize_line("a\n\nb   c\r\nd") == "a b c d"
    assert sanitize_line(None) == ""
    long = sanitize_line("x" * 5000)
    assert len(long) == 1000 and long.endswith("…")
