"""``y`` inside tmux: the text also goes to ``tmux load-buffer -w -``, and the
notification says which way it went (tmux drops OSC 52 by default).

A fake ``tmux`` on PATH records its arguments and stdin; it can be told to fail.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from ui_helpers import ServerFactory, loaded, make_app, wait_for

from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.clipboard import copy_outcome, tmux_load_buffer

FAKE_TMUX = """#!{python}
import json, os, sys
record = os.environ["FAKE_TMUX_RECORD"]
data = sys.stdin.buffer.read().decode("utf-8")
with open(record, "a", encoding="utf-8") as handle:
    handle.write(json.dumps({{"argv": sys.argv[1:], "stdin": data, "tmux": os.environ.get("TMUX")}}) + "\\n")
failure = os.environ.get("FAKE_TMUX_FAIL")
if failure == "old" and "-w" in sys.argv:
    sys.stderr.write("load-buffer: unknown flag -w\\nusage: load-buffer [-b buffer-name] path\\n")
    sys.exit(1)
if failure == "dead":
    sys.stderr.write("no server running on /tmp/tmux-1000/default\\x1b]0;owned\\x07\\n")
    sys.exit(1)
"""


@pytest.fixture
def fake_tmux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``tmux`` first on PATH; returns the file where it records each call."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tmux"
    script.write_text(FAKE_TMUX.format(python=sys.executable), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    record = tmp_path / "tmux-calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_TMUX_RECORD", str(record))
    monkeypatch.delenv("FAKE_TMUX_FAIL", raising=False)
    return record


def calls(record: Path) -> list[dict[str, object]]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def messages(app: InboxApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_y_inside_tmux_also_loads_the_tmux_buffer_and_says_so(
    make_server: ServerFactory, apps: list[InboxApp], fake_tmux: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,123,0")
    app = make_app(make_server())
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("j", "y")
        email = screen.store.view_at(1).email
        await wait_for(lambda: any("tmux" in m for m in messages(app)))
        assert app.clipboard == email  # OSC 52 as well
        assert calls(fake_tmux) == [
            {"argv": ["load-buffer", "-w", "-"], "stdin": email, "tmux": "/tmp/tmux-1000/default,123,0"}
        ]
        assert messages(app)[-1] == f"copied {email} to the tmux buffer and the clipboard (OSC 52)"


async def test_y_outside_tmux_uses_osc52_only_and_says_so(
    make_server: ServerFactory, apps: list[InboxApp], fake_tmux: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    app = make_app(make_server())
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("j", "y")
        email = screen.store.view_at(1).email
        await wait_for(lambda: bool(messages(app)))
        assert app.clipboard == email
        assert "OSC 52" in messages(app)[-1] and "tmux" not in messages(app)[-1]
        await app.workers.wait_for_complete()
        assert calls(fake_tmux) == []


async def test_y_inside_tmux_when_tmux_refuses_says_osc52_only_and_why(
    make_server: ServerFactory, apps: list[InboxApp], fake_tmux: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,123,0")
    monkeypatch.setenv("FAKE_TMUX_FAIL", "dead")
    app = make_app(make_server())
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("y")
        email = screen.store.view_at(0).email
        await wait_for(lambda: any("tmux refused" in m for m in messages(app)))
        message = messages(app)[-1]
        assert (
            message
            == f"{email} sent via OSC 52 only; tmux refused: no server running on /tmp/tmux-1000/default"
        )
        assert "\x1b" not in message
        assert list(app._notifications)[-1].severity == "warning"


def test_tmux_without_w_falls_back_to_the_buffer(fake_tmux: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TMUX_FAIL", "old")
    assert tmux_load_buffer("a@b.c") is None
    assert [call["argv"] for call in calls(fake_tmux)] == [["load-buffer", "-w", "-"], ["load-buffer", "-"]]


def test_tmux_missing_or_hung_is_a_reason_not_an_exception(tmp_path: Path) -> None:
    assert tmux_load_buffer("a@b.c", env={"PATH": str(tmp_path)}) == "tmux not found on PATH"
    slow = tmp_path / "tmux"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n", encoding="utf-8")
    slow.chmod(0o700)
    assert tmux_load_buffer("a@b.c", env={"PATH": str(tmp_path)}, timeout=0.2) == "no answer within 0.2 s"


def test_copy_outcome_wording() -> None:
    assert copy_outcome("x@y.z", in_tmux=False, tmux_reason=None)[0].startswith("copied x@y.z (OSC 52")
    assert copy_outcome("x@y.z", in_tmux=True, tmux_reason="boom") == (
        "x@y.z sent via OSC 52 only; tmux refused: boom",
        "warning",
    )
