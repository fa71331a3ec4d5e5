"""Loading every conversation page: concurrently, delivered in order, each item once.

Why it is more than a loop over pages:

* Page 1 tells how many pages there are; the rest are fetched concurrently (bounded by
  ``concurrency`` here and by the client's rate limiter) so a load is bound by the
  rate limit, not by round trips. Pages are still *yielded* in page order, each as
  soon as it and every page before it are in, so the UI appends rows top to bottom.
* The list moves while we read it: new activity puts a conversation at the top and
  pushes every other one down. A page fetched after such a shift repeats items of the
  page before (dropped here: de-duplication by ``_id``), and, because pages arrive out
  of order, an item can slip across a page boundary unseen, and one bumped from a
  page not yet read to page 1 is missed too. So after a multi-page load, page 1 is
  read once more (``verify``): what is new at the top is yielded as a final page
  numbered 1 (followed down to page 2, 3... while even a page's last item is newer
  than the load's start), and if the server now counts more conversations than we
  hold, the pages are read once more and only the missing ones are yielded.
* A server can lie about how many pages there are (``totalPages`` of a billion,
  ``nextPage`` always 1, the same page for every number, a bare array with no
  pagination at all). So a load stops at the first page that brings no conversation
  it has not seen (an empty page, or a repeat), and never reads more pages than the
  first page promised (plus ``PAGE_SLACK`` for growth while loading) nor more than
  ``MAX_PAGES``.
* If a page fails for good, every earlier page has been yielded and the typed error
  is raised from the generator, so the caller keeps its rows and can resume with
  ``start_page`` and its ``seen`` set. Outstanding fetches are cancelled and awaited
  when the consumer stops early or on error: no task outlives the generator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.api.timestamps import parse_time

if TYPE_CHECKING:
    # Types only: paging runs before the models (pydantic) are loaded (``client.load_models``).
    from lemlist_inbox.api.models import Conversation, Message, Page

log = logging.getLogger("lemlist_inbox.api")

FetchPage: TypeAlias = "Callable[[int], Awaitable[Page[Conversation]]]"

#: Most pages one load reads, whatever the server promises: 100,000 conversations at
#: the default page size, the largest inbox the app is built for.
MAX_PAGES = 1000
#: Pages a load may read beyond what its first page promised: the inbox grows while
#: we read it (new conversations push the last ones onto one more page).
PAGE_SLACK = 3


def cap_notice(total_pages: int | None) -> str | None:
    """One line for the user when the server promises more pages than a load reads.

    Such a load is bounded (``MAX_PAGES``, about 100 s at the rate limit) but not
    complete, and may be a server that lies; the user should know why it stops.
    """
    if total_pages is None or total_pages <= MAX_PAGES:
        return None
    return (
        f"lemlist promises {total_pages:,} pages; reading the first {MAX_PAGES:,} at most "
        f"(the largest inbox this client reads), so the list may be incomplete"
    )


def planned_last_page(page: Page[Conversation], limit: int) -> int:
    """Last page number this page's pagination promises (or one more, if it cannot tell)."""
    pag = page.pagination
    if pag.total_pages is not None and pag.total_pages >= 0:
        return pag.total_pages
    if pag.total_items is not None and pag.total_items >= 0:
        per_page = pag.per_page or limit
        return math.ceil(pag.total_items / per_page) if per_page > 0 else page.number
    # No pagination at all: keep going while pages come back full.
    full = len(page.items) + page.skipped >= limit > 0
    return page.number + 1 if full else page.number


def dedupe(page: Page[Conversation], seen: set[str]) -> Page[Conversation]:
    """The page with conversations already delivered removed (a later duplicate is dropped)."""
    fresh: list[Conversation] = []
    for conv in page.items:
        if conv.id in seen:
            continue
        seen.add(conv.id)
        fresh.append(conv)
    if len(fresh) == len(page.items):
        return page
    log.debug("page %d: dropped %d duplicate(s)", page.number, len(page.items) - len(fresh))
    return replace(page, items=fresh)


