"""Dictionaries that keep every value of a repeated key, plus their read-only variants.

Query strings and form bodies may repeat a key (``?tag=a&tag=b``). :class:`MultiDict`
keeps all of them while still answering plain ``dict`` questions with the first value,
so ``request.args["tag"]`` is ``"a"`` and ``request.args.getlist("tag")`` is
``["a", "b"]``. The classes mirror ``werkzeug.datastructures`` name for name so code
written against Flask keeps working.

A missing key raises :class:`MissingKeyError`, a :class:`KeyError` subclass. Werkzeug
raises its ``BadRequestKeyError`` (a ``KeyError`` that is also a ``400 Bad Request``)
here; this module is sans-IO and knows nothing about HTTP errors, so the exceptions
layer is the one that maps an uncaught :class:`MissingKeyError` to ``400``.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Iterable, Iterator, Mapping
from copy import deepcopy as _deepcopy
from itertools import repeat
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

__all__ = [
    "CallbackDict",
    "CombinedMultiDict",
    "ImmutableDict",
    "ImmutableDictMixin",
    "ImmutableList",
    "ImmutableListMixin",
    "ImmutableMultiDict",
    "ImmutableMultiDictMixin",
    "ImmutableTypeConversionDict",
    "MissingKeyError",
    "MultiDict",
    "TypeConversionDict",
    "UpdateDictMixin",
    "iter_multi_items",
]

#: Marks "no default given" where ``None`` is a legitimate default.
_missing: Any = type("_MissingType", (), {"__repr__": lambda self: "no value"})()

_dict_get = dict.get
_dict_setitem = dict.__setitem__
_dict_items = dict.items
_dict_values = dict.values
_SEQUENCE_TYPES = (list, tuple, set)


class MissingKeyError(KeyError):
    """A key was looked up that the mapping does not hold.

    It is a plain :class:`KeyError` to this sans-IO layer, so ``except KeyError`` works
    as with any mapping. Left uncaught in a view, the exceptions layer answers it with
    ``400 Bad Request``: a form field or query argument the client did not send is the
    client's mistake, which is what Werkzeug's ``BadRequestKeyError`` expresses.
    """

    def __init__(self, key: Any) -> None:
        super().__init__(key)
        #: The key that was not found.
        self.key = key


def _immutable_error(obj: object) -> NoReturn:
    raise TypeError(f"{type(obj).__name__!r} objects are immutable; change a mutable copy instead")


def iter_multi_items(
    mapping: MultiDict[K, V] | Mapping[K, Any] | Iterable[tuple[K, V]],
) -> Iterator[tuple[K, V]]:
    """Yield every ``(key, value)`` pair of ``mapping``, one per value.

    A :class:`MultiDict` yields all its values, a mapping whose value is a list, tuple
    or set yields one pair per element, and any other iterable is taken as pairs.
    """
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, Mapping):
        for key, value in mapping.items():
            if isinstance(value, _SEQUENCE_TYPES):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from mapping


class ImmutableListMixin:
    """Turns a ``list`` subclass read-only and hashable."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(tuple(self))  # type: ignore[arg-type]

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (list(self),)  # type: ignore[call-overload]

    def __delitem__(self, key: Any) -> NoReturn:
        _immutable_error(self)

    def __iadd__(self, other: Any) -> NoReturn:
        _immutable_error(self)

    def __imul__(self, other: Any) -> NoReturn:
        _immutable_error(self)

    def __setitem__(self, key: Any, value: Any) -> NoReturn:
        _immutable_error(self)

    def append(self, item: Any) -> NoReturn:
        _immutable_error(self)

    def remove(self, item: Any) -> NoReturn:
        _immutable_error(self)

    def extend(self, iterable: Any) -> NoReturn:
        _immutable_error(self)

    def insert(self, pos: Any, value: Any) -> NoReturn:
        _immutable_error(self)

    def pop(self, index: Any = -1) -> NoReturn:
        _immutable_error(self)

    def reverse(self) -> NoReturn:
        _immutable_error(self)

    def sort(self, key: Any = None, reverse: Any = False) -> NoReturn:
        _immutable_error(self)

    def clear(self) -> NoReturn:
        _immutable_error(self)


