"""``list`` streams: rows are out while later pages are still on the wire.

Each test holds a page on the scripted stand-in (an Event), so what was printed
before it was served is known exactly; no timing is assumed, only deadlines.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scripted import Script, conversation, scripted_server

KEY = "stream-cli-key-44f0b9"
USER = "usr_viewer"
DEADLINE = 30.0


def _script(pages: int, per_page: int = 100, *, hold: tuple[int, ...] = ()) -> Script:
    rows = [conversation(i, user_id=USER) for i in range(pages * per_page)]
    return Script(
        pages=[rows[i * per_page : (i + 1) * per_page] for i in range(pages)],
        hold={number: threading.Event() for number in hold},
    )


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env.update(
        {
            "LEMLIST_API_KEY": KEY,
            "LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml"),
            "LEMLIST_INBOX_DATA": str(tmp_path / "data"),
        }
    )
    return env


@contextmanager
def spawn(
    url: str, tmp_path: Path, *args: str, stderr: Any = None, stdout: Any = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lemlist_inbox", "--base-url", url, "--user-id", USER, "list", *args],
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=stderr if stderr is not None else subprocess.PIPE,
        env=_env(tmp_path),
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def read_lines(proc: subprocess.Popen[bytes], count: int) -> bytes:
    """stdout up to at least ``count`` lines, or fail at the deadline (never block past it)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    end = time.monotonic() + DEADLINE
    while data.count(b"\n") < count:
        left = end - time.monotonic()
        assert left > 0, f"only {len(data.splitlines())} line(s) within {DEADLINE} s: {data[:200]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            assert chunk, f"stdout closed after {len(data.splitlines())} line(s)"
            data += chunk
    return data


def test_first_rows_are_printed_before_the_last_page_is_served(tmp_path: Path) -> None:
    script = _script(3, hold=(3,))
    with scripted_server(script) as url, spawn(url, tmp_path) as proc:
        first = read_lines(proc, 1)  # while page 3's answer is still held back
        assert first.split(b"\n")[0].endswith(b"ctc_scripted00000000")
        script.hold[3].set()
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 0, err
        assert len((first + out).splitlines()) == 300


def test_jsonl_streams_one_item_a_line(tmp_path: Path) -> None:
    script = _script(2, hold=(2,))
    with scripted_server(script) as url, spawn(url, tmp_path, "--jsonl") as proc:
        first = read_lines(proc, 100)  # page 2 still held
        ids = [json.loads(line)["_id"] for line in first.splitlines()]
        assert ids == [f"ibx_scripted{i:08d}" for i in range(100)]
        script.hold[2].set()
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 0, err
        assert len((first + out).splitlines()) == 200


def test_reader_leaving_ends_list_at_once_and_quietly(tmp_path: Path) -> None:
    """``list | head -3`` while page 2 is held: we do not wait for page 2 to notice."""
    script = _script(3, hold=(2,))
    with scripted_server(script) as url, spawn(url, tmp_path) as proc:
        read_lines(proc, 3)
        assert proc.stdout is not None
        proc.stdout.close()  # what head does after three lines
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert proc.wait(DEADLINE) == 0
        assert err == b"", err
        assert not script.hold[2].is_set()


def test_list_piped_into_head_returns_promptly_without_noise(tmp_path: Path) -> None:
    script = _script(5)
    with scripted_server(script) as url:
        command = f"{sys.executable} -m lemlist_inbox --base-url {url} --user-id {USER} list | head -3"
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            capture_output=True,
            env=_env(tmp_path),
            timeout=DEADLINE,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == b"", result.stderr


def test_ctrl_c_after_the_first_rows_keeps_them_and_exits_130(tmp_path: Path) -> None:
    script = _script(3, hold=(2,))
    with scripted_server(script) as url, spawn(url, tmp_path) as proc:
        first = read_lines(proc, 100)  # page 1, while page 2 is held
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 130, err
        assert len((first + out).splitlines()) == 100, "page 1 stays printed, nothing is lost or doubled"
        assert b"Traceback" not in err and b"Exception ignored" not in err, err


def test_progress_goes_to_stderr_only_when_it_is_a_terminal(tmp_path: Path) -> None:
    """``list > file`` on a terminal shows progress; into pipes, or a pipe and a terminal, never."""
    script = _script(2)
    with scripted_server(script) as url:
        with spawn(url, tmp_path) as proc:
            out, err = proc.communicate(timeout=DEADLINE)
            assert proc.returncode == 0 and err == b"", err
            assert len(out.splitlines()) == 200, "progress never lands in stdout"
        leader, follower = pty.openpty()
        with spawn(url, tmp_path, stderr=follower) as proc:  # | head on a terminal: none either
            assert proc.wait(DEADLINE) == 0
        assert not select.select([leader], [], [], 0.2)[0], "no progress beside a pipe's output"
        rows = tmp_path / "rows.tsv"
        try:
            with rows.open("wb") as file, spawn(url, tmp_path, stderr=follower, stdout=file) as proc:
                os.close(follower)
                follower = -1
                proc.wait(DEADLINE)
                assert proc.returncode == 0
                out = rows.read_bytes()
                assert len(out.splitlines()) == 200
                shown = b""
                while select.select([leader], [], [], 0.5)[0]:
                    try:
                        chunk = os.read(leader, 65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    shown += chunk
        finally:
            os.close(leader)
            if follower >= 0:
                os.close(follower)
        assert b"loading page" in shown
        assert b"loading" not in out
