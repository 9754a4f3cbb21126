"""Byte ranges: the ``Range`` request header and the ``Content-Range`` response header.

:func:`parse_range_header` never raises: a malformed or unsatisfiable-looking header
parses to ``None``, and the response is then served whole, which is what RFC 9110
asks of a server that does not understand a range. Ranges are stored half-open,
``(start, stop)`` with ``stop`` exclusive, while the headers spell the last byte
inclusively. Behaviour follows ``werkzeug`` 3.1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .dates import parse_date
from .etags import IfRange, unquote_etag
from .headers import _plain_int

__all__ = [
    "ContentRange",
    "IfRange",
    "Range",
    "is_byte_range_valid",
    "parse_content_range_header",
    "parse_if_range_header",
    "parse_range_header",
]


def is_byte_range_valid(start: int | None, stop: int | None, length: int | None) -> bool:
    """Whether ``start``-``stop`` (exclusive) is a valid range within ``length``.

    ``start`` and ``stop`` are both ``None`` (no range) or both set; ``length`` may be
    ``None`` when unknown.
    """
    if (start is None) != (stop is None):
        return False
    if start is None:
        return length is None or length >= 0
    if length is None:
        return 0 <= start < stop  # type: ignore[operator]
    if start >= stop:  # type: ignore[operator]
        return False
    return 0 <= start < length


class Range:
    """A parsed ``Range`` header: a unit and a list of ``(start, stop)`` pairs.

    ``stop`` is exclusive and ``None`` means "to the end"; a negative ``start`` with
    ``stop`` ``None`` is a suffix (the last ``-start`` bytes). The helper methods only
    handle a single ``bytes`` range. Invalid pairs raise :class:`ValueError`.
    """

    __slots__ = ("ranges", "units")

    def __init__(self, units: str, ranges: Sequence[tuple[int, int | None]]) -> None:
        #: The unit, usually ``"bytes"``.
        self.units = units
        #: The ``(start, stop)`` pairs, ``stop`` exclusive or ``None``.
        self.ranges = ranges
        for start, stop in ranges:
            if start is None or (stop is not None and (start < 0 or start >= stop)):
                raise ValueError(f"{(start, stop)} is not a valid range.")

    def range_for_length(self, length: int | None) -> tuple[int, int] | None:
        """Return the absolute ``(start, stop)`` for a resource of ``length`` bytes.

        ``None`` unless the unit is bytes, there is exactly one range, ``length`` is
        known, and the range is satisfiable.
        """
        if self.units != "bytes" or length is None or len(self.ranges) != 1:
            return None
        start, stop = self.ranges[0]
        if stop is None:
            stop = length
            if start < 0:
                start += length
        if is_byte_range_valid(start, stop, length):
            return start, min(stop, length)
        return None

    def make_content_range(self, length: int | None) -> ContentRange | None:
        """Return the :class:`ContentRange` answering this range, or ``None``."""
        rng = self.range_for_length(length)
        if rng is not None:
            return ContentRange(self.units, rng[0], rng[1], length)
        return None

    def to_header(self) -> str:
        """Render the ``Range`` header value."""
        parts = []
        for start, stop in self.ranges:
            if stop is None:
                parts.append(f"{start}-" if start >= 0 else str(start))
            else:
                parts.append(f"{start}-{stop - 1}")
        return f"{self.units}={','.join(parts)}"

    def to_content_range_header(self, length: int | None) -> str | None:
        """Render the ``Content-Range`` value answering this range, or ``None``."""
        rng = self.range_for_length(length)
        if rng is not None:
            return f"{self.units} {rng[0]}-{rng[1] - 1}/{length}"
        return None

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"


def _notifying(slot: str, doc: str) -> property:
    """A property over ``slot`` that calls the owner's ``on_update`` when set."""

    def fget(self: ContentRange) -> int | str | None:
        return getattr(self, slot)  # type: ignore[no-any-return]

    def fset(self: ContentRange, value: int | str | None) -> None:
        setattr(self, slot, value)
        if self.on_update is not None:
            self.on_update(self)

    return property(fget, fset, doc=doc)


