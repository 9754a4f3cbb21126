"""HTTP dates and ages: formatting and parsing with Werkzeug 3.1's semantics.

HTTP carries dates as IMF-fixdate strings (``Sun, 06 Nov 1994 08:49:37 GMT``) and ages
(``Max-Age``, ``Age``) as whole seconds. Parsing is lenient in the same way
:func:`email.utils.parsedate_to_datetime` is, because that is what Werkzeug does and
clients rely on it; the common IMF-fixdate shape takes a fast path that gives exactly
the same answer without the general parser's cost.
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import date, datetime, timedelta, timezone
from time import struct_time

__all__ = ["dump_age", "http_date", "parse_age", "parse_date"]

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}

# The preferred HTTP date format, exactly as servers and browsers send it. Anything
# else goes through the general (and slower) RFC 2822 parser.
_IMF_FIXDATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)


def _as_utc(value: datetime) -> datetime:
    """Treat a naive datetime as UTC and convert an aware one to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    if value.tzinfo != timezone.utc:
        return value.astimezone(timezone.utc)
    return value


def _format_utc(value: datetime) -> str:
    """Render a UTC datetime as an IMF-fixdate string."""
    return (
        f"{_WEEKDAY_NAMES[value.weekday()]}, {value.day:02d} {_MONTH_NAMES[value.month - 1]}"
        f" {value.year:04d} {value.hour:02d}:{value.minute:02d}:{value.second:02d} GMT"
    )


def http_date(timestamp: datetime | date | int | float | struct_time | None = None) -> str:
    """Format a moment as an HTTP date (``Sun, 06 Nov 1994 08:49:37 GMT``).

    Naive datetimes are taken to be UTC, aware ones are converted to UTC, a plain
    ``date`` means midnight UTC, numbers are Unix timestamps, a ``struct_time`` is
    local time (as :func:`time.mktime` reads it) and ``None`` means now.
    """
    if isinstance(timestamp, datetime):
        return _format_utc(_as_utc(timestamp))
    if isinstance(timestamp, date):
        return _format_utc(datetime(timestamp.year, timestamp.month, timestamp.day))
    if isinstance(timestamp, struct_time):
        timestamp = time.mktime(timestamp)
    elif timestamp is None:
        timestamp = time.time()
    return _format_utc(datetime.fromtimestamp(timestamp, timezone.utc))


def parse_date(value: str | None) -> datetime | None:
    """Parse an HTTP (RFC 2822 style) date into an aware UTC-based datetime.

    Returns ``None`` instead of raising when the value is missing or malformed, so a
    bad ``If-Modified-Since`` header is simply ignored. A date without a zone (or with
    ``-0000``) is taken to be UTC; an explicit offset is kept as given.
    """
    if value is None:
        return None

    match = _IMF_FIXDATE.fullmatch(value)
    if match is not None:
        day, month, year, hour, minute, second = match.groups()
        year_number = int(year)
        # Two-digit-looking years ("0094") get the general parser's century rules.
        if year_number >= 100:
            try:
                return datetime(
                    year_number,
                    _MONTH_NUMBERS[month],
                    int(day),
                    int(hour),
                    int(minute),
                    int(second),
                    tzinfo=timezone.utc,
                )
            except ValueError:
                return None

    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None

    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed


def parse_age(value: str | None = None) -> timedelta | None:
    """Parse a non-negative count of seconds (``Age``, ``Max-Age``) into a timedelta.

    Returns ``None`` for a missing, non-integer, negative or out-of-range value.
    """
    if not value:
        return None
    try:
        seconds = int(value)
    except ValueError:
        return None
    if seconds < 0:
        return None
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        return None


def dump_age(age: timedelta | int | None = None) -> str | None:
    """Render a duration as whole seconds for an ``Age``-style header.

    ``None`` (unknown age) gives ``None``; a negative age raises ``ValueError``.
    """
    if age is None:
        return None
    if isinstance(age, timedelta):
        seconds = int(age.total_seconds())
    else:
        seconds = int(age)
    if seconds < 0:
        raise ValueError("age cannot be negative")
    return str(seconds)
