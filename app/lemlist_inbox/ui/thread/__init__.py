"""The thread pane and the pure pieces it is drawn from.

``view`` is the widget (``ThreadView``); ``style`` holds glyphs, the ASCII fallback and
component styles; ``wrap`` turns styled text into screen lines; ``layout`` turns messages
into a ``ThreadLayout`` and does the reading-position arithmetic; ``cache`` keeps rendered
threads and wrapped layouts; ``errors`` words the error line; ``marking`` tracks the read
marks in flight; ``find_bar`` is the ``/`` box that searches the open thread. The list
side mirrors it in ``ui.widgets.conversation_list``.
"""
