"""Which editor a reply opens in, and what happens to the file around it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lemlist_inbox.editor import EditorError, edit, editor_command


def test_visual_then_editor_then_the_config_then_vi() -> None:
    assert editor_command("nano", {"VISUAL": "code --wait", "EDITOR": "vim"}) == ["code", "--wait"]
    assert editor_command("nano", {"EDITOR": "emacsclient -t"}) == ["emacsclient", "-t"]
    assert editor_command("nano -w", {"EDITOR": "  "}) == ["nano", "-w"]
    assert editor_command(None, {}) == ["vi"]
    with pytest.raises(EditorError, match="EDITOR"):
        editor_command(None, {"EDITOR": "vim 'unclosed"})


def script(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "editor.py"
    path.write_text(body, encoding="utf-8")
    return [sys.executable, str(path)]


def test_the_file_is_private_and_gone_afterwards(tmp_path: Path) -> None:
    seen = tmp_path / "seen.txt"
    argv = script(
        tmp_path,
        "import os, sys, stat\n"
        "p = sys.argv[-1]\n"
        f"open({str(seen)!r}, 'w').write(p + ' ' + oct(stat.S_IMODE(os.stat(p).st_mode)))\n"
        "open(p, 'a', encoding='utf-8').write('typed: é\\n')\n",
    )
    assert edit("To: x\n\n", argv) == "To: x\n\ntyped: é\n"
    where, mode = seen.read_text().split()
    assert mode == "0o600" and where.endswith("reply.txt")
    assert not Path(where).exists() and not Path(where).parent.exists()


def test_an_editor_that_fails_or_is_missing_is_an_error_not_an_empty_reply(tmp_path: Path) -> None:
    with pytest.raises(EditorError, match="exited with status 3"):
        edit("text", script(tmp_path, "raise SystemExit(3)\n"))
    with pytest.raises(EditorError, match="not found"):
        edit("text", ["no-such-editor-here"])
