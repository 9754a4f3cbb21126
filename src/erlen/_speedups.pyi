"""Types of the optional C extension (source: _speedups.c)."""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

_D = TypeVar("_D", bound=dict[str, list[str]])

def decode_query(cls: type[_D], query: str, /) -> _D | None: ...

class ContextProxy:
    def __new__(
        cls, var: ContextVar[Any], attribute: str | None, message: str, resolve: Callable[[], Any]
    ) -> ContextProxy: ...
