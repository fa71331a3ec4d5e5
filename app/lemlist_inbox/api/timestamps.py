"""API timestamps to aware datetimes, without the pydantic models.

Paging needs it to follow conversations bumped during a load; keeping it out of
``models`` lets the client send its first requests before pydantic is imported
(see ``api.client.load_models``).

A server may send any year ``datetime`` can parse, 0001 to 9999, with any offset. An
instant within a day of either end cannot be shown in every time zone:
``astimezone`` raises ``OverflowError`` for ``9999-12-31T23:00Z`` east of UTC and for
``0001-01-01T00:00+05:00`` anywhere. So ``parse_time`` returns only instants that
every zone can show, normalised to UTC (so comparing and sorting go by the instant,
whatever offset each string carried), and None for the rest: callers show "-" for
None and sort it last, and never need to guard a conversion themselves.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

#: Instants every time zone can represent: a day inside ``datetime``'s range.
EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def parse_time(value: object) -> datetime | None:
    """An API timestamp (ISO 8601, usually with ``Z``) as an aware UTC datetime, or None.

    None when it is missing, not a timestamp, or too close to year 1 or 9999 to be
    shown in every time zone (see the module docstring). A time without an offset is
    taken as UTC, as lemlist writes them.
    """
    if not value or not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        instant = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not EARLIEST <= instant <= LATEST:
        return None
    return instant


def instant_key(value: object) -> float:
    """Seconds since the epoch for sorting by instant; ``-inf`` when there is none.

    Newest first is ``sorted(..., key=lambda v: -instant_key(v))``; a missing or
    unshowable time sorts after every real one.
    """
    when = parse_time(value)
    return when.timestamp() if when is not None else -math.inf
