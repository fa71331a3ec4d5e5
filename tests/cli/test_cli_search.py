"""``lemlist-inbox search``: real processes over a local inbox filled from the stand-in
over loopback HTTP (``sync --threads N``), then searched without any request."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import demo_flags, local_env, run_cli
from lemlist_inbox.api.models import Message, parse_items
from lemlist_inbox.demo import DemoServer
from lemlist_inbox.render.message import render_thread

KEY = "search-cli-key-2c9f71"
_WORD = re.compile(r"[A-Za-z]{7,}")


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=40, api_key=KEY, seed=11) as srv:
        yield srv


def cli(
    server: DemoServer, tmp_path: Path, *args: str, offline: bool = False
) -> subprocess.CompletedProcess[str]:
    flags = [*demo_flags(server), *(["--offline"] if offline else [])]
    return run_cli(*flags, *args, env=local_env(tmp_path, KEY))


def body_only_word(server: DemoServer, contacts: list[str]) -> tuple[str, set[str]]:
    """A word in the bodies of the stored threads and in no subject, sender or name; and
    the ids of the messages whose body holds it."""
    rendered = []
    for contact in contacts:
        messages, _skipped, _reasons = parse_items(Message, server.dataset.thread(contact))
        rendered.extend(render_thread(messages))
    elsewhere = " ".join(f"{m.subject} {m.sender} {m.sender_address}" for m in rendered).lower()
    for message in rendered:
        for word in _WORD.findall(message.body.text):
            if word.lower() not in elsewhere:
                holders = {m.message_id for m in rendered if word.lower() in m.body.text.lower()}
                return word, holders
    raise AssertionError("no body-only word in the stored threads")


def test_a_word_only_in_a_body_is_found_offline_with_the_server_stopped(
    server: DemoServer, tmp_path: Path
) -> None:
    synced = cli(server, tmp_path, "sync", "--threads", "3")
    assert synced.returncode == 0, synced.stderr
    contacts = [str(c["contactId"]) for c in server.dataset.conversations[:3]]
    word, holders = body_only_word(server, contacts)
    server.stop()

    found = cli(server, tmp_path, "search", word.lower(), "--json", offline=True)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits and {hit["messageId"] for hit in hits} <= holders
    assert all(
        hit["contactId"] in contacts and word.lower() in [m.lower() for m in hit["matches"]] for hit in hits
    )
    assert all(hit["conversationId"] and hit["contact"] for hit in hits)
    times = [hit["createdAt"] for hit in hits]
    assert times == sorted(times, reverse=True)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", found.stdout)  # escaped, not raw

    piped = cli(server, tmp_path, "search", word[:5].lower() + "*", "--limit", "1", offline=True)
    assert piped.returncode == 0, piped.stderr
    [line] = piped.stdout.splitlines()
    fields = line.split("\t")
    assert (
        len(fields) == 7 and fields[5] in contacts and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", fields[0])
    )
    assert "\x02" not in line and "\x03" not in line and "\x1b" not in line


def test_queries_it_cannot_search_and_misses_get_one_line_and_an_exit_code(
    server: DemoServer, tmp_path: Path
) -> None:
    empty = cli(server, tmp_path, "search", "anything", offline=True)
    assert empty.returncode == 1 and empty.stdout == ""
    assert empty.stderr.startswith("lemlist-inbox: nothing is indexed yet (0 threads stored)")
    assert cli(server, tmp_path, "sync", "--threads", "2").returncode == 0
    bad = cli(server, tmp_path, "search", '"unclosed', offline=True)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == 'lemlist-inbox: search: unbalanced quote: close the phrase with "\n'
    for query in ("OR", "NEAR(", "*", "-only"):
        result = cli(server, tmp_path, "search", "--", query, offline=True)  # "--": "-only" is no option
        assert result.returncode in (1, 2) and "Traceback" not in result.stderr
        assert "sqlite" not in result.stderr.lower() and "fts5" not in result.stderr.lower()
        assert len(result.stderr.splitlines()) == 1
    miss = cli(server, tmp_path, "search", "qqqzzzxxy", offline=True)
    assert miss.returncode == 1 and miss.stdout == ""
    assert miss.stderr == "lemlist-inbox: no stored message matches 'qqqzzzxxy'\n"


def test_search_sends_no_request_even_online(server: DemoServer, tmp_path: Path) -> None:
    assert cli(server, tmp_path, "sync", "--threads", "2").returncode == 0
    server.clear_log()
    result = cli(server, tmp_path, "search", "the")
    assert result.returncode in (0, 1), result.stderr
    assert server.requests("/api") == []
