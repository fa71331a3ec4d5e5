"""``reply``, ``drafts`` and ``outbox`` as real processes against the stand-in over loopback.

Sends are counted on the server (``DemoServer.sent``: what it acted on). stdin is always a
pipe here, so nothing can be confirmed by typing: ``--yes`` is what says "send".
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import demo_flags, local_env, run_cli
from lemlist_inbox.demo import DemoServer

KEY = "reply-cli-key-6c02f9"
VICTOIRE = "ctc_wfKeM8EmiTikud7QE"
BODY = "Hello <b>&</b>\n<script>alert(1)</script>\n"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=40, api_key=KEY, seed=3) as srv:
        yield srv
    assert srv.errors == []


def cli(server: DemoServer, tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result = run_cli(*demo_flags(server), *args, env=local_env(tmp_path, KEY), input=stdin)
    assert "Traceback" not in result.stderr
    return result


def one_line_errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert all(line.startswith("lemlist-inbox: ") for line in lines), lines
    return lines


def test_a_reply_from_stdin_with_yes_is_sent_once_as_escaped_html(server: DemoServer, tmp_path: Path) -> None:
    result = cli(server, tmp_path, "reply", VICTOIRE, "--message-file", "-", "--yes", stdin=BODY)
    assert result.returncode == 0, result.stderr
    assert "Channel: email" in result.stdout and "Hello <b>&</b>" in result.stdout
    [sent] = server.sent()
    assert (
        sent.body["message"]
        == "<p>Hello &lt;b&gt;&amp;&lt;/b&gt;<br>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert sent.body["replyToActivityId"].startswith("act_")
    shown = cli(server, tmp_path, "show", VICTOIRE)
    assert "Hello <b>&</b>" in shown.stdout and "<script>alert(1)</script>" in shown.stdout


def test_without_yes_and_no_terminal_it_shows_what_would_go_and_sends_nothing(
    server: DemoServer, tmp_path: Path
) -> None:
    message = tmp_path / "reply.txt"
    message.write_text("Thursday at 10?\n", encoding="utf-8")
    result = cli(server, tmp_path, "reply", VICTOIRE, "--message-file", str(message), "--cc", "a@b.io,c@d.io")
    assert result.returncode == 2
    assert "From: " in result.stdout and "Cc: a@b.io, c@d.io" in result.stdout
    assert "Thursday at 10?" in result.stdout
    [line] = one_line_errors(result)
    assert "add --yes" in line
    assert server.writes == []


def test_a_failed_reply_exits_1_keeps_the_text_and_outbox_send_sends_it_once(
    server: DemoServer, tmp_path: Path
) -> None:
    server.faults.write_failures = 1
    failed = cli(
        server, tmp_path, "reply", VICTOIRE, "--message-file", "-", "--yes", stdin="Kept for later\n"
    )
    assert failed.returncode == 1
    [line] = one_line_errors(failed)
    assert "not sent" in line and "503" in line and "kept in the outbox" in line
    listed = cli(server, tmp_path, "outbox", "--json")
    [entry] = json.loads(listed.stdout)
    assert entry["state"] == "failed" and entry["text"] == "Kept for later"
    plain = cli(server, tmp_path, "outbox")
    assert entry["id"] in plain.stdout and "not sent" in plain.stdout

    resent = cli(server, tmp_path, "outbox", "--send")
    assert resent.returncode == 0, resent.stderr
    assert len(server.sent()) == 1
    assert json.loads(cli(server, tmp_path, "outbox", "--json").stdout) == []


def test_an_unanswered_send_is_looked_for_in_the_thread_and_never_resent_by_itself(
    server: DemoServer, tmp_path: Path
) -> None:
    server.faults.write_resets = 1  # lemlist sent it; the answer was lost
    unclear = cli(server, tmp_path, "reply", VICTOIRE, "--message-file", "-", "--yes", stdin="Did it land?\n")
    assert unclear.returncode == 1
    assert "may have been sent" in unclear.stderr and "never resends by itself" in unclear.stderr
    assert len(server.sent()) == 1

    checked = cli(server, tmp_path, "outbox", "--send")
    assert checked.returncode == 0, checked.stderr
    assert "already in the thread" in checked.stderr
    assert len(server.sent()) == 1  # not twice


def test_a_maybe_sent_reply_missing_from_the_thread_needs_yes(server: DemoServer, tmp_path: Path) -> None:
    server.faults.write_failures = 1
    server.faults.write_status = 502  # a gateway: lemlist may or may not have acted
    cli(server, tmp_path, "reply", VICTOIRE, "--message-file", "-", "--yes", stdin="Through the gateway?\n")
    refused = cli(server, tmp_path, "outbox", "--send")
    assert refused.returncode == 1 and "not resent" in refused.stderr
    assert server.sent() == []
    confirmed = cli(server, tmp_path, "outbox", "--send", "--yes")
    assert confirmed.returncode == 0, confirmed.stderr
    assert len(server.sent()) == 1


def test_a_draft_saved_by_the_cli_is_listed_by_the_cli(server: DemoServer, tmp_path: Path) -> None:
    saved = cli(
        server, tmp_path, "reply", VICTOIRE, "--message-file", "-", "--draft", stdin="Draft <i>one</i>\n"
    )
    assert saved.returncode == 0, saved.stderr
    assert "saved draft drf_" in saved.stderr and server.sent() == []
    listed = cli(server, tmp_path, "drafts", VICTOIRE, "--json")
    drafts = {d["_id"]: d for d in json.loads(listed.stdout)}
    ours = [d for d in drafts.values() if d["source"] == "api"]
    assert [d["contentPreview"] for d in ours] == ["Draft <i>one</i>"]
    table = cli(server, tmp_path, "drafts", VICTOIRE)
    assert any(line.split("\t")[0] == ours[0]["_id"] for line in table.stdout.splitlines())

    sent = cli(server, tmp_path, "reply", VICTOIRE, "--draft-id", ours[0]["_id"], "--yes", stdin="")
    assert sent.returncode == 0, sent.stderr
    assert "Draft &lt;i&gt;one&lt;/i&gt;" in server.sent()[0].body["message"]
    after = {d["_id"] for d in json.loads(cli(server, tmp_path, "drafts", VICTOIRE, "--json").stdout)}
    assert ours[0]["_id"] not in after  # deleted once the send went


def test_usage_errors_exit_2_with_one_sentence(server: DemoServer, tmp_path: Path) -> None:
    offline = cli(server, tmp_path, "--offline", "reply", VICTOIRE, "--message-file", "-", "--yes", stdin="x")
    assert offline.returncode == 2 and "--offline" in offline.stderr
    empty = cli(server, tmp_path, "reply", VICTOIRE, "--message-file", "-", "--yes", stdin="\n  \n")
    assert empty.returncode == 2 and "empty" in empty.stderr
    no_text = cli(server, tmp_path, "reply", VICTOIRE, "--yes")
    assert no_text.returncode == 2 and "--message-file" in no_text.stderr
    wrong = cli(
        server, tmp_path, "reply", VICTOIRE, "--channel", "whatsapp", "--message-file", "-", stdin="x"
    )
    assert wrong.returncode == 2 and "no whatsapp messages" in wrong.stderr
    bad_cc = cli(server, tmp_path, "reply", VICTOIRE, "--message-file", "-", "--cc", "nope", stdin="x")
    assert bad_cc.returncode == 2 and "not an email address" in bad_cc.stderr
    for result in (offline, empty, no_text, wrong, bad_cc):
        assert len(one_line_errors(result)) == 1
    assert server.writes == []


FAKE_EDITOR = """\
import pathlib, sys
path = pathlib.Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
head, sep, rest = text.partition("\\n\\n")
assert "To: " in head and "Subject: Re: " in head, head
path.write_text(head + sep + "Typed in the editor <b>&</b>\\n" + rest, encoding="utf-8")
"""


def test_from_a_terminal_the_editor_opens_on_the_template_and_y_sends(
    server: DemoServer, tmp_path: Path
) -> None:
    editor = tmp_path / "fake_editor.py"
    editor.write_text(FAKE_EDITOR, encoding="utf-8")
    master, slave = pty.openpty()
    os.write(master, b"y\n")  # the answer to "Send this reply?", waiting in the terminal
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env.update(
        LEMLIST_API_KEY=KEY,
        LEMLIST_INBOX_CONFIG=str(tmp_path / "c.toml"),
        LEMLIST_INBOX_DATA=str(tmp_path / "data"),
        EDITOR=f"{sys.executable} {editor}",
        PYTHONIOENCODING="utf-8",
    )
    env.pop("VISUAL", None)
    user = str(server.dataset.users[0]["userId"])
    argv = [sys.executable, "-m", "lemlist_inbox", "--base-url", server.base_url, "--user-id", user]
    try:
        result = subprocess.run(
            [*argv, "reply", VICTOIRE],
            stdin=slave,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert result.returncode == 0, result.stderr
    assert "Send this reply? [y/N]" in result.stderr and "sent" in result.stderr
    [sent] = server.sent()
    assert sent.body["message"].startswith("<p>Typed in the editor &lt;b&gt;&amp;&lt;/b&gt;</p>")
    assert "<blockquote>" in sent.body["message"]  # the quote the template offered, kept


def test_a_draft_can_be_read_and_deleted_from_the_cli(server: DemoServer, tmp_path: Path) -> None:
    cli(
        server,
        tmp_path,
        "reply",
        VICTOIRE,
        "--message-file",
        "-",
        "--draft",
        stdin="Line <one>\n\nLine two\n",
    )
    [ours] = [
        d
        for d in json.loads(cli(server, tmp_path, "drafts", VICTOIRE, "--json").stdout)
        if d["source"] == "api"
    ]
    shown = cli(server, tmp_path, "drafts", VICTOIRE, "--show", ours["_id"])
    assert shown.returncode == 0 and "Line <one>\n\nLine two" in shown.stdout
    deleted = cli(server, tmp_path, "drafts", VICTOIRE, "--delete", ours["_id"])
    assert deleted.returncode == 0 and "Line <one>" in deleted.stdout and "deleted draft" in deleted.stderr
    assert ours["_id"] not in {
        d["_id"] for d in json.loads(cli(server, tmp_path, "drafts", VICTOIRE, "--json").stdout)
    }
    gone = cli(server, tmp_path, "drafts", VICTOIRE, "--show", ours["_id"])
    assert gone.returncode == 1 and "Draft not found" in gone.stderr
