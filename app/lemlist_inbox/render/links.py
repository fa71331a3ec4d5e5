"""Numbered links and the "text shows another address" check.

Inline ``[text](url)`` markup makes a terminal message unreadable and hides where a link goes in
the middle of the text; instead the body shows ``my lemcal [1]`` and the real target is listed
below the message. Phishing mail shows one address and links to another, so a link whose visible
text looks like a URL, domain or e-mail address that is not its real target is flagged.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from lemlist_inbox.render.body import Link
from lemlist_inbox.render.sanitize import sanitize_line

#: More links than this in one message are shown as text only (mass mail, hostile input).
MAX_LINKS = 500
_TARGET_MAX = 4000

# TLDs accepted for scheme-less text ("paypal.com"); other words with a dot ("Node.js") are not
# taken for domains unless written with a scheme or "www.".
_COMMON_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "io",
        "co",
        "fr",
        "de",
        "uk",
        "us",
        "eu",
        "info",
        "biz",
        "me",
        "app",
        "dev",
        "ai",
        "ly",
        "gl",
        "be",
        "ch",
        "es",
        "it",
        "nl",
        "ru",
        "cn",
        "jp",
        "br",
        "in",
        "ca",
        "au",
        "pl",
        "se",
        "no",
        "dk",
        "fi",
        "pt",
        "at",
        "cz",
        "gr",
        "ie",
        "il",
        "ro",
        "hu",
        "tv",
        "cc",
        "xyz",
        "site",
        "online",
        "shop",
        "link",
        "click",
        "top",
        "live",
        "email",
        "cloud",
        "tech",
        "store",
        "gov",
        "edu",
        "mil",
        "int",
    ]
)
_URLISH = re.compile(
    r"""^(?P<scheme>[a-z][a-z0-9+.-]{0,15}://)?
        (?:[^\s/@:]{1,64}(?::[^\s/@]{0,64})?@)?
        (?P<host>(?:[\w-]{1,63}\.){1,10}(?P<tld>[^\W\d_]{2,63}|xn--[\w-]{1,59}))\.?
        (?::\d{1,5})?
        (?:[/?#]\S*)?$""",
    re.VERBOSE | re.IGNORECASE,
)
_EMAILISH = re.compile(r"^(?:mailto:)?([^\s@<>()]{1,64}@[\w.-]{1,253}\.[^\W\d_]{2,63})$", re.IGNORECASE)
_DANGEROUS_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})


def _norm_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _same_site(shown: str, real: str) -> bool:
    """A shown host matches when it is the real host, a parent domain of it or a subdomain."""
    return shown == real or real.endswith("." + shown) or shown.endswith("." + real)


def mailto_address(target: str) -> str:
    """The address of a ``mailto:`` target, without query (``?subject=``) or percent-escapes."""
    return unquote(target[7:].split("?", 1)[0]).strip()


_TRACKER_HOSTS = ("lemlst.org", "lemlist.com")


def tracked_destination(target: str) -> str | None:
    """Where one of lemlist's own click trackers (``…/track/click/…?u=URL``) forwards to.

    Campaign mail sent by the team has its links wrapped this way; comparing the shown text with
    the tracker's host would flag every one of them. Only lemlist's trackers are unwrapped: an
    unknown redirector is exactly what a phishing link looks like.
    """
    try:
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if "/track/click/" not in parts.path or not any(
        host == known or host.endswith("." + known) for known in _TRACKER_HOSTS
    ):
        return None
    inner = parse_qs(parts.query).get("u")
    return inner[0] if inner else None


def suspicious_reason(text: str, target: str) -> str | None:
    """Why a link with visible ``text`` and real ``target`` may mislead, or None."""
    scheme = target.split(":", 1)[0].strip().lower() if ":" in target else ""
    if scheme in _DANGEROUS_SCHEMES:
        return f"{scheme}: link"
    shown = text.strip().strip("<>()[]\"'").strip()
    if not shown or " " in shown:
        return None  # words, not an address: nothing to compare (the common case, kept cheap)
    destination = tracked_destination(target) or target
    try:
        real_host = _norm_host(urlsplit(destination).hostname or "")
    except ValueError:
        real_host = ""
    email = _EMAILISH.match(shown)
    if email:
        shown_address = email.group(1).lower()
        if scheme == "mailto" and mailto_address(target).lower() == shown_address:
            return None
        return f"text shows {email.group(1)}"
    match = _URLISH.match(shown)
    if not match:
        return None
    if not match.group("scheme") and not shown.lower().startswith("www."):
        tld = match.group("tld").lower()
        if tld not in _COMMON_TLDS and not tld.startswith("xn--"):
            return None
    shown_host = _norm_host(match.group("host"))
    if real_host and _same_site(shown_host, real_host):
        return None
    return f"text shows {shown_host}"


class LinkTable:
    """Collects the links of one message in order, one number per distinct target."""

    def __init__(self) -> None:
        self._by_target: dict[str, int] = {}
        self._links: list[Link] = []

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(self._links)

    def add(self, href: str | None, text: str, *, quoted: bool = False) -> str:
        """Register a link; return what to print after its visible text (`` [3]``, or nothing).

        Internal anchors (``#top``) and empty targets are not links a reader can follow. A mailto
        link whose text is its address needs no number; one with no text shows the address.
        """
        target = sanitize_line(href or "", limit=_TARGET_MAX)
        label = sanitize_line(text, limit=200)
        if not target or target.startswith("#"):
            return ""
        reason = suspicious_reason(label, target)
        if target.lower().startswith("mailto:") and reason is None:
            address = mailto_address(target)
            if not label:
                return sanitize_line(address)
            if label.lower() == address.lower():
                return ""
        number = self._by_target.get(target)
        if number is None:
            if len(self._links) >= MAX_LINKS:
                return ""
            number = len(self._links) + 1
            self._by_target[target] = number
            self._links.append(Link(number, label, target, reason is not None, reason or "", quoted))
        elif reason is not None and not self._links[number - 1].suspicious:
            old = self._links[number - 1]
            self._links[number - 1] = Link(number, label, target, True, reason, old.quoted)
        return f" [{number}]" if label else f"[{number}]"