async def _in_order(
    fetch: FetchPage,
    first: int,
    last: Callable[[], int],
    concurrency: int,
) -> AsyncGenerator[Page[Conversation], None]:
    """Fetch pages ``first..last()`` concurrently, yield them in order; ``last`` may grow."""
    gate = asyncio.Semaphore(max(1, concurrency))
    lookahead = max(2, concurrency * 2)
    pending: deque[asyncio.Task[Page[Conversation]]] = deque()
    next_page = first

    async def guarded(number: int) -> Page[Conversation]:
        async with gate:
            return await fetch(number)

    try:
        while True:
            while next_page <= last() and len(pending) < lookahead:
                pending.append(asyncio.create_task(guarded(next_page), name=f"lemlist-page-{next_page}"))
                next_page += 1
            if not pending:
                return
            head = pending.popleft()
            yield await head
    finally:
        for task in pending:
            task.cancel()
        if pending:
            # Collect them so none is left pending or with an unretrieved exception.
            await asyncio.gather(*pending, return_exceptions=True)


@dataclass
class _LoadState:
    limit: int
    seen: set[str]
    last: int = 1
    skipped: int = 0
    #: The newest activity on the first page read: anything newer arrived during the load.
    newest: datetime | None = None
    #: No page past this one is read: what the first page promised, plus slack, capped.
    cap: int = MAX_PAGES
    #: The last page the load really reached (delivered, or found the end on).
    reached: int = 1

    def plan(self, page: Page[Conversation]) -> int:
        """The last page this page promises, within the load's cap."""
        return min(self.cap, planned_last_page(page, self.limit))

    def note(self, page: Page[Conversation]) -> None:
        self.last = max(self.last, self.plan(page))
        self.skipped += page.skipped
        self.reached = max(self.reached, page.number)

    def note_first(self, page: Page[Conversation]) -> None:
        promised = planned_last_page(page, self.limit)
        self.cap = min(MAX_PAGES, max(promised, page.number) + PAGE_SLACK)
        if promised > MAX_PAGES:
            log.warning("load: the server promises %d pages; reading %d at most", promised, MAX_PAGES)
        self.note(page)
        stamps = [c.last_activity for c in page.items if c.last_activity is not None]
        self.newest = max(stamps, default=None)

    def moved_past(self, page: Page[Conversation]) -> bool:
        """Does the run of conversations bumped during the load go on past this page?

        Bumped ones sit at the top, newest first; if even the page's last item is newer
        than anything the load began with, more of them may be on the next page.
        """
        if self.newest is None or not page.items:
            return False
        last = page.items[-1].last_activity
        return last is not None and last > self.newest


async def iter_pages(
    fetch: FetchPage,
    *,
    limit: int = 100,
    concurrency: int = 6,
    start_page: int = 1,
    seen: set[str] | None = None,
    verify: bool = True,
) -> AsyncGenerator[Page[Conversation], None]:
    """Every conversation page from ``start_page`` on, in order, each conversation once.

    ``seen`` (mutated) holds the ids delivered so far; pass the same set to resume a
    load that failed, with ``start_page`` the first page not yet received.
    """
    state = _LoadState(limit=limit, seen=seen if seen is not None else set())
    first = await fetch(start_page)
    state.note_first(first)
    yield dedupe(first, state.seen)
    if state.last <= start_page:
        return
    async with contextlib.aclosing(_in_order(fetch, start_page + 1, lambda: state.last, concurrency)) as rest:
        async for page in rest:
            state.note(page)
            fresh = dedupe(page, state.seen)
            if not fresh.items and not page.skipped:
                # Empty, or every conversation already delivered: a server that repeats
                # pages (or promises pages it does not have) would go on forever.
                log.info("load: page %d brought nothing new; stopping", page.number)
                state.last = state.reached = page.number - 1
                break
            yield fresh
    if verify and start_page == 1:
        try:
            async with contextlib.aclosing(_verify(fetch, state, concurrency)) as extra:
                async for page in extra:
                    yield page
        except LemlistError as exc:
            # Every page was delivered; this check is a bonus, so its failure is not the load's.
            log.warning("load: could not check for conversations that moved while loading: %s", exc)


