"""Plain ``list`` rows have fixed columns: the unread mark is a column, fields never move."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len
from scripted import Script, conversation, scripted_server

from cli_runner import run_cli

KEY = "columns-cli-key-5b2e"
USER = "usr_viewer"
NAMES = ["Zoë", "王伟 佐藤花子", "A very long name that goes on and on past its column", "Bo"]


def _script() -> Script:
    rows = [conversation(i, user_id=USER, name=name) for i, name in enumerate(NAMES)]
    rows[3]["contact"].pop("email")
    rows[3]["channels"] = []
    return Script(pages=[rows])


def test_piped_list_is_tab_separated_with_a_fixed_unread_column(tmp_path: Path) -> None:
    with scripted_server(_script()) as url:
        env = {"LEMLIST_API_KEY": KEY, "LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml")}
        result = run_cli("--base-url", url, "--user-id", USER, "list", env=env)
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert all(len(row) == 6 for row in rows), rows
    assert [row[0] for row in rows] == [" ", "*", " ", "*"]
    assert [row[2] for row in rows] == NAMES
    assert rows[3][3] == "-" and rows[3][4] == "-", "an empty field is '-', never missing"
    assert all(row[5].startswith("ctc_scripted") for row in rows)


def test_list_on_a_terminal_is_aligned_in_cells(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env |= {
        "LEMLIST_API_KEY": KEY,
        "LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml"),
        "LEMLIST_INBOX_DATA": str(tmp_path / "data"),
        "LANG": "C.UTF-8",
    }
    with scripted_server(_script()) as url:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lemlist_inbox", "--base-url", url, "--user-id", USER, "list"],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        os.close(follower)
        data = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            data += chunk
        assert proc.wait(30) == 0
    os.close(leader)
    lines = [line for line in data.decode("utf-8").replace("\r", "").split("\n") if "ctc_scripted" in line]
    assert len(lines) == 4
    assert {line[0] for line in lines} <= {"*", " "}
    # the email column and the id column start at the same cell on every row, wide names or not
    email_at = {cell_len(line[: line.index(f"p{i}@example.com")]) for i, line in enumerate(lines[:3])}
    id_at = {cell_len(line[: line.index("ctc_scripted")]) for line in lines}
    assert len(email_at) == 1 and len(id_at) == 1, lines
