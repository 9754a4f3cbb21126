"""Drive an app's ASGI interface from a WSGI-style test client.

``AsgiAsWsgi(app)`` is a WSGI callable that turns each environ into an ASGI HTTP scope,
runs ``app.asgi`` on a private event loop, and hands the response back as WSGI.  With it
every test-client based test (the differential suite included) can run over ASGI.
"""

from __future__ import annotations

import asyncio
import threading
import typing as t
from urllib.parse import quote

_local = threading.local()


def _loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


def scope_from_environ(environ: dict[str, t.Any]) -> dict[str, t.Any]:
    """The ASGI HTTP scope a server would build for a WSGI environ."""
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").lower()
        else:
            continue
        if value == "" and key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            continue
        headers.append((name.encode("latin-1"), str(value).encode("latin-1")))
    path = environ.get("PATH_INFO", "") or ""
    raw = path.encode("latin-1")
    root = environ.get("SCRIPT_NAME", "") or ""
    server_port = environ.get("SERVER_PORT")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": environ.get("SERVER_PROTOCOL", "HTTP/1.1").partition("/")[2] or "1.1",
        "method": environ["REQUEST_METHOD"],
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "path": root.encode("latin-1").decode("utf-8", "replace") + raw.decode("utf-8", "replace"),
        "raw_path": quote(root.encode("latin-1") + raw, safe="/:@!$&'()*+,;=").encode("ascii"),
        "query_string": environ.get("QUERY_STRING", "").encode("latin-1"),
        "root_path": root.encode("latin-1").decode("utf-8", "replace"),
        "headers": headers,
        "client": (environ.get("REMOTE_ADDR", "127.0.0.1"), 50000),
        "server": (
            environ.get("SERVER_NAME", "localhost"),
            int(server_port) if server_port else None,
        ),
        "state": {},
    }


class AsgiAsWsgi:
    """A WSGI callable serving requests through ``app.asgi``."""

    def __init__(self, app: t.Any) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> list[bytes]:
        scope = scope_from_environ(environ)
        stream = environ["wsgi.input"]
        messages: list[dict[str, t.Any]] = []
        sent: list[dict[str, t.Any]] = []
        finished = asyncio.Event()

        async def receive() -> dict[str, t.Any]:
            if not messages:
                chunk = stream.read(65536) if stream is not None else b""
                more = bool(chunk)
                if more:
                    return {"type": "http.request", "body": chunk, "more_body": True}
                if receive.done:  # type: ignore[attr-defined]
                    await finished.wait()
                    return {"type": "http.disconnect"}
                receive.done = True  # type: ignore[attr-defined]
                return {"type": "http.request", "body": b"", "more_body": False}
            return messages.pop(0)

        receive.done = False  # type: ignore[attr-defined]

        async def send(message: dict[str, t.Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished.set()

        async def run() -> None:
            await self.app.asgi(scope, receive, send)

        _loop().run_until_complete(run())
        start = sent[0]
        from erlen.http.status import status_line

        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in start["headers"]
        ]
        start_response(status_line(start["status"]), headers)
        return [message.get("body", b"") for message in sent[1:]]

    def __getattr__(self, name: str) -> t.Any:
        # The test client also reads the app's config, json provider and session
        # interface through its application: forward those to the real app.
        return getattr(self.app, name)
