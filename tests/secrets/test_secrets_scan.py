"""The secret scan itself: every test key is registered, and a leak fails the session.

The scan (``tests/secret_scan.py``) runs over the whole suite; these tests prove it is
not vacuous (a planted leak in captured output, a log record or an SVG fails a pytest
run) and that ``--json`` output and errors of the command line hold no key.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import run_cli
from lemlist_inbox.demo import DemoServer, Faults
from secret_keys import KEYS, NOT_SCANNED, SECRETS_KEY, basic_token
from secret_scan import find_secrets

TESTS = Path(__file__).resolve().parents[1]

#: A string literal used as a key: assigned to a *KEY name, passed as api_key=, given
#: to a client/Basic auth, or put in LEMLIST_API_KEY.
KEY_LITERAL = re.compile(
    r"""(?:\b[A-Z_]*KEY\s*=\s*|\bapi_key\s*=\s*|LemlistClient\(\s*|live_client\([^,]+,\s*"""
    r"""|auth=\(\s*""\s*,\s*|LEMLIST_API_KEY"\]\s*=\s*)"([^"]{3,})\""""
)


def test_every_key_literal_in_tests_is_registered() -> None:
    found: dict[str, str] = {}
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "secret_keys.py":
            continue
        for match in KEY_LITERAL.finditer(path.read_text("utf-8")):
            found.setdefault(match.group(1), str(path.relative_to(TESTS)))
    assert found, "the pattern finds the suite's keys (so the check is not vacuous)"
    for must in ("cli-secret-key-5f2a9c", "sk-test-SECRET-9f3a7c21", "wrong-key"):
        assert must in found
    missing = {key: where for key, where in found.items() if key not in KEYS and key not in NOT_SCANNED}
    assert not missing, f"add these test keys to tests/secret_keys.py: {missing}"


def test_find_secrets_sees_the_key_and_its_basic_token() -> None:
    assert find_secrets(f"x {SECRETS_KEY} y") == [SECRETS_KEY]
    assert find_secrets(f"Authorization: Basic {basic_token(SECRETS_KEY)}") == [SECRETS_KEY]
    assert find_secrets("nothing to see") == []


LEAKY_TESTS = """
import logging
from pathlib import Path
from secret_keys import SECRETS_KEY

def test_prints_the_key():
    print("debug dump", SECRETS_KEY)

def test_logs_the_key():
    logging.getLogger("lemlist_inbox.api").debug("auth was %s", SECRETS_KEY)

def test_clean():
    print("nothing secret")
"""


def run_pytest(tmp_path: Path, source: str, svg: str | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_planted.py").write_text(source)
    (tmp_path / "screenshots").mkdir(exist_ok=True)
    if svg is not None:
        (tmp_path / "screenshots" / "leak.svg").write_text(svg)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEMLIST", "PYTEST"))}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    env["LEMLIST_SECRET_SCAN_ROOT"] = str(tmp_path)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "secret_scan",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(tmp_path / "test_planted.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_a_planted_leak_fails_the_session(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, LEAKY_TESTS, svg=f"<svg><text>{SECRETS_KEY}</text></svg>")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "3 passed" in out  # the tests pass; the scan fails the run
    assert "TEST KEY LEAKED" in out
    assert "test_prints_the_key [Captured stdout call]" in out
    assert "log record lemlist_inbox.api" in out
    assert "screenshots/leak.svg" in out
    assert "test_clean" not in out.split("TEST KEY LEAKED")[1]
    assert SECRETS_KEY not in out, "the report names where, never the key itself"


def test_a_clean_session_passes(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "def test_ok():\n    print('fine')\n", svg="<svg><text>ok</text></svg>")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "secret scan: no test key" in result.stdout


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(
        conversations=25, api_key=SECRETS_KEY, hostile=True, faults=Faults(rate_limit=False)
    ) as s:
        yield s


def cli(*args: str, key: str, log: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(LEMLIST_API_KEY=key, LEMLIST_INBOX_LOG=str(log), LEMLIST_INBOX_CONFIG=str(tmp_path / "c.toml"))
    return run_cli(*args, env=env)


def test_cli_json_output_errors_and_log_file_hold_no_key(server: DemoServer, tmp_path: Path) -> None:
    log = tmp_path / "cli.log"
    user = str(server.dataset.users[0]["userId"])
    contact = str(server.dataset.conversations[0]["contactId"])
    listing = cli(
        "--base-url",
        server.base_url,
        "--user-id",
        user,
        "list",
        "--json",
        key=SECRETS_KEY,
        log=log,
        tmp_path=tmp_path,
    )
    assert listing.returncode == 0, listing.stderr
    assert len(json.loads(listing.stdout)) == len(server.dataset)
    shown = cli(
        "--base-url",
        server.base_url,
        "--user-id",
        user,
        "show",
        contact,
        "--json",
        "--mark-read",
        key=SECRETS_KEY,
        log=log,
        tmp_path=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    failing = cli(
        "--base-url",
        server.base_url,
        "show",
        "ctc_does_not_exist",
        key=SECRETS_KEY,
        log=log,
        tmp_path=tmp_path,
    )
    assert failing.returncode == 1 and failing.stderr.strip()
    wrong = cli(
        "--base-url", server.base_url, "users", key=SECRETS_KEY + "-wrong", log=log, tmp_path=tmp_path
    )
    assert wrong.returncode == 1 and "authentication" in wrong.stderr
    logged = log.read_text()
    assert "HTTP Request" in logged, "the log file was written (so the check is not vacuous)"
    for result in (listing, shown, failing, wrong):
        for text in (result.stdout, result.stderr):
            assert not find_secrets(text, {SECRETS_KEY: SECRETS_KEY, basic_token(SECRETS_KEY): SECRETS_KEY})
    assert SECRETS_KEY not in logged and basic_token(SECRETS_KEY) not in logged
