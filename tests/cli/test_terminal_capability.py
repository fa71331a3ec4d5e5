"""A terminal that cannot draw a TUI gets a clear message pointing to the CLI.

``TERM=dumb`` (or no TERM at all), or stdin / stderr not a terminal (Textual reads keys
from stdin and draws on stderr): exit 2 with one line naming why and the commands that
work, before Textual is even imported. The ``ascii`` setting is checked like the others.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import run_cli
from lemlist_inbox.cli import EXIT_USAGE, tui_refusal
from lemlist_inbox.config import ConfigError, load_settings

KEY = "sk-test-terminal-caps-4411"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml"), "LEMLIST_API_KEY": KEY, **extra}


@pytest.mark.parametrize("term", ["dumb", ""])
def test_term_dumb_gets_a_clear_message_pointing_to_the_cli(tmp_path: Path, term: str) -> None:
    result = run_cli("--demo", env=_env(tmp_path, TERM=term))
    assert result.returncode == EXIT_USAGE
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "cannot show the full-screen reader" in lines[0]
    assert ("TERM=dumb" if term else "TERM is not set") in lines[0]
    assert "lemlist-inbox list" in lines[0] and "show" in lines[0]
    assert result.stdout == "" and "\x1b" not in result.stderr


def test_term_dumb_refused_before_textual_is_imported(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from lemlist_inbox import cli\n"
        "code = cli.main(['--demo'])\n"
        "print(code, [m for m in sys.modules if m == 'textual' or m.startswith('textual.')])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env.update(_env(tmp_path, TERM="dumb"))
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert out.stdout.strip() == "2 []", out.stdout + out.stderr


def test_tui_without_a_terminal_points_to_the_cli(tmp_path: Path) -> None:
    """Piped (as ``run_cli`` runs it): no escape codes into the pipe, no wait for keys."""
    result = run_cli("--demo", env=_env(tmp_path, TERM="xterm-256color"))
    assert result.returncode == EXIT_USAGE
    assert "needs a terminal, and stdin is not one" in result.stderr
    assert "lemlist-inbox list" in result.stderr and "\x1b" not in result.stdout + result.stderr


def test_tui_refusal_rules() -> None:
    ok = {"TERM": "xterm-256color"}
    assert tui_refusal(ok, stdin_tty=True, stderr_tty=True) is None
    assert tui_refusal({"TERM": "DUMB"}, stdin_tty=True, stderr_tty=True) is not None
    assert "stderr" in (tui_refusal(ok, stdin_tty=True, stderr_tty=False) or "")
    assert "stdin" in (tui_refusal(ok, stdin_tty=False, stderr_tty=True) or "")


def test_commands_still_work_on_a_dumb_terminal(tmp_path: Path) -> None:
    result = run_cli("demo-server", "--help", env=_env(tmp_path, TERM="dumb"))
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("line", "expected"), [("ascii = true", True), ("ascii = false", False), ('ascii = "auto"', None)]
)
def test_ascii_setting_is_read(tmp_path: Path, line: str, expected: bool | None) -> None:
    path = tmp_path / "c.toml"
    path.write_text(line + "\n", encoding="utf-8")
    assert load_settings(env={"LEMLIST_API_KEY": KEY}, path=path).ascii is expected


@pytest.mark.parametrize("line", ['ascii = "yes"', "ascii = 1", 'ascii = "true"'])
def test_ascii_setting_of_the_wrong_type_is_an_error_naming_it(tmp_path: Path, line: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ascii must be \"auto\", true or false"):
        load_settings(env={"LEMLIST_API_KEY": KEY}, path=path)
