"""Checking a base URL before anything is sent to it.

A typo in ``--base-url`` should be a usage error at once, naming what is wrong, not a
"cannot reach" after retries or an httpx exception name. And a key sent over plain
HTTP to another machine travels in clear, which deserves a warning (loopback is fine:
the demo stand-in and local proxies live there).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

#: One DNS label: letters, digits and inner hyphens (IDNA names are checked encoded).
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.IGNORECASE)


class BaseUrlError(ValueError):
    """The URL cannot be used; the message says why."""


def _valid_hostname(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    if len(ascii_host) > 253:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return all(_LABEL.fullmatch(label) for label in labels)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash, or ``BaseUrlError`` saying what is wrong with it."""
    text = url.strip()
    shown = repr(text) if text.isprintable() else ascii(text)
    if not text:
        raise BaseUrlError("the base URL is empty")
    if not text.isprintable() or any(c.isspace() for c in text):
        raise BaseUrlError(f"the base URL {shown} holds spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Port could not be cast..."
        raise BaseUrlError(f"the base URL {shown} has an invalid port ({str(exc).lower()})") from None
    if parts.scheme not in ("http", "https"):
        if "://" not in text:
            raise BaseUrlError(
                f"the base URL {shown} is not a URL: expected e.g. https://api.lemlist.com/api"
            )
        raise BaseUrlError(
            f"the base URL {shown} must start with https:// (or http://), not {parts.scheme}://"
        )
    if parts.username is not None or parts.password is not None:
        raise BaseUrlError("the base URL must not hold a user name or password: the key is sent by us")
    host = parts.hostname or ""
    if not host:
        raise BaseUrlError(f"the base URL {shown} has no host")
    if not (_is_ip(host) or _valid_hostname(host)):
        raise BaseUrlError(f"the base URL {shown} has an invalid host {host!r}")
    if port == 0:
        raise BaseUrlError(f"the base URL {shown} has an invalid port (0)")
    if parts.query or parts.fragment:
        raise BaseUrlError(f"the base URL {shown} must not have a ?query or #fragment")
    return text.rstrip("/")


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (where a plain-HTTP key never leaves the machine)."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cleartext_warning(url: str) -> str | None:
    """A warning when ``url`` would send the key in clear to another machine, else None."""
    parts = urlsplit(url)
    if parts.scheme != "http" or is_loopback(parts.hostname or ""):
        return None
    return (
        f"the base URL {url} is plain http:// to another machine: "
        "the API key would travel in clear (use https://)"
    )
