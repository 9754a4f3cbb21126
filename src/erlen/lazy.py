"""Lazily computed attributes.

:class:`cached_property` computes a value on first access and stores it in the
instance's ``__dict__``, where later lookups find it directly.  Unlike
:func:`functools.cached_property` on Python 3.11 it takes no lock, which matters on
the per-request path (a lock costs more than most of the properties it guards).
Assigning to the attribute replaces the cached value; ``del`` forgets it.
"""

from __future__ import annotations

import typing as t

__all__ = ["cached_property"]

T = t.TypeVar("T")


class cached_property(t.Generic[T]):
    """A property computed once per instance (requires an instance ``__dict__``)."""

    def __init__(
        self, func: t.Callable[[t.Any], T], name: str | None = None, doc: str | None = None
    ) -> None:
        self.func = func
        self.__name__ = name or func.__name__
        self.__doc__ = doc or func.__doc__
        self.__module__ = func.__module__

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name

    @t.overload
    def __get__(self, obj: None, owner: type | None = None) -> cached_property[T]: ...

    @t.overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | cached_property[T]:
        if obj is None:
            return self
        func = self.func  # (an instance attribute: loading it first is the fast form)
        value = obj.__dict__[self.__name__] = func(obj)
        return value