class ContentRange:
    """A ``Content-Range`` header: which bytes of how many a response carries.

    ``stop`` is exclusive. ``units`` ``None`` means the header should not be sent.
    Changing any attribute calls ``on_update(self)``.
    """

    __slots__ = ("_length", "_start", "_stop", "_units", "on_update")

    units = _notifying("_units", "The unit, usually ``bytes``, or ``None`` for no header.")
    start = _notifying("_start", "The first byte, or ``None``.")
    stop = _notifying("_stop", "One past the last byte; ``None`` only if ``start`` is.")
    length = _notifying("_length", "The full length, or ``None`` if unknown.")

    def __init__(
        self,
        units: str | None,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        on_update: Callable[[ContentRange], None] | None = None,
    ) -> None:
        self.on_update = on_update
        self.set(start, stop, length, units)

    def set(
        self,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        units: str | None = "bytes",
    ) -> None:
        """Replace all values at once.

        An invalid range raises :class:`ValueError` (Werkzeug uses ``assert``, which
        ``python -O`` would skip).
        """
        if not is_byte_range_valid(start, stop, length):
            raise ValueError(f"Bad range provided: {start!r}-{stop!r}/{length!r}")
        self._units = units
        self._start = start
        self._stop = stop
        self._length = length
        if self.on_update is not None:
            self.on_update(self)

    def unset(self) -> None:
        """Mark the header as absent (``units`` becomes ``None``)."""
        self.set(None, None, units=None)

    def to_header(self) -> str:
        """Render the header value (empty when unset)."""
        if self._units is None:
            return ""
        length = "*" if self._length is None else self._length
        if self._start is None:
            return f"{self._units} */{length}"
        return f"{self._units} {self._start}-{self._stop - 1}/{length}"  # type: ignore[operator]

    def __bool__(self) -> bool:
        return self._units is not None

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"


def parse_range_header(value: str | None, make_inclusive: bool = True) -> Range | None:
    """Parse a ``Range`` header, or return ``None`` if it is missing or malformed.

    Ranges must be ascending and non-overlapping, and a suffix range (``-500``) may
    only come last, or the whole header is rejected. ``make_inclusive`` is accepted
    for compatibility and ignored, as in Werkzeug.
    """
    if not value or "=" not in value:
        return None
    ranges = []
    last_end = 0
    units, _, spec = value.partition("=")
    units = units.strip(" \t").lower()

    for item in spec.split(","):
        item = item.strip(" \t")
        if "-" not in item:
            return None
        if item.startswith("-"):
            if last_end < 0:
                return None
            try:
                start = _plain_int(item)
            except ValueError:
                return None
            if start == 0:
                return None
            stop = None
            last_end = -1
        else:
            start_text, _, stop_text = item.partition("-")
            try:
                start = _plain_int(start_text)
            except ValueError:
                return None
            if start < last_end or last_end < 0:
                return None
            stop_text = stop_text.strip(" \t")
            if stop_text:
                try:
                    stop = _plain_int(stop_text) + 1
                except ValueError:
                    return None
                if start >= stop:
                    return None
            else:
                stop = None
            last_end = stop if stop is not None else -1
        ranges.append((start, stop))

    return Range(units, ranges)


def parse_content_range_header(
    value: str | None, on_update: Callable[[ContentRange], None] | None = None
) -> ContentRange | None:
    """Parse a ``Content-Range`` header, or return ``None`` if it is malformed."""
    if value is None:
        return None
    units, _, spec = value.strip(" \t").partition(" ")
    if "/" not in spec:
        return None
    rng, _, length_text = spec.partition("/")
    length: int | None
    if length_text == "*":
        length = None
    else:
        try:
            length = _plain_int(length_text)
        except ValueError:
            return None

    if rng == "*":
        if not is_byte_range_valid(None, None, length):
            return None
        return ContentRange(units, None, None, length, on_update=on_update)
    if "-" not in rng:
        return None
    start_text, _, stop_text = rng.partition("-")
    try:
        start = _plain_int(start_text)
        stop = _plain_int(stop_text) + 1
    except ValueError:
        return None
    if is_byte_range_valid(start, stop, length):
        return ContentRange(units, start, stop, length, on_update=on_update)
    return None


def parse_if_range_header(value: str | None) -> IfRange:
    """Parse an ``If-Range`` header: a date if it reads as one, else an entity tag."""
    if not value:
        return IfRange()
    date = parse_date(value)
    if date is not None:
        return IfRange(date=date)
    return IfRange(unquote_etag(value)[0])
