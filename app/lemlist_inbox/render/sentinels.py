"""Private-use characters that carry marks and stand-ins through html2text.

The first pass (``prepare``) knows the structure (where Gmail's quote starts, which ``<hr>``
might be Outlook's separator); html2text knows how to lay text out. Marks written as private-use
code points survive html2text untouched, so the structure found before is found again in its
output (``quotes``). Every one of them is removed from the input first, so a sender cannot forge
them, and from the output last.
"""

from __future__ import annotations

import re

# Sentinels (private-use code points, removed from the input first).
QUOTE_START = "\ue000"  # quoted history starts here (Gmail/Apple/Yahoo/Outlook containers)
ATTR_OPEN = "\ue001"  # attribution ("On … wrote:") element starts
ATTR_CLOSE = "\ue002"  # ... and ends
RULE = "\ue003"  # an <hr>: a rule, or Outlook's separator when "From:" follows
BORDER = "\ue004"  # Outlook desktop's border-top header box: a separator only if "From:" follows
SENTINELS = QUOTE_START + ATTR_OPEN + ATTR_CLOSE + RULE + BORDER
# Text "<" and "&" travel through html2text as these, not as entities: one html2text callback
# per "&lt;" made text full of "<" ten times slower. ``restore_text`` puts them back.
LT, AMP = "\ue005", "\ue006"
# Paragraph and line breaks outside blockquotes, lists and <pre> travel as text too: html2text
# costs ~20 µs per tag, and layout-heavy mail is mostly <div>/<td> soup that only means "break".
PARA, LINE = "\ue007", "\ue008"
STRIP_SENTINELS = {ord(c): None for c in SENTINELS + LT + AMP + PARA + LINE}
TEXT_ESCAPE = {ord("<"): LT, ord("&"): AMP}
_TEXT_RESTORE = {ord(LT): "<", ord(AMP): "&"}
_BREAKS = re.compile("[ \t]*([\ue007\ue008])[ \t]*")


def restore_text(text: str) -> str:
    """Undo the stand-ins once html2text is done: ``<``, ``&`` and the text-borne breaks."""
    if PARA in text or LINE in text:
        text = _BREAKS.sub(lambda m: "\n\n" if m.group(1) == PARA else "\n", text)
    return text.translate(_TEXT_RESTORE)
