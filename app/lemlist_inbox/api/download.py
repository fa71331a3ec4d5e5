"""Downloading an attachment: streamed to disk, size-capped, never overwriting, no key leaked.

What a careful mail client does with a file from a stranger:

- **Capped.** A ``Content-Length`` over the cap is refused before a byte is read; and as
  the length can be absent or false, the bytes actually received are counted too: past
  the cap the download stops and nothing is kept.
- **Streamed** into a temporary file (``.<random>.part``) in the download folder, then
  given its final name only once complete, so a cut connection, a cancel (Esc) or a full
  disk never leaves a half file under the real name.
- **Never overwriting**: the final name is taken with ``os.link`` (which fails if the name
  exists, atomically), trying ``name (1).ext``, ``name (2).ext``... The name itself comes
  from ``api.filenames.safe_filename``: one plain file inside the folder, whatever the
  sender wrote.
- **The API key goes to the API only**: the Basic auth is sent when the file's URL has the
  scheme, host and port of the configured base URL, to no one else, and redirects are
  followed one by one with the same rule (a redirect from the API to a storage host gets
  no key).

No Textual: progress goes to a callback (the UI posts it to the screen).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.api.filenames import numbered, safe_filename
from lemlist_inbox.api.retry import clean_text, network_error

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DownloadError",
    "DownloadProgress",
    "DownloadTooLarge",
    "download",
    "resolve_url",
    "same_origin",
]

DEFAULT_MAX_BYTES = 50 * 1000 * 1000
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
#: How many " (n)" names are tried before giving up.
MAX_NUMBERED = 999


class DownloadError(LemlistError):
    """The file could not be downloaded; the message says why, in one line."""


class DownloadTooLarge(DownloadError):
    """The file is (or turned out to be) over the size cap."""


@dataclass(frozen=True)
class DownloadProgress:
    """Bytes written so far, and the size announced (None when the server did not say)."""

    received: int
    total: int | None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


def same_origin(url: str | httpx.URL, base_url: str) -> bool:
    """Whether ``url`` is on the API's own scheme, host and port (the only place the key goes)."""
    try:
        return _origin(httpx.URL(url)) == _origin(httpx.URL(base_url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return False


def resolve_url(url: str, base_url: str) -> str | None:
    """An attachment URL made absolute (a relative one is on the API's host), or None when it
    is not an http(s) URL with a host."""
    text = (url or "").strip()
    if not text:
        return None
    if text.startswith("/") and not text.startswith("//"):
        text = urljoin(base_url, text)
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return text


def _limit_text(max_bytes: int) -> str:
    return f"{max_bytes / 1_000_000:g} MB"


def _declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() and len(value) < 20 else None


def _place(temporary: Path, folder: Path, name: str) -> Path:
    """Give the finished file its name: the first of ``name``, ``name (1)``... not taken."""
    for number in range(MAX_NUMBERED + 1):
        candidate = folder / numbered(name, number)
        try:
            os.link(temporary, candidate)  # fails if the name exists: never overwrites
        except FileExistsError:
            continue
        except OSError:
            # A file system without hard links (FAT, some network shares): reserve the
            # name exclusively, then move the finished file onto our own reservation.
            try:
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0))
            except FileExistsError:
                continue
            os.close(fd)
            os.replace(temporary, candidate)
            return candidate
        temporary.unlink()
        return candidate
    raise DownloadError(f"{name}: {MAX_NUMBERED + 1} files of that name already in {folder}")


async def download(
    http: httpx.AsyncClient,
    url: str,
    folder: Path,
    name: str,
    *,
    base_url: str,
    auth: httpx.Auth | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_progress: Callable[[DownloadProgress], None] = lambda _progress: None,
    timeout: float = 30.0,
) -> Path:
    """Download ``url`` into ``folder`` as ``safe_filename(name)``; the path written.

    ``auth`` is used only for URLs on ``base_url``'s origin. Raises ``DownloadTooLarge``
    over ``max_bytes`` and ``DownloadError`` for anything else; on any failure or
    cancellation nothing is left in the folder.
    """
    target = resolve_url(url, base_url)
    if target is None:
        raise DownloadError("not an http(s) link")
    final_name = safe_filename(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create {folder}: {exc.strerror or exc}") from None
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            request = http.build_request(
                "GET",
                target,
                headers={"Accept": "*/*", "Accept-Encoding": "identity"},
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            )
        except (httpx.InvalidURL, ValueError):
            raise DownloadError("not a valid URL") from None
        host = request.url.host
        try:
            response = await http.send(
                request, auth=auth if same_origin(request.url, base_url) else None, stream=True
            )
        except httpx.HTTPError as exc:
            raise DownloadError(str(network_error(exc, host=host, timeout=timeout))) from None
        try:
            if response.is_redirect:
                location = response.headers.get("Location", "")
                next_url = resolve_url(urljoin(str(request.url), location), base_url) if location else None
                if next_url is None:
                    raise DownloadError(f"{host} redirected to something that is not an http(s) link")
                target = next_url
                continue
            if response.status_code != 200:
                reason = clean_text(response.reason_phrase or "", 60)
                raise DownloadError(f"{host} answered {response.status_code} {reason}".rstrip())
            return await _save(response, folder, final_name, max_bytes, on_progress, host, timeout)
        finally:
            await response.aclose()
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects")


async def _save(
    response: httpx.Response,
    folder: Path,
    name: str,
    max_bytes: int,
    on_progress: Callable[[DownloadProgress], None],
    host: str,
    timeout: float,
) -> Path:
    declared = _declared_length(response)
    if declared is not None and declared > max_bytes:
        raise DownloadTooLarge(
            f"{name} is {declared / 1_000_000:.1f} MB, over the {_limit_text(max_bytes)} limit "
            "(download_max_mb); not downloaded"
        )
    try:
        fd, temporary_name = tempfile.mkstemp(prefix=".lemlist-inbox-", suffix=".part", dir=folder)
    except OSError as exc:
        raise DownloadError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    temporary = Path(temporary_name)
    received = 0
    try:
        with os.fdopen(fd, "wb") as out:
            on_progress(DownloadProgress(0, declared))
            try:
                # Decoded bytes are what is counted: a compressed body cannot slip past the cap.
                async for chunk in response.aiter_bytes(CHUNK):
                    received += len(chunk)
                    if received > max_bytes:
                        raise DownloadTooLarge(
                            f"{name}: over the {_limit_text(max_bytes)} limit (download_max_mb) after "
                            f"{received / 1_000_000:.1f} MB received, more than the server announced; "
                            "stopped, nothing kept"
                        )
                    out.write(chunk)
                    on_progress(DownloadProgress(received, declared))
            except httpx.HTTPError as exc:
                raise DownloadError(str(network_error(exc, host=host, timeout=timeout))) from None
        return _place(temporary, folder, name)
    except OSError as exc:
        raise DownloadError(f"cannot write {name} in {folder}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
