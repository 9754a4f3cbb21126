"""WebSockets under ASGI: ``@app.websocket("/ws/<room>")`` and the ``websocket`` object.

WebSocket routes live in the same URL map as HTTP routes (rules flagged
``websocket=True``), so ``url_for`` builds ``ws://``/``wss://`` URLs for them and
blueprints, converters and ``before_request`` hooks work as usual.  The view runs with a
request context; ``websocket`` (a proxy, like ``request``) accepts, receives, sends and
closes::

    @app.websocket("/ws/<room>")
    async def chat(room):
        await websocket.accept()
        async for message in websocket:
            await websocket.send(f"{room}: {message}")

Returning (or raising) before ``accept()`` rejects the handshake: the client gets a 403
(or the error's status where the server supports WebSocket denial responses).  Under
WSGI a WebSocket route answers 400 with an explanation.
"""

from __future__ import annotations

import json
import typing as t

from .exceptions import HTTPException
from .globals import _get_request_ctx, _no_req_msg
from .local import LocalProxy

if t.TYPE_CHECKING:
    from .app import Erlen
    from .asgi import ASGIAdapter, Receive, Scope, Send

__all__ = ["WebSocket", "WebSocketDisconnect", "handle_websocket", "websocket"]


class WebSocketDisconnect(Exception):
    """The client closed the connection (``code`` is its close code)."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class WebSocket:
    """One WebSocket connection: ``await accept()``, ``receive()``, ``send()``,
    ``close()``; iterate it with ``async for`` to receive until the client closes."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.accepted = False
        self.closed = False
        self.close_code: int | None = None
        self._connected = False

    @property
    def path(self) -> str:
        return self.scope.get("path", "/")  # type: ignore[no-any-return]

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client offered."""
        return list(self.scope.get("subprotocols", ()))

    async def _ensure_connected(self) -> None:
        if not self._connected:
            message = await self._receive()
            if message["type"] == "websocket.disconnect":
                self.closed = True
                raise WebSocketDisconnect(message.get("code", 1000))
            self._connected = True

    async def accept(
        self, subprotocol: str | None = None, headers: t.Iterable[tuple[str, str]] = ()
    ) -> None:
        """Complete the handshake (optionally choosing a subprotocol)."""
        if self.accepted:
            return
        await self._ensure_connected()
        message: dict[str, t.Any] = {"type": "websocket.accept", "subprotocol": subprotocol}
        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        if extra:
            message["headers"] = extra
        await self._send(message)
        self.accepted = True

    async def receive(self) -> str | bytes:
        """The next message (text as ``str``, binary as ``bytes``).

        Raises :class:`WebSocketDisconnect` when the client has closed.
        """
        if not self.accepted:
            await self.accept()
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.disconnect":
            self.closed = True
            self.close_code = message.get("code", 1000)
            raise WebSocketDisconnect(self.close_code, message.get("reason", "") or "")
        if message.get("text") is not None:
            return message["text"]  # type: ignore[no-any-return]
        return message.get("bytes") or b""

    async def receive_json(self) -> t.Any:
        """The next message, parsed as JSON."""
        return json.loads(await self.receive())

    async def send(self, data: str | bytes) -> None:
        """Send a text (``str``) or binary (``bytes``) message."""
        if not self.accepted:
            await self.accept()
        if isinstance(data, str):
            await self._send({"type": "websocket.send", "text": data})
        else:
            await self._send({"type": "websocket.send", "bytes": bytes(data)})

    async def send_json(self, value: t.Any) -> None:
        """Send *value* as a JSON text message."""
        await self.send(json.dumps(value))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (before ``accept`` this rejects the handshake)."""
        if self.closed:
            return
        if not self.accepted:
            await self._ensure_connected()
        self.closed = True
        self.close_code = code
        await self._send({"type": "websocket.close", "code": code, "reason": reason})

    def __aiter__(self) -> WebSocket:
        return self

    async def __anext__(self) -> str | bytes:
        try:
            return await self.receive()
        except WebSocketDisconnect:
            raise StopAsyncIteration from None


def _current_websocket() -> WebSocket:
    ctx = _get_request_ctx(None)
    if ctx is None:
        raise RuntimeError(_no_req_msg)
    ws = ctx.request.environ.get("erlen.websocket")
    if ws is None:
        raise RuntimeError(
            "'websocket' is only available while handling a WebSocket route"
            " (@app.websocket) served over ASGI."
        )
    return ws  # type: ignore[no-any-return]


class _WebSocketProxy(LocalProxy[WebSocket]):
    __slots__ = ()
    _resolve = staticmethod(_current_websocket)  # type: ignore[assignment]

    def __getattribute__(self, name: str) -> t.Any:
        return getattr(_current_websocket(), name)


#: The current WebSocket connection (inside a ``@websocket`` view).
websocket: WebSocket = _WebSocketProxy()  # type: ignore[assignment]


async def handle_websocket(
    adapter: ASGIAdapter, scope: Scope, receive: Receive, send: Send
) -> None:
    """Serve one ASGI ``websocket`` scope with the app's WebSocket routes."""
    from .asgi import EMPTY_BODY, build_environ

    bridge = adapter.bridge()
    ws = WebSocket(scope, receive, send)
    environ = build_environ(scope, EMPTY_BODY)
    environ["erlen.websocket"] = ws
    app = adapter.app
    # Through the wsgi_app chain, so middleware assigned there (ProxyFix) applies.
    entry = app.wsgi_app
    await bridge.run(entry, environ, _ignore_start_response)
    status = environ.get("erlen.websocket.status")
    if not ws.accepted and not ws.closed:
        await ws._ensure_connected()
        if status and "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start", "status": status, "headers": []})
            await send({"type": "websocket.http.response.body", "body": b""})
        else:
            await send({"type": "websocket.close", "code": 1008})
        ws.closed = True
    elif ws.accepted and not ws.closed:
        await ws.close(1000)


def _ignore_start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> None:
    return None


def websocket_call(app: Erlen, environ: dict[str, t.Any], ws: WebSocket) -> int | None:
    """Run a WebSocket route in a request context; the HTTP status of a rejection.

    Routing errors and ``before_request`` responses reject the handshake; an error
    after accepting closes the connection with 1011 (internal error).
    """
    ctx = app.request_context(environ)
    error: BaseException | None = None
    try:
        try:
            ctx.push()
            app._got_first_request = True
            request = ctx.request
            if request.routing_exception is not None:
                raise request.routing_exception
            rv = None
            if app.before_request_funcs or app.url_value_preprocessors:
                rv = app.preprocess_request()
            if rv is not None:
                response = app.make_response(rv)
                return response.status_code if not ws.accepted else None
            view = app.view_functions[request.url_rule.endpoint]  # type: ignore[union-attr]
            app.ensure_sync(view)(**request.view_args)  # type: ignore[arg-type]
            return None
        except WebSocketDisconnect:
            return None
        except HTTPException as e:
            error = e
            return e.code or 403
        except Exception as e:
            error = e
            app.log_exception((type(e), e, e.__traceback__))
            if ws.accepted and not ws.closed:
                from .concurrency import await_sync

                await_sync(ws.close(1011))
            return 500
    finally:
        ctx.pop(error)
