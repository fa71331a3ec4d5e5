"""Attachment downloads over loopback HTTP against the stand-in's file route: streamed with
progress, capped (announced and received), never overwriting, names made safe, cancellable,
and the API key only ever sent to the API's own origin."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from api_helpers import SECRET_KEY

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.api.download import (
    DownloadError,
    DownloadProgress,
    DownloadTooLarge,
    resolve_url,
    same_origin,
)
from lemlist_inbox.demo import DemoServer
from lemlist_inbox.demo.files import DemoFile

MB = 1_000_000


@pytest.fixture
def server() -> DemoServer:
    with DemoServer(conversations=5, api_key=SECRET_KEY) as running:
        yield running


@pytest.fixture
async def client(server: DemoServer) -> LemlistClient:
    async with LemlistClient(SECRET_KEY, base_url=server.base_url, max_retries=0) as api:
        yield api


def content_of(file: DemoFile) -> bytes:
    return b"".join(file.chunks())


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_download_streams_with_progress_into_the_folder(
    server: DemoServer, client: LemlistClient, tmp_path: Path
) -> None:
    file = DemoFile("fil_report", 300_000, "application/pdf")
    server.files.add(file)
    seen: list[DownloadProgress] = []
    folder = tmp_path / "Downloads"  # created when missing
    path = await client.download(
        "/files/fil_report", folder, "Report 2025.pdf", max_bytes=MB, on_progress=seen.append
    )
    assert path == folder / "Report 2025.pdf"
    assert path.read_bytes() == content_of(file)
    assert files_in(folder) == ["Report 2025.pdf"]  # no temporary file left
    assert seen[0] == DownloadProgress(0, 300_000) and seen[-1] == DownloadProgress(300_000, 300_000)
    assert len(seen) > 2 and [p.received for p in seen] == sorted(p.received for p in seen)
    (record,) = server.requests("/files/")
    assert record.status == 200 and record.authorized  # the API's own host: the key goes


async def test_a_dot_dot_name_is_refused_as_a_path(
    server: DemoServer, client: LemlistClient, tmp_path: Path
) -> None:
    server.files.add(DemoFile("fil_evil", 1_000))
    folder = tmp_path / "dl"
    for name in ("../../evil.sh", "..\\..\\evil.sh", "/tmp/evil.sh", "../"):
        path = await client.download("/files/fil_evil", folder, name, max_bytes=MB)
        assert path.parent == folder and ".." not in path.name and "/" not in path.name
    assert files_in(folder) == ["attachment", "evil (1).sh", "evil (2).sh", "evil.sh"]
    assert files_in(tmp_path) == ["dl"]  # nothing written above the folder


async def test_never_overwrites(server: DemoServer, client: LemlistClient, tmp_path: Path) -> None:
    server.files.add(DemoFile("fil_a", 5_000))
    (tmp_path / "a.pdf").write_bytes(b"mine")
    first = await client.download("/files/fil_a", tmp_path, "a.pdf", max_bytes=MB)
    second = await client.download("/files/fil_a", tmp_path, "a.pdf", max_bytes=MB)
    assert (first.name, second.name) == ("a (1).pdf", "a (2).pdf")
    assert (tmp_path / "a.pdf").read_bytes() == b"mine"


async def test_refused_before_reading_when_the_announced_size_is_over_the_cap(
    server: DemoServer, client: LemlistClient, tmp_path: Path
) -> None:
    server.files.add(DemoFile("fil_big", 2 * MB))
    with pytest.raises(DownloadTooLarge, match=r"big\.zip is 2\.0 MB, over the 1 MB limit"):
        await client.download("/files/fil_big", tmp_path, "big.zip", max_bytes=MB)
    assert files_in(tmp_path) == []


async def test_the_cap_holds_on_bytes_received_when_no_size_is_announced(
    server: DemoServer, client: LemlistClient, tmp_path: Path
) -> None:
    server.files.add(DemoFile("fil_unsaid", 3 * MB, declared="none"))
    with pytest.raises(DownloadTooLarge, match="more than the server announced"):
        await client.download("/files/fil_unsaid", tmp_path, "x.bin", max_bytes=MB)
    assert files_in(tmp_path) == []


async def test_a_lying_small_length_writes_no_more_than_it_said(
    server: DemoServer, client: LemlistClient, tmp_path: Path
) -> None:
    file = DemoFile("fil_liar", 3 * MB, declared=1_000)
    server.files.add(file)
    path = await client.download("/files/fil_liar", tmp_path, "x.bin", max_bytes=2_000)
    assert path.read_bytes() == content_of(file)[:1_000]


async def test_a_lying_large_length_is_refused(
    server: DemoServer, client: LemlistClient, tmp_path: Path
) -> None:
    server.files.add(DemoFile("fil_claims", 10_000, declared=10**12))
    with pytest.raises(DownloadTooLarge):
        await client.download("/files/fil_claims", tmp_path, "x.bin", max_bytes=MB)
    assert files_in(tmp_path) == []


async def test_the_key_never_goes_to_another_host(
    server: DemoServer, client: LemlistClient, tmp_path: Path
) -> None:
    server.files.add(DemoFile("fil_elsewhere", 2_000))
    elsewhere = f"http://localhost:{server.port}/files/fil_elsewhere"  # another host name
    assert not same_origin(elsewhere, server.base_url)
    path = await client.download(elsewhere, tmp_path, "x.bin", max_bytes=MB)
    assert path.stat().st_size == 2_000
    (record,) = server.requests("/files/")
    assert not record.authorized


async def test_cancel_leaves_nothing(server: DemoServer, client: LemlistClient, tmp_path: Path) -> None:
    server.files.add(DemoFile("fil_slow", 2 * MB))
    server.files.chunk_delay = 0.05
    started = asyncio.Event()

    def progress(step: DownloadProgress) -> None:
        if step.received:
            started.set()

    task = asyncio.create_task(
        client.download("/files/fil_slow", tmp_path, "s.bin", max_bytes=5 * MB, on_progress=progress)
    )
    await asyncio.wait_for(started.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert files_in(tmp_path) == []


async def test_errors_are_one_line(server: DemoServer, client: LemlistClient, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"^127\.0\.0\.1 answered 404 Not Found$"):
        await client.download("/files/fil_missing", tmp_path, "x", max_bytes=MB)
    with pytest.raises(DownloadError, match="not an http"):
        await client.download("javascript:alert(1)", tmp_path, "x", max_bytes=MB)
    assert files_in(tmp_path) == []


def test_resolve_url() -> None:
    base = "https://api.lemlist.com/api"
    assert resolve_url("/files/x", base) == "https://api.lemlist.com/files/x"
    assert resolve_url("https://cdn.example/x", base) == "https://cdn.example/x"
    assert resolve_url("//cdn.example/x", base) is None
    assert resolve_url("ftp://x/y", base) is None
    assert resolve_url("", base) is None
    assert same_origin("https://api.lemlist.com:443/files/x", base)
    assert not same_origin("http://api.lemlist.com/files/x", base)
    assert not same_origin("https://api.lemlist.com.evil.example/x", base)


async def test_redirects_are_followed_with_the_key_only_on_the_api_origin(tmp_path: Path) -> None:
    import httpx

    seen: list[tuple[str, bool]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append((f"{request.url.host}{request.url.path}", "authorization" in request.headers))
        if request.url.host == "api.lemlist.com":
            return httpx.Response(302, headers={"Location": "https://storage.example/signed/x?sig=1"})
        return httpx.Response(200, content=b"file body")

    async with LemlistClient(
        SECRET_KEY, base_url="https://api.lemlist.com/api", transport=httpx.MockTransport(handle)
    ) as api:
        path = await api.download("/files/x", tmp_path, "x.txt", max_bytes=MB)
    assert path.read_bytes() == b"file body"
    assert seen == [("api.lemlist.com/files/x", True), ("storage.example/signed/x", False)]


async def test_a_compressed_body_is_capped_on_what_it_expands_to(tmp_path: Path) -> None:
    import gzip

    import httpx

    bomb = gzip.compress(b"\0" * (5 * MB))  # a few kB on the wire

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})

    async with LemlistClient(
        SECRET_KEY, base_url="https://api.lemlist.com/api", transport=httpx.MockTransport(handle)
    ) as api:
        assert len(bomb) < MB
        with pytest.raises(DownloadTooLarge):
            await api.download("https://cdn.example/bomb", tmp_path, "bomb.bin", max_bytes=MB)
    assert files_in(tmp_path) == []


async def test_endless_redirects_stop(tmp_path: Path) -> None:
    import httpx

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": str(request.url) + "x"})

    async with LemlistClient(
        SECRET_KEY, base_url="https://api.lemlist.com/api", transport=httpx.MockTransport(handle)
    ) as api:
        with pytest.raises(DownloadError, match="more than 5 redirects"):
            await api.download("https://cdn.example/a", tmp_path, "a", max_bytes=MB)
