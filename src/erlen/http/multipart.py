"""Encoding ``multipart/form-data`` request bodies, for building test requests.

The test client turns form fields and files into a body a real browser would send, so
the application parses it with the same code it uses in production. Output follows
Werkzeug 3.1's encoder (same part layout, same ``Content-Type`` guessing), with two
corrections: an empty value still gets the blank line that separates it from its
headers (RFC 7578; Werkzeug runs the headers straight into the next boundary), and a
``"``, CR or LF in a field or file name is percent-escaped as browsers do (WHATWG),
so a hostile name cannot forge extra parts.

This is a testing aid: it trusts its input and must not be used to proxy client data.
"""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Iterator, Mapping
from io import BytesIO
from tempfile import TemporaryFile
from typing import IO, Any

from .multidict import MultiDict

__all__ = ["encode_multipart", "iter_form_items", "stream_encode_multipart"]

#: Bodies up to this size stay in memory; larger ones spill to a temporary file.
DEFAULT_MEMORY_THRESHOLD = 500 * 1024

_READ_CHUNK = 16384

# What WHATWG's form encoder escapes inside a quoted name in Content-Disposition.
_NAME_ESCAPES = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A"})


def iter_form_items(data: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield ``(key, value)`` pairs of form data, expanding list values into repeats.

    A :class:`MultiDict` yields all its values. In a plain mapping only a ``list``
    means "several values"; a ``tuple`` is one value, because a tuple describes a file
    (``(stream, filename[, content_type])``).
    """
    if isinstance(data, MultiDict):
        yield from data.items(multi=True)
        return
    for key, value in data.items():
        if isinstance(value, list):
            for item in value:
                yield key, item
        else:
            yield key, value


def _quoted_name(name: str) -> bytes:
    return name.translate(_NAME_ESCAPES).encode()


class _SpillingBuffer:
    """A write-only body buffer kept in memory until it outgrows ``threshold`` bytes."""

    __slots__ = ("_spill", "stream", "threshold")

    def __init__(self, threshold: int | None) -> None:
        self.stream: IO[bytes] = BytesIO()
        self.threshold = threshold
        self._spill = threshold is not None

    def write(self, data: bytes) -> None:
        if self._spill and self.stream.tell() + len(data) > self.threshold:  # type: ignore[operator]
            on_disk: IO[bytes] = TemporaryFile("wb+")  # noqa: SIM115 - handed to the caller
            on_disk.write(self.stream.getvalue())  # type: ignore[attr-defined]
            self.stream = on_disk
            self._spill = False
        self.stream.write(data)


def _part_header(key: str, filename: str | None, content_type: str | None, extra: Any) -> bytes:
    disposition = b'Content-Disposition: form-data; name="' + _quoted_name(key) + b'"'
    if filename is not None:
        disposition += b'; filename="' + _quoted_name(filename) + b'"'
    lines = [disposition]
    pending_type = content_type
    for name, value in extra or ():
        lowered = name.lower()
        if lowered == "content-disposition":
            continue
        if lowered == "content-type" and content_type is not None:
            # The part's type replaces the first Content-Type in place, drops repeats.
            if pending_type is None:
                continue
            name, value, pending_type = "Content-Type", pending_type, None
        lines.append(f"{name}: {value}".encode())
    if pending_type is not None:
        lines.append(f"Content-Type: {pending_type}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _write_part(out: _SpillingBuffer, delimiter: bytes, key: str, value: Any) -> None:
    reader = getattr(value, "read", None)
    out.write(delimiter)
    if reader is None:
        text = value if isinstance(value, str) else str(value)
        out.write(_part_header(key, None, None, None))
        out.write(text.encode())
        return
    filename = getattr(value, "filename", getattr(value, "name", None))
    if filename is not None and not isinstance(filename, str):
        filename = None  # a file opened from a descriptor has an int ``name``
    content_type = getattr(value, "content_type", None)
    if content_type is None:
        content_type = (
            filename and mimetypes.guess_type(filename)[0]
        ) or "application/octet-stream"
    out.write(_part_header(key, filename, content_type, getattr(value, "headers", None)))
    while True:
        chunk = reader(_READ_CHUNK)
        if not chunk:
            break
        out.write(chunk)


def stream_encode_multipart(
    data: Mapping[str, Any],
    use_tempfile: bool = True,
    threshold: int = DEFAULT_MEMORY_THRESHOLD,
    boundary: str | None = None,
) -> tuple[IO[bytes], int, str]:
    """Encode form ``data`` as a ``multipart/form-data`` body.

    Values are strings (anything else goes through ``str``), file-like objects
    (including :class:`~erlen.http.files.FileStorage`), or lists of those. A file's
    part carries its ``filename`` (or ``name``) and ``content_type``, guessed from the
    file name when absent and ``application/octet-stream`` as the last resort; a
    file-like object without a name is sent as a plain field with its content.

    Returns ``(stream, length, boundary)`` with the stream rewound to the start. With
    ``use_tempfile`` a body larger than ``threshold`` bytes is written to a temporary
    file instead of memory. ``boundary`` defaults to a fresh random string.
    """
    if boundary is None:
        boundary = f"---------------ErlenFormPart_{secrets.token_hex(16)}"
    delimiter = b"\r\n--" + boundary.encode() + b"\r\n"
    out = _SpillingBuffer(threshold if use_tempfile else None)
    for key, value in iter_form_items(data):
        _write_part(out, delimiter, key, value)
    out.write(b"\r\n--" + boundary.encode() + b"--\r\n")
    stream = out.stream
    length = stream.tell()
    stream.seek(0)
    return stream, length, boundary


def encode_multipart(values: Mapping[str, Any], boundary: str | None = None) -> tuple[str, bytes]:
    """Encode form ``values`` as a ``multipart/form-data`` body held in memory.

    Returns ``(boundary, body)``; see :func:`stream_encode_multipart` for the values
    accepted. The request's ``Content-Type`` is then
    ``f'multipart/form-data; boundary="{boundary}"'``.
    """
    stream, _, boundary = stream_encode_multipart(values, use_tempfile=False, boundary=boundary)
    return boundary, stream.read()
