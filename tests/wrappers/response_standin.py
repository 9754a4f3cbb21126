"""A minimal response carrying ResponseHeadersMixin, and helpers to compare it with
``werkzeug.wrappers.Response``: both are built with the same headers and body, the same
operation is applied to each, and the outcomes are turned into plain data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import werkzeug.datastructures as wds
import werkzeug.http as whttp
from werkzeug.datastructures import Headers as WerkzeugHeaders
from werkzeug.wrappers import Response as WerkzeugResponse

from erlen.http.auth import WWWAuthenticate
from erlen.http.cache_control import ContentSecurityPolicy
from erlen.http.header_set import HeaderSet
from erlen.http.headers import Headers
from erlen.http.ranges import ContentRange
from erlen.wrappers.response_headers import COEP, COOP, ResponseHeadersMixin


def _encode(items: Iterable[Any]) -> Iterator[bytes]:
    for item in items:
        yield item.encode() if isinstance(item, str) else item


class StandInResponse(ResponseHeadersMixin):
    """Just enough of a response for the mixin: headers, status and a body."""

    automatically_set_content_length = True

    def __init__(
        self,
        body: Any,
        status: int = 200,
        headers: Iterable[tuple[str, str]] = (),
        direct_passthrough: bool = False,
    ) -> None:
        self.headers = Headers(list(headers))
        self.response = body
        self.status_code = status
        self.direct_passthrough = direct_passthrough

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.response, (list, tuple))

    def iter_encoded(self) -> Iterator[bytes]:
        return _encode(self.response)

    def _buffer(self) -> None:
        if self.is_sequence:
            return
        if self.direct_passthrough:
            raise RuntimeError("cannot buffer a direct passthrough body")
        self.response = list(self.iter_encoded())

    def get_data(self) -> bytes:
        self._buffer()
        return b"".join(self.iter_encoded())

    def calculate_content_length(self) -> int | None:
        try:
            self._buffer()
        except RuntimeError:
            return None
        return sum(len(chunk) for chunk in self.iter_encoded())


ERLEN = SimpleNamespace(
    COOP=COOP,
    COEP=COEP,
    WWWAuthenticate=WWWAuthenticate,
    ContentSecurityPolicy=ContentSecurityPolicy,
    ContentRange=ContentRange,
    HeaderSet=HeaderSet,
)
WERKZEUG = SimpleNamespace(
    COOP=whttp.COOP,
    COEP=whttp.COEP,
    WWWAuthenticate=wds.WWWAuthenticate,
    ContentSecurityPolicy=wds.ContentSecurityPolicy,
    ContentRange=wds.ContentRange,
    HeaderSet=wds.HeaderSet,
)


def make_pair(
    headers: Iterable[tuple[str, str]] = (),
    body: Callable[[], Any] | None = None,
    status: int = 200,
    direct_passthrough: bool = False,
) -> tuple[StandInResponse, WerkzeugResponse]:
    """An erlen stand-in and a Werkzeug response with identical headers and bodies."""
    headers = list(headers)
    if body is None:

        def body() -> list[bytes]:
            return [b"Hello", b" ", b"World!"]

    erlen_response = StandInResponse(body(), status, headers, direct_passthrough)
    werkzeug_response = WerkzeugResponse(
        body(), status=status, direct_passthrough=direct_passthrough
    )
    werkzeug_response.headers = WerkzeugHeaders(headers)
    return erlen_response, werkzeug_response


def plain(value: Any) -> Any:
    """Turn a header object into comparable plain data, type name included."""
    name = type(value).__name__
    if value is None or isinstance(value, (bool, int, str, float, timedelta)):
        return value
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    if isinstance(value, datetime):
        return ("datetime", value, value.utcoffset())
    if name == "HeaderSet":
        return (name, list(value), len(value), value.to_header(), bool(value))
    if name == "ResponseCacheControl":
        return (
            name,
            dict(value),
            value.max_age,
            value.no_cache,
            value.public,
            value.private,
            value.s_maxage,
            value.immutable,
            value.no_store,
        )
    if name == "ContentRange":
        return (name, value.units, value.start, value.stop, value.length, value.to_header())
    if name == "WWWAuthenticate":
        return (name, value.type, dict(value.parameters), value.token, value.to_header())
    if name == "ContentSecurityPolicy":
        return (name, dict(value), value.to_header())
    if name in ("COOP", "COEP"):
        return (name, value.value)
    if isinstance(value, dict):
        return ("dict", dict(value))
    if isinstance(value, list):
        return [plain(item) for item in value]
    raise AssertionError(f"no comparison for {name}")


def header_list(response: Any) -> list[tuple[str, str]]:
    return [(key, value) for key, value in response.headers.items()]


def outcome(response: Any, operation: Callable[[Any, Any], Any], namespace: Any) -> Any:
    try:
        result: Any = plain(operation(response, namespace))
    except Exception as error:
        result = ("raised", type(error).__name__)
    return result, header_list(response), response.status_code


def assert_same_outcome(
    operation: Callable[[Any, Any], Any],
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    erlen_response, werkzeug_response = make_pair(headers)
    erlen_outcome = outcome(erlen_response, operation, ERLEN)
    werkzeug_outcome = outcome(werkzeug_response, operation, WERKZEUG)
    assert erlen_outcome == werkzeug_outcome
    assert erlen_response.get_data() == werkzeug_response.get_data()
