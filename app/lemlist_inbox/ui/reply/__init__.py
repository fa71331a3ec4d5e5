"""Replying from the TUI: the editor, the review screen, the outbox screen, drafts.

``flow`` runs one reply from ``R`` to a decision (send, postpone, discard): it opens the
user's editor (``editor``) or the in-app one (``internal_editor``), reads the text back
with ``inbox.compose.parse_reply``, and shows ``review.ReviewScreen``, where nothing is
sent without an explicit ``y``. ``backend`` is the UI's one door to the reply service
(``inbox.replies``): every send goes through the outbox first. ``outbox_screen`` lists
what waits (``O``).
"""
