"""An attachment as the pickers show it: clean name, size, type and where it lives.

Every string has been through ``sanitize_line`` (the name and type are shown, the URL is
shown and, once checked by ``render.hyperlinks`` or the download code, followed). The URL
stays as the server gave it (a relative one included); resolving it is the caller's job,
which knows the API's base URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from lemlist_inbox.api.models import Attachment
from lemlist_inbox.render.sanitize import sanitize_line

__all__ = ["AttachmentInfo", "attachment_info"]

#: A URL longer than this is not kept (no honest file URL is this long).
MAX_ATTACHMENT_URL = 4000


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment: ``name`` to show (and to start a file name from), ``size`` in bytes
    when known, ``media_type`` ("" when unknown) and ``url`` ("" when the API gave none)."""

    name: str
    size: int | None
    media_type: str
    url: str


def attachment_info(attachment: Attachment) -> AttachmentInfo:
    name = sanitize_line(attachment.display_name, limit=300) or "(unnamed attachment)"
    url = attachment.url if isinstance(attachment.url, str) else ""
    clean_url = sanitize_line(url, limit=MAX_ATTACHMENT_URL + 1)
    if clean_url != url.strip() or len(clean_url) > MAX_ATTACHMENT_URL:
        clean_url = ""  # a URL with controls or cut to fit is not one to follow
    return AttachmentInfo(
        name=name,
        size=attachment.byte_size,
        media_type=sanitize_line(attachment.media_type, limit=100),
        url=clean_url,
    )
