"""What the app knows and owes, without Textual: the store, sync, threads and read marks.

Sits between ``api`` (talking to lemlist) and ``ui`` (drawing it): the UI asks this layer
for rows and threads and tells it what the user did; this layer decides what is fetched,
what is kept on disk and what is still owed to the server.
"""
