"""Workers that resume while the app is closing must end quietly, not crash the exit.

At exit Textual removes a screen's widgets first and cancels the screen's workers only
afterwards (when the screen itself unmounts). A worker whose request finishes in that
window resumes, looks up ``#status`` or ``#list``, and gets ``NoMatches``; as a worker
error that becomes the app's exception, so quitting (or a test ending) reports a crash
for a page that arrived a few milliseconds too late. ``quiet_at_exit`` wraps such a
worker: a missing widget while the app is no longer running ends the worker; the same
error while the app runs is a real bug and is raised as before.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from textual.css.query import NoMatches

__all__ = ["quiet_at_exit"]

P = ParamSpec("P")
R = TypeVar("R")


class _Running(Protocol):
    @property
    def is_running(self) -> bool: ...


class _Node(Protocol):
    @property
    def app(self) -> _Running: ...


N = TypeVar("N", bound=_Node)


def quiet_at_exit(
    method: Callable[Concatenate[N, P], Awaitable[R]],
) -> Callable[Concatenate[N, P], Awaitable[R | None]]:
    """Let ``method`` (an async worker body) end with ``None`` if its widgets went away at exit."""

    @functools.wraps(method)
    async def run(node: N, /, *args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return await method(node, *args, **kwargs)
        except NoMatches:
            if node.app.is_running:
                raise
            return None

    return run
