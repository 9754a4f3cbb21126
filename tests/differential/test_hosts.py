"""Host headers, compared on raw WSGI calls (Werkzeug's test client itself chokes on
some of these): the same status from Flask and from erlen, on a route that exists and
on one that does not.

erlen's fast routing binds no URL adapter, so it must refuse exactly the hosts an
adapter would refuse (a name that cannot be IDNA-encoded is a 400)."""

from __future__ import annotations

import io
import sys
import typing as t

import flask
import pytest

import erlen

HOSTS = [
    "example.com",
    "example.com:8080",
    "a..b",
    ".a",
    "a.",
    "..",
    ".",
    "a" * 63,
    "a" * 64,
    "a" * 64 + ".com",
    "b." + "a" * 64,
    "a..b:80",
    "A..B",
    "a...b",
    "xn--",
    "ü.com",
    "a_b",
    "-a",
    "1.2.3.4",
    "[::1]",
    "[::1]:80",
    "a:",
    ":80",
    "localhost:0",
    "exa mple.com",
    "ex<a>",
]


def _app(module: t.Any, cls: type) -> t.Any:
    app = cls(__name__)
    app.add_url_rule("/", "index", lambda: "ok")
    app.add_url_rule("/only-post", "post", lambda: "ok", methods=["POST"])
    return app


APPS = {"flask": _app(flask, flask.Flask), "erlen": _app(erlen, erlen.Erlen)}


def _status(app: t.Any, host: str, path: str) -> str:
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses: list[str] = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    return statuses[0]


@pytest.mark.parametrize("path", ["/", "/missing", "/only-post"])
@pytest.mark.parametrize("host", HOSTS)
def test_host_headers_get_flasks_status(host: str, path: str) -> None:
    assert _status(APPS["erlen"], host, path) == _status(APPS["flask"], host, path)
