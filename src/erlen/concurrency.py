"""Running async code from sync code (async views and hooks under WSGI).

Each thread keeps one event loop and reuses it, so calling an ``async def`` view from
a WSGI worker costs one ``run_until_complete`` — no new loop per call and no thread
hop (asgiref's ``async_to_sync`` starts a loop in another thread each time).  Under
ASGI the adapter replaces this with a native ``await`` on the server's loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import typing as t

__all__ = ["run_coroutine_sync", "set_coroutine_runner"]

_local = threading.local()
T = t.TypeVar("T")

#: Set by the ASGI adapter while a request runs on its event loop.
_runner: contextvars.ContextVar[t.Callable[[t.Awaitable[t.Any]], t.Any] | None] = (
    contextvars.ContextVar("erlen.coroutine_runner", default=None)
)


def set_coroutine_runner(
    runner: t.Callable[[t.Awaitable[t.Any]], t.Any] | None,
) -> contextvars.Token[t.Any]:
    """Make :func:`run_coroutine_sync` use *runner* in the current context."""
    return _runner.set(runner)


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


def run_coroutine_sync(coro: t.Coroutine[t.Any, t.Any, T]) -> T:
    """Run *coro* to completion and return its result, from synchronous code.

    The current context (``request``, ``g``...) is visible inside the coroutine.
    """
    runner = _runner.get()
    if runner is not None:
        return runner(coro)  # type: ignore[no-any-return]
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise RuntimeError(
            "An async view or hook was called from code already running on an event"
            " loop without erlen's ASGI adapter. Serve the app with 'app.asgi'"
            " (e.g. 'uvicorn module:app.asgi') to run async views natively."
        )
    # The task runs in a copy of the current context, so request, g and the session
    # are visible inside the coroutine.
    return _thread_loop().run_until_complete(coro)
