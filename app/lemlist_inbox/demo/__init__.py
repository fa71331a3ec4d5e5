"""A faithful local stand-in of lemlist's Inbox API, over real HTTP on 127.0.0.1.

Why it exists: the client, the CLI and the TUI are tested over real sockets (timeouts,
resets, keep-alive, concurrency and the rate limit behave as in production), the demo
(``lemlist-inbox --demo``) needs data without an account, and the benchmarks need a
server whose latency and faults can be dialled. Standard library only, nothing here
imports the UI, and the package data (``seed_data.json``) ships in the wheel.

    with DemoServer(conversations=2500, faults=Faults(error_every=3)) as server:
        client = LemlistClient(DEMO_API_KEY, base_url=server.base_url)
        ...
        assert [r.status for r in server.requests("/api/inbox")].count(500) > 0

Endpoints (Basic auth with an empty login and the key as password, else 401 "The
authentication you supplied is incorrect"; errors are plain text; a method a path does
not take is 405):

* ``/api/team?version=v2``: the team, with ``users`` [{userId, name, email, role}].
* ``/api/inbox?page&limit&userId``: conversations, newest ``lastActivityAt`` first;
  ``userId`` required (400 "User ID is required" / "User not in team"); ``limit``
  default and cap 100; the ``pagination`` object of lemlist's example.
* ``/api/inbox/{contactId}?skip&limit&userId&markAsRead``: messages NEWEST first, same
  ``pagination`` (``currentPage = skip // limit + 1``); ``markAsRead=true`` sets that
  user's ``read`` flag (400 without ``userId``); unknown contact 404.
* ``/api/users/{userId}``: the user with their ``mailboxes`` (and ``whatsappAccounts``).
* ``POST /api/inbox/email|linkedin|whatsapp`` and ``/api/inbox/{contactId}/drafts[/{id}]``
  (GET, POST, PATCH, DELETE): lemlist's required fields and texts, the sent message joins
  the thread and its conversation moves to the top; drafts per owner (see ``outgoing``).
  ``server.writes`` records every write and whether it was acted on; ``server.sent()``
  the sends; ``Faults.write_failures`` / ``write_timeouts`` / ``write_resets`` break them.
* Rate limit per key, sliding window (default 20 per 2 s): 429 with ``Retry-After``;
  ``X-RateLimit-Limit/-Remaining/-Reset`` on every authenticated response.

Knobs: ``Faults`` (see ``faults``), mutable while running; ``server.api_key`` can be
changed to revoke a key; ``server.add_activity(n)`` moves conversations to the top;
``server.log`` / ``server.requests(path)`` / ``server.clear_log()`` record every request;
``server.errors`` collects unexpected exceptions (tests assert it stays empty);
``DemoServer(hostile=True)`` adds the cases of ``hostile`` at the top of the list.
Data generation (deterministic from ``seed``, compact at 100,000) is described in
``data``; ``reference=`` fixes the clock for byte-identical output.
"""

from lemlist_inbox.demo.data import SEED_REFERENCE, ConversationsView, Dataset
from lemlist_inbox.demo.faults import Faults
from lemlist_inbox.demo.server import DEMO_API_KEY, DemoServer, RequestRecord, serve

__all__ = [
    "DEMO_API_KEY",
    "SEED_REFERENCE",
    "ConversationsView",
    "Dataset",
    "DemoServer",
    "Faults",
    "RequestRecord",
    "serve",
]
