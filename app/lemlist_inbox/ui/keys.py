"""Every key of the app in one table, for the ``?`` help screen.

Bindings themselves live on the widgets that handle them (so the footer shows
the keys that matter for what has focus); this table is the reference a user reads,
and a test checks that every key listed here is really bound somewhere.
"""

from __future__ import annotations

from lemlist_inbox.ui.format import Glyphs
from lemlist_inbox.ui.thread.style import ThreadGlyphs

#: (section, [(keys, what it does)]).
HELP: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Conversation list",
        [
            ("j / k / ↓ / ↑", "move down / up"),
            ("g / G / Home / End", "first / last conversation"),
            ("PgDn / PgUp", "page down / up"),
            ("Enter / l / click", "open the conversation"),
            ("space", "open it, or page the open thread"),
            ("/", "filter by name, email, subject or first words; Enter keeps, Esc clears"),
            ("u", "unread only on / off"),
            ("c", "channel: all / email / LinkedIn / WhatsApp / SMS"),
            ("w", "they replied (last word theirs) / waiting for them / all"),
            ("r", "sync now, then check every page (read elsewhere, deleted)"),
        ],
    ),
    (
        "Thread",
        [
            ("j / k / ↓ / ↑", "scroll"),
            ("space / b, shift+space", "page down / up"),
            ("z", "fold / unfold quoted history"),
            ("} / {", "next / previous message (its first line at the top)"),
            ("o", "unfold / fold the message at the top (an open folds all but the newest)"),
            ("Z", "unfold every message; again: fold all but the one being read"),
            ("/", "find in the thread as you type; Enter keeps, Esc clears"),
            ("n / N", "next / previous match (unfolds the message it is in)"),
            ("m", "mark the conversation read (when mark_read_on_open = false)"),
            ("L", "the thread's links: open one (or copy it), y copies"),
            ("A", "its attachments: d downloads, o opens, y copies the URL"),
            ("J / K  or  ] / [", "open the next / previous conversation"),
            ("Esc / h", "back to the list"),
        ],
    ),
    (
        "Replying",
        [
            ("R", "reply to the open (or highlighted) conversation: your editor, then a review"),
            ("O", "outbox: replies not sent yet (s send again, e edit, d delete)"),
            ("y", "in the review: send it (nothing is sent without it)"),
            ("e", "in the review: edit again"),
            ("p", "in the review: postpone (save as a lemlist draft)"),
            ("n", "in the review: discard (asks when you wrote something)"),
            ("ctrl+s / Esc", "in the in-app editor: done, go to the review"),
        ],
    ),
    (
        "Search (s)",
        [
            ("type", "search as you type; Enter goes to the results"),
            ("j / k / ↓ / ↑", "move between results"),
            ("Enter", "open the conversation of the result"),
            ("s / /", "back to the query"),
            ("Esc", "close the search"),
        ],
    ),
    (
        "Anywhere",
        [
            ("Tab", "switch between list and thread"),
            ("y", "copy the contact's email (OSC 52; in tmux also its buffer)"),
            ("U", "switch the viewing user"),
            ("s", 'search every stored message (words, "a phrase", prefix*, -word, OR)'),
            ("ctrl+p", "command palette"),
            ("?", "this help"),
            ("q", "quit (sends pending read marks first)"),
        ],
    ),
]


def mark_legend(list_marks: Glyphs, thread_marks: ThreadGlyphs) -> list[tuple[str, list[tuple[str, str]]]]:
    """What each mark on screen means, in the marks this screen uses (Unicode or ASCII).

    Built from the same glyph sets the list and the pane draw with, so the help can
    never explain a mark the screen does not show.
    """
    return [
        (
            "List marks",
            [
                (list_marks.unread, "unread conversation"),
                (list_marks.open, "the conversation open in the thread pane"),
                (list_marks.email, "conversation on email"),
                (list_marks.linkedin, "conversation on LinkedIn"),
                (list_marks.other, "conversation on another channel"),
                (list_marks.them, "the contact spoke last (theirs: you may owe a reply)"),
                (list_marks.us, "we spoke last (waiting for them)"),
                (list_marks.replied, "the contact has replied (thread not stored yet)"),
                (list_marks.dash.strip(), "between the subject and the newest message's first words"),
                (list_marks.ellipsis, "text cut to fit"),
            ],
        ),
        (
            "Thread marks",
            [
                (thread_marks.sent, "a message you (the team) sent"),
                (thread_marks.received, "a message from the contact"),
                (thread_marks.other, "another kind of step (its type is shown)"),
                (thread_marks.folded, "quoted history folded (z shows it)"),
                (thread_marks.warning, "a suspicious link (it goes elsewhere than it says)"),
                (thread_marks.attachment, "an attachment"),
            ],
        ),
    ]
