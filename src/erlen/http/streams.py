"""Safe access to a WSGI request body.

``wsgi.input`` is a raw socket stream: reading past the announced ``Content-Length``
blocks forever, a client that hangs up early leaves a short body, and a chunked body
has no length at all. :func:`get_input_stream` picks the wrapping that makes the body
safe to read, and :class:`LimitedStream` enforces it. Both follow Werkzeug 3.1, with
plain ``ValueError`` subclasses instead of HTTP exceptions (this layer knows nothing of
responses): the request layer answers 413 for :class:`StreamLimitExceeded` and 400 for
:class:`ClientDisconnected`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import IO, Any

from .options import parse_list_header

__all__ = [
    "ClientDisconnected",
    "LimitedStream",
    "StreamLimitExceeded",
    "content_length_exceeds",
    "get_content_length",
    "get_input_stream",
]

# The most asked of the server per read when a whole body is wanted: some servers
# allocate the requested size up front, and a hostile Content-Length can be huge.
_CHUNK_SIZE = 1024 * 1024
_ASCII_DIGITS = frozenset("0123456789")


class StreamLimitExceeded(ValueError):
    """The request body is larger than the maximum allowed (answer 413)."""


class ClientDisconnected(ValueError):
    """The client sent less than it announced, or the connection broke (answer 400)."""


class LimitedStream:
    """A read-only view of a stream that never reads past ``limit`` bytes.

    With ``is_max=False`` the limit is the announced ``Content-Length``: reads stop
    there, and a stream that ends (or fails) sooner raises :class:`ClientDisconnected`.

    With ``is_max=True`` the limit is a maximum for a body of unknown length: a stream
    that ends sooner is simply complete, and a client that sends more than ``limit``
    bytes gets :class:`StreamLimitExceeded` when the reader asks for data beyond the
    limit.
    """

    __slots__ = ("_closed", "_eof", "_is_max", "_pos", "_stream", "limit")

    def __init__(self, stream: IO[bytes], limit: int, is_max: bool = False) -> None:
        self._stream = stream
        self._pos = 0
        self.limit = limit
        self._is_max = is_max
        self._eof = False
        self._closed = False

    @property
    def is_exhausted(self) -> bool:
        """Whether the position has reached the limit."""
        return self._pos >= self.limit

    @property
    def closed(self) -> bool:
        return self._closed

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        """Number of bytes read so far."""
        return self._pos

    def close(self) -> None:
        """Stop further reads; the server's stream itself is left to the server."""
        self._closed = True

    def __enter__(self) -> LimitedStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("I/O operation on closed stream.")

    #: The exceptions raised; the request layer substitutes its HTTP errors (400/413).
    limit_error: type[ValueError] = StreamLimitExceeded
    disconnect_error: type[ValueError] = ClientDisconnected

    def _disconnected(self, error: Exception | None = None) -> ValueError:
        received = self._pos
        return self.disconnect_error(
            f"the client disconnected after sending {received} of {self.limit} bytes"
            + ("" if error is None else f" ({error})")
        )

    def _after_read(self, data: bytes) -> bytes:
        """Account for bytes the underlying stream returned."""
        if data:
            self._pos += len(data)
        elif self._is_max:
            self._eof = True
        else:
            raise self._disconnected()
        return data

    def _read_raw(self, size: int) -> bytes:
        try:
            data = self._stream.read(size)
        except (OSError, ValueError) as error:
            raise self._disconnected(error) from error
        return self._after_read(data)

    def _at_limit(self) -> bytes:
        """What a read at the limit returns: nothing, unless the client sent more
        than a maximum allows."""
        if self._is_max and not self._eof:
            try:
                extra = self._stream.read(1)
            except (OSError, ValueError) as error:
                raise self._disconnected(error) from error
            if extra:
                raise self.limit_error(
                    f"the request body is larger than the maximum of {self.limit} bytes"
                )
            self._eof = True
        return b""

    def read(self, size: int | None = -1) -> bytes:
        """Read up to ``size`` bytes, or everything up to the limit if ``size`` is
        negative or ``None``."""
        if size is None or size < 0:
            return self.readall()
        self._check_open()
        if size == 0:
            return b""
        remaining = self.limit - self._pos
        if remaining <= 0:
            return self._at_limit()
        if self._eof:
            return b""
        return self._read_raw(min(size, remaining))

    def readall(self) -> bytes:
        """Read everything up to the limit."""
        data = self._read_remaining()
        if self._pos >= self.limit:
            self._at_limit()
        return data

    def _read_remaining(self) -> bytes:
        self._check_open()
        chunks = []
        while not self._eof:
            remaining = self.limit - self._pos
            if remaining <= 0:
                break
            data = self._read_raw(min(remaining, _CHUNK_SIZE))
            if data:
                chunks.append(data)
        if len(chunks) == 1:
            return chunks[0]
        return b"".join(chunks)

    def readinto(self, buffer: Any) -> int:
        """Read into a writable buffer; returns the number of bytes stored."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        """Read one line (up to and including ``\\n``), at most ``size`` bytes."""
        self._check_open()
        if size == 0:
            return b""
        remaining = self.limit - self._pos
        if remaining <= 0:
            return self._at_limit()
        if self._eof:
            return b""
        if size is not None and 0 < size < remaining:
            remaining = size
        try:
            line = self._stream.readline(remaining)
        except (OSError, ValueError) as error:
            raise self._disconnected(error) from error
        return self._after_read(line)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """Read lines until the limit; stop early once ``hint`` bytes were read."""
        lines = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def exhaust(self) -> bytes:
        """Read and return whatever is left up to the limit, e.g. to drain a body the
        application ignored. Never raises :class:`StreamLimitExceeded`."""
        if self.is_exhausted:
            return b""
        return self._read_remaining()

    def __repr__(self) -> str:
        kind = "max" if self._is_max else "length"
        return f"<{type(self).__name__} {self._pos}/{self.limit} ({kind})>"


def _parse_plain_int(value: str) -> int:
    """Parse an integer made only of ASCII digits and an optional leading ``-``
    (``int`` would also take ``+``, ``_`` and non-ASCII digits)."""
    text = value.strip(" \t")
    digits = text[1:] if text.startswith("-") else text
    if not digits or not _ASCII_DIGITS.issuperset(digits):
        raise ValueError(f"not a plain integer: {value!r}")
    return int(text)


def get_content_length(environ: Mapping[str, Any]) -> int | None:
    """The request's ``Content-Length`` as an int, or ``None`` for a streaming body.

    ``None`` when the header is absent or the body is chunked; ``0`` when the value is
    not a plain integer or is negative (as Werkzeug does).
    """
    transfer_encoding = environ.get("HTTP_TRANSFER_ENCODING")
    if transfer_encoding is not None and "chunked" in transfer_encoding.lower():
        items = parse_list_header(transfer_encoding)
        if any(item.lower() == "chunked" for item in items):
            return None
    content_length = environ.get("CONTENT_LENGTH")
    if content_length is None:
        return None
    try:
        return max(0, _parse_plain_int(content_length))
    except ValueError:
        return 0


def content_length_exceeds(environ: Mapping[str, Any], max_content_length: int | None) -> bool:
    """Whether the announced ``Content-Length`` is over the maximum, so the request
    can be refused (413) before a single body byte is read."""
    if max_content_length is None:
        return False
    content_length = get_content_length(environ)
    return content_length is not None and content_length > max_content_length


def get_input_stream(
    environ: Mapping[str, Any],
    max_content_length: int | None = None,
    *,
    safe_fallback: bool = True,
    stream_class: type[LimitedStream] | None = None,
) -> IO[bytes] | LimitedStream:
    """Return ``wsgi.input`` wrapped so that reading it is safe.

    - ``Content-Length`` known: a :class:`LimitedStream` of that length (after
      raising :class:`StreamLimitExceeded` if it is over ``max_content_length``).
    - No length, and the server says it terminates the body
      (``wsgi.input_terminated``): the stream itself, bounded by
      ``max_content_length`` if one is given.
    - Otherwise: an empty stream, because reading an unbounded socket could hang the
      worker; ``safe_fallback=False`` returns the raw stream instead.
    """
    stream = environ["wsgi.input"]
    content_length = get_content_length(environ)
    limited = stream_class or LimitedStream

    if content_length is not None:
        if max_content_length is not None and content_length > max_content_length:
            raise limited.limit_error(
                f"the announced Content-Length of {content_length} bytes is larger than"
                f" the maximum of {max_content_length} bytes"
            )
        return limited(stream, content_length)

    if environ.get("wsgi.input_terminated"):
        if max_content_length is not None:
            return limited(stream, max_content_length, is_max=True)
        return stream

    return io.BytesIO() if safe_fallback else stream
