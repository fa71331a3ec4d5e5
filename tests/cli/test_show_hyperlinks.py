"""``show`` makes link lines OSC 8 hyperlinks on a terminal, and only there.

Against the hostile stand-in's ``lookalike_link`` thread (a link whose text shows another
address, a ``javascript:`` link): into a pipe the output holds no escape at all; on a
pseudo-terminal each http(s) link line carries one OSC 8 sequence with the cleaned URL, and
the ``javascript:`` line stays plain text.
"""

from __future__ import annotations

import os
import re
import select
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import run_cli
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, hostile
from lemlist_inbox.render.hyperlinks import link_id_for

pty = pytest.importorskip("pty")
CONTACT = hostile.contact_id("lookalike_link")
OSC8 = re.compile(r"\x1b\]8;id=([0-9a-f]*);([^\x1b]*)\x1b\\")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=3, hostile=True) as running:
        yield running


def environment(server: DemoServer, tmp_path: Path) -> dict[str, str]:
    return {
        "LEMLIST_API_KEY": DEMO_API_KEY,
        "LEMLIST_BASE_URL": server.base_url,
        "LEMLIST_INBOX_CONFIG": str(tmp_path / "config.toml"),
        "LEMLIST_INBOX_DATA": str(tmp_path / "data"),
        "LEMLIST_INBOX_ASCII": "0",
    }


def test_into_a_pipe_show_prints_no_escape(server: DemoServer, tmp_path: Path) -> None:
    result = run_cli("show", CONTACT, env=environment(server, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "[1] https://evil.example/login" in result.stdout
    assert "\x1b" not in result.stdout


def test_on_a_terminal_link_lines_are_hyperlinks(server: DemoServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env.update(environment(server, tmp_path), TERM="xterm-256color", COLUMNS="100", LINES="40")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI with its stdout on the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-m", "lemlist_inbox", "show", CONTACT], env)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child is gone (EIO)
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    text = output.decode("utf-8", "replace")
    links = OSC8.findall(text)
    targets = [target for _, target in links if target]
    assert targets == ["https://evil.example/login", "https://evil.example/2", "mailto:x@evil.example"]
    for link_id, target in links:
        if target:
            assert link_id == link_id_for(target)
    plain = OSC8.sub("", text).replace("\x1b]8;;\x1b\\", "")
    assert "[1] https://evil.example/login" in plain and "[3] javascript:alert(1)" in plain
    assert "\x1b" not in plain
