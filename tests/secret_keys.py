"""Every API key the test suite uses, in one place, for the session-wide secret scan.

``secret_scan`` (loaded by ``tests/conftest.py``) greps what the suite produces (captured
output and logs of every test, failure reports, CLI output including ``--json``, the
session log file, screenshot and snapshot SVGs) for these keys and their Basic-auth
encodings, and fails the run on any hit. ``tests/secrets/test_secrets_registry.py``
checks that every key literal in ``tests/`` is listed here, so a new test key cannot be
forgotten.

Tests may import the constants from here (``from secret_keys import HOSTILE_KEY``); the
older tests keep their own literal, which is mirrored below.
"""

from __future__ import annotations

import base64

#: Keys that belong to this scan's own tests (tests/hostile, tests/faults, tests/secrets).
HOSTILE_KEY = "sk-hostile-SECRET-71be0c3d"
FAULTS_KEY = "sk-faults-SECRET-5d2e94aa"
REVOKED_KEY = "sk-revoked-SECRET-0b8c6f12"
SECRETS_KEY = "sk-secrets-SECRET-c4a1e7f9"

#: key -> where it is used. Every one of them must never reach a log, an error, the screen or stdout.
KEYS: dict[str, str] = {
    HOSTILE_KEY: "tests/hostile/test_tui_*.py",
    FAULTS_KEY: "tests/faults/*.py",
    REVOKED_KEY: "tests/faults/*.py (the key the server stops accepting)",
    SECRETS_KEY: "tests/secrets/*.py",
    "sk-test-SECRET-9f3a7c21": "tests/api/api_helpers.py SECRET_KEY",
    "sk-live-TOPSECRET-4c1d9e77b0": "tests/api/test_api_secrets.py KEY",
    "sk-live-WRONGSECRET-aa99": "tests/api/test_api_secrets.py WRONG_KEY",
    "not-the-key": "tests/api/test_api_live.py (wrong key)",
    "rotated-key": "tests/api/test_api_live.py (server-side key after revocation)",
    "cli-secret-key-5f2a9c": "tests/cli/test_cli.py KEY",
    "sk-test-0123456789abcdef": "tests/cli/test_config.py KEY",
    "log-secret-key-77aa": "tests/cli/test_logs.py KEY (planted in log records on purpose)",
    "hostile-cli-key-6d0e2a": "tests/cli/test_cli_hostile.py KEY",
    "tls-cli-key-0c4d1e": "tests/cli/test_cli_tls.py KEY",
    "sk-test-config-checks-77aa": "tests/cli/test_config_checks.py KEY",
    "columns-cli-key-5b2e": "tests/cli/test_list_columns.py KEY",
    "stream-cli-key-44f0b9": "tests/cli/test_list_streaming.py KEY",
    "store-cli-key-7d41e0c2": "tests/cli/test_cli_store.py KEY",
    "show-tui-key-93b1c7": "tests/cli/test_show_matches_tui.py KEY",
    "cli-lies-key-3b8e1d": "tests/cli/test_cli_lies.py KEY",
    "sk-test-terminal-caps-4411": "tests/cli/test_terminal_capability.py KEY",
    "crash-secret-key-42": "tests/ui/test_crash.py CRASH_KEY (in an exception; the crash log redacts it)",
    "wrong-key": "tests/ui/test_app_loading.py (wrong key)",
    "second-key": "tests/demo/test_demo_ratelimit.py (a second client's key)",
    "reply-cli-key-6c02f9": "tests/cli/test_cli_reply.py KEY",
}

#: Literals that look like keys in tests/ but are not scanned, with the reason.
NOT_SCANNED: dict[str, str] = {
    # The stand-in's public demo key: printed by design nowhere, but it is documented in
    # the README and the package, so it is not a secret; scanning for it would only test
    # that nobody writes the word.
    "demo-key": "public demo key (lemlist_inbox.demo.DEMO_API_KEY)",
    # A server-side replacement key in the stand-in's own tests, never given to a client.
    "rotated": "server-side key in tests/demo and tests/api/test_api_secrets.py; a common word",
}

#: Keys a test deliberately writes into log records (to prove the log file redacts them):
#: the raw in-process log check skips them; every other place is still scanned.
PLANTED_IN_LOGS: frozenset[str] = frozenset({"log-secret-key-77aa"})


def basic_token(key: str) -> str:
    """What the key looks like in an ``Authorization: Basic`` header (empty login)."""
    return base64.b64encode(f":{key}".encode()).decode("ascii")


def forbidden(keys: dict[str, str] | None = None) -> dict[str, str]:
    """Every string that must not appear -> the key it betrays."""
    out: dict[str, str] = {}
    for key in keys or KEYS:
        out[key] = key
        out[basic_token(key)] = key
    return out
