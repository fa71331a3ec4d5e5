"""Figure 11 - filter keystroke with subjects and first words in the key, at 100,000 rows.

Since rows show the subject and first words of each stored thread, ``/`` matches them
too (``inbox.store``: one lowercase key per conversation of name, email, subject and
snippet), so a keystroke scans keys about four times as long as names and emails alone.

The real ``InboxApp`` runs headless at 160x45 (no request at all: ``--offline`` with no
stored data), and 100,000 conversations *each with a summary* are merged into its
store as a warm start merges stored rows (``ConversationStore.merge_rows``). Names come
from the stand-in's name lists; subjects and first words are drawn (fixed seed) from
the words of the stand-in's message bodies, sized as the summaries are (subject up to
``SUBJECT_CHARS``, first words up to ``SNIPPET_CHARS``). Keystrokes are posted as the
terminal driver posts them and timed to the frame that shows them (figure 3's
``KeyProbe``): UI-thread CPU from the key to its frame + 0.1 s, the same five words
as figure 3 typed one character at a time (narrowing) and erased (widening).

**Anchor**: the same keystrokes in the same process right after, with the summaries
taken out of the keys (names and emails only: figure 3's key), so the ratio says what
the longer key costs whatever the machine's load. Target: median <= 30 ms (narrowing).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_responsive import FILTER_WORDS, KeyProbe, filter_key
from common import Result, figure_main, median, percentile
from inbox_harness import SIZE, wait_for

FIGURE = "11 filter with subjects"
ROOT = Path(__file__).resolve().parent.parent


def _vocabulary() -> list[str]:
    """Words of the stand-in's message bodies (several languages, as real inboxes)."""
    source = (ROOT / "app" / "lemlist_inbox" / "demo" / "bodies.py").read_text(encoding="utf-8")
    words = sorted(set(re.findall(r"[^\W\d_]{2,}", " ".join(re.findall(r'"([^"\n]{8,})"', source)))))
    return words or ["hello", "world"]


def rows(count: int, seed: int = 11) -> list[Any]:
    """``count`` stored rows, newest first, each with a summary of realistic length."""
    from lemlist_inbox.demo.names import ORIGINS
    from lemlist_inbox.inbox.db import StoredConversation
    from lemlist_inbox.inbox.summary import SNIPPET_CHARS, SUBJECT_CHARS, ThreadSummary

    rng = random.Random(seed)
    words = _vocabulary()
    firsts = [name for _origin, names, _lasts in ORIGINS for name in names]
    lasts = [name for _origin, _firsts, names in ORIGINS for name in names]
    out = []
    for n in range(count):
        first, last = rng.choice(firsts), rng.choice(lasts)
        email = f"{first}.{last}@{rng.choice(words)}.com".lower()
        subject = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8)))[:SUBJECT_CHARS]
        snippet = " ".join(rng.choice(words) for _ in range(rng.randint(12, 30)))[:SNIPPET_CHARS]
        summary = ThreadSummary(
            ("Re: " if n % 3 else "") + subject, snippet, "them" if n % 2 else "us", 1e9 - n
        )
        out.append(
            StoredConversation(
                id=f"ibx_{n:06d}",
                contact_id=f"ctc_{n:06d}",
                contact=(f"ctc_{n:06d}", f"{first} {last}", first, last, email, None),
                users=(("usr_bench", True, n % 7 == 0),),
                channels=("email",) if n % 4 else ("linkedin",),
                last_activity_at=None,
                activity=1e9 - n,
                have_replies=bool(n % 2),
                raw="",
                summary=summary,
            )
        )
    return out


def make_app() -> Any:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.config import Settings
    from lemlist_inbox.demo import DEMO_API_KEY
    from lemlist_inbox.ui.app import InboxApp

    base = "http://127.0.0.1:9/api"  # never asked: --offline sends nothing
    client = LemlistClient(DEMO_API_KEY, base_url=base)
    settings = Settings(api_key=DEMO_API_KEY, base_url=base, user_id="usr_bench", refresh_interval=0.0)
    return InboxApp(client, settings, user_id="usr_bench", demo=True, offline=True)


async def keystrokes(
    probe: KeyProbe, screen: Any, pilot: Any, words: tuple[str, ...]
) -> tuple[list[float], list[float]]:
    await pilot.press("slash")
    await pilot.pause()
    narrow, widen = [], []
    for word in words:
        typed = ""
        for ch in word:
            typed += ch
            narrow.append((await filter_key(probe, screen, ch, typed))[1])
        for _ in word:
            typed = typed[:-1]
            widen.append((await filter_key(probe, screen, "backspace", typed))[1])
    await pilot.press("escape")
    await pilot.pause()
    return narrow, widen


async def measure(count: int, quick: bool) -> dict[str, Any]:
    built = time.perf_counter()
    stored = rows(count)
    out: dict[str, Any] = {"build": time.perf_counter() - built}
    app = make_app()
    words = FILTER_WORDS[: 2 if quick else len(FILTER_WORDS)]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted)
        screen = app.main_screen
        await wait_for(lambda: not screen.busy)
        for start in range(0, len(stored), 5_000):
            screen.store.merge_rows(stored[start : start + 5_000])
            await asyncio.sleep(0)
        del stored
        screen.conversation_list.sync()
        await pilot.pause(0.3)
        store = screen.store
        out["rows"] = len(store)
        keys = [store.view_at(i).search for i in range(0, store.view_size, 97)]
        out["key_chars"] = sum(map(len, keys)) / max(1, len(keys))
        probe = KeyProbe(app)
        out["narrow"], out["widen"] = await keystrokes(probe, screen, pilot, words)
        # The anchor: the same keystrokes with names and emails only in the keys.
        for entry in store.newest(len(store)):
            entry.summary = None
            entry._summarized()
        store.set_filter(query="x")
        store.set_filter(query="")  # the views kept for backspace are of the old keys: dropped
        keys = [store.view_at(i).search for i in range(0, store.view_size, 97)]
        out["anchor_key_chars"] = sum(map(len, keys)) / max(1, len(keys))
        out["anchor_narrow"], out["anchor_widen"] = await keystrokes(probe, screen, pilot, words)
        probe.restore()
    await app.client.aclose()
    return out


def run(quick: bool) -> list[Result]:
    count = 20_000 if quick else 100_000
    data = asyncio.run(measure(count, quick))
    ms = 1000.0
    rows_shown = f"{data['rows']:,}"
    results = []
    for kind, key in (("narrowing (one more character)", "narrow"), ("widening (backspace)", "widen")):
        keys, anchor = data[key], data[f"anchor_{key}"]
        ratio = median(keys) / median(anchor) if median(anchor) > 0 else float("nan")
        results.append(
            Result(
                FIGURE,
                f"filter keystroke, {kind}, subjects and first words in the key, at {rows_shown} rows "
                "(UI-thread CPU, median)",
                median(keys) * ms,
                "ms",
                30.0 if key == "narrow" else None,
                note=(
                    f"{len(keys)} keystrokes; p95 {percentile(keys, 95) * ms:.1f} ms,"
                    f" worst {max(keys) * ms:.1f} ms; anchor (names and emails only, same process)"
                    f" {median(anchor) * ms:.1f} ms: {ratio:.2f}x;"
                    f" key {data['key_chars']:.0f} chars a row vs {data['anchor_key_chars']:.0f}"
                ),
                samples=keys,
            )
        )
    return results


if __name__ == "__main__":
    figure_main(run)
