"""Running the real ``lemlist-inbox`` command in a child process, for tests/cli and tests/secrets.

The child never inherits a ``LEMLIST*`` variable from the developer's shell: what it sees
is what the test sets. Its local inbox goes beside the test's config file (or into a
fresh temporary folder), never into the developer's data dir, unless the test says where.
``subprocess.run`` is looked up at call time, so the secret scan's wrapper
(``secret_scan``) sees every output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lemlist_inbox.demo import DemoServer


def run_cli(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m lemlist_inbox *args`` with ``env`` over a ``LEMLIST``-free environment.

    ``input`` is written to its stdin (a pipe, so never a terminal); without it stdin is
    inherited, as before.
    """
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    child_env.update(env)
    if "LEMLIST_INBOX_DATA" not in child_env:
        config = child_env.get("LEMLIST_INBOX_CONFIG")
        where = Path(config).parent / "data" if config else Path(tempfile.mkdtemp(prefix="lemlist-cli-data-"))
        child_env["LEMLIST_INBOX_DATA"] = str(where)
    return subprocess.run(
        [sys.executable, "-m", "lemlist_inbox", *args],
        capture_output=True,
        text=True,
        env=child_env,
        timeout=60,
        check=False,
        input=input,
    )


def local_env(tmp_path: Path, key: str, **extra: str) -> dict[str, str]:
    """A test's own key, config file and data dir under ``tmp_path``; UTC, UTF-8 output."""
    return {
        "LEMLIST_API_KEY": key,
        "LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml"),
        "LEMLIST_INBOX_DATA": str(tmp_path / "data"),
        "TZ": "UTC",
        "PYTHONIOENCODING": "utf-8",
        **extra,
    }


def demo_flags(server: DemoServer) -> list[str]:
    """The flags that point the command at the stand-in, as its first user."""
    return ["--base-url", server.base_url, "--user-id", str(server.dataset.users[0]["userId"])]
