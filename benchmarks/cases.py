"""The HTTP cases every framework's app answers, and the check each answer must pass.

The apps under :mod:`benchmarks.apps` implement these same seven endpoints, each in its
framework's idiomatic way. The WSGI, ASGI, end-to-end and memory workloads all send these
requests and run :func:`check_response` on what comes back before anything is timed: a fast
wrong answer is not a result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

Headers = Mapping[str, str]
"""Response headers, names lower-cased."""

BodyCheck = Callable[[bytes, Headers], "str | None"]
"""Returns why a response body (with its headers) is wrong, or ``None`` when it is right."""


@dataclass(frozen=True)
class HttpCase:
    """One request and the response it must get."""

    name: str
    description: str
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    content_type: str | None = None
    status: int = 200
    body_check: BodyCheck | None = None

    @property
    def target(self) -> str:
        """The request target: path plus query string."""
        return f"{self.path}?{self.query}" if self.query else self.path


def _exact(expected: bytes) -> BodyCheck:
    """A check that the body is exactly ``expected``."""

    def check(body: bytes, headers: Headers) -> str | None:
        if body != expected:
            return f"body {body[:80]!r} != {expected!r}"
        return None

    return check


def _json_equal(expected: object) -> BodyCheck:
    """A check that the body is JSON equal to ``expected`` and labelled as JSON."""

    def check(body: bytes, headers: Headers) -> str | None:
        content_type = headers.get("content-type", "")
        if not content_type.startswith("application/json"):
            return f"content-type {content_type!r} is not application/json"
        try:
            decoded = json.loads(body)
        except ValueError:
            return f"body {body[:80]!r} is not JSON"
        if decoded != expected:
            return f"JSON {decoded!r} != {expected!r}"
        return None

    return check


def _redirects_to(path: str) -> BodyCheck:
    """A check that the Location header points at ``path`` (relative or absolute URL)."""

    def check(body: bytes, headers: Headers) -> str | None:
        location = headers.get("location")
        if location is None:
            return "no Location header"
        if urlsplit(location).path != path:
            return f"Location {location!r} does not point at {path!r}"
        return None

    return check


FORM_BODY = b"name=erlen&email=erlen%40example.com"

CASES: tuple[HttpCase, ...] = (
    HttpCase(
        "hello",
        "GET /hello, a constant text body",
        "GET",
        "/hello",
        body_check=_exact(b"Hello, World!"),
    ),
    HttpCase(
        "params",
        "GET /users/42/posts/hello-world, an int and a string path parameter",
        "GET",
        "/users/42/posts/hello-world",
        body_check=_exact(b"user 42, post hello-world"),
    ),
    HttpCase(
        "json",
        'GET /json, the JSON object {"message": "Hello, World!"}',
        "GET",
        "/json",
        body_check=_json_equal({"message": "Hello, World!"}),
    ),
    HttpCase(
        "query",
        "GET /search?q=erlen&page=2&tag=a&tag=b, a string, an int and a repeated query argument",
        "GET",
        "/search",
        query="q=erlen&page=2&tag=a&tag=b",
        body_check=_exact(b"q=erlen page=2 tags=a,b"),
    ),
    HttpCase(
        "form",
        "POST /form, a URL-encoded form with two fields echoed back",
        "POST",
        "/form",
        body=FORM_BODY,
        content_type="application/x-www-form-urlencoded",
        body_check=_exact(b"name=erlen email=erlen@example.com"),
    ),
    HttpCase(
        "404",
        "GET /no/such/page, the framework's own 404 response",
        "GET",
        "/no/such/page",
        status=404,
    ),
    HttpCase(
        "redirect",
        "GET /old, a 302 redirect to /hello",
        "GET",
        "/old",
        status=302,
        body_check=_redirects_to("/hello"),
    ),
)

CASES_BY_NAME: dict[str, HttpCase] = {case.name: case for case in CASES}


def check_response(case: HttpCase, status: int, headers: Headers, body: bytes) -> str | None:
    """Return why a response to ``case`` is wrong, or ``None`` when it is right."""
    if status != case.status:
        return f"{case.name}: status {status} != {case.status} (body {body[:80]!r})"
    if case.body_check is not None:
        problem = case.body_check(body, headers)
        if problem is not None:
            return f"{case.name}: {problem}"
    return None


def parse_status(status_line: str) -> int:
    """Return the numeric code of a WSGI status line such as ``"200 OK"``."""
    return int(status_line.split(" ", 1)[0])
