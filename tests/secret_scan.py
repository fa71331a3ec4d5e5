"""Session-wide secret scan: no test key in anything the test suite produced.

A pytest plugin (registered by ``tests/conftest.py``; also usable as ``-p secret_scan``
with ``tests/`` on ``sys.path``). While the suite runs it looks at:

* every test report: captured stdout, stderr and log sections, and the failure text;
* every log record of ``lemlist_inbox`` (DEBUG) and ``httpx`` (INFO) as emitted, before
  any redacting handler (records of keys a test plants on purpose excepted, see
  ``secret_keys.PLANTED_IN_LOGS``);
* the stdout/stderr of every ``lemlist-inbox`` subprocess the tests run (``list --json``,
  ``show --json``, errors), and the session log file they all write to: the plugin sets
  ``LEMLIST_INBOX_LOG`` for the session and adds it to the explicit ``env`` of such
  subprocesses (tests/cli strips ``LEMLIST*`` from its child environment);

and at the end of the session the screenshot SVGs (``screenshots/*.svg``), the snapshot
SVGs (``tests/**/__snapshots__/**/*.svg``) and the session log file. Any hit of a key
from ``secret_keys`` (or its Basic-auth encoding) makes the run fail (exit status 1) with
one line per hit saying where.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from secret_keys import PLANTED_IN_LOGS, forbidden

ROOT = Path(os.environ.get("LEMLIST_SECRET_SCAN_ROOT") or Path(__file__).resolve().parents[1])
PLUGIN_NAME = "lemlist-secret-scan"
LOGGERS = {"lemlist_inbox": logging.DEBUG, "httpx": logging.INFO}


def find_secrets(text: str, needles: dict[str, str] | None = None) -> list[str]:
    """The keys whose value or Basic token occurs in ``text`` (each once)."""
    needles = forbidden() if needles is None else needles
    found: list[str] = []
    for needle, key in needles.items():
        if needle in text and key not in found:
            found.append(key)
    return found


def svg_files(root: Path) -> list[Path]:
    return sorted([*root.glob("screenshots/*.svg"), *root.glob("tests/**/__snapshots__/**/*.svg")])


class _RecordScanner(logging.Handler):
    """Looks at each record as emitted (raw, before any redacting filter of other handlers)."""

    def __init__(self, scan: SecretScan) -> None:
        super().__init__(logging.DEBUG)
        self.scan = scan
        self.needles = {n: k for n, k in forbidden().items() if k not in PLANTED_IN_LOGS}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken record is not our business here
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        for key in find_secrets(text, self.needles):
            self.scan.hit(f"log record {record.name}:{record.lineno}", key)


class SecretScan:
    """Collects hits while the suite runs; fails the session if there are any."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.needles = forbidden()
        self.hits: list[str] = []
        self.scanned_texts = 0
        self.scanned_files: list[Path] = []
        self.log_lines = 0
        self._tmp = Path(tempfile.mkdtemp(prefix="lemlist-secret-scan-"))
        self.log_path = self._tmp / "lemlist-inbox-tests.log"
        self._saved_env: str | None = None
        self._saved_levels: dict[str, int] = {}
        self._handler = _RecordScanner(self)
        self._real_run: Any = None

    # -- recording -----------------------------------------------------------------

    def hit(self, where: str, key: str) -> None:
        self.hits.append(f"{where}: test key {key[:6]}… ({len(key)} chars) found")

    def scan_text(self, where: str, text: str | bytes | None) -> None:
        if not text:
            return
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self.scanned_texts += 1
        for key in find_secrets(text, self.needles):
            self.hit(where, key)

    def scan_files(self, paths: Iterable[Path]) -> None:
        for path in paths:
            if path.is_file():
                self.scanned_files.append(path)
                self.scan_text(
                    str(path.relative_to(self.root) if path.is_relative_to(self.root) else path),
                    path.read_text("utf-8", "replace"),
                )

    # -- subprocesses ---------------------------------------------------------------

    def _wrapped_run(self, *args: Any, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        command = args[0] if args else kwargs.get("args", "")
        ours = "lemlist_inbox" in str(command) or "lemlist-inbox" in str(command)
        env = kwargs.get("env")
        if ours and isinstance(env, dict) and "LEMLIST_INBOX_LOG" not in env:
            kwargs["env"] = {**env, "LEMLIST_INBOX_LOG": str(self.log_path)}
        result: subprocess.CompletedProcess[Any] = self._real_run(*args, **kwargs)
        if ours:
            self.scan_text(f"subprocess {command!r} stdout", result.stdout)
            self.scan_text(f"subprocess {command!r} stderr", result.stderr)
        return result

    # -- hooks ----------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        if self._real_run is not None:
            return
        self._saved_env = os.environ.get("LEMLIST_INBOX_LOG")
        os.environ["LEMLIST_INBOX_LOG"] = str(self.log_path)
        for name, level in LOGGERS.items():
            logger = logging.getLogger(name)
            self._saved_levels[name] = logger.level
            if logger.getEffectiveLevel() > level:
                logger.setLevel(level)
            logger.addHandler(self._handler)
        self._real_run = subprocess.run
        subprocess.run = self._wrapped_run  # type: ignore[assignment]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self._real_run is not None:
            subprocess.run = self._real_run
        for name, level in self._saved_levels.items():
            logger = logging.getLogger(name)
            logger.removeHandler(self._handler)
            logger.setLevel(level)
        if self._saved_env is None:
            os.environ.pop("LEMLIST_INBOX_LOG", None)
        else:
            os.environ["LEMLIST_INBOX_LOG"] = self._saved_env
        if not self.hits:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # A test that resets logging (tests/cli/test_logs.py removes every handler of
        # these loggers) must not switch the scan off for the rest of the session.
        for name, level in LOGGERS.items():
            logger = logging.getLogger(name)
            if self._handler not in logger.handlers:
                logger.addHandler(self._handler)
            if logger.getEffectiveLevel() > level:
                logger.setLevel(level)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for title, content in report.sections:
            self.scan_text(f"{report.nodeid} [{title}]", content)
        if report.failed and report.longrepr is not None:
            self.scan_text(f"{report.nodeid} [failure report]", str(report.longrepr))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        for name in LOGGERS:  # flush file handlers that the CLI code attached in-process
            for handler in logging.getLogger(name).handlers:
                handler.flush()
        self.scan_files(svg_files(self.root))
        self.scan_files([self.log_path])
        if self.log_path.is_file():
            with self.log_path.open("rb") as log:
                self.log_lines = sum(1 for _ in log)
        if self.hits and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        tr = terminalreporter
        if self.hits:
            tr.section("secret scan: TEST KEY LEAKED", sep="=", red=True, bold=True)
            for line in self.hits:
                tr.line(line, red=True)
            tr.line(f"(log file kept: {self.log_path})", red=True)
        else:
            tr.write_line(
                f"secret scan: no test key in {self.scanned_texts} captured outputs, logs and "
                f"subprocess outputs, {len(self.scanned_files)} SVG/log files "
                f"({self.log_lines} lines in the session log)"
            )


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        scan = SecretScan()
        # pytest_configure is a historic hook: pluggy calls the instance's own
        # pytest_configure as it is registered, even from inside this one.
        config.pluginmanager.register(scan, PLUGIN_NAME)
