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
from pathlib import Path

from ui_helpers import ServerFactory, first_user, main_screen, wait_for

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY
from lemlist_inbox.inbox.local import LocalInbox, StoreOptions
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


async def test_a_warm_start_shows_stored_rows_before_the_client_or_the_models_exist(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    """Rows from the local inbox in the first frames, while the client is never built:
    nothing heavy is imported for them (a fresh process, so nothing came before)."""
    server = make_server(30)
    user = first_user(server)
    options = StoreOptions(data_dir=tmp_path, base_url=server.base_url)
    inbox = LocalInbox(options, user)
    async with LemlistClient(DEMO_API_KEY, base_url=server.base_url) as client:
        await inbox.sync(client, page_size=100)
    inbox.close()
    probe = (
        "import asyncio, json, sys\n"
        "from pathlib import Path\n"
        "from lemlist_inbox.config import Settings\n"
        "from lemlist_inbox.inbox.local import StoreOptions\n"
        "from lemlist_inbox.ui.app import InboxApp\n"
        "async def never(self):\n"
        "    await asyncio.Event().wait()\n"
        "InboxApp._build_client = never  # the client never comes: only the store can fill the list\n"
        "def connect():\n"
        "    raise AssertionError('no client for a warm start')\n"
        "async def main():\n"
        f"    options = StoreOptions(Path({str(tmp_path)!r}), {server.base_url!r})\n"
        f"    settings = Settings(api_key='x', base_url={server.base_url!r}, refresh_interval=0)\n"
        f"    app = InboxApp(connect, settings, user_id={user!r}, store=options)\n"
        "    async with app.run_test(size=(120, 30)):\n"
        "        screen = app.main_screen\n"
        "        state = screen.status.state\n"
        f"        heavy = [m for m in {list(HEAVY)!r} if m in sys.modules]\n"
        "        print(json.dumps([len(screen.store), screen.conversation_list.cursor, state.unread,\n"
        "                          state.freshness, heavy]))\n"
        "        app.exit()\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    rows, cursor, unread, freshness, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert rows == len(server.dataset) and cursor == 0
    assert unread == sum(1 for c in server.dataset.conversations if not _read_by(c, user))
    assert freshness == "synced just now"
    assert heavy == []


def _read_by(conversation: dict[str, object], user: str) -> bool:
    users = conversation.get("users") or []
    assert isinstance(users, list)
    return any(u.get("userId") == user and u.get("read") for u in users if isinstance(u, dict))
