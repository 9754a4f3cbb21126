"""Parsed ``Accept``-style request headers and content negotiation.

An ``Accept``, ``Accept-Language``, ``Accept-Charset`` or ``Accept-Encoding`` header is
a list of values with quality weights. :func:`parse_accept_header` turns it into an
:class:`Accept` list sorted best-first, and the subclasses know how each header
compares values: media ranges with wildcards (:class:`MIMEAccept`), language tags with
primary-tag fallback (:class:`LanguageAccept`), charset aliases (:class:`CharsetAccept`).
Behaviour follows ``werkzeug.datastructures`` 3.1.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .multidict import ImmutableList
from .options import dump_options_header, parse_list_header, parse_options_header

__all__ = ["Accept", "CharsetAccept", "LanguageAccept", "MIMEAccept", "parse_accept_header"]

_Q_VALUE = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


class Accept(ImmutableList[tuple[str, float]]):
    """An immutable list of ``(value, quality)`` pairs, most preferred first.

    Pairs are ordered by specificity (``*`` comes last), then quality; ties keep the
    client's order. ``accept["gzip"]`` is the quality of a value (``0`` if not
    acceptable), integer indexes return pairs. ``provided`` tells whether the client
    sent the header at all.
    """

    __slots__ = ("provided",)

    def __init__(self, values: Accept | Iterable[tuple[str, float]] | None = ()) -> None:
        if values is None:
            list.__init__(self)
            self.provided = False
        elif isinstance(values, Accept):
            list.__init__(self, values)
            self.provided = values.provided
        else:
            list.__init__(
                self,
                sorted(values, key=lambda x: (self._specificity(x[0]), x[1]), reverse=True),
            )
            self.provided = True

    def _specificity(self, value: str) -> tuple[bool, ...]:
        """Sort key part: how specific a value is (more ``True`` is more specific)."""
        return (value != "*",)

    def _value_matches(self, value: str, item: str) -> bool:
        """Whether the server's ``value`` is covered by the client's ``item``."""
        return item == "*" or item.lower() == value.lower()

    def _first_match(self, value: str) -> int:
        """Index of the first (best) client item covering ``value``, or -1."""
        for idx, (item, _quality) in enumerate(self):
            if self._value_matches(value, item):
                return idx
        return -1

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self.quality(key)
        return list.__getitem__(self, key)

    def quality(self, key: str) -> float:
        """Return the quality the client gives ``key``, or ``0`` if not acceptable."""
        idx = self._first_match(key)
        if idx < 0:
            return 0
        return list.__getitem__(self, idx)[1]  # type: ignore[no-any-return]

    def __contains__(self, value: object) -> bool:
        return self._first_match(value) >= 0  # type: ignore[arg-type]

    def __repr__(self) -> str:
        pairs = ", ".join(f"({x!r}, {y})" for x, y in self)
        return f"{type(self).__name__}([{pairs}])"

    def index(self, key: Any, *args: Any) -> int:  # type: ignore[override]
        """Return the position of a value (matched as the header does) or of a pair.

        Raises :class:`ValueError` if it is not there.
        """
        if isinstance(key, str):
            idx = self._first_match(key)
            if idx < 0:
                raise ValueError(key)
            return idx
        return list.index(self, key, *args)

    def find(self, key: str | tuple[str, float]) -> int:
        """Return the position of a value or pair, or -1."""
        try:
            return self.index(key)
        except ValueError:
            return -1

    def values(self) -> Iterator[str]:
        """Iterate the values without their qualities."""
        for item in self:
            yield item[0]

    def to_header(self) -> str:
        """Render the list back into a header value."""
        result = []
        for value, quality in self:
            if quality != 1:
                value = f"{value};q={quality}"
            result.append(value)
        return ",".join(result)

    def __str__(self) -> str:
        return self.to_header()

    def _best_single_match(self, match: str) -> tuple[str, float] | None:
        idx = self._first_match(match)
        if idx < 0:
            return None
        return list.__getitem__(self, idx)  # type: ignore[no-any-return]

    def best_match(self, matches: Iterable[str], default: Any = None) -> Any:
        """Return the server value from ``matches`` the client likes best.

        Higher quality wins, then the more specific client item; among equals the
        earlier of ``matches``. ``default`` if nothing is acceptable.
        """
        result = default
        best_quality: float = -1
        best_specificity: tuple[Any, ...] = (-1,)
        for server_item in matches:
            match = self._best_single_match(server_item)
            if not match:
                continue
            client_item, quality = match
            specificity = self._specificity(client_item)
            if quality <= 0 or quality < best_quality:
                continue
            if quality > best_quality or specificity > best_specificity:
                result = server_item
                best_quality = quality
                best_specificity = specificity
        return result

    @property
    def best(self) -> str | None:
        """The client's most preferred value, or ``None`` if the list is empty."""
        if self:
            return list.__getitem__(self, 0)[0]  # type: ignore[no-any-return]
        return None


def _split_mime(value: str) -> list[str]:
    """Split at ``/`` and at ``;`` with the blanks around it: ``a/b ; c`` -> a, b, c."""
    pieces = value.split(";")
    last = len(pieces) - 1
    result: list[str] = []
    for idx, piece in enumerate(pieces):
        if idx:
            piece = piece.lstrip(" \t")
        if idx < last:
            piece = piece.rstrip(" \t")
        result.extend(piece.split("/"))
    return result


_MimeKey = tuple[str, str, list[str]]


