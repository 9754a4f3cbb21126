"""Request body forms: ``application/x-www-form-urlencoded`` and ``multipart/form-data``.

Results match Werkzeug 3.1's form parser (same fields, files, names, file contents and
headers), with two differences of policy. Werkzeug silently returns an empty form for
a malformed body; erlen raises :class:`FormDataError` so the client gets a 400 that
says what is wrong. Werkzeug raises an HTTP 413 exception for bodies over a limit;
this sans-IO layer raises :class:`FormLimitExceeded` and the request layer answers 413.

Multipart bodies are parsed as they stream in by ``python-multipart``: field values
are kept in memory (bounded by ``max_form_memory_size``), file parts go to a
:class:`~tempfile.SpooledTemporaryFile` that moves to disk past 500 KB. Whenever
Werkzeug and erlen both accept a body, they read it the same way; but erlen is
stricter about malformed multipart (as RFC 7578 is): a preamble before the first
boundary, bare CR or LF line breaks, folded or oddly formed part headers, more than 8
headers in a part, and lines inside a part that start with the boundary are refused
with :class:`FormDataError`, where Werkzeug guesses.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from typing import IO, Any, Protocol

from .files import FileStorage
from .headers import Headers
from .multidict import MultiDict
from .options import parse_options_header
from .streams import StreamLimitExceeded
from .urls import url_decode

try:
    from python_multipart.multipart import MultipartParser
except ImportError:  # python-multipart before 0.0.13 installs as "multipart"
    from multipart.multipart import MultipartParser  # type: ignore[no-redef]

__all__ = [
    "FormDataError",
    "FormLimitExceeded",
    "StreamFactory",
    "default_stream_factory",
    "parse_form_data",
]

# python-multipart logs a warning for every malformed body before raising; with no
# logging configured that lands on stderr, letting any client spam the server's
# output. The error reaches the application as FormDataError instead, so parsers get
# a logger that stays silent.
_SILENT_LOGGER = logging.getLogger("erlen.http.form.multipart")
_SILENT_LOGGER.addHandler(logging.NullHandler())
_SILENT_LOGGER.propagate = False
_SILENT_LOGGER.disabled = True

# Bytes asked of the body stream per read while parsing multipart.
_READ_SIZE = 64 * 1024
# File parts stay in memory up to this size, then move to a temporary file.
_SPOOL_MAX_SIZE = 500 * 1024
# Charsets a text part may declare; anything else is read as UTF-8.
_PART_CHARSETS = frozenset({"ascii", "us-ascii", "utf-8", "iso-8859-1"})


class FormDataError(ValueError):
    """The form body is malformed (the request layer answers 400)."""


class FormLimitExceeded(FormDataError):
    """The form body is over a configured limit (the request layer answers 413)."""


class StreamFactory(Protocol):
    """Makes the writable, readable binary file that receives one uploaded file."""

    def __call__(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None,
        content_length: int | None = None,
    ) -> IO[bytes]: ...


def default_stream_factory(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> IO[bytes]:
    """A file in memory up to 500 KB that moves to a temporary file beyond that."""
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX_SIZE, mode="rb+")  # type: ignore[return-value]


def parse_form_data(
    stream: IO[bytes],
    content_type: str | None,
    content_length: int | None,
    *,
    max_form_memory_size: int | None = 500_000,
    max_form_parts: int | None = 1000,
    max_content_length: int | None = None,
    stream_factory: StreamFactory | None = None,
    cls: type[MultiDict[str, Any]] | None = None,
) -> tuple[IO[bytes], MultiDict[str, str], MultiDict[str, FileStorage]]:
    """Parse a request body as a form, returning ``(stream, form, files)``.

    ``content_type`` is the full ``Content-Type`` header; ``stream`` should already be
    bounded (see :func:`~erlen.http.streams.get_input_stream`). Urlencoded and
    multipart bodies are parsed; for any other type the form and files are empty and
    the stream is left unread, for the application to consume.

    Limits: ``max_content_length`` caps the body (checked against
    ``content_length`` before reading, and while reading); ``max_form_memory_size``
    caps each non-file multipart value (as in Werkzeug 3.1.9 it does not apply to
    urlencoded bodies, which ``max_content_length`` bounds); ``max_form_parts`` caps
    the number of multipart parts. Going over one raises :class:`FormLimitExceeded`;
    a malformed body raises :class:`FormDataError`. ``None`` disables a limit.
    """
    if cls is None:
        cls = MultiDict
    mimetype, options = parse_options_header(content_type)
    mimetype = mimetype.lower()

    if mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return stream, cls(), cls()

    if (
        max_content_length is not None
        and content_length is not None
        and content_length > max_content_length
    ):
        raise FormLimitExceeded(
            f"the request body of {content_length} bytes is larger than the maximum of"
            f" {max_content_length} bytes"
        )

    reader = _BodyReader(stream, max_content_length)
    if mimetype == "application/x-www-form-urlencoded":
        return stream, url_decode(reader.read_all(), cls), cls()

    parser = _MultipartFormParser(
        options.get("boundary", ""),
        content_length=content_length,
        max_form_memory_size=max_form_memory_size,
        max_form_parts=max_form_parts,
        stream_factory=stream_factory or default_stream_factory,
    )
    fields, files = parser.parse(reader)
    return stream, cls(fields), cls(files)


class _BodyReader:
    """Reads the body in chunks, enforcing ``max_content_length`` while reading."""

    __slots__ = ("_max", "_read", "_total")

    def __init__(self, stream: IO[bytes], max_content_length: int | None) -> None:
        self._read = stream.read
        self._max = max_content_length
        self._total = 0

    def read(self, size: int) -> bytes:
        try:
            data = self._read(size)
        except StreamLimitExceeded as error:
            raise FormLimitExceeded(str(error)) from error
        if data and self._max is not None:
            self._total += len(data)
            if self._total > self._max:
                raise FormLimitExceeded(
                    f"the request body is larger than the maximum of {self._max} bytes"
                )
        return data

    def read_all(self) -> bytes:
        chunks = []
        while True:
            chunk = self.read(_READ_SIZE)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _part_charset(headers: Headers) -> str:
    """The charset declared by a text part, if it is one we accept, else UTF-8."""
    content_type = headers.get("content-type")
    if content_type:
        charset = parse_options_header(content_type)[1].get("charset", "").lower()
        if charset in _PART_CHARSETS:
            return charset
    return "utf-8"


class _MultipartFormParser:
    """Feeds the body to python-multipart and turns its events into fields and files."""

    __slots__ = (
        "_boundary",
        "_content_length",
        "_delimiter",
        "_file",
        "_filename",
        "_finished",
        "_header_name",
        "_header_pairs",
        "_header_value",
        "_headers",
        "_max_memory",
        "_max_parts",
        "_name",
        "_parts",
        "_seam",
        "_stream_factory",
        "_value",
        "_value_size",
        "fields",
        "files",
    )

    def __init__(
        self,
        boundary: str,
        *,
        content_length: int | None,
        max_form_memory_size: int | None,
        max_form_parts: int | None,
        stream_factory: StreamFactory,
    ) -> None:
        if not boundary:
            raise FormDataError(
                "multipart/form-data needs a 'boundary' parameter in the Content-Type header"
            )
        try:
            self._boundary = boundary.encode("ascii")
        except UnicodeEncodeError:
            raise FormDataError("the multipart boundary must be ASCII") from None
        # "--boundary" right after a line break, CR or LF alone counted (Werkzeug does).
        self._delimiter = b"--" + self._boundary
        self._seam = b""
        self._content_length = content_length
        self._max_memory = max_form_memory_size
        self._max_parts = max_form_parts
        self._stream_factory = stream_factory

        self.fields: list[tuple[str | None, str]] = []
        self.files: list[tuple[str | None, FileStorage]] = []
        self._finished = False
        self._parts = 0
        self._header_pairs: list[tuple[str, str]] = []
        self._header_name: list[bytes] = []
        self._header_value: list[bytes] = []
        self._headers: Headers | None = None
        self._name: str | None = None
        self._filename: str | None = None
        self._value: list[bytes] = []
        self._value_size = 0
        self._file: IO[bytes] | None = None

    def parse(
        self, reader: _BodyReader
    ) -> tuple[list[tuple[str | None, str]], list[tuple[str | None, FileStorage]]]:
        callbacks: dict[str, Callable[..., None]] = {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        }
        try:
            try:
                parser = MultipartParser(self._boundary, callbacks)  # type: ignore[arg-type]
            except ValueError as error:  # e.g. a boundary longer than allowed
                raise FormDataError(f"invalid multipart boundary: {error}") from error
            parser.logger = _SILENT_LOGGER
            received = 0
            # Read to the end even after the closing boundary, as Werkzeug does, so
            # the epilogue counts against max_content_length and the body is drained.
            while True:
                chunk = reader.read(_READ_SIZE)
                if not chunk:
                    break
                received += len(chunk)
                if self._finished:
                    continue
                try:
                    parser.write(chunk)
                except FormDataError:
                    raise
                except ValueError as error:
                    raise FormDataError(f"malformed multipart body: {error}") from error
            if not self._finished and received:
                raise FormDataError(
                    "the multipart body ended before its closing boundary"
                    f" (--{self._boundary.decode()}--)"
                )
        except BaseException:
            self._close_files()
            raise
        return self.fields, self.files

    def _close_files(self) -> None:
        if self._file is not None:
            self._file.close()
        for _, storage in self.files:
            storage.stream.close()

    def _on_part_begin(self) -> None:
        self._header_pairs = []
        self._header_name = []
        self._header_value = []

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name.append(data[start:end])

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value.append(data[start:end])

    def _on_header_end(self) -> None:
        try:
            name = b"".join(self._header_name).decode()
            value = b"".join(self._header_value).decode()
        except UnicodeDecodeError as error:
            raise FormDataError(f"a multipart part header is not valid UTF-8: {error}") from None
        self._header_pairs.append((name.strip(" \t"), value.strip(" \t")))
        self._header_name = []
        self._header_value = []

    def _on_headers_finished(self) -> None:
        self._parts += 1
        if self._max_parts is not None and self._parts > self._max_parts:
            raise FormLimitExceeded(
                f"the multipart body has more than the maximum of {self._max_parts} parts"
            )
        self._seam = b"\r\n"  # the line break that ends the headers precedes the data
        headers = Headers(self._header_pairs)
        disposition = headers.get("content-disposition")
        if disposition is None:
            raise FormDataError("a multipart part has no Content-Disposition header")
        options = parse_options_header(disposition)[1]
        self._headers = headers
        self._name = options.get("name")
        self._filename = options.get("filename")
        if self._filename is None:
            self._file = None
            self._value = []
            self._value_size = 0
        else:
            self._file = self._open_file(headers, self._filename)

    def _open_file(self, headers: Headers, filename: str) -> IO[bytes]:
        try:
            part_length = int(headers.get("content-length", "").strip(" \t"))
        except ValueError:
            part_length = 0
        return self._stream_factory(
            total_content_length=self._content_length,
            content_type=headers.get("content-type"),
            filename=filename,
            content_length=part_length,
        )

    def _reject_stray_delimiter(self, piece: bytes) -> None:
        """Refuse a line that starts with the boundary without being a delimiter.

        python-multipart only knows CRLF delimiters followed by CRLF or ``--`` and
        keeps any other line that starts with the boundary as part data, where
        Werkzeug takes lone CR or LF line breaks and starts a new part. Rather than
        read such a body differently without a word, erlen refuses it: RFC 2046
        forbids the boundary at the start of a line inside a part.
        """
        marker = self._delimiter
        window = self._seam + piece[: len(marker)]
        if (
            b"\n" + marker in piece
            or b"\r" + marker in piece
            or b"\n" + marker in window
            or b"\r" + marker in window
        ):
            raise FormDataError(
                f"a line in the multipart part {self._name!r} starts with the boundary but"
                " is not a delimiter (delimiters are CRLF, '--boundary', then CRLF or '--')"
            )
        keep = len(marker)
        self._seam = piece[-keep:] if len(piece) >= keep else window[-keep:]

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        self._reject_stray_delimiter(piece)
        if self._file is not None:
            self._file.write(piece)
            return
        self._value_size += end - start
        if self._max_memory is not None and self._value_size > self._max_memory:
            raise FormLimitExceeded(
                f"the multipart field {self._name!r} is larger than the maximum of"
                f" {self._max_memory} bytes held in memory"
            )
        self._value.append(piece)

    def _on_part_end(self) -> None:
        headers = self._headers
        if headers is None:  # python-multipart ends a part only after its headers
            return
        if self._file is not None:
            file = self._file
            self._file = None
            file.seek(0)
            self.files.append(
                (self._name, FileStorage(file, self._filename, self._name, headers=headers))
            )
        else:
            text = b"".join(self._value).decode(_part_charset(headers), "replace")
            self.fields.append((self._name, text))
            self._value = []
        self._headers = None

    def _on_end(self) -> None:
        self._finished = True
