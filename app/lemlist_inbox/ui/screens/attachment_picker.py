"""``A``: the open thread's attachments, to download, open or copy the URL of one.

Each entry: number, name, size (when the API gave one), type, and the message it came
with. ``d`` (or Enter) downloads it into the download folder (``download_dir``, else the
platform's Downloads) in a worker, with its progress on the status line; the UI stays
live, Esc cancels it (and leaves nothing behind: ``api.download``); a second Esc closes.
``o`` opens the URL as a link would be (browser or clipboard, ``ui.opener``), ``y``
copies it. An attachment without a usable URL can only be listed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.worker import Worker, WorkerState

from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.render import human_size, sanitize_line
from lemlist_inbox.ui.charset import chrome
from lemlist_inbox.ui.clipboard import copy_text
from lemlist_inbox.ui.opener import open_or_copy
from lemlist_inbox.ui.picker_items import AttachmentItem
from lemlist_inbox.ui.screens.numbered_picker import NumberedPicker

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.api.download import DownloadProgress

__all__ = ["AttachmentPicker", "attachment_entry", "progress_text"]

#: Progress is redrawn at most this often (a fast download calls back every 64 kB).
PROGRESS_EVERY = 0.1
#: Characters of a MIME type shown (the rest is cut).
MEDIA_TYPE_SHOWN = 40


def attachment_entry(item: AttachmentItem) -> Content:
    """``1  name`` then ``size · type · message n`` (and why it cannot be fetched, if so)."""
    info = item.info
    kind = info.media_type
    if len(kind) > MEDIA_TYPE_SHOWN:  # application/vnd.openxmlformats-officedocument...
        kind = kind[: MEDIA_TYPE_SHOWN - 1] + chrome().ellipsis
    details = [part for part in (human_size(info.size), kind, f"message {item.message}") if part]
    parts: list[str | tuple[str, str]] = [
        (f"{item.index:>2}  ", "bold"),
        (info.name, "bold"),
        "\n    ",
        (chrome().separator.join(details), "italic"),
    ]
    if item.url is None:
        parts.extend(("\n    ", ("no URL to download it from", "italic")))
    return Content.assemble(*parts)


def progress_text(name: str, step: DownloadProgress) -> str:
    done = human_size(step.received) or "0 B"
    if step.total:
        percent = min(100, step.received * 100 // step.total)
        return f"downloading {name}: {done} of {human_size(step.total)} ({percent}%) · Esc cancels"
    return f"downloading {name}: {done} · Esc cancels"


class AttachmentPicker(NumberedPicker):
    """The open thread's attachments; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "download", "Download"),
        Binding("o", "open", "Open"),
        Binding("y", "copy", "Copy URL"),
    ]

    def __init__(
        self,
        items: list[AttachmentItem],
        *,
        connect: Callable[[], Awaitable[LemlistClient]],
        folder: Path,
        max_bytes: int,
        offline: bool = False,
        env: Mapping[str, str] | None = None,
        browser: Callable[[str], bool] | None = None,
    ) -> None:
        count = len(items)
        where = sanitize_line(str(folder), 200)
        hint = chrome().separator.join(
            (f"d/Enter downloads to {where}", "o opens", "y copies the URL", "Esc closes")
        )
        super().__init__(f"Attachments ({count})", hint)
        self.items = items
        self._connect = connect
        self.folder = folder
        self.max_bytes = max_bytes
        self._offline = offline
        self._env = env
        self._browser = browser
        self._download: Worker[Path | None] | None = None
        self._drawn = 0.0
        #: Where each finished download went (tests, and the status line).
        self.saved: list[Path] = []

    def on_mount(self) -> None:
        super().on_mount()
        self.set_entries([attachment_entry(item) for item in self.items])

    def _current(self) -> AttachmentItem | None:
        index = self.highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    @property
    def downloading(self) -> bool:
        return self._download is not None and self._download.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_download()

    def action_download(self) -> None:
        item = self._current()
        if item is None:
            return
        if item.url is None:
            self.set_status(f"{item.info.name}: no URL to download it from", error=True)
            return
        if self._offline:
            self.set_status("offline (--offline): nothing is downloaded", error=True)
            return
        if self.downloading:
            self.set_status("a download is running; Esc cancels it", error=True)
            return
        size = item.info.size
        if size is not None and size > self.max_bytes:
            limit = f"{self.max_bytes / 1_000_000:g} MB"
            over = f"{item.info.name} is {human_size(size)}, over the {limit} limit (download_max_mb)"
            self.set_status(f"{over}; not downloaded", error=True)
            return
        self.set_status(f"downloading {item.info.name}{chrome().ellipsis}")
        self._download = self._fetch(item, item.url)

    @work(exclusive=True, group="download", exit_on_error=False)
    async def _fetch(self, item: AttachmentItem, url: str) -> Path | None:
        name = item.info.name
        try:
            client = await self._connect()
            path = await client.download(
                url,
                self.folder,
                name,
                max_bytes=self.max_bytes,
                on_progress=lambda step: self._progress(name, step),
            )
        except LemlistError as exc:
            self.set_status(sanitize_line(str(exc), 300), error=True)
            return None
        except Exception as exc:  # a bug must not look like a hung download: say so, no traceback
            self.set_status(f"download failed: {exc.__class__.__name__}", error=True)
            return None
        self.saved.append(path)
        size = human_size(path.stat().st_size) or ""
        message = f"saved {sanitize_line(str(path), 300)} ({size})"
        self.set_status(message)
        self.app.notify(message, timeout=6, markup=False)
        return path

    def _progress(self, name: str, step: DownloadProgress) -> None:
        now = time.monotonic()
        if now - self._drawn < PROGRESS_EVERY and step.received and step.received != step.total:
            return
        self._drawn = now
        self.set_status(progress_text(name, step).replace(" · ", chrome().separator))

    def action_open(self) -> None:
        item = self._current()
        if item is None:
            return
        if item.url is None:
            self.set_status(f"{item.info.name}: no URL to open", error=True)
            return
        open_or_copy(self.app, item.url, env=self._env, browser=self._browser)

    def action_copy(self) -> None:
        item = self._current()
        if item is None:
            return
        if item.url is None:
            self.set_status(f"{item.info.name}: no URL to copy", error=True)
            return
        copy_text(self.app, item.url, env=self._env)
        self.set_status(f"copied the URL of {item.info.name}")

    def action_close(self) -> None:
        """Esc: cancel a running download (nothing is kept), else close."""
        if self.downloading and self._download is not None:
            self._download.cancel()
            self.set_status("download cancelled; nothing kept")
            return
        super().action_close()
