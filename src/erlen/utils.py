"""Utilities Flask users import from ``werkzeug.utils`` and ``werkzeug.security``:
``redirect``, ``secure_filename``, ``safe_join``, ``import_string`` and friends.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
import typing as t
import unicodedata

from markupsafe import escape

from .lazy import cached_property

if t.TYPE_CHECKING:
    from .wrappers import Response

__all__ = [
    "ImportStringError",
    "append_slash_redirect",
    "cached_property",
    "find_modules",
    "import_string",
    "redirect",
    "safe_join",
    "secure_filename",
]

_filename_strip = re.compile(r"[^A-Za-z0-9_.-]")
_windows_device_names = {
    "AUX",
    "CON",
    "CONIN$",
    "CONOUT$",
    *(f"COM{c}" for c in "123456789¹²³"),
    *(f"LPT{c}" for c in "123456789¹²³"),
    "NUL",
    "PRN",
}
_alt_separators = [sep for sep in (os.sep, os.path.altsep) if sep is not None and sep != "/"]


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A response sending the client to *location* with a small HTML body.

    The Location header is made a valid URI when sent (non-ASCII is encoded).  CR, LF
    and NUL are refused with ``ValueError``: they would let a value that came from
    the client inject headers.
    """
    if any(char in location for char in "\r\n\0"):
        raise ValueError(
            f"Refusing to redirect to {location!r}: the location contains a line break or"
            " NUL, which would allow header injection. Validate or quote the target first."
        )
    if Response is None:
        from .wrappers import Response
    html_location = escape(location)
    text = (
        "<!doctype html>\n"
        "<html lang=en>\n"
        "<title>Redirecting...</title>\n"
        "<h1>Redirecting...</h1>\n"
        "<p>You should be redirected automatically to the target URL: "
        f'<a href="{html_location}">{html_location}</a>. If not, click the link.\n'
    )
    plain_redirect = getattr(Response, "_plain_redirect", None)  # erlen's classes have it
    response = plain_redirect(text, code, location) if plain_redirect is not None else None
    if response is None:
        response = Response(text, code, mimetype="text/html")
        response.headers["Location"] = location
    return response


def append_slash_redirect(environ: dict[str, t.Any], code: int = 308) -> Response:
    """Redirect to the current URL with a trailing slash (relative Location)."""
    tail = environ["PATH_INFO"].rpartition("/")[2]
    new_path = f"{tail}/" if tail else "./"
    query = environ.get("QUERY_STRING")
    if query:
        new_path = f"{new_path}?{query}"
    return redirect(new_path, code)


def secure_filename(filename: str) -> str:
    """A safe version of an uploaded file's name, for saving it to disk.

    Non-ASCII is transliterated or dropped, separators and whitespace become ``_``,
    anything but letters, digits, ``_.-`` is removed and leading/trailing dots and
    underscores stripped, so ``../../etc/passwd`` becomes ``etc_passwd``.  Windows
    device names (``CON``, ``NUL.txt``...) are prefixed with ``_`` on every platform,
    since files saved here may be served to or copied to Windows later (Werkzeug
    does this on Windows only).  The result may be empty: choose a name then.
    """
    filename = unicodedata.normalize("NFKD", filename)
    filename = filename.encode("ascii", "ignore").decode("ascii")
    for sep in (os.sep, os.path.altsep, "/", "\\"):
        if sep:
            filename = filename.replace(sep, " ")
    filename = "_".join(filename.split())
    filename = _filename_strip.sub("", filename)
    filename = filename.strip("._")
    if filename.partition(".")[0].strip().upper() in _windows_device_names:
        filename = f"_{filename}"
    return filename


def safe_join(directory: str, *pathnames: str) -> str | None:
    """Join untrusted path parts onto a trusted *directory*, or ``None`` if unsafe.

    Refused: absolute parts, ``..`` that would escape, backslash or other OS separators,
    NUL bytes, drive letters, Windows device names (``CON``, ``nul.txt``, ...) and
    segments made only of dots and spaces (``...``, ``.. ``), which Windows may
    normalize into a parent reference. The Windows-only refusals apply on every
    platform, so an app answers the same wherever it runs. Empty parts are skipped.
    The result is not checked for existence, nor for symlinks inside *directory*.
    """
    if not directory:
        # Without this the first untrusted part would become the trusted base.
        directory = "."
    parts = [directory]
    for filename in pathnames:
        if not filename:
            continue
        filename = posixpath.normpath(filename)
        if (
            "\0" in filename
            or "\\" in filename
            or any(sep in filename for sep in _alt_separators)
            or os.path.isabs(filename)
            or filename.startswith("/")
            or filename == ".."
            or filename.startswith("../")
            or (len(filename) > 1 and filename[1] == ":" and filename[0].isalpha())
            or any(_is_unsafe_segment(part) for part in filename.split("/"))
        ):
            return None
        parts.append(filename)
    return posixpath.join(*parts)


def _is_unsafe_segment(segment: str) -> bool:
    """Whether a path segment is a Windows device name or only dots and spaces."""
    if segment == ".":
        return False  # only ever the whole normalized path: the directory itself
    if not segment.strip(". "):
        return True
    return segment.partition(".")[0].partition(":")[0].strip().upper() in _windows_device_names


class ImportStringError(ImportError):
    """:func:`import_string` could not import the object."""

    def __init__(self, import_name: str, exception: BaseException) -> None:
        self.import_name = import_name
        self.exception = exception
        super().__init__(
            f"import_string() failed for {import_name!r}: {exception}. Check the dotted"
            " path ('package.module:name' or 'package.module.name') and that the module"
            " imports cleanly."
        )


def import_string(import_name: str, silent: bool = False) -> t.Any:
    """Import an object by dotted path: ``"os.path:join"`` or ``"os.path.join"``."""
    import_name = import_name.replace(":", ".")
    try:
        try:
            __import__(import_name)
        except ImportError:
            if "." not in import_name:
                raise
        else:
            return sys.modules[import_name]
        module_name, obj_name = import_name.rsplit(".", 1)
        module = __import__(module_name, globals(), locals(), [obj_name])
        try:
            return getattr(module, obj_name)
        except AttributeError as e:
            raise ImportError(e) from None
    except ImportError as e:
        if not silent:
            raise ImportStringError(import_name, e).with_traceback(sys.exc_info()[2]) from None
    return None


def find_modules(
    import_path: str, include_packages: bool = False, recursive: bool = False
) -> t.Iterator[str]:
    """The names of the modules in a package (for auto-registering blueprints)."""
    import pkgutil

    module = import_string(import_path)
    path = getattr(module, "__path__", None)
    if path is None:
        raise ValueError(f"{import_path!r} is not a package")
    basename = f"{module.__name__}."
    for _importer, modname, ispkg in pkgutil.iter_modules(path):
        modname = basename + modname
        if ispkg:
            if include_packages:
                yield modname
            if recursive:
                yield from find_modules(modname, include_packages, True)
        else:
            yield modname
