"""TLS failures say what failed, not "operation not permitted" (the errno of every SSL error)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run_cli
from lemlist_inbox.demo import DemoServer

KEY = "tls-cli-key-0c4d1e"


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client refusing our certificate is the point


@pytest.fixture(scope="module")
def self_signed_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd = _Quiet(("127.0.0.1", 0), BaseHTTPRequestHandler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}/api"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _users(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"LEMLIST_API_KEY": KEY, "LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml")}
    return run_cli("--base-url", url, "users", env=env)


def test_self_signed_certificate_says_certificate_not_trusted(self_signed_url: str, tmp_path: Path) -> None:
    result = _users(self_signed_url, tmp_path)
    assert result.returncode == 1
    assert "TLS: certificate not trusted (self-signed or unknown issuer)" in result.stderr
    assert "127.0.0.1" in result.stderr
    assert "operation not permitted" not in result.stderr and "Traceback" not in result.stderr


def test_https_to_a_plain_http_port_says_wrong_protocol(tmp_path: Path) -> None:
    with DemoServer(api_key=KEY, conversations=5) as server:
        url = server.base_url.replace("http://", "https://")
        result = _users(url, tmp_path)
    assert result.returncode == 1
    assert "TLS: wrong protocol" in result.stderr and "http://" in result.stderr
    assert "operation not permitted" not in result.stderr and "Traceback" not in result.stderr
