"""Allows ``python -m lemlist_inbox``."""

from lemlist_inbox.cli import main

raise SystemExit(main())
