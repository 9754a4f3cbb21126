"""``erlen.utils.redirect`` against Werkzeug 3.1's: the same WSGI output and the same
response object, whichever way erlen builds it (the shortcut for a location that is
already a URI, or the general constructor)."""

from __future__ import annotations

import io
import sys
import typing as t

import pytest
import werkzeug.utils

from erlen.utils import redirect
from erlen.wrappers import Response

LOCATIONS = [
    "/hello",
    "/",
    "/a?next=/b&x=1#top",
    "/a?",
    "/caf\u00e9?q=\u00e8",
    "/a b",
    "https://example.com/path",
    "http://EXAMPLE.com/x",
    "//other.example/",
    "relative/path",
    "?only=query",
    "/<script>",
]


def _wsgi(response: t.Any) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    started: list[t.Any] = []
    body = b"".join(response(environ, lambda s, h, e=None: started.append((s, h))))
    return started[0][0], list(started[0][1]), body


class General(Response):
    """A subclass with its own constructor: redirect() must use the general path."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("location", LOCATIONS)
def test_redirect_sends_what_werkzeug_sends(location: str, code: int) -> None:
    expected = _wsgi(werkzeug.utils.redirect(location, code))
    for response in (redirect(location, code), redirect(location, code, Response=General)):
        assert _wsgi(response) == expected
        assert response.status_code == code
        assert response.location == location  # as given, encoded only when sent
        assert response.headers["Location"] == location
        assert response.mimetype == "text/html"


def test_a_redirect_can_be_changed_after_it_is_made() -> None:
    response = redirect("/next")
    response.headers["X-Extra"] = "1"
    response.location = "/other"
    response.status_code = 303
    status, headers, _ = _wsgi(response)
    assert status == "303 SEE OTHER"
    assert ("Location", "/other") in headers and ("X-Extra", "1") in headers


@pytest.mark.parametrize("location", ["/a\r\nSet-Cookie: x=1", "/a\nb", "/a\x00"])
def test_header_injection_is_refused(location: str) -> None:
    with pytest.raises(ValueError, match="header injection"):
        redirect(location)
