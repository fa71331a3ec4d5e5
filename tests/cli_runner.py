"""Running the real ``lemlist-inbox`` command in a child process, for tests/cli and tests/secrets.

The child never inherits a ``LEMLIST*`` variable from the developer's shell: what it sees
is what the test sets. ``subprocess.run`` is looked up at call time, so the secret scan's
wrapper (``secret_scan``) sees every output.
"""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m lemlist_inbox *args`` with ``env`` over a ``LEMLIST``-free environment."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    child_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "lemlist_inbox", *args],
        capture_output=True,
        text=True,
        env=child_env,
        timeout=60,
        check=False,
    )
