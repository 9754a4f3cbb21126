"""Uploaded files: :class:`FileStorage` and the :class:`FileMultiDict` that holds them.

A multipart form parser wraps each uploaded file in a :class:`FileStorage`: the byte
stream plus what the client said about it (field name, file name, content type). The
object proxies file methods to the stream, so ``storage.read()`` works, and
:meth:`FileStorage.save` copies it to disk in bounded chunks. Behaviour follows
``werkzeug.datastructures`` 3.1.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from collections.abc import Iterator
from io import BytesIO
from typing import IO, Any

from .headers import Headers, _plain_int
from .multidict import MultiDict
from .options import parse_options_header

__all__ = ["FileMultiDict", "FileStorage"]


class FileStorage:
    """One uploaded file: a binary ``stream`` and the metadata sent with it.

    ``filename`` is the client's file name (untrusted: pass it through
    ``secure_filename`` before using it as a path) and falls back to the stream's
    ``name`` unless that looks like ``<stdin>``. ``name`` is the form field.
    ``content_type`` and ``content_length`` are stored in ``headers``. A storage is
    true when it has a file name, so ``if request.files["f"]:`` means "a file was
    chosen".
    """

    def __init__(
        self,
        stream: IO[bytes] | None = None,
        filename: str | os.PathLike[str] | None = None,
        name: str | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.name = name
        self.stream: IO[bytes] = stream or BytesIO()
        if filename is None:
            filename = getattr(stream, "name", None)
            if filename is not None:
                filename = os.fsdecode(filename)
            if filename and filename.startswith("<") and filename.endswith(">"):
                filename = None
        else:
            filename = os.fsdecode(filename)
        self.filename: str | None = filename  # type: ignore[assignment]
        if headers is None:
            headers = Headers()
        self.headers = headers
        if content_type is not None:
            headers["Content-Type"] = content_type
        if content_length is not None:
            headers["Content-Length"] = str(content_length)

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` the client sent for this file, if any."""
        return self.headers.get("content-type")  # type: ignore[no-any-return]

    @property
    def content_length(self) -> int:
        """The ``Content-Length`` sent for this file, or ``0`` if absent or invalid."""
        value = self.headers.get("content-length")
        if value is not None:
            try:
                return _plain_int(value)
            except ValueError:
                pass
        return 0

    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        raw = self.content_type
        cached = self.__dict__.get("_content_type_cache")
        if cached is None or cached[0] != raw:
            cached = (raw, parse_options_header(raw))
            self.__dict__["_content_type_cache"] = cached
        return cached[1]

    @property
    def mimetype(self) -> str:
        """The media type without parameters, lowercased (``text/html``)."""
        return self._parsed_content_type()[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The content type parameters (``{"charset": "utf-8"}``)."""
        return self._parsed_content_type()[1]

    def save(self, dst: str | os.PathLike[str] | IO[bytes], buffer_size: int = 16384) -> None:
        """Copy the file to a path or an open binary file, ``buffer_size`` bytes at a time.

        A path is opened, written and closed here; a file object is left open for the
        caller to close.
        """
        if hasattr(dst, "__fspath__"):
            dst = os.fspath(dst)
        if isinstance(dst, str):
            with open(dst, "wb") as target:
                shutil.copyfileobj(self.stream, target, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)  # type: ignore[misc]

    def close(self) -> None:
        """Close the stream, ignoring errors from it."""
        try:
            self.stream.close()
        except Exception:
            pass

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __getattr__(self, name: str) -> Any:
        if name == "stream" or name.startswith("__"):
            raise AttributeError(name)
        try:
            return getattr(self.stream, name)
        except AttributeError:
            # SpooledTemporaryFile before Python 3.11 lacks some IOBase methods; its
            # backing file has them.
            backing = getattr(self.stream, "_file", None)
            if backing is not None:
                return getattr(backing, name)
            raise

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.filename!r} ({self.content_type!r})>"


class FileMultiDict(MultiDict[str, FileStorage]):
    """A :class:`MultiDict` of :class:`FileStorage` objects with :meth:`add_file`.

    Mostly useful for building test requests.
    """

    def add_file(
        self,
        name: str,
        file: str | os.PathLike[str] | IO[bytes] | FileStorage,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Add a file under form field ``name``.

        ``file`` is a path (opened for reading), a binary file object or a
        :class:`FileStorage`. Without ``content_type`` it is guessed from the file
        name, defaulting to ``application/octet-stream``.
        """
        if isinstance(file, FileStorage):
            self.add(name, file)
            return
        if isinstance(file, (str, os.PathLike)):
            if filename is None:
                filename = os.fspath(file)
            stream: IO[bytes] = open(file, "rb")  # noqa: SIM115 - owned by the storage
        else:
            stream = file
        if filename and content_type is None:
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self.add(name, FileStorage(stream, filename, name, content_type))
