"""A faithful local stand-in of lemlist's Inbox API, over real HTTP on 127.0.0.1.

Used by the tests (real sockets, fault knobs), by ``lemlist-inbox --demo`` and by
``lemlist-inbox demo-server``. Standard library only, and nothing here imports the UI.

    with DemoServer(conversations=2500, faults=Faults(error_every=3)) as server:
        client = LemlistClient(DEMO_API_KEY, base_url=server.base_url)
        ...
        assert server.requests("/api/inbox")[0].status == 200

Endpoints (GET only; Basic auth with an empty login and the key as password):
``/api/team?version=v2``, ``/api/inbox?page&limit&userId``,
``/api/inbox/{contactId}?skip&limit&userId&markAsRead``. Errors are plain text.
See ``data`` for how the dataset is generated and ``faults`` for the knobs.
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
