"""Conditional and range requests: the checks behind ``Response.make_conditional``.

:func:`is_resource_modified` decides whether a request's validators (``If-None-Match``,
``If-Modified-Since``, ``If-Match``, and ``If-Range`` for range requests) still match the
response, which is what turns a response into a 304, a 412 or a 206.
:class:`RangeWrapper` cuts the requested bytes out of a response body without reading
more of it than needed. The header helpers say which headers describe the body
(removed from a 304) and which only concern one connection. Behaviour follows
``werkzeug.http`` and ``werkzeug.wsgi`` 3.1, with the differences noted on each name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ..http.dates import _as_utc, parse_date
from ..http.etags import generate_etag, parse_etags, unquote_etag
from ..http.ranges import parse_if_range_header

__all__ = [
    "RangeWrapper",
    "is_entity_header",
    "is_hop_by_hop_header",
    "is_resource_modified",
    "remove_entity_headers",
    "remove_hop_by_hop_headers",
]

#: Headers that describe the body; a 304 must not send them (RFC 2616 section 10.3.5).
ENTITY_HEADERS = frozenset(
    (
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "expires",
        "last-modified",
    )
)

#: Headers that only concern one connection and are never forwarded by a proxy.
HOP_BY_HOP_HEADERS = frozenset(
    (
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    )
)


def is_entity_header(header: str) -> bool:
    """Whether ``header`` (any case) describes the body, such as ``Content-Type``."""
    return header.lower() in ENTITY_HEADERS


def is_hop_by_hop_header(header: str) -> bool:
    """Whether ``header`` (any case) is an HTTP/1.1 hop-by-hop header."""
    return header.lower() in HOP_BY_HOP_HEADERS


def remove_entity_headers(
    headers: Any, allowed: Iterable[str] = ("expires", "content-location")
) -> None:
    """Remove the entity headers from a :class:`~erlen.http.headers.Headers` or list.

    Works in place. ``Expires`` and ``Content-Location`` are kept by default because a
    304 may still carry them; pass ``allowed`` to keep others.
    """
    keep = {name.lower() for name in allowed}
    headers[:] = [
        (key, value)
        for key, value in headers
        if key.lower() not in ENTITY_HEADERS or key.lower() in keep
    ]


def remove_hop_by_hop_headers(headers: Any) -> None:
    """Remove the hop-by-hop headers from a :class:`~erlen.http.headers.Headers` or list."""
    headers[:] = [(key, value) for key, value in headers if key.lower() not in HOP_BY_HOP_HEADERS]


def is_resource_modified(
    environ: dict[str, Any],
    etag: str | None = None,
    data: bytes | None = None,
    last_modified: datetime | str | None = None,
    ignore_if_range: bool = True,
) -> bool:
    """Whether the resource changed in the client's eyes, so it must be sent again.

    ``etag`` is the response's (quoted or bare) entity tag, or ``data`` the body to
    derive one from; ``last_modified`` a datetime or HTTP date. ``If-None-Match``
    compares weakly and wins over ``If-Modified-Since``; ``If-Match`` compares
    strongly and wins over both (a miss reads as "not modified", which the caller
    turns into 412). With ``ignore_if_range=False`` and a ``Range`` header, an
    ``If-Range`` date or tag takes the place of those checks.

    As in Werkzeug, ``If-Unmodified-Since`` is not consulted, and ``If-Match: *``
    counts as a miss when the response has an entity tag.
    """
    if etag is None and data is not None:
        etag = f'"{generate_etag(data)}"'
    elif data is not None:
        raise TypeError("both data and etag given")

    if isinstance(last_modified, str):
        last_modified = parse_date(last_modified)
    if last_modified is not None:
        # HTTP dates have whole seconds: drop microseconds before comparing.
        last_modified = _as_utc(last_modified.replace(microsecond=0))

    if_range = None
    if not ignore_if_range and environ.get("HTTP_RANGE") is not None:
        # RFC 9110 section 13.1.5: If-Range only counts together with Range.
        if_range = parse_if_range_header(environ.get("HTTP_IF_RANGE"))

    if if_range is not None and if_range.date is not None:
        modified_since = if_range.date
    else:
        modified_since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))

    unmodified = bool(modified_since and last_modified and last_modified <= modified_since)

    if etag:
        tag = unquote_etag(etag)[0]
        if if_range is not None and if_range.etag is not None:
            unmodified = if_range.etag == tag
        else:
            if_none_match = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
            if if_none_match:
                unmodified = if_none_match.contains_weak(tag)  # type: ignore[arg-type]
            if_match = parse_etags(environ.get("HTTP_IF_MATCH"))
            if if_match:
                unmodified = not if_match.is_strong(tag)  # type: ignore[arg-type]

    return not unmodified


class RangeWrapper:
    """An iterator over one byte range of a response body.

    ``start_byte`` bytes are skipped (by seeking when the body is seekable, else by
    reading) and then ``byte_range`` bytes are yielded (all the rest if ``None``),
    in chunks no larger than the body's own. Closing the wrapper closes the body.

    Unlike Werkzeug's private ``_RangeWrapper``, an empty chunk in the middle of the
    body does not end the range early (Werkzeug then sends fewer bytes than its
    ``Content-Length`` announces), and closing also closes the original iterable
    when iterating it produced a different object.
    """

    __slots__ = ("_done", "_end", "_iterator", "_position", "_seekable", "_source", "_start")

    def __init__(
        self,
        iterable: Iterable[bytes] | Any,
        start_byte: int = 0,
        byte_range: int | None = None,
    ) -> None:
        self._source = iterable
        self._iterator: Iterator[Any] = iter(iterable)
        self._start = start_byte
        self._end = None if byte_range is None else start_byte + byte_range
        seekable = getattr(iterable, "seekable", None)
        self._seekable = (
            seekable is not None
            and seekable()
            and hasattr(self._iterator, "seek")
            and hasattr(self._iterator, "tell")
        )
        #: Offset in the body of the next chunk, ``None`` until iteration starts.
        self._position: int | None = None
        self._done = False

    def __iter__(self) -> RangeWrapper:
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        position = self._position
        if position is None:
            if self._seekable:
                self._iterator.seek(self._start)  # type: ignore[attr-defined]
                position = self._iterator.tell()  # type: ignore[attr-defined]
            else:
                position = 0
        start = self._start
        end = self._end
        while True:
            try:
                chunk = next(self._iterator)
            except StopIteration:
                self._done = True
                raise
            chunk_start = position
            position += len(chunk)
            self._position = position
            if position <= start:
                continue
            if chunk_start < start:
                chunk = chunk[start - chunk_start :]
                chunk_start = start
            if end is not None and position >= end:
                chunk = chunk[: end - chunk_start]
                self._done = True
            if chunk:
                return chunk
            if self._done:
                raise StopIteration

    def close(self) -> None:
        """Close the body (and its iterator, if that is a different object)."""
        close = getattr(self._iterator, "close", None)
        if close is not None:
            close()
        if self._source is not self._iterator:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()
