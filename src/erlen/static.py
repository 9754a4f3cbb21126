"""Sending files: ``send_file``, ``send_from_directory`` and the file iterator they use.

These are the functions Flask users know from ``werkzeug.utils``, with the same
signatures and responses: a path or a binary file object becomes a streamed response
with a guessed ``Content-Type``, an optional ``Content-Disposition`` download name,
validators (``ETag``, ``Last-Modified``), ``Cache-Control`` and, through the response's
``make_conditional``, 304/412 answers and byte ranges. ``send_from_directory`` is the
safe one for paths that come from a client: anything that would leave the directory
is a 404 before the file system is asked about it.

The helpers in :mod:`erlen.helpers` (what views call) fill in the request environ and
the application's settings, then call these.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import stat
import typing as t
import unicodedata
from time import time
from urllib.parse import quote
from zlib import adler32

from .exceptions import NotFound
from .http.dates import http_date
from .http.etags import quote_etag
from .http.headers import Headers
from .http.options import get_content_type, quote_header_value
from .utils import safe_join

if t.TYPE_CHECKING:
    from datetime import datetime

    from .wrappers import Response

    #: Seconds to cache for, or a function of the file's path giving them.
    _MaxAge = int | None | t.Callable[[str | None], int | None]

__all__ = ["FileWrapper", "StaticFileHashes", "send_file", "send_from_directory", "wrap_file"]

#: How much is read per chunk when erlen streams a file itself. Larger than Werkzeug's
#: 8 KiB: fewer trips through the WSGI server's loop for the same bytes.
SEND_FILE_CHUNK_SIZE = 64 * 1024

# RFC 5987 ``attr-char`` punctuation: kept as is in ``filename*=UTF-8''...``.
_ATTR_CHAR_PUNCTUATION = "!#$&+-.^_`|~"


class FileWrapper:
    """Iterate a binary file in chunks of ``buffer_size`` bytes, for a response body.

    A WSGI server may offer a faster wrapper of its own (``wsgi.file_wrapper``);
    :func:`wrap_file` prefers that one. Seeking is passed through so a byte range can
    skip to its start instead of reading up to it, and closing closes the file.
    """

    __slots__ = ("buffer_size", "file")

    def __init__(self, file: t.IO[bytes], buffer_size: int = 8192) -> None:
        self.file = file
        self.buffer_size = buffer_size

    def close(self) -> None:
        """Close the file (if it can be closed)."""
        close = getattr(self.file, "close", None)
        if close is not None:
            close()

    def seekable(self) -> bool:
        """Whether the file supports seeking (a range then skips without reading)."""
        seekable = getattr(self.file, "seekable", None)
        if seekable is not None:
            return bool(seekable())
        return hasattr(self.file, "seek")

    def seek(self, *args: t.Any) -> None:
        """Move the file position, when the file can seek."""
        seek = getattr(self.file, "seek", None)
        if seek is not None:
            seek(*args)

    def tell(self) -> int | None:
        """The file position, or ``None`` for a file that cannot tell."""
        tell = getattr(self.file, "tell", None)
        if tell is not None:
            return tell()  # type: ignore[no-any-return]
        return None

    def __iter__(self) -> FileWrapper:
        return self

    def __next__(self) -> bytes:
        chunk = self.file.read(self.buffer_size)
        if chunk:
            return chunk
        raise StopIteration


def wrap_file(environ: dict[str, t.Any], file: t.IO[bytes], buffer_size: int = 8192) -> t.Any:
    """An iterable over ``file`` for a response body.

    Uses the server's ``wsgi.file_wrapper`` when the environ has one (it may send the
    file with ``sendfile(2)``), else :class:`FileWrapper`. Send the result in a response
    with ``direct_passthrough=True`` so the server receives the wrapper itself.
    """
    return environ.get("wsgi.file_wrapper", FileWrapper)(file, buffer_size)


def send_file(
    path_or_file: os.PathLike[str] | str | t.IO[bytes],
    environ: dict[str, t.Any],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: _MaxAge = None,
    use_x_sendfile: bool = False,
    response_class: type[Response] | None = None,
    _root_path: os.PathLike[str] | str | None = None,
) -> Response:
    """A response sending a file: a path on disk or a binary file object.

    Never pass a path that came from a client here; use :func:`send_from_directory`.
    A relative path is taken relative to ``_root_path`` (the application's root, when
    called through :func:`erlen.send_file`) or else the working directory.

    - ``mimetype`` is guessed from ``download_name`` or the path's file name (unknown
      types are ``application/octet-stream``; a compression suffix such as ``.gz``
      becomes ``Content-Encoding`` unless ``as_attachment``). A file object without
      either name needs ``mimetype`` or ``download_name``: :class:`TypeError` otherwise.
    - ``as_attachment`` asks the browser to save the file; ``download_name`` (default:
      the path's file name) is sent in ``Content-Disposition``, with an RFC 5987
      ``filename*`` for names that are not ASCII.
    - ``etag``: ``True`` derives one from the path's modification time, size and name
      (file objects get none), a string is used as is, ``False`` sends none.
      ``last_modified`` (a datetime or timestamp) overrides the path's modification time.
    - ``max_age`` (seconds, or a callable given the path) makes the response cacheable
      for that long (``public``); ``None`` means ``no-cache``: clients revalidate.
    - ``conditional`` answers ``If-None-Match``/``If-Modified-Since`` with 304, a failed
      ``If-Match`` with 412 and ``Range`` with 206 (or 416 when unsatisfiable).
    - ``use_x_sendfile`` leaves sending a path to the front server (``X-Sendfile``).

    File objects must be opened in binary mode (a text file is a :class:`ValueError`);
    the response closes them when it is closed.
    """
    if isinstance(path_or_file, (os.PathLike, str)) or hasattr(path_or_file, "__fspath__"):
        if _root_path is not None:
            path = os.path.join(_root_path, path_or_file)  # type: ignore[arg-type]
        else:
            path = os.path.abspath(path_or_file)  # type: ignore[arg-type]
        return _send(
            path,
            os.stat(path),
            None,
            environ,
            mimetype,
            as_attachment,
            download_name,
            conditional,
            etag,
            last_modified,
            max_age,
            use_x_sendfile,
            response_class,
        )
    return _send(
        None,
        None,
        path_or_file,  # type: ignore[arg-type]
        environ,
        mimetype,
        as_attachment,
        download_name,
        conditional,
        etag,
        last_modified,
        max_age,
        use_x_sendfile,
        response_class,
    )


def send_from_directory(
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    environ: dict[str, t.Any],
    **kwargs: t.Any,
) -> Response:
    """Send the file at ``path`` inside ``directory``: the safe way to serve a client's path.

    ``directory`` is trusted (never take it from the request); ``path`` is not. A path
    that would leave the directory (``..``, absolute, a drive, a backslash, NUL, a
    Windows device name, ...) raises :class:`~erlen.exceptions.NotFound` without the
    file system being consulted, and so does one that names no regular file. Other
    keyword arguments go to :func:`send_file`.
    """
    joined = safe_join(os.fspath(directory), os.fspath(path))
    if joined is None:
        raise NotFound()
    root_path = kwargs.pop("_root_path", None)
    if root_path is not None:
        joined = os.path.join(root_path, joined)
    try:
        file_stat = os.stat(joined)
    except (OSError, ValueError):
        raise NotFound() from None
    if not stat.S_ISREG(file_stat.st_mode):
        raise NotFound()
    return _send(joined, file_stat, None, environ, **kwargs)


def _send(
    path: str | None,
    file_stat: os.stat_result | None,
    file: t.IO[bytes] | None,
    environ: dict[str, t.Any],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: _MaxAge = None,
    use_x_sendfile: bool = False,
    response_class: type[Response] | None = None,
) -> Response:
    """Build the response for a resolved path (with its stat) or for a file object.

    The headers are composed once, in the order Werkzeug sends them, and checked once
    (CR, LF, NUL) when the :class:`Headers` is made; the file is opened last, so a
    failure before that leaves nothing to close.
    """
    if response_class is None:
        from .wrappers import Response

        response_class = Response

    # ``size`` is announced as Content-Length; ``range_length`` is the length byte
    # ranges are counted against (``None``: ranges are not offered).
    size: int | None = None
    range_length: int | None = None
    mtime: float | None = None
    if file_stat is not None:
        size = range_length = file_stat.st_size
        mtime = file_stat.st_mtime
    if download_name is None and path is not None:
        download_name = os.path.basename(path)
    items: list[tuple[str, str]] = []

    if mimetype is None:
        if download_name is None:
            raise TypeError(
                "send_file() cannot guess the MIME type of a file object without a name"
                " (the file's own 'name' attribute is not used). Pass 'mimetype', or"
                " 'download_name', or a path instead of the file."
            )
        mimetype, encoding = mimetypes.guess_type(download_name)
        if mimetype is None:
            mimetype = "application/octet-stream"
        # A browser saving "x.tar.gz" sent with "Content-Encoding: gzip" would store it
        # decompressed under the compressed name; only inline content gets the header.
        if encoding is not None and not as_attachment:
            items.append(("Content-Encoding", encoding))

    if download_name is not None:
        kind = "attachment" if as_attachment else "inline"
        items.append(("Content-Disposition", _content_disposition(kind, download_name)))
    elif as_attachment:
        raise TypeError(
            "send_file(as_attachment=True) needs a file name for the download: pass"
            " 'download_name', or a path instead of a file object."
        )

    open_path = None
    if use_x_sendfile and path is not None:
        items.append(("X-Sendfile", path))
    elif file is None:
        open_path = path
    elif isinstance(file, io.BytesIO):
        size, range_length = _bytes_io_lengths(file)
    elif isinstance(file, io.TextIOBase):
        raise ValueError(
            "send_file() needs a binary file: open it with mode 'rb', or send text"
            " as io.BytesIO(text.encode())."
        )

    items.append(("Content-Type", _content_type(mimetype)))
    if size is not None:
        items.append(("Content-Length", str(size)))
    if last_modified is not None:
        items.append(("Last-Modified", http_date(last_modified)))
    elif mtime is not None:
        items.append(("Last-Modified", http_date(mtime)))
    _add_caching(items, max_age(path) if callable(max_age) else max_age)
    if isinstance(etag, str):
        items.append(("ETag", quote_etag(etag)))
    elif etag and path is not None:
        # Changes whenever the file is replaced or edited (mtime, size) and differs
        # between files of equal size and age (the path's checksum).
        checksum = adler32(path.encode("utf-8", "surrogateescape")) & 0xFFFFFFFF
        items.append(("ETag", f'"{mtime}-{size}-{checksum}"'))
    headers = Headers(items)

    if open_path is not None:
        file = open(open_path, "rb")  # noqa: SIM115 (the response closes it)
    body = None
    if file is not None:
        body = environ.get("wsgi.file_wrapper", FileWrapper)(file, SEND_FILE_CHUNK_SIZE)
    try:
        response = response_class(body, headers=headers, direct_passthrough=True)
        if file is not None:
            response.call_on_close(file.close)
        if conditional:
            response = response.make_conditional(
                environ, accept_ranges=True, complete_length=range_length
            )
            # Some X-Sendfile servers send the file even with a 304 status.
            if response.status_code == 304 and use_x_sendfile:
                response.headers.pop("X-Sendfile", None)
    except BaseException:
        # A 416 (or any failure) must not leave the file open behind it.
        if file is not None:
            file.close()
        raise
    return response


def _add_caching(items: list[tuple[str, str]], max_age: int | None) -> None:
    """``Cache-Control`` (and ``Expires``) for a lifetime in seconds, or ``no-cache``."""
    if max_age is None:
        items.append(("Cache-Control", "no-cache"))
        return
    # Cache-Control carries whole seconds; a fraction is cut off, as Werkzeug does.
    seconds = int(max_age)
    if max_age > 0:
        items.append(("Cache-Control", f"public, max-age={seconds}"))
    else:
        items.append(("Cache-Control", f"no-cache, max-age={seconds}"))
    items.append(("Expires", http_date(int(time() + max_age))))


def _content_type(mimetype: str) -> str:
    """The ``Content-Type`` for a mimetype (a charset added for text), remembered."""
    content_type = _content_types.get(mimetype)
    if content_type is None:
        content_type = get_content_type(mimetype, "utf-8")
        if len(_content_types) < 512:
            _content_types[mimetype] = content_type
    return content_type


_content_types: dict[str, str] = {}


def _bytes_io_lengths(file: io.BytesIO) -> tuple[int, int | None]:
    """``(Content-Length, length for ranges)`` of a BytesIO body.

    From its start, that is the whole buffer. When the caller left the position
    further in, only the rest is sent: Werkzeug still announces the whole buffer (a
    response that ends before its Content-Length), erlen announces what is sent and
    offers no ranges, whose offsets would not match what was announced.
    """
    total = file.getbuffer().nbytes
    position = file.tell()
    if position == 0:
        return total, total
    return max(total - position, 0), None


def _content_disposition(kind: str, name: str) -> str:
    """``inline``/``attachment`` with the file name, RFC 6266 style.

    An ASCII name goes in ``filename`` (quoted when needed). Any other name goes in
    ``filename*`` as percent-encoded UTF-8 (RFC 5987), with an ASCII approximation in
    ``filename`` for clients that do not read ``filename*``.
    """
    if name.isascii():
        return f"{kind}; filename={quote_header_value(name)}"
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    encoded = quote(name, safe=_ATTR_CHAR_PUNCTUATION)
    return f"{kind}; filename={quote_header_value(fallback)}; filename*=UTF-8''{encoded}"


#: ``Cache-Control`` for a static file requested with its current content hash: the
#: URL changes whenever the content does, so the response never needs revalidating.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
#: Seconds a hashed static response may be cached (a year, the usual maximum).
IMMUTABLE_MAX_AGE = 31536000
#: Hex digits of the content hash kept in ``?v=`` (48 bits: collisions between two
#: versions of one file are out of reach, and URLs stay short).
STATIC_HASH_LENGTH = 12


class StaticFileHashes:
    """Short content hashes of the files of one static folder (``STATIC_URL_HASH``).

    A file is read and hashed the first time its hash is asked for; afterwards the
    hash is a dictionary lookup with no file system access.  With ``refresh`` (debug
    mode) the file's size and modification time are checked on each lookup and the
    hash recomputed when they change.  A name that leaves the folder or names no
    regular file has no hash (``None``), and is looked up again next time.
    """

    __slots__ = ("_hashes",)

    def __init__(self) -> None:
        #: (folder, filename) -> (hash, (mtime_ns, size))
        self._hashes: dict[tuple[str, str], tuple[str, tuple[int, int]]] = {}

    def get(self, folder: str, filename: str, refresh: bool = False) -> str | None:
        """The content hash of *filename* inside *folder*, or ``None``."""
        key = (folder, filename)
        entry = self._hashes.get(key)
        if entry is not None and not refresh:
            return entry[0]
        path = safe_join(folder, filename)
        if path is None:
            return None
        try:
            file_stat = os.stat(path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(file_stat.st_mode):
            return None
        version = (file_stat.st_mtime_ns, file_stat.st_size)
        if entry is not None and entry[1] == version:
            return entry[0]
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as file:
                for chunk in iter(lambda: file.read(SEND_FILE_CHUNK_SIZE), b""):
                    digest.update(chunk)
        except OSError:
            return None
        value = digest.hexdigest()[:STATIC_HASH_LENGTH]
        self._hashes[key] = (value, version)
        return value

    def clear(self) -> None:
        """Forget every hash (they are computed again on next use)."""
        self._hashes.clear()
