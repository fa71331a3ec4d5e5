"""lemlist-inbox: a keyboard-driven terminal reader for lemlist's Inbox API."""

__version__ = "0.1.0"