#: Rounds of checking at most: the list may keep moving while we check it.
VERIFY_ROUNDS = 3


async def _verify(
    fetch: FetchPage, state: _LoadState, concurrency: int
) -> AsyncGenerator[Page[Conversation], None]:
    """Catch what moved while we read, again while the check itself finds something.

    Each round reads the top (and the run of conversations bumped during the load), and
    if the server still counts more than we hold, the pages once more. A conversation
    bumped while a round runs lands at the top behind it: the next round finds it. A
    round that finds nothing ends the check; under endless churn it ends after
    ``VERIFY_ROUNDS`` and the auto-refresh picks up the rest.
    """
    for _ in range(VERIFY_ROUNDS):
        found = 0
        async with contextlib.aclosing(_verify_round(fetch, state, concurrency)) as round_pages:
            async for page in round_pages:
                found += len(page.items)
                yield page
        if not found:
            return


async def _verify_round(
    fetch: FetchPage, state: _LoadState, concurrency: int
) -> AsyncGenerator[Page[Conversation], None]:
    """New tops (followed down while they run past a page), then a second pass if short."""
    top = await fetch(1)
    extra = dedupe(top, state.seen)
    if extra.items:
        log.info("load: %d conversation(s) arrived at the top while loading", len(extra.items))
        yield extra
    # More activity than one page holds: follow the bumped run down, page by page.
    page = top
    while state.moved_past(page) and page.number < state.last:
        page = await fetch(page.number + 1)
        fresh = dedupe(page, state.seen)
        if fresh.items:
            state.reached = max(state.reached, page.number)
            yield fresh
    total = top.pagination.total_items
    if total is None or len(state.seen) + state.skipped >= total:
        return
    log.info(
        "load: server counts %d conversations, %d received; reading the pages again",
        total,
        len(state.seen) + state.skipped,
    )
    # The pages once more, as far as what we hold fills (or the load got, if further),
    # and a little further, for growth; farther while pages still bring new ones. Not
    # as far as a lying first page promised: a server repeating one page fills one.
    # Not just as far as the load got: a page's worth of activity between two pages
    # makes the second repeat the first, which ends the load early like a repeat does.
    ceiling = state.plan(top)

    def reread_last() -> int:
        held = math.ceil((len(state.seen) + state.skipped) / max(1, state.limit))
        state.last = max(1, min(ceiling, max(state.reached, held) + PAGE_SLACK))
        return state.last

    if reread_last() < 2:
        return
    # One page at a time: read concurrently, a page served just before a bump and the
    # page above it served just after lose the item pushed across their boundary, and
    # under steady churn the same item can slip past every pass. Read in order, a bump
    # only repeats an item (dropped) or lifts it to the top (the next round's top read).
    async with contextlib.aclosing(_in_order(fetch, 2, reread_last, 1)) as again:
        async for page in again:
            fresh = dedupe(page, state.seen)
            if fresh.items:
                state.reached = max(state.reached, page.number)
                yield fresh
            # The count as of this page, the latest one served: conversations created
            # since ``top`` was read count in it, so they cannot hide a missing one.
            latest = page.pagination.total_items
            if len(state.seen) + state.skipped >= (latest if latest is not None else total):
                return


def oldest_first(messages: list[Message]) -> list[Message]:
    """Messages sorted oldest first; stable, and robust to missing or broken timestamps.

    The server sends newest first, so the list is reversed before a stable sort: equal
    times keep their chronological order, and a message without a time keeps its place
    next to its neighbour instead of jumping to one end.
    """
    chronological = list(reversed(messages))
    keys: list[float] = []
    previous = -math.inf
    for msg in chronological:
        created = parse_time(msg.created_at)
        stamp = created.timestamp() if created is not None else previous
        keys.append(stamp)
        previous = stamp
    order = sorted(range(len(chronological)), key=keys.__getitem__)
    return [chronological[i] for i in order]
