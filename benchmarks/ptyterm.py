"""Run a real terminal program under a pseudo-terminal and watch what it writes.

Used for start-up (process start to first frame / first rows, from the bytes the app
actually writes to its terminal) and for bytes written per key. A reader thread
timestamps every chunk read from the pty master, so "when did X appear" is the
arrival time of the chunk that completed X, not the time we happened to look.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence


class PtyApp:
    """A child process on a pty of ``cols`` x ``rows``; ``t0`` is just before spawn."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cols: int = 160, rows: int = 45) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self._lock = threading.Lock()
        self._data = bytearray()
        #: (arrival time, buffer length after the chunk)
        self._chunks: list[tuple[float, int]] = []
        #: the child's CPU seconds (user+system) when each chunk arrived
        self._cpu: list[float] = []
        self._ticks = os.sysconf("SC_CLK_TCK")
        self._changed = threading.Condition(self._lock)
        self.t0 = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            now = time.perf_counter()
            cpu = self._child_cpu()
            with self._changed:
                if not chunk:
                    self._chunks.append((now, -1))
                    self._cpu.append(cpu)
                    self._changed.notify_all()
                    return
                self._data += chunk
                self._chunks.append((now, len(self._data)))
                self._cpu.append(cpu)
                self._changed.notify_all()

    def _child_cpu(self) -> float:
        """CPU seconds the child has used so far (``/proc/<pid>/stat`` utime + stime)."""
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self._ticks
        except (OSError, IndexError, ValueError, AttributeError):
            return float("nan")

    def process_cpu(self) -> float:
        """CPU seconds of the whole child process so far, threads that ended included."""
        return self._child_cpu()

    def main_thread_cpu(self) -> float:
        """CPU seconds of the child's main thread (Textual's UI thread: its event loop).

        From ``/proc/<pid>/task/<pid>/schedstat`` (nanoseconds); the process figure
        also holds Textual's input and writer threads and the app's worker threads.
        """
        pid = self.process.pid
        try:
            with open(f"/proc/{pid}/task/{pid}/schedstat", "rb") as handle:
                return int(handle.read().split()[0]) / 1e9
        except (OSError, IndexError, ValueError):
            return float("nan")

    def cpu_at(self, needle: bytes, start: int = 0) -> float:
        """The child's CPU seconds when ``needle`` had arrived (after ``wait_for``)."""
        with self._lock:
            end = self._data.find(needle, start) + len(needle)
            for (_, length), cpu in zip(self._chunks, self._cpu, strict=True):
                if length >= end:
                    return cpu
        return float("nan")

    @property
    def size(self) -> int:
        with self._lock:
            return len(self._data)

    def data(self, start: int = 0) -> bytes:
        with self._lock:
            return bytes(self._data[start:])

    def wait_for(self, needle: bytes, *, start: int = 0, timeout: float = 20.0) -> float:
        """Seconds from ``t0`` until ``needle`` appeared in the output after offset ``start``."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while True:
                index = self._data.find(needle, start)
                if index >= 0:
                    end = index + len(needle)
                    for when, length in self._chunks:
                        if length >= end:
                            return when - self.t0
                if self._chunks and self._chunks[-1][1] == -1:
                    tail = bytes(self._data[-600:])
                    raise RuntimeError(f"process ended before {needle!r} appeared; output tail: {tail!r}")
                left = deadline - time.perf_counter()
                if left <= 0:
                    tail = bytes(self._data[-400:])
                    raise TimeoutError(f"{needle!r} did not appear; output tail: {tail!r}")
                self._changed.wait(left)

    def wait_idle(self, quiet: float = 0.5, timeout: float = 20.0, after: int = 0) -> int:
        """Wait for output beyond offset ``after``, then until nothing was written for
        ``quiet`` seconds; returns the output size then."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._lock:
                last = self._chunks[-1][0] if self._chunks else None
                size = len(self._data)
            if last is None or size <= after:  # nothing (new) written yet: not idle, just slow
                time.sleep(0.05)
                continue
            idle = time.perf_counter() - last
            if idle >= quiet:
                return size
            time.sleep(max(0.01, quiet - idle))
        raise TimeoutError("the program never went quiet")

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # The reader must be gone before the fd is closed: a reader still looping would
        # read from the *next* PtyApp's master once openpty() reuses the fd number, and
        # steal part of that app's output (seen: a start-up "never" showing its rows).
        # With the child dead, its read ends with EIO.
        self._reader.join(timeout=5)
        os.close(self.master)
