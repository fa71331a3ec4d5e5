"""MarkQueue with a fake client: retries until success, reports after the budget, flushes on quit."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.api.errors import AuthError, NetworkError, NotFoundError, describe_error
from lemlist_inbox.api.mark_queue import MarkClient, MarkQueue, PendingMark, default_backoff
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, Faults, RequestRecord


class FakeClient:
    """Fails the first ``fail`` calls (or forever with ``fail=-1``), records every call."""

    def __init__(self, fail: int = 0, error: Exception | None = None, hang: bool = False) -> None:
        self.fail = fail
        self.error = error or NetworkError("server unreachable")
        self.hang = hang
        self.calls: list[tuple[str, str]] = []
        self.succeeded: list[tuple[str, str]] = []

    async def mark_read(self, contact_id: str, user_id: str) -> None:
        self.calls.append((contact_id, user_id))
        if self.hang:
            await asyncio.Event().wait()
        if self.fail != 0:
            self.fail -= 1 if self.fail > 0 else 0
            raise self.error
        self.succeeded.append((contact_id, user_id))


class Recorder:
    def __init__(self) -> None:
        self.ok: list[str] = []
        self.failed: list[PendingMark] = []
        self.changed = asyncio.Event()

    def success(self, mark: PendingMark) -> None:
        self.ok.append(mark.conversation_id)
        self.changed.set()

    def failure(self, mark: PendingMark) -> None:
        # a snapshot: the queue keeps retrying (and counting) after the report
        self.failed.append(dataclasses.replace(mark))
        self.changed.set()

    async def wait(self, predicate: object) -> None:
        assert callable(predicate)
        while not predicate():
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), timeout=10)


def make_queue(client: FakeClient, rec: Recorder, *, max_attempts_before_report: int = 5) -> MarkQueue:
    return make_queue_for(client, rec, max_attempts_before_report=max_attempts_before_report)


def make_queue_for(
    client: MarkClient, rec: Recorder, *, pause: float = 0.0, max_attempts_before_report: int = 5
) -> MarkQueue:
    return MarkQueue(
        client,
        backoff=lambda failures: pause,
        on_success=rec.success,
        on_failure=rec.failure,
        max_attempts_before_report=max_attempts_before_report,
    )


async def test_success_first_try() -> None:
    client, rec = FakeClient(), Recorder()
    queue = make_queue(client, rec)
    assert queue.submit("ctc_1", "usr_1", "ibx_1")
    assert queue.pending == ["ibx_1"]
    await rec.wait(lambda: rec.ok)
    assert rec.ok == ["ibx_1"]
    assert client.calls == [("ctc_1", "usr_1")]
    assert queue.pending == []
    assert queue.sent == 1
    assert rec.failed == []


async def test_duplicate_submit_is_ignored() -> None:
    client, rec = FakeClient(hang=True), Recorder()
    queue = make_queue(client, rec)
    assert queue.submit("ctc_1", "usr_1", "ibx_1")
    assert not queue.submit("ctc_1", "usr_1", "ibx_1")
    assert queue.is_pending("ibx_1")
    assert queue.is_pending("ibx_1", "usr_1")
    assert not queue.is_pending("ibx_1", "usr_2")
    # a different viewing user owes their own mark
    assert queue.submit("ctc_1", "usr_2", "ibx_1")
    assert len(queue) == 2
    await queue.aclose()


async def test_retries_until_success_without_reporting() -> None:
    client, rec = FakeClient(fail=3), Recorder()
    queue = make_queue(client, rec, max_attempts_before_report=5)
    queue.submit("ctc_1", "usr_1", "ibx_1")
    await rec.wait(lambda: rec.ok)
    assert len(client.calls) == 4
    assert rec.failed == []
    assert queue.pending == []


async def test_reports_after_budget_and_keeps_retrying() -> None:
    client, rec = FakeClient(fail=7), Recorder()
    queue = make_queue(client, rec, max_attempts_before_report=3)
    queue.submit("ctc_1", "usr_1", "ibx_1")
    await rec.wait(lambda: rec.failed)
    mark = rec.failed[0]
    assert mark.conversation_id == "ibx_1"
    assert mark.attempts == 3
    assert mark.last_error == "server unreachable"
    # still pending, still retried, reported only once, lands in the end
    await rec.wait(lambda: rec.ok)
    assert len(rec.failed) == 1
    assert len(client.calls) == 8
    assert queue.pending == []


async def test_permanent_error_reported_at_once_but_kept() -> None:
    client, rec = FakeClient(fail=-1, error=NotFoundError("Contact not found", status=404)), Recorder()
    queue = make_queue(client, rec, max_attempts_before_report=5)
    queue.submit("ctc_x", "usr_1", "ibx_x")
    await rec.wait(lambda: rec.failed)
    assert rec.failed[0].attempts == 1
    assert rec.failed[0].last_error == "Contact not found"
    assert queue.pending == ["ibx_x"]
    await queue.aclose()
    assert queue.pending == ["ibx_x"]


async def test_flush_sends_pending_marks() -> None:
    client, rec = FakeClient(fail=1), Recorder()
    # a long backoff: only flush can send the mark again in this test
    queue = MarkQueue(client, backoff=lambda failures: 3600.0, on_success=rec.success)
    queue.submit("ctc_1", "usr_1", "ibx_1")
    while not client.calls:
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await queue.flush(timeout=5) == []
    assert rec.ok == ["ibx_1"]
    assert len(client.calls) == 2


async def test_flush_returns_unsent_when_server_gone() -> None:
    client, rec = FakeClient(fail=-1), Recorder()
    queue = MarkQueue(client, backoff=lambda failures: 3600.0, on_failure=rec.failure)
    queue.submit("ctc_1", "usr_1", "ibx_1")
    queue.submit("ctc_2", "usr_1", "ibx_2")
    assert sorted(await queue.flush(timeout=5)) == ["ibx_1", "ibx_2"]
    assert sorted(queue.pending) == ["ibx_1", "ibx_2"]


async def test_flush_times_out_on_hanging_server() -> None:
    client, rec = FakeClient(hang=True), Recorder()
    queue = make_queue(client, rec)
    queue.submit("ctc_1", "usr_1", "ibx_1")
    assert await queue.flush(timeout=0.05) == ["ibx_1"]
    # resume restarts the background retries
    client.hang = False
    queue.resume()
    await rec.wait(lambda: rec.ok)
    assert queue.pending == []


async def test_flush_with_nothing_pending() -> None:
    queue = MarkQueue(FakeClient())
    assert await queue.flush(timeout=1) == []


async def test_broken_callback_does_not_stop_retries() -> None:
    client = FakeClient(fail=2)

    def boom(mark: PendingMark) -> None:
        raise RuntimeError("listener bug")

    done = asyncio.Event()
    queue = MarkQueue(
        client,
        max_attempts_before_report=1,
        backoff=lambda failures: 0.0,
        on_failure=boom,
        on_success=lambda mark: done.set(),
    )
    queue.submit("ctc_1", "usr_1", "ibx_1")
    await asyncio.wait_for(done.wait(), timeout=10)
    assert queue.pending == []


async def test_unexpected_exception_is_kept_and_described() -> None:
    client, rec = FakeClient(fail=-1, error=ValueError("weird")), Recorder()
    queue = make_queue(client, rec, max_attempts_before_report=2)
    queue.submit("ctc_1", "usr_1", "ibx_1")
    await rec.wait(lambda: rec.failed)
    assert rec.failed[0].last_error == "unexpected error: ValueError"  # class only: no text leaks
    await queue.aclose()


def test_default_backoff_grows_and_is_capped() -> None:
    assert 0.8 <= default_backoff(1) <= 1.2
    assert 3.2 <= default_backoff(3) <= 4.8
    assert default_backoff(50) <= 72.0


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (NetworkError("server unreachable"), "server unreachable"),
        (AuthError("lemlist refused the API key"), "lemlist refused the API key"),
        (TimeoutError(), "timed out"),
        (ValueError("GET /api/inbox?key=secret"), "unexpected error: ValueError"),
    ],
)
def test_describe_error(exc: BaseException, text: str) -> None:
    assert describe_error(exc) == text


# --------------------------------------------------------------------------- real HTTP


def _unread(server: DemoServer, count: int) -> list[tuple[str, str, str]]:
    """(conversation id, contact id, user id) of conversations some user has not read."""
    found: list[tuple[str, str, str]] = []
    for raw in server.dataset.conversations:
        for user in raw.get("users") or ():
            if user.get("read") is False and raw.get("contactId"):
                found.append((raw["_id"], raw["contactId"], user["userId"]))
                break
        if len(found) == count:
            return found
    raise AssertionError("not enough unread conversations in the demo data")


def _marks(server: DemoServer) -> list[RequestRecord]:
    return [r for r in server.requests("/api/inbox/") if r.query.get("markAsRead") == "true"]


async def test_against_demo_server_with_5xx_faults() -> None:
    """Every 2nd request answers 500: each mark still lands, once it gets through."""
    with DemoServer(conversations=30, faults=Faults(error_every=2)) as server:
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=0) as client:
            rec = Recorder()
            queue = make_queue_for(client, rec, pause=0.02, max_attempts_before_report=10)
            targets = _unread(server, 4)
            for conversation_id, contact_id, user_id in targets:
                queue.submit(contact_id, user_id, conversation_id)
            await rec.wait(lambda: len(rec.ok) == len(targets))
            assert sorted(rec.ok) == sorted(t[0] for t in targets)
            assert queue.pending == []
            for _, contact_id, user_id in targets:
                assert server.dataset.is_read(contact_id, user_id) is True
            failed = [r for r in _marks(server) if r.status >= 500]
            assert failed, "the fault knob should have failed some marks"


async def test_against_demo_server_stopped_then_restarted_on_same_port() -> None:
    with DemoServer(conversations=30) as server:
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=0, timeout=2) as client:
            rec = Recorder()
            queue = make_queue_for(client, rec, pause=0.02, max_attempts_before_report=2)
            [(conversation_id, contact_id, user_id)] = _unread(server, 1)
            server.stop()
            queue.submit(contact_id, user_id, conversation_id)
            await rec.wait(lambda: rec.failed)  # reported after 2 failed tries, still pending
            assert rec.failed[0].attempts == 2
            assert queue.pending == [conversation_id]
            assert rec.ok == []
            server.start()  # same port, same data
            await rec.wait(lambda: rec.ok)
            assert queue.pending == []
            assert server.dataset.is_read(contact_id, user_id) is True
            # A mark sent as the server went down may have landed even though its
            # answer was lost; marking is idempotent, so it may arrive twice, never zero.
            assert len(_marks(server)) >= 1


async def test_flush_against_stopped_server_reports_unsent() -> None:
    with DemoServer(conversations=30) as server:
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=0, timeout=2) as client:
            queue = MarkQueue(client, backoff=lambda failures: 3600.0)
            targets = _unread(server, 2)
            server.stop()
            for conversation_id, contact_id, user_id in targets:
                queue.submit(contact_id, user_id, conversation_id)
            assert sorted(await queue.flush(timeout=3)) == sorted(t[0] for t in targets)
