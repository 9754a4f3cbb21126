"""Template filters."""

from __future__ import annotations

from datetime import date, datetime


def dateformat(value: date | datetime | None, fmt: str = "%B %d, %Y") -> str:
    """Format a date for people (the seed's ``dateformat`` filter); empty for None."""
    if value is None:
        return ""
    return value.strftime(fmt)
