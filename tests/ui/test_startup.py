"""Start-up: what the first frame needs, and the client built after it (benchmark figure 1).

The first frame must not wait for httpx, tenacity, pydantic or the HTML pipeline
(~200 ms of CPU on a small server): the TUI's modules import without them, and the
app builds its client from a factory the first time a worker needs one. These tests
check *what* is loaded and *when*, never how long it takes (benchmarks do that).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from ui_helpers import ServerFactory, first_user, main_screen, wait_for

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY
from lemlist_inbox.ui.app import InboxApp

HEAVY = (
    "httpx",
    "tenacity",
    "pydantic",
    "html2text",
    "lemlist_inbox.api.models",
    "lemlist_inbox.render.html",
)


def test_first_screen_modules_import_without_the_heavy_ones() -> None:
    probe = (
        "import json, sys\n"
        "import lemlist_inbox.cli, lemlist_inbox.ui.app, lemlist_inbox.ui.screens.main\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []


async def test_client_is_built_once_from_the_factory(make_server: ServerFactory) -> None:
    server = make_server()
    built: list[LemlistClient] = []

    def connect() -> LemlistClient:
        client = LemlistClient(DEMO_API_KEY, base_url=server.base_url)
        built.append(client)
        return client

    settings = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, refresh_interval=0)
    app = InboxApp(connect, settings, user_id=first_user(server), demo=False)
    async with app.run_test(size=(160, 45)):
        screen = main_screen(app)
        await wait_for(lambda: len(screen.store) > 0)
        # The load and the team lookup both asked for it: one client, shared.
        await wait_for(lambda: screen.team is not None)
        assert len(built) == 1
        assert app.client is built[0]
        again = await asyncio.gather(app.connected(), app.connected())
        assert again == [built[0], built[0]]
    await built[0].aclose()  # ``run()`` closes it; ``run_test`` leaves that to the test


def test_the_client_sends_before_the_models_are_loaded() -> None:
    """The client module does not need pydantic: a first request can be on the wire while
    the models load in a thread (``load_models``), which is where the TUI overlaps them."""
    probe = (
        "import json, sys\n"
        "import lemlist_inbox.api.client\n"
        "before = [m for m in ('pydantic', 'lemlist_inbox.api.models') if m in sys.modules]\n"
        "lemlist_inbox.api.client.load_models()\n"
        "print(json.dumps([before, 'lemlist_inbox.api.models' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == [[], True]
