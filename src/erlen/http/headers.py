"""HTTP header collections: :class:`Headers` for responses, :class:`EnvironHeaders` for requests.

:class:`Headers` is an ordered, case-insensitive multi-map kept as a plain list of
``(name, value)`` string tuples, which is exactly what WSGI's ``start_response`` wants:
:meth:`Headers.to_wsgi_list` hands that list over without copying. Values are checked
for CR, LF and NUL on the way in, so a header can never smuggle a second header or a
response body into the output ("header injection"). Header *names* are trusted, as in
Werkzeug: they come from application code, never from the client.

:class:`EnvironHeaders` is a read-only view over a WSGI environ, so reading a request
header is a dict lookup rather than building a list first. :class:`HeaderSet` is the
value of a token-set header such as ``Vary`` or ``Allow``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NoReturn, TypeVar

from .header_set import HeaderSet
from .multidict import MissingKeyError, MultiDict, _immutable_error, _missing, iter_multi_items
from .options import dump_options_header

T = TypeVar("T")

__all__ = ["EnvironHeaders", "HeaderSet", "Headers", "ImmutableHeadersMixin"]

_SEQUENCE_TYPES = (list, tuple, set)


def _header_value(value: Any) -> str:
    """Return ``value`` as a header value string, refusing line breaks and NUL."""
    if not isinstance(value, str):
        value = str(value)
    if "\n" in value or "\r" in value or "\x00" in value:
        raise ValueError(
            f"Header value {value[:80]!r} contains a CR, LF or NUL character; these would"
            " let it inject extra headers. Remove them before setting the header."
        )
    return value


def _header_pairs(pairs: Iterable[Any]) -> list[tuple[str, str]]:
    """Return ``pairs`` as a new list of ``(name, checked str value)`` tuples."""
    result = []
    append = result.append
    for key, value in pairs:
        if not isinstance(value, str):
            value = str(value)
        if "\n" in value or "\r" in value or "\x00" in value:
            _header_value(value)
        append((key, value))
    return result


def _with_options(value: Any, options: dict[str, Any]) -> str:
    """Render keyword options after ``value`` (``filename=`` -> ``; filename=...``)."""
    return dump_options_header(value, {k.replace("_", "-"): v for k, v in options.items()})


class Headers:
    """An ordered, case-insensitive collection of HTTP headers that allows repeats.

    Iterating yields ``(name, value)`` tuples. Look-ups by name ignore case and return
    the first match; a missing name raises
    :class:`~erlen.http.multidict.MissingKeyError` (a ``KeyError``). Integer and slice
    indexes address the underlying list.

    ``defaults`` may be a list of pairs (the cheap path: one pass that checks values),
    another :class:`Headers` (copied without re-checking), a :class:`MultiDict`, or a
    mapping whose list/tuple/set values mean repeated headers. Values that are not
    strings are converted with ``str``; values containing CR, LF or NUL raise
    :class:`ValueError`.
    """

    __slots__ = ("_list",)

    def __init__(
        self,
        defaults: Headers
        | MultiDict[str, Any]
        | Mapping[str, Any]
        | Iterable[tuple[str, Any]]
        | None = None,
    ) -> None:
        if defaults is None:
            self._list: list[tuple[str, str]] = []
        elif defaults.__class__ is list:
            self._list = _header_pairs(defaults)  # type: ignore[arg-type]
        elif isinstance(defaults, Headers) and not isinstance(defaults, EnvironHeaders):
            self._list = defaults._list[:]
        else:
            self._list = []
            self.extend(defaults)

    def __getitem__(self, key: str | int | slice) -> Any:
        if isinstance(key, str):
            ikey = key.lower()
            for name, value in self._list:
                if name == key or name.lower() == ikey:
                    return value
            raise MissingKeyError(key)
        if isinstance(key, int):
            return self._list[key]
        return self.__class__(self._list[key])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return {(k.lower(), v) for k, v in other._list} == {  # type: ignore[attr-defined]
            (k.lower(), v) for k, v in self._list
        }

    __hash__ = None  # type: ignore[assignment]

    def get(self, key: str, default: Any = None, type: Callable[[str], T] | None = None) -> Any:
        """Return the first value of header ``key``, or ``default`` if it is absent.

        With ``type``, the value is converted and ``default`` is returned if the
        conversion raises :class:`ValueError` (``get("Content-Length", type=int)``).
        """
        ikey = key.lower()
        for name, value in self._list:
            if name == key or name.lower() == ikey:
                if type is None:
                    return value
                try:
                    return type(value)
                except ValueError:
                    return default
        return default

    def getlist(self, key: str, type: Callable[[str], T] | None = None) -> list[Any]:
        """Return all values of header ``key`` in order (empty if absent).

        With ``type``, values whose conversion raises :class:`ValueError` are left out.
        """
        ikey = key.lower()
        if type is None:
            return [v for k, v in self._list if k.lower() == ikey]
        result = []
        for k, v in self._list:
            if k.lower() == ikey:
                try:
                    result.append(type(v))
                except ValueError:
                    continue
        return result

    def get_all(self, name: str) -> list[str]:
        """Return all values of header ``name`` (the :mod:`wsgiref` spelling)."""
        return self.getlist(name)

    def items(self, lower: bool = False) -> Iterator[tuple[str, str]]:
        """Iterate ``(name, value)`` pairs, with lowercased names if ``lower``."""
        if lower:
            return ((k.lower(), v) for k, v in self._list)
        return iter(self._list)

    def keys(self, lower: bool = False) -> Iterator[str]:
        """Iterate header names in order, repeats included."""
        if lower:
            return (k.lower() for k, _ in self._list)
        return (k for k, _ in self._list)

    def values(self) -> Iterator[str]:
        """Iterate header values in order."""
        return (v for _, v in self._list)

    def extend(self, arg: Any = None, /, **kwargs: Any) -> None:
        """Add headers from a :class:`Headers`, mapping or pairs, plus keyword arguments.

        Existing headers are kept; use :meth:`update` to replace them.
        """
        if arg is not None:
            if arg.__class__ is list:
                self._list.extend(_header_pairs(arg))
            else:
                for key, value in iter_multi_items(arg):
                    self.add(key, value)
        for key, value in iter_multi_items(kwargs):
            self.add(key, value)

    def __delitem__(self, key: str | int | slice) -> None:
        if isinstance(key, str):
            self._del_key(key)
        else:
            del self._list[key]

    def _del_key(self, key: str) -> None:
        ikey = key.lower()
        # Slice assignment keeps the list object that to_wsgi_list() may have handed out.
        self._list[:] = [item for item in self._list if item[0].lower() != ikey]

    def remove(self, key: str) -> None:
        """Remove every header named ``key``; absent names are ignored."""
        self._del_key(key)

    def pop(self, key: str | int | None = None, default: Any = _missing) -> Any:
        """Remove and return a header.

        With no key, the last ``(name, value)`` pair; with an int, the pair at that
        index; with a name, the first value of that header after removing all of them
        (``default`` if it is absent, else :class:`MissingKeyError`).
        """
        if key is None:
            return self._list.pop()
        if isinstance(key, int):
            return self._list.pop(key)
        try:
            rv = self[key]
        except KeyError:
            if default is not _missing:
                return default
            raise
        self._del_key(key)
        return rv

    def popitem(self) -> tuple[str, str]:
        """Remove and return the last ``(name, value)`` pair."""
        return self._list.pop()

    def __contains__(self, key: object) -> bool:
        ikey = key.lower()  # type: ignore[attr-defined]
        for name, _ in self._list:  # noqa: SIM110 - a plain loop beats any() here
            if name == key or name.lower() == ikey:
                return True
        return False

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def add(self, key: str, value: Any, /, **kwargs: Any) -> None:
        """Append a header; keyword arguments become ``; name=value`` parameters.

        ``add("Content-Disposition", "attachment", filename="a b.txt")`` gives
        ``attachment; filename="a b.txt"``; underscores in names become dashes.
        """
        if kwargs:
            value = _with_options(value, kwargs)
        self._list.append((key, _header_value(value)))

    def add_header(self, key: str, value: Any, /, **kwargs: Any) -> None:
        """Same as :meth:`add` (the :mod:`wsgiref` spelling)."""
        self.add(key, value, **kwargs)

    def clear(self) -> None:
        """Remove all headers."""
        self._list.clear()

    def set(self, key: str, value: Any, /, **kwargs: Any) -> None:
        """Set header ``key`` to a single value, removing any others.

        The new value takes the place of the first existing one, or goes to the end.
        Keyword arguments are rendered as in :meth:`add`.
        """
        if kwargs:
            value = _with_options(value, kwargs)
        value = _header_value(value)
        items = self._list
        ikey = key.lower()
        for idx, (name, _) in enumerate(items):
            if name.lower() == ikey:
                items[idx] = (key, value)
                rest = items[idx + 1 :]
                if rest:
                    items[idx + 1 :] = [item for item in rest if item[0].lower() != ikey]
                return
        items.append((key, value))

    def setlist(self, key: str, values: Iterable[Any]) -> None:
        """Replace header ``key`` with one header per element of ``values``.

        All values are checked before anything changes; an empty ``values`` removes
        the header.
        """
        checked = [_header_value(value) for value in values]
        if not checked:
            self._del_key(key)
            return
        self.set(key, checked[0])
        if len(checked) > 1:
            self._list.extend([(key, value) for value in checked[1:]])

    def setdefault(self, key: str, default: Any) -> str:
        """Return the first value of ``key``, setting it to ``default`` if absent."""
        value = self.get(key, _missing)
        if value is not _missing:
            return value  # type: ignore[no-any-return]
        self.set(key, default)
        return self[key]  # type: ignore[no-any-return]

    def setlistdefault(self, key: str, default: Iterable[Any]) -> list[str]:
        """Return all values of ``key``, setting them to ``default`` if absent.

        The returned list is a copy: changing it does not change the headers.
        """
        if key not in self:
            self.setlist(key, default)
        return self.getlist(key)

    def __setitem__(self, key: str | int | slice, value: Any) -> None:
        """Set a header by name (like :meth:`set`), or a pair by index or slice."""
        if isinstance(key, str):
            self.set(key, value)
        elif isinstance(key, int):
            self._list[key] = value[0], _header_value(value[1])
        else:
            self._list[key] = [(k, _header_value(v)) for k, v in value]

    def update(self, arg: Any = None, /, **kwargs: Any) -> None:
        """Replace headers with those from ``arg`` and keyword arguments.

        Each name present in the source replaces all existing headers of that name; a
        list, tuple or set value sets several. Use :meth:`extend` to keep existing ones.
        """
        if arg is not None:
            if isinstance(arg, (Headers, MultiDict)):
                # Once per occurrence, as Werkzeug does: a repeated name moves its later
                # values to the end, which a per-name shortcut would not reproduce.
                for key in arg.keys():  # noqa: SIM118 - iterating Headers yields pairs
                    self.setlist(key, arg.getlist(key))
            elif isinstance(arg, Mapping):
                for key, value in arg.items():
                    if isinstance(value, _SEQUENCE_TYPES):
                        self.setlist(key, value)
                    else:
                        self.set(key, value)
            else:
                for key, value in arg:
                    self.set(key, value)
        for key, value in kwargs.items():
            if isinstance(value, _SEQUENCE_TYPES):
                self.setlist(key, value)
            else:
                self.set(key, value)

    def __or__(self, other: Any) -> Any:
        if not isinstance(other, Mapping):
            return NotImplemented
        rv = self.copy()
        rv.update(other)
        return rv

    def __ior__(self, other: Any) -> Any:
        if not isinstance(other, (Mapping, Iterable)):
            return NotImplemented
        self.update(other)
        return self

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """Return the header list for WSGI's ``start_response``.

        This is the live list this object stores, not a copy (Werkzeug copies): the
        response path hands it to the server without an allocation. Changing the
        returned list changes the headers.
        """
        return self._list

    def copy(self) -> Headers:
        """Return an independent copy of the same class."""
        return self.__class__(self)

    def __copy__(self) -> Headers:
        return self.copy()

    def __str__(self) -> str:
        """Return the headers as an HTTP header block ending in a blank line."""
        lines = [f"{key}: {value}\r\n" for key, value in self.to_wsgi_list()]
        lines.append("\r\n")
        return "".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class ImmutableHeadersMixin:
    """Makes a :class:`Headers` subclass refuse every change with :class:`TypeError`."""

    __slots__ = ()

    def __delitem__(self, key: Any, **kwargs: Any) -> NoReturn:
        _immutable_error(self)

    def __setitem__(self, key: Any, value: Any) -> NoReturn:
        _immutable_error(self)

    def set(self, key: Any, value: Any, /, **kwargs: Any) -> NoReturn:
        _immutable_error(self)

    def setlist(self, key: Any, values: Any) -> NoReturn:
        _immutable_error(self)

    def add(self, key: Any, value: Any, /, **kwargs: Any) -> NoReturn:
        _immutable_error(self)

    def add_header(self, key: Any, value: Any, /, **kwargs: Any) -> NoReturn:
        _immutable_error(self)

    def remove(self, key: Any) -> NoReturn:
        _immutable_error(self)

    def extend(self, arg: Any = None, /, **kwargs: Any) -> NoReturn:
        _immutable_error(self)

    def update(self, arg: Any = None, /, **kwargs: Any) -> NoReturn:
        _immutable_error(self)

    def __ior__(self, other: Any) -> NoReturn:
        _immutable_error(self)

    def insert(self, pos: Any, value: Any) -> NoReturn:
        _immutable_error(self)

    def pop(self, key: Any = None, default: Any = _missing) -> NoReturn:
        _immutable_error(self)

    def popitem(self) -> NoReturn:
        _immutable_error(self)

    def setdefault(self, key: Any, default: Any) -> NoReturn:
        _immutable_error(self)

    def setlistdefault(self, key: Any, default: Any) -> NoReturn:
        _immutable_error(self)

    def clear(self) -> NoReturn:
        _immutable_error(self)


_SPECIAL_ENVIRON_KEYS = frozenset(("CONTENT_TYPE", "CONTENT_LENGTH"))
_SKIPPED_ENVIRON_KEYS = frozenset(("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"))
#: Bounded caches: header names -> environ keys and back. The first is filled from
#: application code; the second from client header names, hence the size limit.
_ENVIRON_KEYS: dict[str, str] = {}
_HEADER_NAMES: dict[str, str] = {}
_CACHE_LIMIT = 512


def _environ_key(name: object) -> str | None:
    """Return the environ key holding header ``name`` (``None`` for a non-string)."""
    if not isinstance(name, str):
        return None
    key = name.upper().replace("-", "_")
    if key not in _SPECIAL_ENVIRON_KEYS:
        key = f"HTTP_{key}"
    if len(_ENVIRON_KEYS) < _CACHE_LIMIT:
        _ENVIRON_KEYS[name] = key
    return key


def _header_name(environ_key: str) -> str:
    """Return the Title-Case header name for an environ key (``HTTP_X_ID`` -> ``X-Id``)."""
    name = _HEADER_NAMES.get(environ_key)
    if name is None:
        raw = environ_key[5:] if environ_key.startswith("HTTP_") else environ_key
        name = raw.replace("_", "-").title()
        if len(_HEADER_NAMES) < _CACHE_LIMIT:
            _HEADER_NAMES[environ_key] = name
    return name


class EnvironHeaders(ImmutableHeadersMixin, Headers):
    """A read-only :class:`Headers` view of the request headers in a WSGI environ.

    Names map to ``HTTP_*`` keys, plus ``CONTENT_TYPE`` and ``CONTENT_LENGTH``, so
    ``get("Content-Type")`` is two dict look-ups. Iteration yields Title-Case names
    (``X-Forwarded-For``) and skips an empty ``CONTENT_TYPE``/``CONTENT_LENGTH``.
    A missing name raises :class:`~erlen.http.multidict.MissingKeyError` (Werkzeug
    raises a plain ``KeyError`` naming the environ key).
    """

    __slots__ = ("environ",)

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self.environ = environ

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EnvironHeaders):
            return NotImplemented
        return self.environ is other.environ

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, key: str) -> str:  # type: ignore[override]
        try:
            environ_key = _ENVIRON_KEYS[key]
        except (KeyError, TypeError):
            environ_key = _environ_key(key)  # type: ignore[assignment]
            if environ_key is None:
                raise MissingKeyError(key) from None
        try:
            return self.environ[environ_key]  # type: ignore[no-any-return]
        except KeyError:
            raise MissingKeyError(key) from None

    def get(self, key: str, default: Any = None, type: Callable[[str], T] | None = None) -> Any:
        try:
            environ_key = _ENVIRON_KEYS[key]
        except (KeyError, TypeError):
            environ_key = _environ_key(key)  # type: ignore[assignment]
            if environ_key is None:
                return default
        try:
            value = self.environ[environ_key]
        except KeyError:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except ValueError:
            return default

    def __contains__(self, key: object) -> bool:
        return self.get(key, _missing) is not _missing  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for key, value in self.environ.items():
            if key.startswith("HTTP_"):
                if key not in _SKIPPED_ENVIRON_KEYS:
                    yield _header_name(key), value
            elif key in _SPECIAL_ENVIRON_KEYS and value:
                yield _header_name(key), value

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def getlist(self, key: str, type: Callable[[str], T] | None = None) -> list[Any]:
        ikey = key.lower()
        result = []
        for name, value in self:
            if name.lower() == ikey:
                if type is None:
                    result.append(value)
                else:
                    try:
                        result.append(type(value))
                    except ValueError:
                        continue
        return result

    def items(self, lower: bool = False) -> Iterator[tuple[str, str]]:
        if lower:
            return ((k.lower(), v) for k, v in self)
        return iter(self)

    def keys(self, lower: bool = False) -> Iterator[str]:
        if lower:
            return (k.lower() for k, _ in self)
        return (k for k, _ in self)

    def values(self) -> Iterator[str]:
        return (v for _, v in self)

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """Return a new list of the ``(name, value)`` pairs."""
        return list(self)

    def copy(self) -> NoReturn:
        raise TypeError(
            f"cannot create {type(self).__name__!r} copies; use Headers(environ_headers)"
        )

    def __or__(self, other: Any) -> NoReturn:
        self.copy()


# -- value helpers: quoting for Headers.add options, and HTTP integers -------------
# (header value *parsing* lives in erlen.http.options)

_PLAIN_INT = re.compile(r"-?[0-9]+", re.ASCII)


def _plain_int(value: str) -> int:
    """Parse ASCII digits with an optional ``-``; surrounding blanks are allowed.

    ``int()`` alone would also accept ``+``, ``_`` and non-ASCII digits, which HTTP
    does not. Very long numbers are refused instead of spending time on them.
    """
    value = value.strip(" \t")
    if len(value) > 4000 or _PLAIN_INT.fullmatch(value) is None:
        raise ValueError(f"{value[:40]!r} is not a plain integer")
    return int(value)
