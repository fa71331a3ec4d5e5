"""Which editor the TUI runs, and the reply's private file (pure: no app)."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest

from lemlist_inbox.ui.reply.editor import ReplyFile, editor_command


def test_visual_then_editor_then_the_setting() -> None:
    assert editor_command("nano", {"VISUAL": "code --wait", "EDITOR": "vim"}) == ["code", "--wait"]
    assert editor_command("nano", {"EDITOR": "vim -c 'set tw=72'"}) == ["vim", "-c", "set tw=72"]
    assert editor_command("emacsclient -t", {}) == ["emacsclient", "-t"]
    assert editor_command(None, {"VISUAL": "  ", "EDITOR": ""}) is None  # none: the in-app one


def test_internal_setting_wins_and_a_broken_command_is_not_run() -> None:
    assert editor_command("internal", {"VISUAL": "vim"}) is None
    assert editor_command(" Internal ", {}) is None
    assert editor_command(None, {"EDITOR": "vim 'unclosed"}) is None


def test_reply_file_is_private_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with ReplyFile() as file:
        file.write("To: x\n\nhello\n")
        assert stat.S_IMODE(file.folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(file.path.stat().st_mode) == 0o600
        assert file.read() == "To: x\n\nhello\n"
        file.write("shorter\n")
        assert file.read() == "shorter\n"
    assert not file.folder.exists()
