"""The Textual UI: ``InboxApp`` in ``ui.app``; pure logic (store, format, loader) beside it."""
