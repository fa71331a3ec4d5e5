"""Server strings never reach the terminal raw: ids, user ids, names and error messages.

A contactId or userId carrying ``ESC ] 0;… BEL`` (window title), OSC 52 (clipboard),
DCS or the C1 CSI ``0x9b`` (clear screen) is printed cleaned by ``list``, ``users``,
``show`` and every error; ``--json`` escapes them and still round-trips the value.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted import HOSTILE, Script, conversation, message, scripted_server

from cli_runner import run_cli

KEY = "hostile-cli-key-6d0e2a"
#: What must never be printed: C0 (but tab and newline), DEL, C1, bidi and zero-width controls.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
USER = "usr_viewer"
EVIL_USER = "usr_" + HOSTILE + "evil"
EVIL_CONTACT = "ctc_" + HOSTILE + "evil"


@pytest.fixture(scope="module")
def script() -> Script:
    rows = [conversation(i, user_id=USER) for i in range(3)]
    rows.append(
        conversation(3, user_id=USER, contact_id=EVIL_CONTACT, name="Eve " + HOSTILE + "Admin")
        | {"channels": ["email" + HOSTILE]}
    )
    rows[3]["contact"]["email"] = "eve" + HOSTILE + "@evil.example"
    rows[3]["users"].append({"userId": EVIL_USER, "read": False})
    return Script(
        users=[
            {"userId": USER, "name": "Viewer", "email": "v@example.com", "role": "admin"},
            {"userId": EVIL_USER, "name": "Mal" + HOSTILE, "email": "m" + HOSTILE + "@x", "role": HOSTILE},
        ],
        pages=[rows],
        threads={EVIL_CONTACT: [message(0, EVIL_CONTACT)], "ctc_scripted00000000": [message(0, "c")]},
    )


@pytest.fixture(scope="module")
def base_url(script: Script) -> Iterator[str]:
    with scripted_server(script) as url:
        yield url


def run(base_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "LEMLIST_API_KEY": KEY,
        "LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml"),
        "PYTHONIOENCODING": "utf-8",
    }
    return run_cli("--base-url", base_url, *args, env=env)


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        found = CONTROL.findall(text)
        assert not found, f"{name} holds control characters {found!r}: {text!r}"
    assert "Traceback" not in result.stderr


def test_list_prints_hostile_ids_names_and_channels_cleaned(base_url: str, tmp_path: Path) -> None:
    result = run(base_url, tmp_path, "list", "--user-id", USER)
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    evil = next(line for line in result.stdout.splitlines() if "Eve" in line)
    assert "ctc_" in evil and "evil" in evil and "pwned title" not in evil


def test_users_prints_hostile_user_ids_cleaned(base_url: str, tmp_path: Path) -> None:
    result = run(base_url, tmp_path, "users")
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    assert len(result.stdout.splitlines()) == 2


def test_several_users_error_lists_hostile_user_ids_cleaned(base_url: str, tmp_path: Path) -> None:
    result = run(base_url, tmp_path, "list")
    assert result.returncode == 2
    assert_clean(result)
    assert "usr_viewer" in result.stderr and "evil" in result.stderr


def test_show_of_a_hostile_contact_id_prints_nothing_raw(base_url: str, tmp_path: Path) -> None:
    result = run(base_url, tmp_path, "show", EVIL_CONTACT)
    assert_clean(result)


def test_error_message_from_the_server_is_cleaned(script: Script, tmp_path: Path) -> None:
    hostile = Script(error=(400, "Bad " + HOSTILE + " request " + EVIL_USER))
    with scripted_server(hostile) as url:
        for args in (("users",), ("list", "--user-id", USER), ("show", "ctc_x")):
            result = run(url, tmp_path, *args)
            assert result.returncode == 1, result.stderr
            assert_clean(result)
            assert "Bad" in result.stderr


def test_list_json_escapes_controls_and_round_trips_the_values(base_url: str, tmp_path: Path) -> None:
    for fmt in ("--json", "--jsonl"):
        result = run(base_url, tmp_path, "list", "--user-id", USER, fmt)
        assert result.returncode == 0, result.stderr
        assert_clean(result)
        if fmt == "--json":
            items = json.loads(result.stdout)
        else:
            items = [json.loads(line) for line in result.stdout.splitlines()]
        assert EVIL_CONTACT in [item["contactId"] for item in items], "the value itself is kept"
        assert "\\u001b]0;pwned" in result.stdout and "\\u009b2J" in result.stdout


def test_json_with_lone_surrogates_does_not_raise(tmp_path: Path) -> None:
    row = conversation(0, user_id=USER, name="broken \ud800 name \udfff")
    with scripted_server(Script(pages=[[row]])) as url:
        for fmt in ("--json", "--jsonl"):
            result = run(url, tmp_path, "list", "--user-id", USER, fmt)
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            # The api layer replaces each lone surrogate with U+FFFD before the CLI sees it
            # (tests/api/test_api_lies.py); the writer's own escaping is tests/cli/test_output.py.
            assert "\ud800" not in result.stdout and "\\ud800" not in result.stdout
            lines = [line.rstrip(",") for line in result.stdout.splitlines() if line.startswith("{")]
            names = [json.loads(line) for line in lines]
            assert names and "broken \ufffd name \ufffd" in json.dumps(names, ensure_ascii=False)
        text = run(url, tmp_path, "list", "--user-id", USER)
        assert text.returncode == 0 and "broken" in text.stdout
