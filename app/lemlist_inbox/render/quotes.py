"""Find where quoted history starts, so the UI can fold it to one line.

Replies carry the whole earlier thread, which the thread pane already shows as separate messages;
unfolded it triples the text to scroll. Structure is the reliable signal (Gmail's ``gmail_quote``,
Apple Mail's ``blockquote type=cite``, Outlook's ``divRplyFwdMsg`` or rule + "From:" block), so the
first pass marks it with sentinels; text heuristics ("-----Original Message-----", a trailing run
of ``> `` lines under "On … wrote:") cover plain text and clients that leave no structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lemlist_inbox.render.sentinels import ATTR_CLOSE, ATTR_OPEN, BORDER, QUOTE_START, RULE, SENTINELS
from lemlist_inbox.render.whitespace import clean_whitespace

_WROTE = re.compile(
    r"(?:wrote|a [ée]crit|schrieb|escribi[óo]|ha scritto|schreef|escreveu|napisał|skrev|kirjoitti"
    r"|написал|написала)\s*:\s*$",
    re.IGNORECASE,
)
_ATTR_START = re.compile(r"^(?:On|Le|Am|El|Il|Op|Em|Den|W dniu|Dne)\b", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\W{0,3}(?:From|De|Von|Da|Van|Från|Fra|Od)\s*:", re.IGNORECASE)
_OUTLOOK_KEY = re.compile(
    r"^\W{0,3}(From|Sent|Date|To|Cc|Subject|De|Envoy[ée]|À|A|Objet|Von|Gesendet|Datum|An|Betreff)"
    r"\s*:",
    re.IGNORECASE,
)
_OUTLOOK_WHEN = frozenset({"sent", "date", "envoyé", "envoye", "gesendet", "datum"})
_ORIGINAL = re.compile(
    r"^\W{0,3}-{2,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht|Mensaje original"
    r"|Messaggio originale)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARDED = re.compile(
    r"^\W{0,3}-{2,}\s*(?:Forwarded message|Message transféré|Weitergeleitete Nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_VISIBLE_RULE = "-" * 10
_SPACES = re.compile(r"\s+")
_HEADER_MAX = 400
_STRIP_ALL = {ord(c): None for c in SENTINELS}


@dataclass(frozen=True)
class Split:
    """A body cut in two: the new text, and the quoted history with its attribution line."""

    text: str
    quoted: str | None = None
    header: str | None = None


def _unquote_line(line: str) -> str:
    return line.lstrip(">").strip()


def _strip_one_level(lines: list[str]) -> list[str]:
    """Remove the outer ``>`` level when every non-blank line has it (html2text's blockquote)."""
    if not any(line.strip() for line in lines):
        return lines
    if not all(line.startswith(">") for line in lines if line.strip()):
        return lines
    return [line[2:] if line.startswith("> ") else line[1:] for line in lines]


def _one_line(text: str) -> str:
    line = _SPACES.sub(" ", text).strip()
    return line if len(line) <= _HEADER_MAX else line[: _HEADER_MAX - 1] + "…"


def _attribution_at_end(lines: list[str]) -> tuple[list[str], str | None]:
    """If ``lines`` end with "On … wrote:" (one or two lines), cut it off and return it."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if not end:
        return lines, None
    last = _unquote_line(lines[end - 1])
    if not _WROTE.search(last) or len(last) > _HEADER_MAX:
        return lines, None
    if not _ATTR_START.match(last) and end >= 2:
        previous = _unquote_line(lines[end - 2])
        if _ATTR_START.match(previous) and not previous.endswith((".", "!", "?")):
            return lines[: end - 2], _one_line(previous + " " + last)
    return lines[: end - 1], _one_line(last)


def _attribution_at_start(lines: list[str]) -> tuple[list[str], str | None]:
    """Header at the top of the quote: "On … wrote:" or Outlook's From:/Sent: block."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return lines, None
    first = _unquote_line(lines[start])
    if _WROTE.search(first) and len(first) <= _HEADER_MAX:
        return lines[start + 1 :], _one_line(first)
    if start + 1 < len(lines) and _ATTR_START.match(first):
        second = _unquote_line(lines[start + 1])
        if _WROTE.search(second):
            return lines[start + 2 :], _one_line(first + " " + second)
    if _FORWARDED.match(first):
        rest, inner = _attribution_at_start(lines[start + 1 :])
        return rest if inner else lines[start + 1 :], _one_line(
            "Forwarded message" + (f", {inner}" if inner else "")
        )
    if _OUTLOOK_FROM.match(first):
        taken: list[str] = [first]
        keep = lines[:start]
        index = start + 1
        while index < len(lines) and lines[index].strip():
            line = _unquote_line(lines[index])
            key = _OUTLOOK_KEY.match(line)
            if not key:
                break
            if key.group(1).lower() in _OUTLOOK_WHEN and len(taken) == 1:
                taken.append(line)
            else:
                keep.append(lines[index])
            index += 1
        return keep + lines[index:], _one_line(", ".join(taken))
    return lines, None


def _next_text_line(lines: list[str], index: int) -> str:
    for line in lines[index + 1 : index + 6]:
        text = _unquote_line(line.translate(_STRIP_ALL))
        if text:
            return text
    return ""


def _find_cut(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, from the sentinels or text markers."""
    for index, line in enumerate(lines):
        if QUOTE_START in line:
            return index
    for index, line in enumerate(lines):
        if (RULE in line or BORDER in line) and _OUTLOOK_FROM.match(_next_text_line(lines, index)):
            return index
        if _ORIGINAL.match(line.translate(_STRIP_ALL)):
            return index
    return None


def _finish(text: str) -> str:
    """Rules that did not start a quote become a visible rule; other sentinels vanish."""
    if RULE in text:
        lines = [
            _VISIBLE_RULE if RULE in line and not line.replace(RULE, "").strip(" >") else line
            for line in text.split("\n")
        ]
        text = "\n".join(lines)
    return clean_whitespace(text.translate(_STRIP_ALL))


def split_rendered(text: str) -> Split:
    """Split html2text output (with sentinels) into new text and quoted history."""
    lines = text.split("\n")
    cut = _find_cut(lines)
    if cut is None:
        return fold_plain(_finish(text))
    main_lines, quoted_lines = lines[:cut], lines[cut:]
    quoted = "\n".join(quoted_lines)
    header: str | None = None
    start, end = quoted.find(ATTR_OPEN), quoted.find(ATTR_CLOSE)
    if 0 <= start < end:
        header = _one_line(_unquote_line(quoted[start + 1 : end].replace("\n>", " ")))
        quoted = quoted[:start] + quoted[end + 1 :]
    # Separators at the top of the quote (its sentinel, a rule, "-----Original Message-----")
    # are only the fold point: drop them.
    quoted_lines = quoted.split("\n")
    skip = 0
    while skip < len(quoted_lines):
        bare = quoted_lines[skip].translate(_STRIP_ALL)
        if bare.strip(" >") and not _ORIGINAL.match(bare):
            break
        skip += 1
    quoted_lines = _finish("\n".join(quoted_lines[skip:])).split("\n")
    if not header:
        quoted_lines, header = _attribution_at_start(quoted_lines)
    main = _finish("\n".join(main_lines))
    if not header:
        main_list, header = _attribution_at_end(main.split("\n"))
        main = clean_whitespace("\n".join(main_list))
    quoted_text = clean_whitespace("\n".join(_strip_one_level(quoted_lines)))
    if not main:
        # Nothing but history (a bare forward): folding would leave an empty message.
        whole = "\n".join(part for part in (header or "", quoted_text) if part)
        return Split(clean_whitespace(whole))
    if not quoted_text:
        return Split(main + ("\n\n" + header if header else ""))
    return Split(main, quoted_text, header or None)


def fold_plain(text: str) -> Split:
    """Fold a trailing block of ``>`` lines (plain-text replies), with its "On … wrote:" line."""
    lines = text.split("\n")
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (lines[start - 1].startswith(">") or not lines[start - 1].strip()):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    if start >= end:
        return Split(text)
    main_lines, header = _attribution_at_end(lines[:start])
    main = clean_whitespace("\n".join(main_lines))
    quoted = clean_whitespace("\n".join(_strip_one_level(lines[start:end])))
    if not main or not quoted:
        return Split(text)
    return Split(main, quoted, header)
