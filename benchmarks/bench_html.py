"""Figure 6 - HTML -> text throughput: ``render.html_to_body`` vs plain html2text.

``html_to_body`` = sanitize + first pass (tracking pixels, hidden elements, links
numbered) + html2text configured for reading + quote split + whitespace clean-up +
sanitize again. The reference is ``html2text.html2text(html)`` with its defaults.
Target: our whole pipeline costs at most 30 % more CPU than html2text alone.

Corpora: the documented example messages (seed), the stand-in's generated emails
(realistic Gmail/Outlook HTML with quotes, signatures, pixels), and a 1 MB newsletter.
CPU time of this thread (``time.thread_time``), median of repeated passes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, figure_main, median

FIGURE = "6 html->text"
TARGET = 30.0


def corpora() -> dict[str, list[str]]:
    from lemlist_inbox.demo import Dataset
    from lemlist_inbox.demo.data import seed_documents
    from lemlist_inbox.demo.hostile import big_html

    seeds = [
        m["message"]
        for thread in seed_documents()["threads"].values()
        for m in thread
        if isinstance(m, dict) and isinstance(m.get("message"), str) and "<" in m["message"]
    ]
    dataset = Dataset(60, 7, 3, include_examples=False)
    demo = [
        m["message"]
        for conv in dataset.conversations
        for m in dataset.thread(conv["contactId"])
        if isinstance(m.get("message"), str) and "<" in m["message"]
    ]
    return {"seed messages": seeds, "demo emails": demo, "1 MB newsletter": [big_html()]}


def cpu_per_pass(convert: Callable[[str], object], messages: list[str], passes: int) -> list[float]:
    samples = []
    for _ in range(passes):
        start = time.thread_time()
        for html in messages:
            convert(html)
        samples.append(time.thread_time() - start)
    return samples


def run(quick: bool) -> list[Result]:
    import html2text

    from lemlist_inbox.render import html_to_body

    results = []
    for name, messages in corpora().items():
        passes = (3 if quick else 7) if name.startswith("1 MB") else (5 if quick else 15)
        # Warm both (lazy imports, regex compilation) before measuring.
        html_to_body(messages[0])
        html2text.html2text(messages[0])
        ours, plain, overhead = [], [], []
        for _ in range(passes):  # interleaved so drift in machine load hits both alike
            a = cpu_per_pass(html_to_body, messages, 1)[0]
            b = cpu_per_pass(html2text.html2text, messages, 1)[0]
            ours.append(a)
            plain.append(b)
            overhead.append((a / b - 1) * 100)
        size = sum(len(m) for m in messages)
        per_mb = median(ours) / (size / 1e6)
        results.append(
            Result(
                FIGURE,
                f"{name}: html_to_body over html2text",
                median(overhead),
                "%",
                TARGET,
                note=f"{len(messages)} msgs, {size / 1e3:,.0f} kB: ours {median(ours) * 1000:.1f} ms, "
                f"html2text {median(plain) * 1000:.1f} ms ({per_mb:.2f} s/MB)",
                samples=overhead,
            )
        )
    return results


if __name__ == "__main__":
    figure_main(run)
