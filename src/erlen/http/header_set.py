"""Set-like headers (``Vary``, ``Allow``, ``Content-Language``, ``Pragma``) as objects.

These headers are comma separated lists in which each item counts once, whatever its
case. :class:`HeaderSet` keeps the items in the order the header gave them (so writing
it back changes nothing that was not changed) while answering ``in`` without regard to
case, and calls an ``on_update`` callback after each change so a response can keep its
header in step. Behaviour follows ``werkzeug.datastructures.HeaderSet`` 3.1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSet
from typing import Any

from .options import parse_list_header, quote_header_value

__all__ = ["HeaderSet", "parse_set_header"]


class HeaderSet(MutableSet[str]):
    """An ordered, case-insensitive set of header items.

    ``"ACCEPT" in HeaderSet(["Accept"])`` is true; iterating, indexing and
    :meth:`to_header` use the items as they were given. ``on_update(self)`` is called
    after every change.
    """

    __slots__ = ("_items", "_keys", "on_update")

    def __init__(
        self,
        headers: Iterable[str] | None = None,
        on_update: Callable[[HeaderSet], None] | None = None,
    ) -> None:
        self._items: list[str] = list(headers or ())
        self._keys: set[str] = {item.lower() for item in self._items}
        #: Called with the set after every change, or ``None``.
        self.on_update = on_update

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def _forget(self, key: str) -> None:
        """Drop ``key`` from the look-up set unless another item still has it."""
        if not any(item.lower() == key for item in self._items):
            self._keys.discard(key)

    def add(self, header: str) -> None:
        """Add ``header`` unless an item equal to it (ignoring case) is present."""
        self.update((header,))

    def remove(self, header: str) -> None:
        """Remove ``header`` (any case); :class:`KeyError` if it is not present.

        Werkzeug 3.1 only removes the item from the header when ``header`` is given in
        lower case; erlen removes it whatever the case.
        """
        key = header.lower()
        if key not in self._keys:
            raise KeyError(header)
        for idx, item in enumerate(self._items):
            if item.lower() == key:
                del self._items[idx]
                break
        self._forget(key)
        self._changed()

    def update(self, iterable: Iterable[str]) -> None:
        """Add every item of ``iterable`` that is not present yet (ignoring case)."""
        inserted = False
        for header in iterable:
            key = header.lower()
            if key not in self._keys:
                self._items.append(header)
                self._keys.add(key)
                inserted = True
        if inserted:
            self._changed()

    def discard(self, header: str) -> None:
        """Remove ``header`` if present; no error if it is not."""
        try:
            self.remove(header)
        except KeyError:
            pass

    def find(self, header: str) -> int:
        """Return the position of ``header`` (ignoring case), or ``-1``."""
        key = header.lower()
        for idx, item in enumerate(self._items):
            if item.lower() == key:
                return idx
        return -1

    def index(self, header: str) -> int:
        """Return the position of ``header`` (ignoring case); :class:`IndexError` if absent."""
        idx = self.find(header)
        if idx < 0:
            raise IndexError(header)
        return idx

    def clear(self) -> None:
        """Remove every item."""
        self._keys.clear()
        self._items.clear()
        self._changed()

    def as_set(self, preserve_casing: bool = False) -> set[str]:
        """Return the items as a plain ``set``, lowercased unless ``preserve_casing``."""
        if preserve_casing:
            return set(self._items)
        return set(self._keys)

    def to_header(self) -> str:
        """Render the items as a header value, quoting those that need it."""
        return ", ".join([quote_header_value(item) for item in self._items])

    def __getitem__(self, idx: int) -> str:
        return self._items[idx]

    def __delitem__(self, idx: int) -> None:
        removed = self._items.pop(idx)
        self._forget(removed.lower())
        self._changed()

    def __setitem__(self, idx: int, value: str) -> None:
        old = self._items[idx]
        self._items[idx] = value
        self._forget(old.lower())
        self._keys.add(value.lower())
        self._changed()

    def __contains__(self, header: object) -> bool:
        return header.lower() in self._keys  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"

    @classmethod
    def _from_iterable(cls, iterable: Iterable[Any]) -> HeaderSet:
        # Set operators (``|``, ``&``, ``-``) build their result with this.
        return cls(iterable)


def parse_set_header(
    value: str | None, on_update: Callable[[HeaderSet], None] | None = None
) -> HeaderSet:
    """Parse a comma separated header into a :class:`HeaderSet`.

    Items are split and unquoted like any list header; an empty or missing header gives
    an empty set. ``on_update`` is handed to the set.
    """
    if not value:
        return HeaderSet(None, on_update)
    return HeaderSet(parse_list_header(value), on_update)
