"""Running async code from erlen's synchronous request lifecycle, and the reverse.

erlen's dispatch core is synchronous (it is Flask's API), yet under ASGI async views and
hooks must run natively on the server's event loop.  The ASGI adapter therefore runs
each request's lifecycle in a *greenlet* on the event-loop thread.  When that code meets
a coroutine (an ``async def`` view, ``await websocket.receive()``, reading the request
body) it drives the coroutine itself, and every time the coroutine waits for a future
the greenlet switches back to the adapter's task, which awaits the future and switches
back with the result.  The coroutine's steps run inside the request's greenlet, so its
synchronous calls (``request.form``) can wait in turn; a coroutine that never waits
costs no switch at all.  SQLAlchemy's asyncio layer uses the same technique.

Under WSGI there is no loop: each thread keeps one event loop and runs coroutines on it
(no new loop per call and no thread hop, unlike asgiref's ``async_to_sync``).

Sync views under ASGI run in a bounded thread pool with a copy of the current context,
so ``request``, ``g`` and the session work there; from those threads, coroutines are
sent back to the loop with :func:`asyncio.run_coroutine_threadsafe`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import os
import threading
import typing as t

__all__ = ["AsgiBridge", "await_sync", "run_coroutine_sync"]

T = t.TypeVar("T")
_local = threading.local()

#: The bridge of the ASGI request being handled in this context, if any.
_bridge: contextvars.ContextVar[AsgiBridge | None] = contextvars.ContextVar(
    "erlen.asgi_bridge", default=None
)

try:  # the ASGI interface needs greenlet; WSGI-only installs do not
    from greenlet import getcurrent as _getcurrent
    from greenlet import greenlet as _greenlet
except ImportError:  # pragma: no cover - greenlet is a core dependency
    _greenlet = None  # type: ignore[assignment,misc]
    _getcurrent = None  # type: ignore[assignment]


class _Wait:
    """What a request greenlet hands to its task to await: a future (or ``None`` for a
    bare yield to the event loop)."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: t.Any) -> None:
        self.awaitable = awaitable


if _greenlet is not None:

    class RequestGreenlet(_greenlet):  # type: ignore[misc,valid-type]
        """A reusable greenlet that runs requests' lifecycles under ASGI.

        Creating a greenlet costs several microseconds, switching into an existing one
        well under one, so idle ones wait in a per-thread pool for the next request.
        """

        bridge: AsgiBridge

        def __init__(self) -> None:
            super().__init__(self._serve, parent=_getcurrent())

        def _serve(self) -> None:
            job = self.parent.switch()
            while True:
                func, args = job
                try:
                    done = (func(*args), None)
                except BaseException as e:
                    done = (None, e)
                del func, args, job
                job = self.parent.switch(done)


class AsgiBridge:
    """Connects the synchronous lifecycles of ASGI requests to one event loop."""

    __slots__ = ("_idle", "executor", "loop", "thread")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, executor: concurrent.futures.Executor
    ) -> None:
        self.loop = loop
        self.executor = executor
        self.thread = threading.get_ident()
        #: Request greenlets waiting for work (a bridge serves one loop, one thread).
        self._idle: list[t.Any] = []

    async def run(self, func: t.Callable[..., T], *args: t.Any) -> T:
        """Run ``func(*args)`` in a request greenlet sharing this task's context,
        awaiting on its behalf whatever its coroutines wait for."""
        current = _getcurrent()
        idle = self._idle
        if idle:
            worker = idle.pop()
            if worker.parent is not current:
                worker.parent = current
        else:
            worker = RequestGreenlet()
            worker.bridge = self
            worker.switch()  # start it: it waits for its first job
        worker.gr_context = current.gr_context
        token = _bridge.set(self)
        try:
            result = worker.switch((func, args))
            while result.__class__ is not tuple:
                try:
                    awaitable = result.awaitable
                    if awaitable is None:
                        await asyncio.sleep(0)
                        value = None
                    else:
                        # The coroutine's own ``await`` marked the future as being
                        # waited for; clear that so this task can wait for it instead.
                        if getattr(awaitable, "_asyncio_future_blocking", False):
                            awaitable._asyncio_future_blocking = False
                        value = await awaitable
                except BaseException as e:
                    result = worker.throw(e)
                else:
                    result = worker.switch(value)
        finally:
            _bridge.reset(token)
        worker.gr_context = None
        if not worker.dead and len(idle) < 256:
            idle.append(worker)
        value, error = result
        if error is not None:
            raise error
        return value  # type: ignore[no-any-return]

    def await_sync(self, awaitable: t.Awaitable[T]) -> T:
        """Wait for *awaitable* from synchronous code of this request."""
        current = _getcurrent() if _getcurrent is not None else None
        if isinstance(current, RequestGreenlet):
            return _drive(current, awaitable)
        if threading.get_ident() != self.thread:
            return asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), self.loop).result()
        raise RuntimeError(
            "Synchronous code tried to wait for a coroutine on the event loop thread"
            " outside a request (e.g. from a background task). Await it instead."
        )

    async def run_in_thread(self, func: t.Callable[..., T], *args: t.Any, **kwargs: t.Any) -> T:
        """Run a blocking function in the thread pool with the current context."""
        context = contextvars.copy_context()
        call = functools.partial(context.run, func, *args, **kwargs)
        return await self.loop.run_in_executor(self.executor, call)


def _drive(greenlet: t.Any, awaitable: t.Awaitable[T]) -> T:
    """Run *awaitable* inside the request greenlet, handing each wait to the task."""
    coro = awaitable.__await__()
    send_value: t.Any = None
    error: BaseException | None = None
    parent = greenlet.parent
    while True:
        try:
            if error is None:
                waiting = coro.send(send_value)
            else:
                waiting = coro.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        try:
            send_value = parent.switch(_Wait(waiting))
            error = None
        except BaseException as e:
            send_value = None
            error = e


async def _as_coroutine(awaitable: t.Awaitable[T]) -> T:
    return await awaitable


def default_executor() -> concurrent.futures.ThreadPoolExecutor:
    """The bounded pool sync views run in under ASGI (``ERLEN_THREADS``, default 40)."""
    size = int(os.environ.get("ERLEN_THREADS", "40"))
    return concurrent.futures.ThreadPoolExecutor(max_workers=size, thread_name_prefix="erlen-sync")


def await_sync(awaitable: t.Awaitable[T]) -> T:
    """Wait for *awaitable* from synchronous code, under ASGI or WSGI."""
    bridge = _bridge.get()
    if bridge is not None:
        return bridge.await_sync(awaitable)
    return _run_on_thread_loop(_as_coroutine(awaitable))


def run_coroutine_sync(coro: t.Coroutine[t.Any, t.Any, T]) -> T:
    """Run *coro* to completion from synchronous code and return its result.

    Under ASGI it runs natively on the server's loop; under WSGI on this thread's loop.
    The current context (``request``, ``g``...) is visible inside the coroutine.
    """
    bridge = _bridge.get()
    if bridge is not None:
        return bridge.await_sync(coro)
    return _run_on_thread_loop(coro)


def _run_on_thread_loop(coro: t.Coroutine[t.Any, t.Any, T]) -> T:
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
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    # The task runs in a copy of the current context: request, g and the session are
    # visible inside the coroutine.
    return loop.run_until_complete(coro)


def current_bridge() -> AsgiBridge | None:
    """The ASGI bridge of the current request, or ``None`` under WSGI."""
    return _bridge.get()
