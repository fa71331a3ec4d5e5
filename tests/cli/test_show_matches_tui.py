"""``lemlist-inbox show`` prints the thread pane's lines (README: "as the TUI renders it").

The pane's own layout (``ui.thread.layout.build_layout``, wide enough that nothing wraps)
is the reference. The only differences allowed are the documented ones: a key hint
becomes the flag that does the same, expanded quoted lines get ``> ``, the rule between
messages is 72 wide into a pipe, and nothing is wrapped.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from cli_runner import run_cli
from lemlist_inbox import render
from lemlist_inbox.api.models import Message, parse_items
from lemlist_inbox.api.pagination import oldest_first
from lemlist_inbox.demo import DemoServer, hostile
from lemlist_inbox.ui.thread.layout import build_layout
from lemlist_inbox.ui.thread.style import UNICODE_GLYPHS, ThreadStyles

KEY = "show-tui-key-93b1c7"
WIDE = 20_000
#: Cases whose thread is too big to lay out at 20,000 columns in a test.
SKIP = {hostile.BIG_MESSAGE}


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=40, api_key=KEY, seed=5, hostile=True) as srv:
        srv.faults.rate_limit = False
        yield srv


def _messages(server: DemoServer, contact_id: str) -> list[Message]:
    """The messages as the client hands them over: parsed leniently, oldest first."""
    newest_first = server.dataset.thread(contact_id)
    parsed, _, _ = parse_items(Message, newest_first)
    return oldest_first(parsed)


def _pane_text(messages: list[Message], *, expanded: bool) -> list[str]:
    layout = build_layout(
        render.render_thread(messages),
        width=WIDE,
        expanded=expanded,
        styles=ThreadStyles(),
        glyphs=UNICODE_GLYPHS,
        tz=UTC,
    )
    assert layout is not None
    return layout.text().split("\n")


def _cli(server: DemoServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "LEMLIST_API_KEY": KEY,
        "LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml"),
        "TZ": "UTC",
        "PYTHONIOENCODING": "utf-8",
    }
    return run_cli("--base-url", server.base_url, "show", *args, env=env)


def _contacts(server: DemoServer) -> list[str]:
    ids = [str(c["contactId"]) for c in server.dataset.conversations[:25]]
    return [cid for cid in ids if cid not in {hostile.contact_id(case) for case in SKIP}]


def test_show_prints_the_panes_lines_for_the_same_thread(server: DemoServer, tmp_path: Path) -> None:
    """The real command, over loopback, against the pane's layout of the same messages."""
    checked = 0
    for contact in [
        *_contacts(server)[:4],
        hostile.contact_id("lookalike_link"),
        hostile.contact_id("wide_chars"),
    ]:
        result = _cli(server, tmp_path, contact)
        assert result.returncode == 0, result.stderr
        expected = [
            "─" * 72 if line == "─" * WIDE else line.replace(" (z to show)", " (--quotes to show)")
            for line in _pane_text(_messages(server, contact), expanded=False)
        ]
        assert result.stdout.split("\n")[:-1] == expected, contact
        checked += 1
    assert checked == 6


def test_show_quotes_prints_the_panes_expanded_lines_with_quote_markers(
    server: DemoServer, tmp_path: Path
) -> None:
    reply = next(
        c
        for c in _contacts(server)
        if any(m.quoted for m in (r.body for r in render.render_thread(_messages(server, c))))
    )
    result = _cli(server, tmp_path, reply, "--quotes")
    assert result.returncode == 0, result.stderr
    pane = _pane_text(_messages(server, reply), expanded=True)
    printed = result.stdout.split("\n")[:-1]
    assert len(printed) == len(pane)
    for ours, theirs in zip(printed, pane, strict=True):
        theirs = "─" * 72 if theirs == "─" * WIDE else theirs.replace(" (z to hide)", "")
        assert ours == theirs or ours.removeprefix("> ") == theirs or (ours == ">" and theirs == "")


def test_shared_layout_is_the_panes_layout_with_the_panes_hints(server: DemoServer) -> None:
    """Every demo and hostile thread, folded and expanded: the same lines as the pane."""
    hints = render.QuoteHints(show=" (z to show)", hide=" (z to hide)", prefix="")
    for contact in _contacts(server):
        messages = _messages(server, contact)
        rendered = render.render_thread(messages)
        for expanded in (False, True):
            ours = render.thread_lines(rendered, expanded=expanded, hints=hints, rule_width=WIDE, tz=UTC)
            assert ours == _pane_text(messages, expanded=expanded), (contact, expanded)


def test_render_marks_are_the_panes_marks() -> None:
    from dataclasses import asdict

    from lemlist_inbox.ui.thread.style import ASCII_GLYPHS

    assert asdict(render.UNICODE_MARKS) == asdict(UNICODE_GLYPHS)
    assert asdict(render.ASCII_MARKS) == asdict(ASCII_GLYPHS)


def test_show_json_is_the_thread_oldest_first(server: DemoServer, tmp_path: Path) -> None:
    contact = _contacts(server)[0]
    result = _cli(server, tmp_path, contact, "--json")
    assert result.returncode == 0, result.stderr
    ids = [m["_id"] for m in json.loads(result.stdout)]
    assert ids == [m.id for m in _messages(server, contact)]
