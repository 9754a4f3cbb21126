"""Entity tags: quoting, parsing ``If-Match``/``If-None-Match``, and ``If-Range``.

An entity tag names one version of a resource (``"abc"``, or weak ``W/"abc"``).
Conditional requests send a list of them, or ``*``; :func:`parse_etags` turns that into
an :class:`ETags` set to test the current version against. Behaviour follows
``werkzeug`` 3.1.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from hashlib import sha1

from .dates import http_date

__all__ = ["ETags", "IfRange", "generate_etag", "parse_etags", "quote_etag", "unquote_etag"]


class ETags(Collection[str]):
    """A set of entity tags from a conditional request header.

    ``in`` and :meth:`contains` ask about strong tags (a ``*`` header contains
    everything); :meth:`contains_weak` also accepts weak ones. Iterating and ``len``
    see the strong tags only.
    """

    __slots__ = ("_strong", "_weak", "star_tag")

    def __init__(
        self,
        strong_etags: Iterable[str] | None = None,
        weak_etags: Iterable[str] | None = None,
        star_tag: bool = False,
    ) -> None:
        if not star_tag and strong_etags:
            self._strong = frozenset(strong_etags)
        else:
            self._strong = frozenset()
        self._weak = frozenset(weak_etags or ())
        self.star_tag = star_tag

    def as_set(self, include_weak: bool = False) -> set[str]:
        """Return the strong tags (and the weak ones if asked) as a new set."""
        rv = set(self._strong)
        if include_weak:
            rv.update(self._weak)
        return rv

    def is_weak(self, etag: str) -> bool:
        """Whether ``etag`` was sent as a weak tag."""
        return etag in self._weak

    def is_strong(self, etag: str) -> bool:
        """Whether ``etag`` was sent as a strong tag."""
        return etag in self._strong

    def contains_weak(self, etag: str) -> bool:
        """Whether ``etag`` matches, counting weak tags too."""
        return self.is_weak(etag) or self.contains(etag)

    def contains(self, etag: str) -> bool:
        """Whether ``etag`` matches a strong tag (always true for ``*``)."""
        if self.star_tag:
            return True
        return self.is_strong(etag)

    def contains_raw(self, etag: str) -> bool:
        """Like :meth:`contains`, for a quoted tag; a weak one also matches weak tags."""
        tag, weak = unquote_etag(etag)
        if weak:
            return self.contains_weak(tag)  # type: ignore[arg-type]
        return self.contains(tag)  # type: ignore[arg-type]

    def to_header(self) -> str:
        """Render the set as a header value."""
        if self.star_tag:
            return "*"
        return ", ".join([f'"{x}"' for x in self._strong] + [f'W/"{x}"' for x in self._weak])

    def __call__(
        self, etag: str | None = None, data: bytes | None = None, include_weak: bool = False
    ) -> bool:
        """Whether ``etag`` (or the tag generated for ``data``) is in the set.

        Unlike :meth:`contains`, a ``*`` header does not match everything here.
        """
        if etag is None:
            if data is None:
                raise TypeError("'data' is required when 'etag' is not given.")
            etag = generate_etag(data)
        if include_weak and etag in self._weak:
            return True
        return etag in self._strong

    def __bool__(self) -> bool:
        return bool(self.star_tag or self._strong or self._weak)

    def __str__(self) -> str:
        return self.to_header()

    def __len__(self) -> int:
        return len(self._strong)

    def __iter__(self) -> Iterator[str]:
        return iter(self._strong)

    def __contains__(self, etag: object) -> bool:
        return self.contains(etag)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"


def quote_etag(etag: str, weak: bool = False) -> str:
    """Quote ``etag`` for a header, weak if asked; a ``"`` inside is a ValueError."""
    if '"' in etag:
        raise ValueError("invalid etag")
    if weak:
        return f'W/"{etag}"'
    return f'"{etag}"'


def unquote_etag(etag: str | None) -> tuple[str, bool] | tuple[None, None]:
    """Split a quoted tag into ``(tag, weak)``; ``(None, None)`` if empty.

    An unquoted tag is returned as is (after any ``W/``), for lenience.
    """
    if not etag:
        return None, None
    weak = False
    start = 0
    if etag.startswith(("W/", "w/")):
        weak = True
        start = 2
    if etag.startswith('"', start) and etag.endswith('"', start):
        return etag[start + 1 : -1], weak
    return etag[start:], weak


# One list element: optional weak marker, then a quoted tag or (leniently) a bare one,
# then a comma or the end. No nested repetition, so a failed match costs at most the
# length of one element.
_ETAG = re.compile(r'[ \t]*([Ww]/)?(?:"([^"]*)"|([^" \t,]+))[ \t]*(?:,|\Z)', re.ASCII)


def parse_etags(value: str | None) -> ETags:
    """Parse an ``If-Match``/``If-None-Match`` value; malformed elements are skipped."""
    if not value:
        return ETags()
    if value == "*":
        return ETags(star_tag=True)
    strong = []
    weak = []
    pos = 0
    while True:
        match = _ETAG.match(value, pos)
        if match is None:
            pos = value.find(",", pos) + 1
            if pos == 0:
                break
            continue
        is_weak, quoted, bare = match.groups()
        pos = match.end()
        if is_weak:
            weak.append(quoted or bare)
        else:
            strong.append(quoted or bare)
    return ETags(strong, weak)


def generate_etag(data: bytes) -> str:
    """Return the SHA-1 hex digest of ``data``, the tag Werkzeug would generate."""
    return sha1(data).hexdigest()


class IfRange:
    """A parsed ``If-Range`` header: an entity tag or a date, or neither."""

    __slots__ = ("date", "etag")

    def __init__(self, etag: str | None = None, date: datetime | None = None) -> None:
        #: The unquoted tag; ranges only use strong comparison, so weakness is dropped.
        self.etag = etag
        #: The date, timezone-aware, or ``None``.
        self.date = date

    def to_header(self) -> str:
        """Render the header value (empty if there is neither tag nor date)."""
        if self.date is not None:
            return http_date(self.date)
        if self.etag is not None:
            return quote_etag(self.etag)
        return ""

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"
