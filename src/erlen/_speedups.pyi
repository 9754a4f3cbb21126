"""Types of the optional C extension (source: _speedups.c)."""

from typing import TypeVar

_D = TypeVar("_D", bound=dict[str, list[str]])

def decode_query(cls: type[_D], query: str, /) -> _D | None: ...
