"""The command line end to end: a real process against the local stand-in over loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import run_cli
from lemlist_inbox.demo import DemoServer

KEY = "cli-secret-key-5f2a9c"


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=230, api_key=KEY, seed=11) as srv:
        yield srv


def run(
    *args: str, tmp_path: Path, key: str | None = KEY, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"LEMLIST_INBOX_CONFIG": str(tmp_path / "config.toml")}
    if key is not None:
        env["LEMLIST_API_KEY"] = key
    env.update(extra_env or {})
    return run_cli(*args, env=env)


def first_user(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


def test_version(tmp_path: Path) -> None:
    result = run("--version", tmp_path=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("lemlist-inbox ")


def test_list_json_gives_every_conversation_once_newest_first(server: DemoServer, tmp_path: Path) -> None:
    result = run(
        "--base-url", server.base_url, "list", "--json", "--user-id", first_user(server), tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    ids = [item["_id"] for item in items]
    assert len(ids) == len(set(ids)) == len(server.dataset.conversations)
    stamps = [item["lastActivityAt"] for item in items]
    assert stamps == sorted(stamps, reverse=True)
    # as the API gave them: the raw keys are there, not our field names
    assert "contactId" in items[0] and "contact_id" not in items[0]


def test_list_unread_and_limit(server: DemoServer, tmp_path: Path) -> None:
    user = first_user(server)
    result = run(
        "--base-url",
        server.base_url,
        "--user-id",
        user,
        "list",
        "--unread",
        "--limit",
        "5",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert 0 < len(lines) <= 5
    assert all(line.startswith("*") for line in lines)


def test_several_users_without_user_id_lists_them(server: DemoServer, tmp_path: Path) -> None:
    result = run("--base-url", server.base_url, "list", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "--user-id" in result.stderr and first_user(server) in result.stderr
    assert "Traceback" not in result.stderr


def test_users_command(server: DemoServer, tmp_path: Path) -> None:
    result = run("--base-url", server.base_url, "users", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert first_user(server) in result.stdout


def test_wrong_key_is_one_clear_line(server: DemoServer, tmp_path: Path) -> None:
    result = run("--base-url", server.base_url, "users", tmp_path=tmp_path, key="not-the-key-zzz")
    assert result.returncode == 1
    assert "key" in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "not-the-key-zzz" not in result.stderr


def test_missing_key_is_a_usage_error(tmp_path: Path) -> None:
    result = run("users", tmp_path=tmp_path, key=None)
    assert result.returncode == 2 and "LEMLIST_API_KEY" in result.stderr


def test_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    result = run("--base-url", "http://127.0.0.1:9/api", "--user-id", "usr_x", "list", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_show_prints_clean_text_and_json(server: DemoServer, tmp_path: Path) -> None:
    contact = str(server.dataset.conversations[0]["contactId"])
    text = run("--base-url", server.base_url, "show", contact, tmp_path=tmp_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.strip() and "<div" not in text.stdout and "\x1b" not in text.stdout
    raw = run("--base-url", server.base_url, "show", contact, "--json", tmp_path=tmp_path)
    messages = json.loads(raw.stdout)
    stamps = [m["createdAt"] for m in messages]
    assert stamps == sorted(stamps), "oldest first"


def test_show_mark_read_marks_for_that_user_only(server: DemoServer, tmp_path: Path) -> None:
    user = first_user(server)
    unread = next(
        c
        for c in server.dataset.conversations
        if any(u["userId"] == user and not u.get("read") for u in c["users"])
    )
    contact = str(unread["contactId"])
    result = run(
        "--base-url", server.base_url, "--user-id", user, "show", contact, "--mark-read", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    marks = [r for r in server.log if r.query.get("markAsRead") == "true" and contact in r.path]
    assert len(marks) == 1 and marks[0].query.get("userId") == user
    listed = run("--base-url", server.base_url, "--user-id", user, "list", "--json", tmp_path=tmp_path)
    row = next(c for c in json.loads(listed.stdout) if c["contactId"] == contact)
    assert next(u for u in row["users"] if u["userId"] == user)["read"] is True


def test_show_unknown_contact_is_not_found(server: DemoServer, tmp_path: Path) -> None:
    result = run("--base-url", server.base_url, "show", "ctc_does_not_exist", tmp_path=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_demo_list_and_show_need_no_key(tmp_path: Path) -> None:
    listed = run("--demo", "list", "--json", tmp_path=tmp_path, key=None)
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)
    assert len(items) >= 100
    shown = run("--demo", "show", items[0]["contactId"], tmp_path=tmp_path, key=None)
    assert shown.returncode == 0, shown.stderr and shown.stdout.strip()
    assert not (tmp_path / "config.toml").exists(), "the demo never writes the user's config"


def test_usage_error_exit_code(tmp_path: Path) -> None:
    assert run("list", "--limit", "zero", tmp_path=tmp_path).returncode == 2


def test_demo_ignores_a_user_id_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('user_id = "usr_of_the_real_account"\n', encoding="utf-8")
    listed = run("--demo", "list", "--limit", "3", tmp_path=tmp_path, key=None)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 3


def _demo_users(tmp_path: Path) -> list[str]:
    result = run("--demo", "users", tmp_path=tmp_path, key=None)
    assert result.returncode == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("how", ["env", "flag"])
def test_demo_honours_lemlist_user_id_and_user_id_flag(tmp_path: Path, how: str) -> None:
    second = _demo_users(tmp_path)[1]
    args = ["--demo", "list", "--unread", "--json"]
    extra: dict[str, str] = {}
    if how == "env":
        extra["LEMLIST_USER_ID"] = second
    else:
        args += ["--user-id", second]
    listed = run(*args, tmp_path=tmp_path, key=None, extra_env=extra)
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)
    assert items, "the second demo user has unread conversations"
    for item in items:
        mine = [u for u in item["users"] if u["userId"] == second]
        assert mine and mine[0]["read"] is False, "unread for the chosen user, not the demo's first"


def test_list_to_a_full_disk_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env["LEMLIST_INBOX_CONFIG"] = str(tmp_path / "config.toml")
    env["LEMLIST_INBOX_DATA"] = str(tmp_path / "data")
    for fmt in ((), ("--json",)):
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                [sys.executable, "-m", "lemlist_inbox", "--demo", "list", *fmt],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                timeout=60,
                check=False,
            )
        assert result.returncode == 1
        assert result.stderr == "lemlist-inbox: cannot write the output: No space left on device\n"


def test_a_promise_beyond_the_page_cap_is_said_on_stderr(tmp_path: Path) -> None:
    """Fresh pages forever, a billion promised: the load is bounded (``MAX_PAGES``) but
    not complete, and the user is told why it may stop short, at the first page."""
    from lemlist_inbox.demo import Faults

    with DemoServer(conversations=30, api_key=KEY, seed=11, faults=Faults(lie="fresh-pages")) as srv:
        user = first_user(srv)
        result = run("--base-url", srv.base_url, "list", "--user-id", user, "--limit", "5", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5
    notices = [line for line in result.stderr.splitlines() if "pages; reading the first" in line]
    assert len(notices) == 1 and "1,000,000,000" in notices[0], result.stderr
