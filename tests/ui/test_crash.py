"""A crash exits non-zero with one line and the log path.

An unhandled exception anywhere in the TUI (a key handler, a worker, compose) ends the
app with exit status 1; once the terminal is restored, stderr gets one line naming the
error and the crash log, and the full traceback (the key redacted) is in that log, not
on the screen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest
from textual.widget import Widget
from ui_helpers import ServerFactory, loaded, make_app, wait_for

from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.logs import REDACTED, crash_log_path, crash_summary, write_crash_log
from lemlist_inbox.ui.app import InboxApp

#: The child: the real CLI (``--demo``), with ``?`` (help) made to raise, key in the message.
PROBE = """
import sys
from lemlist_inbox import cli
from lemlist_inbox.demo import DEMO_API_KEY
from lemlist_inbox.ui.screens.main import MainScreen

def broken_help(self):
    raise ValueError(f"help is broken, key {DEMO_API_KEY} \\x1b]0;title\\x07 inside")

MainScreen.action_help = broken_help
sys.exit(cli.main(["--demo"]))
"""


#: Textual leaves the alternate screen when it restores the terminal; the crash line follows.
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
ANSI = re.compile(r"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


CRASH_KEY = "crash-secret-key-42"


class _Terminal:
    """A pseudo-terminal for a child process: what it drew, and a way to type."""

    def __init__(self, columns: int = 80, rows: int = 24) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.output = bytearray()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)

    def start(self) -> None:
        os.close(self.slave)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self._changed:
                self.output += chunk
                self._changed.notify_all()

    def wait_for(self, needle: bytes, timeout: float = 60.0, after: bytes = b"") -> None:
        def seen() -> bool:
            start = self.output.rfind(after) if after else 0
            return start >= 0 and needle in self.output[start + len(after) :]

        with self._changed:
            if not self._changed.wait_for(seen, timeout=timeout):
                raise AssertionError(f"{needle!r} never drawn; got {bytes(self.output[-500:])!r}")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        os.close(self.master)


def _child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env.update(
        TERM="xterm-256color",
        LANG="C.UTF-8",
        HOME=str(tmp_path / "home"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        LEMLIST_INBOX_CONFIG=str(tmp_path / "config.toml"),
        LEMLIST_USER_ID=str(DemoServer().dataset.users[0]["userId"]),
    )
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


@pytest.mark.parametrize("log_setting", ["LEMLIST_INBOX_LOG", "platform log dir"])
def test_a_crash_exits_non_zero_with_one_line_and_the_log_path(tmp_path: Path, log_setting: str) -> None:
    extra = {"LEMLIST_INBOX_LOG": str(tmp_path / "inbox.log")} if log_setting == "LEMLIST_INBOX_LOG" else {}
    env = _child_env(tmp_path, **extra)
    expected_log = (
        tmp_path / "inbox.log" if extra else tmp_path / "state" / "lemlist-inbox" / "log" / "crash.log"
    )
    terminal = _Terminal()
    child = subprocess.Popen(
        [sys.executable, "-c", PROBE],
        stdin=terminal.slave,
        stdout=subprocess.DEVNULL,
        stderr=terminal.slave,  # where Textual draws, and where the crash line goes
        env=env,
        start_new_session=True,
    )
    terminal.start()
    try:
        terminal.wait_for(b"unread")  # the list is on screen
        terminal.type(b"?")
        code = child.wait(timeout=60)
        terminal.wait_for(b"\n", after=LEAVE_ALT_SCREEN)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        terminal.close()
    drawn, _, after = bytes(terminal.output).rpartition(LEAVE_ALT_SCREEN)
    stderr = ANSI.sub("", after.decode()).replace("\r", "")
    assert code == 1
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("lemlist-inbox: crashed (ValueError: help is broken"), lines[0]
    assert lines[0].endswith(f"; details in {expected_log}"), lines[0]
    assert DEMO_API_KEY not in stderr and "\x1b" not in stderr
    # Nothing of the traceback was drawn on the terminal.
    assert b"Traceback" not in drawn and b"broken_help" not in drawn
    log = expected_log.read_text()
    assert "Traceback (most recent call last)" in log
    assert "broken_help" in log and "ValueError: help is broken" in log
    assert DEMO_API_KEY not in log and REDACTED in log
    assert (expected_log.stat().st_mode & 0o077) == 0


async def test_a_crash_in_a_key_handler_ends_the_app_with_code_1_and_nothing_printed(
    make_server: ServerFactory, apps: list[InboxApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_server()
    app = make_app(server)
    apps.append(app)

    def broken(self: Widget) -> None:
        raise RuntimeError("copy is broken")

    from lemlist_inbox.ui.screens.main import MainScreen

    monkeypatch.setattr(MainScreen, "action_copy_email", broken)
    with pytest.raises(RuntimeError, match="copy is broken"):
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(app)
            await pilot.press("y")
            await wait_for(lambda: app.crash is not None)
    assert isinstance(app.crash, RuntimeError)
    assert app.return_code == 1
    assert app._exit_renderables == [], "the traceback goes to the log, not the screen"


async def test_a_crash_in_a_worker_is_the_workers_error(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = make_app(make_server())
    apps.append(app)

    async def failing() -> None:
        raise KeyError("in a worker")

    with pytest.raises(Exception, match="in a worker"):
        async with app.run_test(size=(80, 24)):
            await loaded(app)
            app.run_worker(failing())
            await wait_for(lambda: app.crash is not None)
    assert isinstance(app.crash, KeyError)
    assert app.return_code == 1


def test_crash_log_redacts_the_key_and_its_basic_auth_form(tmp_path: Path) -> None:
    import base64

    key = CRASH_KEY
    basic = base64.b64encode(f":{key}".encode()).decode()
    try:
        raise ValueError(f"header Authorization: Basic {basic} for {key}")
    except ValueError as exc:
        error = exc
    path = write_crash_log(error, key, path=tmp_path / "logs" / "crash.log")
    text = path.read_text()
    assert key not in text and basic not in text and text.count(REDACTED) == 2
    assert "ValueError" in text
    summary = crash_summary(error, key)
    assert key not in summary and summary.startswith("ValueError: header")
    assert crash_log_path({"LEMLIST_INBOX_LOG": str(tmp_path / "x.log")}) == tmp_path / "x.log"


async def test_a_crash_in_compose_ends_the_app_with_code_1_and_nothing_printed(
    make_server: ServerFactory, apps: list[InboxApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lemlist_inbox.ui.screens.help import HelpScreen

    def broken_compose(self: HelpScreen) -> None:
        raise LookupError("compose is broken")

    monkeypatch.setattr(HelpScreen, "compose", broken_compose)
    app = make_app(make_server())
    apps.append(app)
    with pytest.raises(LookupError, match="compose is broken"):
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(app)
            await pilot.press("question_mark")
            await wait_for(lambda: app.crash is not None)
    assert isinstance(app.crash, LookupError)
    assert app.return_code == 1 and app._exit_renderables == []
