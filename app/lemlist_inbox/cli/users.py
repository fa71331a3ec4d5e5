"""``lemlist-inbox users``: the team's users, to pick a ``--user-id`` from."""

from __future__ import annotations

from lemlist_inbox.cli.session import Session
from lemlist_inbox.render.sanitize import sanitize_line

EXIT_OK = 0


async def cmd_users(session: Session) -> int:
    """Tab-separated: user id, name, email, role (``-`` for a missing one), all cleaned."""
    users = await session.client.team_users()
    rows = []
    for user in users:
        fields = (user.user_id, user.name, user.email, user.role)
        rows.append("\t".join(sanitize_line(field, 200) or "-" for field in fields))
    session.out.lines(rows)
    return EXIT_OK
