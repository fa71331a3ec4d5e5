"""Attachment names from strangers become one plain file name inside the download folder."""

from __future__ import annotations

import pytest

from lemlist_inbox.api.filenames import FALLBACK_NAME, MAX_NAME_BYTES, numbered, safe_filename


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("Präsentation Q1.pptx", "Präsentation Q1.pptx"),
        ("../../.bashrc", "bashrc"),
        ("../etc/passwd", "passwd"),
        ("..\\..\\Windows\\evil.dll", "evil.dll"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\x\\file.txt", "file.txt"),
        ("C:file.txt", "C_file.txt"),
        ("a/b\\c.pdf", "c.pdf"),
        ("..", FALLBACK_NAME),
        ("../", FALLBACK_NAME),
        ("..\\", FALLBACK_NAME),
        (".", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        ("   ", FALLBACK_NAME),
        ("...", FALLBACK_NAME),
        (None, FALLBACK_NAME),
        (".hidden", "hidden"),
        ("  spaced out  .txt. . ", "spaced out.txt"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.log", "_com1.log"),
        ("LPT9", "_LPT9"),
        ("console.txt", "console.txt"),
        ('what?<is>:"this"|*.txt', "what__is___this___.txt"),
        ("line\nbreak\r.txt", "line break.txt"),
        ("tab\there.txt", "tab here.txt"),
        ("esc\x1b[31mred.txt", "esc[31mred.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # bidi override: would read "invoiceexe.pdf"
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("c1\x9bcontrol.txt", "c1control.txt"),
        ("e\u0301.txt", "é.txt"),  # NFC
    ],
)
def test_safe_filename(name: str | None, expected: str) -> None:
    assert safe_filename(name) == expected


def test_never_a_separator_a_dot_dot_or_a_leading_dot() -> None:
    hostile = ["../" * 50, "..\\" * 50, "/..", "\\..", "./.", "a/../..", "..\u200b/..", ".\u202e.", "..%2f.."]
    for name in hostile:
        safe = safe_filename(name)
        assert "/" not in safe and "\\" not in safe and safe not in ("", ".", "..")
        assert not safe.startswith("."), name


def test_length_is_bounded_in_bytes_and_keeps_the_extension() -> None:
    long = "é" * 1000 + ".pdf"
    safe = safe_filename(long)
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES and safe.endswith(".pdf")
    assert safe_filename("x" * 5000).startswith("x") and len(safe_filename("x" * 5000)) == MAX_NAME_BYTES
    emoji = safe_filename("😀" * 100)  # a cut never splits a character
    assert emoji and emoji == "😀" * (MAX_NAME_BYTES // 4)


def test_numbered_names() -> None:
    assert numbered("report.pdf", 0) == "report.pdf"
    assert numbered("report.pdf", 2) == "report (2).pdf"
    assert numbered("archive.tar.gz", 1) == "archive.tar (1).gz"
    assert numbered("README", 3) == "README (3)"