class ImmutableList(ImmutableListMixin, list[V]):  # type: ignore[misc]
    """A ``list`` that refuses changes and can therefore be hashed."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"


class ImmutableDictMixin:
    """Turns a ``dict`` subclass read-only and hashable."""

    __slots__ = ()

    @classmethod
    def fromkeys(cls, keys: Iterable[Any], value: Any = None) -> Any:
        return cls(zip(keys, repeat(value)))  # type: ignore[call-arg]

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (dict(self),)  # type: ignore[call-overload]

    def _iter_hashitems(self) -> Iterable[Any]:
        return self.items()  # type: ignore[attr-defined,no-any-return]

    def __hash__(self) -> int:
        return hash(frozenset(self._iter_hashitems()))

    def setdefault(self, key: Any, default: Any = None) -> NoReturn:
        _immutable_error(self)

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _immutable_error(self)

    def __ior__(self, other: Any) -> NoReturn:
        _immutable_error(self)

    def pop(self, key: Any, default: Any = None) -> NoReturn:
        _immutable_error(self)

    def popitem(self) -> NoReturn:
        _immutable_error(self)

    def __setitem__(self, key: Any, value: Any) -> NoReturn:
        _immutable_error(self)

    def __delitem__(self, key: Any) -> NoReturn:
        _immutable_error(self)

    def clear(self) -> NoReturn:
        _immutable_error(self)


class ImmutableMultiDictMixin(ImmutableDictMixin):
    """Turns a :class:`MultiDict` subclass read-only and hashable."""

    __slots__ = ()

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (list(self.items(multi=True)),)  # type: ignore[attr-defined]

    def _iter_hashitems(self) -> Iterable[Any]:
        return self.items(multi=True)  # type: ignore[attr-defined,no-any-return]

    def add(self, key: Any, value: Any) -> NoReturn:
        _immutable_error(self)

    def popitemlist(self) -> NoReturn:
        _immutable_error(self)

    def poplist(self, key: Any) -> NoReturn:
        _immutable_error(self)

    def setlist(self, key: Any, new_list: Any) -> NoReturn:
        _immutable_error(self)

    def setlistdefault(self, key: Any, default_list: Any = None) -> NoReturn:
        _immutable_error(self)


class UpdateDictMixin(dict[K, V]):
    """Calls ``self.on_update(self)`` after every change to the dict.

    Used for values that mirror a header (``Cache-Control``) or a cookie (the session):
    the owner re-serialises or marks itself modified from the callback.
    """

    on_update: Callable[[Any], None] | None = None

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def setdefault(self, key: K, default: V | None = None) -> V:  # type: ignore[override]
        modified = key not in self
        rv = super().setdefault(key, default)  # type: ignore[arg-type]
        if modified:
            self._changed()
        return rv

    def pop(self, key: K, default: Any = _missing) -> Any:  # type: ignore[override]
        modified = key in self
        if default is _missing:
            rv = super().pop(key)
        else:
            rv = super().pop(key, default)
        if modified:
            self._changed()
        return rv

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: K) -> None:
        super().__delitem__(key)
        self._changed()

    def clear(self) -> None:
        super().clear()
        self._changed()

    def popitem(self) -> tuple[K, V]:
        rv = super().popitem()
        self._changed()
        return rv

    def update(self, arg: Any = None, /, **kwargs: V) -> None:  # type: ignore[override]
        if arg is None:
            super().update(**kwargs)
        else:
            super().update(arg, **kwargs)
        self._changed()

    def __ior__(self, other: Any) -> Any:  # type: ignore[override]
        rv = super().__ior__(other)
        self._changed()
        return rv


class TypeConversionDict(dict[K, V]):
    """A ``dict`` whose :meth:`get` can convert the value on the way out."""

    def get(  # type: ignore[override]
        self,
        key: K,
        default: Any = None,
        type: Callable[[V], T] | None = None,
    ) -> Any:
        """Return the value for ``key``, or ``default`` if it is missing.

        With ``type``, the value is passed through it and ``default`` is returned if
        that raises :class:`ValueError` or :class:`TypeError`, which makes
        ``args.get("page", 1, type=int)`` safe against ``?page=abc``.
        """
        try:
            rv = self[key]
        except KeyError:
            return default
        if type is None:
            return rv
        try:
            return type(rv)
        except (ValueError, TypeError):
            return default


class ImmutableTypeConversionDict(ImmutableDictMixin, TypeConversionDict[K, V]):  # type: ignore[misc]
    """A read-only :class:`TypeConversionDict`."""

    def copy(self) -> TypeConversionDict[K, V]:
        """Return a mutable shallow copy (``copy.copy`` returns the object itself)."""
        return TypeConversionDict(self)

    def __copy__(self) -> ImmutableTypeConversionDict[K, V]:
        return self


class MultiDict(TypeConversionDict[K, V]):
    """A ``dict`` that stores a list of values per key and answers with the first.

    Build it from ``(key, value)`` pairs, a plain mapping (a list, tuple or set value
    means several values; an empty one adds nothing), or another :class:`MultiDict`.
    Item access, ``get``, ``values`` and ``items`` see the first value of each key;
    the ``*list`` methods and ``items(multi=True)`` see all of them. ``update`` adds
    values rather than replacing them.

    Internally each key maps to a real ``list``, so ``dict.get(md, key)`` returns the
    value list at C speed for callers that want it. ``dict(md)`` and ``{**md}`` give
    first values, as with Werkzeug. A missing key raises :class:`MissingKeyError`.
    """

    def __init__(
        self,
        mapping: MultiDict[K, V] | Mapping[K, Any] | Iterable[tuple[K, V]] | None = None,
    ) -> None:
        if mapping is None:
            return
        if mapping.__class__ is list:  # pairs from a parser: skip the ABC checks below
            self._add_pairs(mapping)
        elif isinstance(mapping, MultiDict):
            dict.update(self, mapping.lists())
        elif isinstance(mapping, Mapping):
            for key, value in mapping.items():
                if isinstance(value, _SEQUENCE_TYPES):
                    if not value:
                        continue
                    value = list(value)
                else:
                    value = [value]
                _dict_setitem(self, key, value)
        else:
            self._add_pairs(mapping)

    def _add_pairs(self, pairs: Iterable[tuple[K, V]]) -> None:
        grouped: dict[Any, list[Any]] = {}
        for key, value in pairs:
            if key in grouped:
                grouped[key].append(value)
            else:
                grouped[key] = [value]
        dict.update(self, grouped)

    def __getstate__(self) -> Any:
        return dict(self.lists())

    def __setstate__(self, state: Any) -> None:
        dict.clear(self)
        dict.update(self, state)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Rebuild from the key -> list state without calling __init__ or __setitem__,
        # so keys whose list is empty survive and immutable subclasses unpickle.
        return copyreg.__newobj__, (type(self),), self.__getstate__()

    def __iter__(self) -> Iterator[K]:
        # Overriding __iter__ makes ``dict(md)`` and ``{**md}`` go through keys() and
        # __getitem__, so they see first values rather than the internal lists.
        return dict.__iter__(self)

    def __getitem__(self, key: K) -> V:
        """Return the first value for ``key``; raise :class:`MissingKeyError` if none."""
        values = _dict_get(self, key)
        if values:
            return values[0]  # type: ignore[no-any-return]
        raise MissingKeyError(key)

    def __setitem__(self, key: K, value: V) -> None:
        """Replace all values of ``key`` with the single ``value``."""
        _dict_setitem(self, key, [value])

    def get(  # type: ignore[override]
        self,
        key: K,
        default: Any = None,
        type: Callable[[V], T] | None = None,
    ) -> Any:
        """Return the first value for ``key``, or ``default`` if there is none.

        With ``type``, the value is converted and ``default`` is returned if the
        conversion raises :class:`ValueError` or :class:`TypeError`.
        """
        values = _dict_get(self, key)
        if not values:
            return default
        if type is None:
            return values[0]
        try:
            return type(values[0])
        except (ValueError, TypeError):
            return default

    def add(self, key: K, value: V) -> None:
        """Append ``value`` to the values of ``key``."""
        values = _dict_get(self, key)
        if values is None:
            _dict_setitem(self, key, [value])
        else:
            values.append(value)

    def getlist(self, key: K, type: Callable[[V], T] | None = None) -> list[Any]:
        """Return a new list of all values for ``key`` (empty if it is missing).

        With ``type``, each value is converted and values whose conversion raises
        :class:`ValueError` or :class:`TypeError` are left out.
        """
        values = _dict_get(self, key)
        if values is None:
            return []
        if type is None:
            return list(values)
        result = []
        for value in values:
            try:
                result.append(type(value))
            except (ValueError, TypeError):
                pass
        return result

    def setlist(self, key: K, new_list: Iterable[V]) -> None:
        """Replace the values of ``key`` with a copy of ``new_list``."""
        _dict_setitem(self, key, list(new_list))

    def setdefault(self, key: K, default: V | None = None) -> V:  # type: ignore[override]
        """Return the first value of ``key``, setting it to ``default`` if missing."""
        if key not in self:
            self[key] = default  # type: ignore[assignment]
        return self[key]

    def setlistdefault(self, key: K, default_list: Iterable[V] | None = None) -> list[V]:
        """Return the live value list of ``key``, creating it from ``default_list``.

        The returned list is the one stored, so appending to it adds values.
        """
        if key not in self:
            _dict_setitem(self, key, list(default_list or ()))
        return dict.__getitem__(self, key)  # type: ignore[return-value]

    def items(self, multi: bool = False) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        """Iterate ``(key, first value)`` pairs, or one pair per value with ``multi``."""
        if multi:
            for key, values in _dict_items(self):
                for value in values:  # type: ignore[attr-defined]
                    yield key, value
        else:
            for key, values in _dict_items(self):
                yield key, values[0]  # type: ignore[index]

    def lists(self) -> Iterator[tuple[K, list[V]]]:
        """Iterate ``(key, list of values)`` pairs; each list is a copy."""
        for key, values in _dict_items(self):
            yield key, list(values)  # type: ignore[call-overload]

    def values(self) -> Iterator[V]:  # type: ignore[override]
        """Iterate the first value of every key."""
        for values in _dict_values(self):
            yield values[0]  # type: ignore[index]

    def listvalues(self) -> Iterable[list[V]]:
        """Return a view of the stored value lists, in key order."""
        return _dict_values(self)  # type: ignore[return-value]

    def copy(self) -> MultiDict[K, V]:
        """Return a shallow copy of the same class."""
        return self.__class__(self)

    def deepcopy(self, memo: Any = None) -> MultiDict[K, V]:
        """Return a deep copy of the same class."""
        return self.__class__(_deepcopy(self.to_dict(flat=False), memo))

    def to_dict(self, flat: bool = True) -> dict[K, Any]:
        """Return a plain dict of first values, or of value lists if not ``flat``."""
        if flat:
            return {key: values[0] for key, values in _dict_items(self)}  # type: ignore[index]
        return {key: list(values) for key, values in _dict_items(self)}  # type: ignore[call-overload]

    def update(  # type: ignore[override]
        self, mapping: MultiDict[K, V] | Mapping[K, Any] | Iterable[tuple[K, V]]
    ) -> None:
        """Add every value of ``mapping``, keeping existing values (unlike ``dict``)."""
        for key, value in iter_multi_items(mapping):
            values = _dict_get(self, key)
            if values is None:
                _dict_setitem(self, key, [value])
            else:
                values.append(value)

    def __or__(self, other: Any) -> Any:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        rv = self.copy()
        rv.update(other)
        return rv

    def __ior__(self, other: Any) -> Any:  # type: ignore[override]
        if not isinstance(other, (Mapping, Iterable)):
            return NotImplemented
        self.update(other)
        return self

    def pop(self, key: K, default: Any = _missing) -> Any:  # type: ignore[override]
        """Remove ``key`` and return its first value (the others are discarded)."""
        try:
            values = dict.pop(self, key)
        except KeyError:
            if default is not _missing:
                return default
            raise MissingKeyError(key) from None
        if values:
            return values[0]  # type: ignore[index]
        if default is not _missing:
            return default
        raise MissingKeyError(key)

    def popitem(self) -> tuple[K, V]:
        """Remove a key and return ``(key, first value)``."""
        try:
            key, values = dict.popitem(self)
        except KeyError as e:
            raise MissingKeyError(e.args[0]) from None
        if not values:
            raise MissingKeyError(key)
        return key, values[0]  # type: ignore[index]

    def poplist(self, key: K) -> list[V]:
        """Remove ``key`` and return all its values (empty list if missing)."""
        return dict.pop(self, key, [])  # type: ignore[arg-type,return-value]

    def popitemlist(self) -> tuple[K, list[V]]:
        """Remove a key and return ``(key, list of values)``."""
        try:
            return dict.popitem(self)  # type: ignore[return-value]
        except KeyError as e:
            raise MissingKeyError(e.args[0]) from None

    def __copy__(self) -> MultiDict[K, V]:
        return self.copy()

    def __deepcopy__(self, memo: Any) -> MultiDict[K, V]:
        return self.deepcopy(memo=memo)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items(multi=True))!r})"


class ImmutableMultiDict(ImmutableMultiDictMixin, MultiDict[K, V]):  # type: ignore[misc]
    """A read-only, hashable :class:`MultiDict`; ``request.args`` and ``request.form``."""

    def copy(self) -> MultiDict[K, V]:
        """Return a mutable :class:`MultiDict` copy (``copy.copy`` returns ``self``)."""
        return MultiDict(self)

    def __copy__(self) -> ImmutableMultiDict[K, V]:
        return self


class CombinedMultiDict(ImmutableMultiDictMixin, MultiDict[K, V]):  # type: ignore[misc]
    """A read-only view over several :class:`MultiDict` objects, searched in order.

    ``request.values`` combines ``args`` and ``form`` this way. Lookups return the first
    dict's value that has the key; the ``*list`` methods concatenate all of them. Later
    changes to the wrapped dicts show through.
    """

    def __init__(self, dicts: Iterable[MultiDict[K, V]] | None = None) -> None:
        super().__init__()
        self.dicts: list[MultiDict[K, V]] = list(dicts or ())

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (self.dicts,)

    @classmethod
    def fromkeys(cls, keys: Any, value: Any = None) -> NoReturn:
        raise TypeError(f"cannot create {cls.__name__!r} instances by fromkeys")

    def __getitem__(self, key: K) -> V:
        for d in self.dicts:
            if key in d:
                return d[key]
        raise MissingKeyError(key)

    def get(  # type: ignore[override]
        self,
        key: K,
        default: Any = None,
        type: Callable[[V], T] | None = None,
    ) -> Any:
        """Return the first value found for ``key``, or ``default``.

        With ``type``, a value that fails to convert is skipped and the search goes on
        in the next dict.
        """
        for d in self.dicts:
            if key in d:
                if type is not None:
                    try:
                        return type(d[key])
                    except (ValueError, TypeError):
                        continue
                return d[key]
        return default

    def getlist(self, key: K, type: Callable[[V], T] | None = None) -> list[Any]:
        """Return the values for ``key`` from every dict, concatenated."""
        rv: list[Any] = []
        for d in self.dicts:
            rv.extend(d.getlist(key, type))
        return rv

    def _keys_impl(self) -> set[K]:
        return {key for d in self.dicts for key in d}

    def keys(self) -> set[K]:  # type: ignore[override]
        """Return the set of keys of all dicts (a ``set``, as in Werkzeug)."""
        return self._keys_impl()

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys_impl())

    def items(self, multi: bool = False) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        """Iterate first-found ``(key, value)`` pairs, or every pair with ``multi``."""
        found = set()
        for d in self.dicts:
            for key, value in d.items(multi):
                if multi:
                    yield key, value
                elif key not in found:
                    found.add(key)
                    yield key, value

    def values(self) -> Iterator[V]:  # type: ignore[override]
        for _key, value in self.items():
            yield value

    def lists(self) -> Iterable[tuple[K, list[V]]]:  # type: ignore[override]
        """Return ``(key, values)`` pairs with each key's values from all dicts."""
        rv: dict[K, list[V]] = {}
        for d in self.dicts:
            for key, values in d.lists():
                rv.setdefault(key, []).extend(values)
        return rv.items()

    def listvalues(self) -> Iterator[list[V]]:  # type: ignore[override]
        return (values for _key, values in self.lists())

    def to_dict(self, flat: bool = True) -> dict[K, Any]:
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def copy(self) -> MultiDict[K, V]:  # type: ignore[override]
        """Return a mutable :class:`MultiDict` snapshot of the combined data."""
        return MultiDict(self)

    def deepcopy(self, memo: Any = None) -> CombinedMultiDict[K, V]:  # type: ignore[override]
        """Return a combined view over deep copies of the wrapped dicts."""
        return self.__class__(_deepcopy(self.dicts, memo))

    def __len__(self) -> int:
        return len(self._keys_impl())

    def __contains__(self, key: object) -> bool:
        return any(key in d for d in self.dicts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dicts!r})"


class ImmutableDict(ImmutableDictMixin, dict[K, V]):  # type: ignore[misc]
    """A read-only, hashable ``dict``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    def copy(self) -> dict[K, V]:
        """Return a mutable ``dict`` copy (``copy.copy`` returns the object itself)."""
        return dict(self)

    def __copy__(self) -> ImmutableDict[K, V]:
        return self


class CallbackDict(UpdateDictMixin[K, V], dict[K, V]):
    """A ``dict`` that calls ``on_update(self)`` whenever it is changed."""

    def __init__(
        self,
        initial: Mapping[K, V] | Iterable[tuple[K, V]] | None = None,
        on_update: Callable[[Any], None] | None = None,
    ) -> None:
        if initial is None:
            super().__init__()
        else:
            super().__init__(initial)
        self.on_update = on_update

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"
