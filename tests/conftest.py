"""Suite-wide: the secret scan (see ``secret_scan``); nothing else belongs here."""

from secret_scan import pytest_configure

__all__ = ["pytest_configure"]
