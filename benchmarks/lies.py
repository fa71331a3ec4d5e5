"""Servers that lie: the real CLI against each lying stand-in mode, before and after.

For every case of "Servers that lie" the stand-in (``lemlist_inbox.demo``, always from
*this* checkout, which has the lying modes) runs in its own process on loopback, and a
``lemlist-inbox`` CLI (from the checkout whose interpreter ``--cli-python`` names, so an
older checkout can be measured with the same server) runs ``list --json`` or
``show <id>`` against it under ``/usr/bin/time``. Each run is recorded: exit code, wall
time, peak RSS of the CLI process, requests the stand-in saw, whether the API key (or
the key with zero-width characters in it) reached stdout or stderr, and the first line
of stderr. A run is killed (its whole process group) after ``--timeout`` seconds.

    .venv/bin/python benchmarks/lies.py --out /tmp/after.json
    .venv/bin/python benchmarks/lies.py --cli-python ../before/.venv/bin/python --out /tmp/before.json
    .venv/bin/python benchmarks/lies.py --table /tmp/before.json /tmp/after.json

A script, not a test: nothing here asserts. The stand-in keeps its real rate limit
(20 requests / 2 s), as lemlist does: a lie that makes the client read a thousand pages
costs what a thousand pages cost against the real service.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The key the stand-in accepts in these runs: long enough that an echo of it is unmistakable.
KEY = "lies-bench-key-7f3a9c2e5b1d4068"


@dataclass(frozen=True)
class Case:
    """One lie: what the stand-in does, and which command the CLI runs against it."""

    name: str
    #: ``Faults`` fields for the stand-in (``lie`` is one of ``demo.lies.MODES``).
    faults: dict[str, Any]
    #: CLI arguments after ``--base-url URL --user-id USER``; ``{contact}`` is replaced.
    args: tuple[str, ...] = ("list", "--json")
    env: dict[str, str] = field(default_factory=dict)
    #: The contact ``show`` opens, when it is not the first conversation's.
    contact: str = ""


CASES = (
    Case("gzip bomb, list (1 MB inflating to 1 GB)", {"lie": "gzip-bomb"}),
    Case("deflate bomb, list", {"lie": "deflate-bomb"}),
    Case("gzip bomb, show", {"lie": "gzip-bomb"}, ("show", "{contact}")),
    Case("endless pages (totalPages 1e9, nextPage 1, page 1 again)", {"lie": "endless-pages"}),
    Case("bare JSON array, always the same", {"lie": "bare-array"}),
    Case("fresh pages forever (new ids on every page)", {"lie": "fresh-pages"}),
    Case(
        "thread that never ends (new messages every skip)", {"lie": "endless-thread"}, ("show", "{contact}")
    ),
    Case("thread that repeats its page", {"lie": "repeat-thread"}, ("show", "{contact}")),
    Case("Retry-After: 86400", {"lie": "retry-after-day"}),
    Case("Retry-After: a date in 2099", {"lie": "retry-after-date"}),
    Case("every request a 500 (total retry time)", {"error_every": 1}),
    Case("JSON nested 100,000 deep, list", {"lie": "deep-json"}),
    Case("JSON nested 100,000 deep, show", {"lie": "deep-json"}, ("show", "{contact}")),
    Case("one invalid UTF-8 byte + a lone surrogate", {"lie": "bad-utf8"}),
    Case(
        "years 9999 / 0001, mixed offsets, TZ=Pacific/Kiritimati",
        {"lie": "far-dates"},
        ("list",),
        {"TZ": "Pacific/Kiritimati"},
    ),
    Case("same, --json", {"lie": "far-dates"}, ("list", "--json"), {"TZ": "America/Adak"}),
    Case("10,000 users in every conversation", {"lie": "many-users"}),
    Case("contact ids `..`, `.`, empty, `/` in the list", {"lie": "bad-ids"}),
    Case("show `..`", {}, ("show", "{contact}"), contact=".."),
    Case("show `a/../../team`", {}, ("show", "{contact}"), contact="a/../../team"),
    Case("key echoed in a 400, split by U+200B", {"lie": "echo-key"}),
)


# ---- the stand-in, in its own process ------------------------------------------------


def serve(faults_json: str) -> int:
    """Run the stand-in: one JSON line (base URL, user, contact), ``stats`` on stdin, EOF stops."""
    from lemlist_inbox.demo import DemoServer, Faults

    knobs = json.loads(faults_json)
    knobs.setdefault("rate_limit", True)
    if knobs.get("lie") in ("gzip-bomb", "deflate-bomb"):
        from lemlist_inbox.demo import lies

        lies.bomb(31 if knobs["lie"] == "gzip-bomb" else 15)  # seconds of hashing: not the CLI's time
    server = DemoServer(conversations=300, api_key=KEY, faults=Faults(**knobs)).start()
    try:
        info = {
            "base_url": server.base_url,
            "user": str(server.dataset.users[0]["userId"]),
            "contact": str(server.dataset.conversations[0]["contactId"]),
        }
        print(json.dumps(info), flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                records = server.requests()
                server.clear_log()
                print(json.dumps({"requests": len(records)}), flush=True)
    finally:
        server.stop()
    return 0


class StandIn:
    """The stand-in child process with one case's faults."""

    def __init__(self, faults: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", json.dumps(faults)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the stand-in did not start")
        self.info: dict[str, str] = json.loads(line)

    def requests(self) -> int:
        """Requests seen since the last call (the server logs a request after answering it)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        time.sleep(0.2)  # a benchmark, not a test: let the last answer's log record land
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return int(json.loads(self.process.stdout.readline())["requests"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---- one CLI run ---------------------------------------------------------------------


@dataclass
class Run:
    case: str
    command: str
    exit: int | None
    seconds: float
    rss_mb: float | None
    requests: int | None
    key_shown: bool
    stderr: str
    stdout_bytes: int
    killed: bool = False
    note: str = ""


def child_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    """A fresh home and config for the CLI: nothing of the caller's ``LEMLIST*`` leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        LEMLIST_INBOX_CONFIG=str(home / "none.toml"),
        LEMLIST_API_KEY=KEY,
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def first_line(text: str) -> str:
    """First non-empty line, key redacted (so this table can never leak it), shortened."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            line = line.replace(KEY, "<KEY>")
            return line if len(line) <= 110 else line[:107] + "..."
    return ""


def key_in(data: bytes) -> bool:
    """The key in the output, plain or with invisible characters between its letters."""
    text = data.decode("utf-8", "replace")
    for invisible in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"):
        text = text.replace(invisible, "")
    return KEY in text


def session_peak_rss(session: int) -> float | None:
    """Peak RSS so far (``VmHWM``, MB) of the biggest process in a session: for a run about to be killed."""
    best: float | None = None
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != session:  # field 6 of stat: the session id
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    mb = int(line.split()[1]) / 1024
                    best = mb if best is None else max(best, mb)
        except (OSError, IndexError, ValueError):
            continue
    return best


def run_case(case: Case, cli_python: str, timeout: float, time_bin: str | None) -> Run:
    stand_in = StandIn(case.faults)
    home = Path(tempfile.mkdtemp(prefix="lies-bench-"))
    try:
        contact = case.contact or stand_in.info["contact"]
        args = [a.replace("{contact}", contact) for a in case.args]
        base = [cli_python, "-m", "lemlist_inbox", "--base-url", stand_in.info["base_url"]]
        base += ["--user-id", stand_in.info["user"], *args]
        rss_file = home / "rss"
        command = [time_bin, "-o", str(rss_file), "-f", "%M", *base] if time_bin else base
        out_path, err_path = home / "stdout", home / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            started = time.monotonic()
            child = subprocess.Popen(
                command,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=child_env(home, case.env),
                start_new_session=True,
            )
            killed = False
            hung_rss: float | None = None
            try:
                code: int | None = child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                killed = True
                hung_rss = session_peak_rss(child.pid)
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                code = None
            seconds = time.monotonic() - started
        rss: float | None = hung_rss
        if not killed and rss_file.exists():
            lines = [ln for ln in rss_file.read_text().splitlines() if ln.strip().isdigit()]
            rss = int(lines[-1]) / 1024 if lines else None
        stdout, stderr = out_path.read_bytes(), err_path.read_bytes()
        return Run(
            case=case.name,
            command=" ".join(a if a != contact or not case.contact else f"'{a}'" for a in args),
            exit=code,
            seconds=seconds,
            rss_mb=rss,
            requests=stand_in.requests(),
            key_shown=key_in(stdout) or key_in(stderr),
            stderr=first_line(stderr.decode("utf-8", "replace")),
            stdout_bytes=len(stdout),
            killed=killed,
        )
    finally:
        stand_in.close()
        shutil.rmtree(home, ignore_errors=True)


def measure(cli_python: str, timeout: float, only: list[str]) -> dict[str, Any]:
    time_bin = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    version = subprocess.run(
        [cli_python, "-m", "lemlist_inbox", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    where = subprocess.run(
        [cli_python, "-c", "import lemlist_inbox, os; print(os.path.dirname(lemlist_inbox.__file__))"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    runs = []
    for case in CASES:
        if only and not any(o in case.name for o in only):
            continue
        run = run_case(case, cli_python, timeout, time_bin)
        print(
            f"{run.case}: exit {run.exit} {run.seconds:.1f}s rss {run.rss_mb} req {run.requests} "
            f"key {run.key_shown} | {run.stderr}",
            file=sys.stderr,
            flush=True,
        )
        runs.append(asdict(run))
    return {
        "cli": where,
        "version": version,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": os.getloadavg(),
        "timeout": timeout,
        "runs": runs,
    }


# ---- the table -----------------------------------------------------------------------


def size(n: int) -> str:
    """Bytes on stdout, short: what a run printed before it ended or was killed."""
    if n < 1000:
        return f"{n} B"
    return f"{n / 1e3:.0f} kB" if n < 1_000_000 else f"{n / 1e6:.1f} MB"


def cell(run: dict[str, Any] | None, timeout: float) -> str:
    """Exit, time, peak RSS, requests, stdout size, key leak, then the first stderr line."""
    if run is None:
        return "not run"
    if run["killed"]:
        parts = [f"**hung >{timeout:.0f} s, killed**"]
        if run["rss_mb"] is not None:
            parts.append(f"peak {run['rss_mb']:.0f} MB so far")
    else:
        parts = [f"exit {run['exit']}", f"{run['seconds']:.1f} s"]
        if run["rss_mb"] is not None:
            parts.append(f"{run['rss_mb']:.0f} MB")
    parts += [f"{run['requests']} req", f"out {size(run.get('stdout_bytes', 0))}"]
    if run["key_shown"]:
        parts.append("**key shown**")
    return " · ".join(parts) + "<br>" + (f"`{escape(run['stderr'])}`" if run["stderr"] else "(no stderr)")


def escape(text: str) -> str:
    """A stderr line inside a code span in a table cell."""
    return text.replace("|", "\\|").replace("`", "'")


def table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """One row a case: the command, then before and after (each: figures, first stderr line)."""
    by_case = {r["case"]: r for r in before["runs"]}
    lines = [
        "| case | command | before | after |",
        "|---|---|---|---|",
    ]
    for run in after["runs"]:
        old = by_case.get(run["case"])
        lines.append(
            f"| {run['case']} | `{run['command']}` | {cell(old, before['timeout'])} "
            f"| {cell(run, after['timeout'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", metavar="FAULTS_JSON", help=argparse.SUPPRESS)
    parser.add_argument(
        "--cli-python", default=sys.executable, help="interpreter whose lemlist_inbox CLI to run"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="kill a run after this many seconds")
    parser.add_argument("--only", action="append", default=[], help="cases whose name contains this")
    parser.add_argument("--out", type=Path, help="write the runs as JSON here")
    parser.add_argument(
        "--table", nargs=2, type=Path, metavar=("BEFORE", "AFTER"), help="print the markdown table"
    )
    args = parser.parse_args(argv)
    if args.serve is not None:
        return serve(args.serve)
    if args.table:
        before, after = (json.loads(p.read_text()) for p in args.table)
        print(table(before, after))
        return 0
    result = measure(args.cli_python, args.timeout, args.only)
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