def _client_mime(item: str) -> _MimeKey | bool:
    """Normalise a client media range.

    ``False`` if it is not a media range at all (the server value is not even looked
    at), ``True`` if it looks like one but can never match (``*/html``).
    """
    if "/" not in item:
        return False
    parts = _split_mime(item.lower())
    main, sub = parts[0], parts[1]
    if main == "*" and sub != "*":
        return True
    return main, sub, sorted(parts[2:])


def _server_mime(value: str) -> _MimeKey:
    """Normalise a media type given by the application, rejecting invalid ones."""
    if "/" not in value:
        raise ValueError(f"invalid mimetype {value!r}")
    parts = _split_mime(value.lower())
    main, sub = parts[0], parts[1]
    if main == "*" and sub != "*":
        raise ValueError(f"invalid mimetype {value!r}")
    return main, sub, sorted(parts[2:])


def _mime_covers(value: _MimeKey, item: _MimeKey) -> bool:
    value_main, value_sub, value_params = value
    item_main, item_sub, item_params = item
    if (item_main == "*" and item_sub == "*") or (value_main == "*" and value_sub == "*"):
        return True
    return item_main == value_main and (
        item_sub == "*"
        or value_sub == "*"
        or (item_sub == value_sub and item_params == value_params)
    )


class MIMEAccept(Accept):
    """An :class:`Accept` for media types, with ``type/*`` and ``*/*`` wildcards.

    Parameters must match exactly unless a wildcard is involved. Asking about a value
    that is not a media type (``"html"``) raises :class:`ValueError`.
    """

    __slots__ = ("_parsed",)

    def _specificity(self, value: str) -> tuple[bool, ...]:
        return tuple(x != "*" for x in _split_mime(value))

    def _value_matches(self, value: str, item: str) -> bool:
        client = _client_mime(item)
        if client is False:
            return False
        server = _server_mime(value)
        return client is not True and _mime_covers(server, client)  # type: ignore[arg-type]

    def _client_items(self) -> list[_MimeKey | bool]:
        try:
            return self._parsed
        except AttributeError:
            self._parsed: list[_MimeKey | bool] = [_client_mime(item) for item, _ in self]
            return self._parsed

    def _first_match(self, value: str) -> int:
        # Normalise every client item once per object and the value once per call,
        # instead of both on every comparison.
        server = None
        for idx, client in enumerate(self._client_items()):
            if client is False:
                continue
            if server is None:
                server = _server_mime(value)
            if client is not True and _mime_covers(server, client):  # type: ignore[arg-type]
                return idx
        return -1

    @property
    def accept_html(self) -> bool:
        """Whether the client accepts HTML (or XHTML)."""
        return "text/html" in self or self.accept_xhtml

    @property
    def accept_xhtml(self) -> bool:
        """Whether the client accepts XHTML (``application/xhtml+xml`` or ``/xml``)."""
        return "application/xhtml+xml" in self or "application/xml" in self

    @property
    def accept_json(self) -> bool:
        """Whether the client accepts JSON."""
        return "application/json" in self


def _split_lang(value: str) -> list[str]:
    return value.lower().replace("_", "-").split("-")


_LANG_DELIMITER = re.compile(r"[_-]")


def _primary_tag(value: str) -> str:
    """The part of a language tag before the first ``-`` or ``_``."""
    return _LANG_DELIMITER.split(value, maxsplit=1)[0]


class LanguageAccept(Accept):
    """An :class:`Accept` for language tags; ``en_US`` and ``en-us`` are the same."""

    __slots__ = ()

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _split_lang(value) == _split_lang(item)

    def best_match(self, matches: Iterable[str], default: Any = None) -> Any:
        """Return the supported language the client likes best.

        Exact matches (after normalising case and separators) come first. Failing
        that, a client's ``en-US`` accepts a supported ``en``; failing that, a client's
        ``en`` accepts a supported ``en-US``. The match is returned as given in
        ``matches``; ``default`` if none fits.
        """
        matches = list(matches)
        result = super().best_match(matches)
        if result is not None:
            return result

        primary_client = Accept([(_primary_tag(item), quality) for item, quality in self])
        result = primary_client.best_match(matches)
        if result is not None:
            return result

        result = super().best_match([_primary_tag(item) for item in matches])
        if result is not None:
            return next(item for item in matches if item.startswith(result))
        return default


def _charset_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


class CharsetAccept(Accept):
    """An :class:`Accept` for charsets; aliases such as ``utf8``/``UTF-8`` are equal."""

    __slots__ = ()

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _charset_name(value) == _charset_name(item)


_AcceptT = TypeVar("_AcceptT", bound=Accept)


def parse_accept_header(value: str | None, cls: type[_AcceptT] | None = None) -> Any:
    """Parse an ``Accept``-style header into ``cls`` (default :class:`Accept`).

    Items with a malformed or out-of-range ``q`` are dropped; other parameters stay
    part of the value (``text/html; level=1``). An empty or missing header gives an
    empty object whose ``provided`` is false.
    """
    if cls is None:
        cls = Accept  # type: ignore[assignment]
    if not value:
        return cls(None)  # type: ignore[misc]

    result = []
    for item in parse_list_header(value):
        item, options = parse_options_header(item)
        quality: float
        if "q" in options:
            q_text = options.pop("q").strip(" \t")
            if _Q_VALUE.fullmatch(q_text) is None:
                continue
            quality = float(q_text)
            if quality < 0 or quality > 1:
                continue
        else:
            quality = 1
        if options:
            item = dump_options_header(item, options)
        result.append((item, quality))
    return cls(result)  # type: ignore[misc]
