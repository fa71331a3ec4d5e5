"""``serve()`` (behind ``lemlist-inbox demo-server``) prints where it is and stops quietly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx

from lemlist_inbox.demo import DEMO_API_KEY


def test_serve_prints_url_and_key_then_exits_quietly_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lemlist_inbox.demo", "--conversations", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("lemlist demo API on http://127.0.0.1:")
        base_url = first.split(" on ", 1)[1].strip()
        assert DEMO_API_KEY in proc.stdout.readline()
        team = httpx.get(base_url + "/team", params={"version": "v2"}, auth=("", DEMO_API_KEY), timeout=5)
        assert team.status_code == 200
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "Traceback" not in err
