"""Whitespace clean-up of converted text.

html2text leaves trailing spaces (its ``"  \\n"`` hard breaks), runs of blank lines from empty
``<p><br></p>`` paragraphs, leading blank lines and bare ``>`` lines where blockquotes close;
e-mail HTML is full of ``&nbsp;``. In a terminal those waste rows and make the text look broken,
so every body goes through here.
"""

from __future__ import annotations


def _is_blank(line: str) -> bool:
    """Empty, or only quote markers: nothing to read on that line."""
    return not line.strip(" >")


def clean_whitespace(text: str) -> str:
    """No trailing spaces, nbsp as space, at most one blank line in a row, none at the ends."""
    lines = text.replace("\u00a0", " ").split("\n")
    out: list[str] = []
    blank = True  # suppresses leading blank lines
    for line in lines:
        line = line.rstrip()
        if _is_blank(line):
            if not blank:
                out.append(line)
            blank = True
            continue
        blank = False
        out.append(line)
    while out and _is_blank(out[-1]):
        out.pop()
    return "\n".join(out)
