"""What a response's WSGI body closes: its body, ``call_on_close`` callbacks, ``close``.

A body with nothing to close is handed to the server as a plain list; everything else
keeps a ``close`` that the server calls once the body is sent (WSGI) or that the ASGI
interface calls for it.
"""

from __future__ import annotations

import asyncio
import typing as t

import pytest

from erlen import Erlen, Response

from ..asgi.test_asgi import call, http_scope


def environ(method: str = "GET") -> dict[str, t.Any]:
    return {"REQUEST_METHOD": method, "SERVER_NAME": "localhost", "SERVER_PORT": "80"}


def send(response: Response, method: str = "GET") -> tuple[t.Iterable[bytes], bytes]:
    """Run *response* as a WSGI app the way a server does: iterate, then close."""
    app_iter = response(environ(method), lambda status, headers: None)
    body = b"".join(app_iter)
    close = getattr(app_iter, "close", None)
    if close is not None:
        close()
    return app_iter, body


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_body_with_nothing_to_close_is_a_plain_list(method: str) -> None:
    response = Response("hello")
    response.headers["X-Extra"] = "1"  # off the plain-body shortcut
    app_iter, body = send(response, method)
    assert type(app_iter) is list
    assert body == (b"hello" if method == "GET" else b"")


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_call_on_close_callbacks_run_once_the_body_is_closed(method: str) -> None:
    closed: list[str] = []
    response = Response("hello")
    response.call_on_close(lambda: closed.append("callback"))
    app_iter, body = send(response, method)
    assert hasattr(app_iter, "close")
    assert body == (b"hello" if method == "GET" else b"")
    assert closed == ["callback"]


def test_an_overridden_close_is_called() -> None:
    closed: list[str] = []

    class Tracked(Response):
        def close(self) -> None:
            closed.append("close")
            super().close()

    response = Tracked("hello")
    response.headers["X-Extra"] = "1"
    send(response)
    assert closed == ["close"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_streamed_body_is_closed_even_when_not_sent(method: str) -> None:
    closed: list[str] = []

    class Body:
        def __iter__(self) -> t.Iterator[bytes]:
            return iter([b"a", b"b"])

        def close(self) -> None:
            closed.append("closed")

    _, body = send(Response(Body()), method)
    assert body == (b"ab" if method == "GET" else b"")
    assert closed == ["closed"]


@pytest.mark.parametrize("is_async", [False, True])
def test_call_on_close_runs_under_asgi_after_the_response_is_sent(is_async: bool) -> None:
    app = Erlen(__name__)
    closed: list[str] = []

    def view() -> Response:
        response = Response("body", headers={"X-Extra": "1"})
        response.call_on_close(lambda: closed.append("callback"))
        return response

    async def async_view() -> Response:
        await asyncio.sleep(0)
        return view()

    app.add_url_rule("/", "index", async_view if is_async else view)
    exchange = call(app, http_scope("/"))
    assert (exchange.status, exchange.body, exchange.headers["x-extra"]) == (200, b"body", "1")
    assert closed == ["callback"]
