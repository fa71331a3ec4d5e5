"""What the CLI writes: JSON that is safe on a terminal and still says the same thing."""

from __future__ import annotations

import json
import sys
import unicodedata

from lemlist_inbox.cli.output import json_array, json_text

UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def test_json_escapes_every_control_format_separator_and_surrogate_code_point() -> None:
    unsafe = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in UNSAFE_CATEGORIES]
    value = "x".join(unsafe)  # apart, so two lone surrogates do not read back as a pair
    text = json_text(value)
    assert text.isascii(), [c for c in text if not c.isascii()][:10]
    assert json.loads(text) == value


def test_json_keeps_letters_readable() -> None:
    value = {"name": "Zoë 王伟 🦄 Ærøskøbing", "note": 'quote " and \\ backslash'}
    text = json_text(value)
    assert "Zoë 王伟 🦄 Ærøskøbing" in text
    assert json.loads(text) == value


def test_json_escapes_c1_bidi_and_zero_width_characters() -> None:
    text = json_text("a\x9b2J\u202eb\u200bc\x1b]0;t\x07")
    assert text == '"a\\u009b2J\\u202eb\\u200bc\\u001b]0;t\\u0007"'
    assert json_text("plain ascii \x7f DEL") == '"plain ascii \\u007f DEL"'


def test_json_lone_surrogates_never_raise_and_come_back() -> None:
    value = ["lone \ud800 high", "lone \udfff low", "pair \U0001f984"]
    text = json_text(value)
    text.encode("utf-8")  # would raise with a raw surrogate in it
    assert json.loads(text) == value


def test_json_non_finite_numbers_become_null() -> None:
    assert json.loads(json_text({"a": float("nan"), "b": [float("inf")]})) == {"a": None, "b": [None]}


def test_json_array_is_one_item_a_line_and_valid() -> None:
    items = [{"_id": f"x{i}", "n": i} for i in range(3)]
    text = json_array(items)
    assert text.splitlines()[0] == "[" and text.splitlines()[-1] == "]"
    assert len(text.splitlines()) == 5
    assert json.loads(text) == items
    assert json_array([]) == "[]\n"
