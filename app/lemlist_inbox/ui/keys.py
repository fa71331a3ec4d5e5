"""Every key of the app in one table, for the ``?`` help screen.

Bindings themselves live on the widgets that handle them (so the footer shows
the keys that matter for what has focus); this table is the reference a user reads,
and a test checks that every key listed here is really bound somewhere.
"""

from __future__ import annotations

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
            ("/", "filter by name or email; Enter keeps, Esc clears"),
            ("u", "unread only on / off"),
            ("r", "refresh: reload every page, keep what is loaded"),
        ],
    ),
    (
        "Thread",
        [
            ("j / k / ↓ / ↑", "scroll"),
            ("space / b, shift+space", "page down / up"),
            ("z", "fold / unfold quoted history"),
            ("J / K  or  ] / [", "open the next / previous conversation"),
            ("Esc / h", "back to the list"),
        ],
    ),
    (
        "Anywhere",
        [
            ("Tab", "switch between list and thread"),
            ("y", "copy the contact's email (OSC 52, over SSH too)"),
            ("U", "switch the viewing user"),
            ("ctrl+p", "command palette"),
            ("?", "this help"),
            ("q", "quit (sends pending read marks first)"),
        ],
    ),
]
