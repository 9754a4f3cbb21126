"""The ASGI 3 interface of an erlen app: ``app.asgi`` (``uvicorn module:app.asgi``).

It is an adapter, not a second framework: each HTTP request becomes a WSGI-style
environ and runs through the same dispatch core as WSGI requests (``app.wsgi_app``,
so WSGI middleware assigned there applies too), inside a greenlet on the event loop
(see :mod:`erlen.concurrency`).  Async views and hooks run natively on the loop; sync
views run in a bounded thread pool.  The common request of an app without hooks (the
one WSGI serves through ``_fast_wsgi_call``) skips the greenlet: its small body, if
any, is received first, and ``_fast_asgi_call`` awaits a coroutine view directly in
the server's task.  The request body is streamed from ``receive`` as
the app reads it; responses are sent as they are produced (sync iterators are advanced
in the pool, async iterators awaited).  ``lifespan`` runs the app's startup and shutdown
handlers; WebSocket scopes are handled by :mod:`erlen.websocket`.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import sys
import typing as t
from urllib.parse import unquote_to_bytes

from .concurrency import AsgiBridge, default_executor
from .exceptions import ClientDisconnected
from .http.status import STATUS_LINES
from .lazy import cached_property

if t.TYPE_CHECKING:
    from .app import Erlen

__all__ = ["ASGIAdapter"]

Scope = dict[str, t.Any]
Message = dict[str, t.Any]
Receive = t.Callable[[], t.Awaitable[Message]]
Send = t.Callable[[Message], t.Awaitable[None]]

_SPECIAL_HEADERS = {b"content-type": "CONTENT_TYPE", b"content-length": "CONTENT_LENGTH"}
_header_keys: dict[bytes, str] = {}


def _environ_key(name: bytes) -> str:
    key = _header_keys.get(name)
    if key is None:
        key = _SPECIAL_HEADERS.get(name) or "HTTP_" + name.decode("latin-1").upper().replace(
            "-", "_"
        )
        if len(_header_keys) < 1000:
            _header_keys[name] = key
    return key


def build_environ(scope: Scope, body: t.Any, errors: t.Any = None) -> dict[str, t.Any]:
    """A PEP 3333 environ for an ASGI HTTP (or WebSocket) scope.

    ``PATH_INFO`` is taken from ``raw_path`` when the server gives it, so that paths
    which are not valid UTF-8 reach the app as raw bytes (and get a 400) rather than
    as replacement characters.
    """
    root_path = scope.get("root_path") or ""
    raw_path = scope.get("raw_path")
    if raw_path is not None:
        if b"?" in raw_path:
            raw_path = raw_path.partition(b"?")[0]
        path = (unquote_to_bytes(raw_path) if b"%" in raw_path else raw_path).decode("latin-1")
        if root_path:
            raw_root = root_path.encode("utf-8").decode("latin-1")
            if path.startswith(raw_root):
                path = path[len(raw_root) :]
    else:
        path = scope.get("path", "/")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        if not path.isascii():
            path = path.encode("utf-8").decode("latin-1")
    server_key = (scope.get("server"), scope.get("scheme"), scope.get("http_version"), root_path)
    try:
        base = _server_environs.get(server_key)
    except TypeError:  # a server given as a list (ASGI allows any pair)
        base = _server_environ(*server_key, remember=False)
    if base is None:
        base = _server_environ(*server_key)
    environ = base.copy()
    environ["REQUEST_METHOD"] = scope.get("method", "GET")
    environ["PATH_INFO"] = path
    environ["QUERY_STRING"] = scope["query_string"].decode("latin-1")
    environ["wsgi.input"] = body
    environ["wsgi.errors"] = errors if errors is not None else sys.stderr
    environ["asgi.scope"] = scope
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = client[0]
    keys = _header_keys
    for name, value in scope.get("headers", ()):
        key = keys.get(name) or _environ_key(name)
        text = value.decode("latin-1")
        if key in environ:
            separator = "; " if key == "HTTP_COOKIE" else ","
            text = f"{environ[key]}{separator}{text}"
        environ[key] = text
    return environ


#: Bodies announced up to this size are received before the app runs (see
#: :meth:`RequestBody.buffer`); larger ones stream as the app reads them.
_BUFFER_LIMIT = 64 * 1024
_NO_SERVER = ("localhost", 80)
_STATUS_CODES = {line: code for code, line in STATUS_LINES.items()}
_BASE_ENVIRON: dict[str, t.Any] = {
    "wsgi.version": (1, 0),
    "wsgi.input_terminated": True,
    "wsgi.multithread": True,
    "wsgi.multiprocess": True,
    "wsgi.run_once": False,
}
_PROTOCOLS = {"1.0": "HTTP/1.0", "1.1": "HTTP/1.1", "2": "HTTP/2", "3": "HTTP/3"}
#: The environ keys a server gives every request alike, by (server, scheme, HTTP
#: version, root path): each request copies them instead of setting them one by one.
_server_environs: dict[tuple[t.Any, ...], dict[str, t.Any]] = {}


def _server_environ(
    server: t.Sequence[t.Any] | None,
    scheme: str | None,
    version: str | None,
    root: str,
    remember: bool = True,
) -> dict[str, t.Any]:
    """The per-server part of the environ (remembered, boundedly, unless told not to)."""
    name, port = server or _NO_SERVER
    environ = {
        **_BASE_ENVIRON,
        "SERVER_NAME": name,
        "SERVER_PORT": str(port) if port is not None else "",
        "SERVER_PROTOCOL": _PROTOCOLS.get(version, "HTTP/1.1"),  # type: ignore[arg-type]
        "wsgi.url_scheme": scheme or "http",
        "SCRIPT_NAME": root if root.isascii() else root.encode().decode("latin-1"),
    }
    if remember:
        if len(_server_environs) >= 64:  # servers are few; scopes with odd values are not
            _server_environs.clear()
        _server_environs[(server, scheme, version, root)] = environ
    return environ


_response_names: dict[str, bytes] = {}


def _response_headers(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """WSGI response headers as ASGI wants them (lower-case byte names)."""
    names = _response_names
    out = []
    for name, value in headers:
        encoded = names.get(name)
        if encoded is None:
            encoded = name.lower().encode("latin-1")
            if len(names) < 1000:
                names[name] = encoded
        out.append((encoded, value.encode("latin-1")))
    return out


class RequestBody:
    """``wsgi.input`` under ASGI: reads ``http.request`` messages as the app asks.

    It is read from synchronous code (in the request greenlet or a pool thread) and
    waits on ``receive`` through the bridge.  A client that goes away mid-body makes
    reads raise :class:`~erlen.exceptions.ClientDisconnected`.
    """

    __slots__ = ("_bridge", "_buffer", "_done", "_queue", "_receive", "disconnected")

    def __init__(self, receive: Receive, bridge: AsgiBridge) -> None:
        self._receive = receive
        #: Once the response streams, a watcher owns ``receive`` and queues messages here.
        self._queue: asyncio.Queue[Message] | None = None
        self._bridge = bridge
        self._buffer = bytearray()
        self._done = False
        self.disconnected = False

    async def buffer(self, environ: dict[str, t.Any]) -> bool:
        """Receive a small announced body now, so that sync code never waits for it.

        True when the whole body is buffered (or there is none, or the client went
        away: reads then raise as they would have); False for a body that is large,
        of unknown length or over ``MAX_CONTENT_LENGTH``-sized limits, which is left
        to be read as the app asks.
        """
        length = environ.get("CONTENT_LENGTH")
        if length is None or length == "0":
            if "HTTP_TRANSFER_ENCODING" in environ:
                return False
            self._done = True  # no body: reads return b"" without asking the server
            return True
        if not length.isdigit() or int(length) > _BUFFER_LIMIT:
            return False
        while not self._done and len(self._buffer) <= _BUFFER_LIMIT:
            self._take(await self._receive())
        return self._done

    def _take(self, message: Message) -> None:
        """Add one received message to the buffer (or note the disconnect)."""
        kind = message["type"]
        if kind == "http.disconnect":
            self._done = True
            self.disconnected = True
        elif kind == "http.request":
            self._buffer += message.get("body", b"")
            if not message.get("more_body", False):
                self._done = True

    def _pull(self) -> bool:
        """Receive one more message; False once the body is complete."""
        if self._done:
            if self.disconnected:
                raise ClientDisconnected()
            return False
        source = self._queue.get() if self._queue is not None else self._receive()
        self._take(self._bridge.await_sync(source))
        if self.disconnected:
            raise ClientDisconnected()
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._pull():
                pass
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        # Like a socket: wait for some data, return what is there (up to size).
        if not self._buffer:
            while self._pull() and not self._buffer:
                pass
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readline(self, size: int | None = -1) -> bytes:
        while b"\n" not in self._buffer and (size is None or size < 0 or len(self._buffer) < size):
            if not self._pull():
                break
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        if size is not None and size >= 0:
            end = min(end, size)
        data = bytes(self._buffer[:end])
        del self._buffer[:end]
        return data

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.readline, b"")

    def close(self) -> None:
        pass


class _ResponseStart:
    """Collects what the app passes to ``start_response``.

    The ASGI fast path (``_fast_asgi_call``) may instead call :meth:`ready` with the
    status code and headers already in ASGI's form, for responses it makes itself.
    """

    __slots__ = ("headers", "ready_headers", "ready_status", "status")

    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.ready_headers: list[tuple[bytes, bytes]] | None = None
        self.ready_status = 0

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], None]:
        if exc_info is not None and self.status:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = status
        self.headers = headers
        return self._write

    def ready(self, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        """Start the response with a status code and ASGI (lower-case bytes) headers."""
        self.ready_status = status
        self.ready_headers = headers

    def _write(self, data: bytes) -> None:
        raise RuntimeError("erlen's ASGI interface does not support the WSGI write() callable")


class _EmptyBody:
    """``wsgi.input`` of a request that announces no body (no Content-Length, no
    Transfer-Encoding): reads end at once, without asking the server."""

    __slots__ = ()

    def read(self, size: int | None = -1) -> bytes:
        return b""

    def readline(self, size: int | None = -1) -> bytes:
        return b""

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return []

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(())

    def close(self) -> None:
        pass


#: The one body of every request that announces none (it holds no state).
EMPTY_BODY = _EmptyBody()


class ASGIAdapter:
    """``app.asgi``: serves *app* to ASGI servers.

    ``executor`` is the thread pool sync views run in (default: 40 threads, or
    ``ERLEN_THREADS``).
    """

    def __init__(self, app: Erlen, executor: t.Any = None) -> None:
        self.app = app
        self._executor = executor
        self._bridge: AsgiBridge | None = None

    @cached_property
    def _plain_wsgi_app(self) -> bool:
        """Whether the app's class keeps erlen's ``wsgi_app`` (a subclass may wrap it,
        which requests must then go through); decided at the first request."""
        from .dispatch import DispatchMixin

        return type(self.app).wsgi_app is DispatchMixin.wsgi_app

    @cached_property
    def _direct_views(self) -> bool:
        """Whether the app's coroutine views can be awaited directly (its class keeps
        erlen's ``ensure_sync``); decided once, at the first request."""
        return self.app._awaits_views_directly()

    @property
    def executor(self) -> t.Any:
        if self._executor is None:
            self._executor = default_executor()
        return self._executor

    def bridge(self) -> AsgiBridge:
        """The bridge to the running event loop (one per loop)."""
        loop = asyncio.get_running_loop()
        bridge = self._bridge
        if bridge is None or bridge.loop is not loop:
            bridge = self._bridge = AsgiBridge(loop, self.executor)
        return bridge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._other_scope(scope, receive, send)
            return
        # HTTP, inline (this is the request path; no extra coroutine per request).
        bridge = self._bridge
        if bridge is None or bridge.loop is not asyncio.get_running_loop():
            bridge = self.bridge()
        environ = build_environ(scope, EMPTY_BODY)
        body: RequestBody | None = None
        if "CONTENT_LENGTH" in environ or "HTTP_TRANSFER_ENCODING" in environ:
            body = environ["wsgi.input"] = RequestBody(receive, bridge)
        start = _ResponseStart()
        app = self.app
        if (
            self._plain_wsgi_app  # no WSGI middleware or override to go through
            and "wsgi_app" not in app.__dict__
            and app._fast_path_applies(environ)
            and self._direct_views
            and (body is None or await body.buffer(environ))
        ):
            # The common request, served in this task: coroutine views are awaited
            # directly, with no request greenlet in between.
            app_iter = await app._fast_asgi_call(environ, start, bridge)
        else:
            # Through wsgi_app, so that middleware assigned to it applies.
            entry = app.wsgi_app
            app_iter = await bridge.run(entry, environ, start)
        if start.ready_headers is not None:  # set by the fast path: already encoded
            status = start.ready_status
            headers = start.ready_headers
        else:
            status = _STATUS_CODES.get(start.status) or int(start.status.partition(" ")[0])
            headers = _response_headers(start.headers)
        sequence = (
            app_iter if isinstance(app_iter, (list, tuple)) else getattr(app_iter, "sequence", None)
        )
        if sequence is not None:
            try:
                await send({"type": "http.response.start", "status": status, "headers": headers})
                if len(sequence) == 1:
                    await send({"type": "http.response.body", "body": sequence[0]})
                else:
                    chunks = [chunk for chunk in sequence if chunk]
                    for chunk in chunks[:-1]:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    await send(
                        {"type": "http.response.body", "body": chunks[-1] if chunks else b""}
                    )
            finally:
                if sequence is not app_iter:
                    await bridge.run(app_iter.close)
            return
        # A streamed body is advanced in the pool, always in the same context object,
        # so generators that push contexts (stream_with_context) see their own pushes.
        stream_context = contextvars.copy_context()
        try:
            await self._stream(
                bridge, stream_context, app_iter, status, headers, receive, send, body
            )
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                await bridge.loop.run_in_executor(bridge.executor, stream_context.run, close)

    async def _other_scope(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            from .websocket import handle_websocket

            await handle_websocket(self, scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(scope, receive, send)
        else:
            raise ValueError(f"erlen cannot handle ASGI scope type {kind!r}")

    async def _stream(
        self,
        bridge: AsgiBridge,
        stream_context: contextvars.Context,
        app_iter: t.Any,
        status: int,
        headers: list[tuple[bytes, bytes]],
        receive: Receive,
        send: Send,
        body: RequestBody | None,
    ) -> None:
        """Send a streamed body, stopping if the client disconnects.  *body* is
        ``None`` when the request announced none."""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        disconnected = asyncio.Event()

        # The watcher owns ``receive`` from now on: it queues any body the app has not
        # read yet (a streaming generator may still read it) and notices disconnects.
        if body is not None and not body._done:
            body._queue = asyncio.Queue()

        async def watch() -> None:
            if body is not None and body.disconnected:
                disconnected.set()
                return
            while True:
                message = await receive()
                if body is not None and body._queue is not None and not body._done:
                    body._queue.put_nowait(message)
                if message["type"] == "http.disconnect":
                    disconnected.set()
                    return

        watcher = asyncio.ensure_future(watch())
        try:
            source = _body_source(app_iter)
            if hasattr(source, "__anext__"):
                async for chunk in source:
                    if disconnected.is_set():
                        return
                    if chunk and not await _send_chunk(send, chunk):
                        return
            else:
                iterator = iter(source)
                run = bridge.loop.run_in_executor
                while not disconnected.is_set():
                    chunk = await run(bridge.executor, stream_context.run, _next_chunk, iterator)
                    if chunk is _END:
                        break
                    if chunk and not await _send_chunk(send, chunk):
                        return
            if not disconnected.is_set():
                await send({"type": "http.response.body", "body": b""})
        finally:
            watcher.cancel()

    # -- lifespan ------------------------------------------------------------------------

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        handlers = self.app._lifespan_handlers
        while True:
            message = await receive()
            kind = message["type"]
            if kind == "lifespan.startup":
                try:
                    await self._run_handlers(handlers["startup"])
                except BaseException as e:
                    await send(
                        {"type": "lifespan.startup.failed", "message": f"{type(e).__name__}: {e}"}
                    )
                    raise
                await send({"type": "lifespan.startup.complete"})
            elif kind == "lifespan.shutdown":
                try:
                    await self._run_handlers(handlers["shutdown"])
                except BaseException as e:
                    await send(
                        {"type": "lifespan.shutdown.failed", "message": f"{type(e).__name__}: {e}"}
                    )
                    raise
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _run_handlers(self, handlers: list[t.Callable[[], t.Any]]) -> None:
        for handler in handlers:
            with self.app.app_context():
                result = handler()
                if inspect.isawaitable(result):
                    await result


_END = object()


async def _send_chunk(send: Send, chunk: t.Any) -> bool:
    """Send one body chunk; False if the client is gone (servers may raise OSError)."""
    try:
        await send({"type": "http.response.body", "body": _as_bytes(chunk), "more_body": True})
    except OSError:
        return False
    return True


def _next_chunk(iterator: t.Iterator[t.Any]) -> t.Any:
    try:
        return next(iterator)
    except StopIteration:
        return _END


def _body_source(app_iter: t.Any) -> t.Any:
    """The iterable to send: an async iterator when the response body is one."""
    from .wrappers.response import ClosingIterator

    if isinstance(app_iter, ClosingIterator) and app_iter._async is not None:
        return app_iter._async
    return app_iter


def _as_bytes(chunk: t.Any) -> bytes:
    return chunk.encode() if isinstance(chunk, str) else bytes(chunk)
