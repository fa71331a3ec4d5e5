"""API timestamps to aware datetimes, without the pydantic models.

Paging needs it to follow conversations bumped during a load; keeping it out of
``models`` lets the client send its first requests before pydantic is imported
(see ``api.client.load_models``).
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(value: str | None) -> datetime | None:
    """Parse an API timestamp (ISO 8601, usually with ``Z``) to an aware datetime."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
