"""Context-local proxies: ``request``, ``session``, ``g`` and ``current_app``.

A proxy forwards everything (attribute access, item access, operators, ``isinstance``)
to the object that is current in the active context, found through a
:class:`contextvars.ContextVar`.  Each proxy gets its own small class whose
``__getattribute__`` closes over the lookup, so ``request.args`` costs one context
variable read and one ``getattr`` — no dictionary of locals, no lock.  With erlen's C
extension the class's base, ``erlen._speedups.ContextProxy``, does the same in its
attribute slots, which saves the Python call per access.
"""

from __future__ import annotations

import operator
import typing as t
from contextvars import ContextVar

from ._native import native

__all__ = ["LocalProxy", "make_proxy"]

T = t.TypeVar("T")

#: erlen._speedups.ContextProxy: the C twin of the generated attribute methods of
#: make_proxy (None without the C extension, see erlen._native).
_ContextProxy: type | None = native("ContextProxy")


class LocalProxy(t.Generic[T]):
    """Base class of proxies; see :func:`make_proxy` to create one.

    ``_get_current_object()`` returns the proxied object itself, e.g. to send it to
    another thread or to use it as a signal sender.
    """

    __slots__ = ()

    @classmethod
    def _resolve(cls) -> T:  # replaced per proxy class
        raise NotImplementedError

    def _get_current_object(self) -> T:
        return type(self)._resolve()

    def __repr__(self) -> str:
        try:
            return repr(type(self)._resolve())
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"

    def __dir__(self) -> list[str]:
        try:
            return dir(type(self)._resolve())
        except RuntimeError:
            return []


def _forward(name: str) -> t.Callable[..., t.Any]:
    """A dunder method that applies *name* to the current object."""
    # Only the operator module's own functions: getattr would also find what the module
    # object inherits (its bound __str__, __format__, __hash__), which ignore the target.
    method = vars(operator).get(name)
    if method is not None and name not in {"__contains__"}:

        def via_operator(self: LocalProxy[t.Any], *args: t.Any) -> t.Any:
            return method(type(self)._resolve(), *args)

        via_operator.__name__ = name
        return via_operator

    def via_getattr(self: LocalProxy[t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        return getattr(type(self)._resolve(), name)(*args, **kwargs)

    via_getattr.__name__ = name
    return via_getattr


_FORWARDED = [
    "__str__", "__bytes__", "__format__", "__lt__", "__le__", "__eq__", "__ne__",
    "__gt__", "__ge__", "__bool__", "__call__", "__len__", "__length_hint__",
    "__getitem__", "__setitem__", "__delitem__", "__iter__", "__next__", "__reversed__",
    "__contains__", "__add__", "__sub__", "__mul__", "__matmul__", "__truediv__",
    "__floordiv__", "__mod__", "__divmod__", "__pow__", "__lshift__", "__rshift__",
    "__and__", "__xor__", "__or__", "__radd__", "__rsub__", "__rmul__", "__rmatmul__",
    "__rtruediv__", "__rfloordiv__", "__rmod__", "__rdivmod__", "__rpow__",
    "__rlshift__", "__rrshift__", "__rand__", "__rxor__", "__ror__", "__iadd__",
    "__isub__", "__imul__", "__imatmul__", "__itruediv__", "__ifloordiv__", "__imod__",
    "__ipow__", "__ilshift__", "__irshift__", "__iand__", "__ixor__", "__ior__",
    "__neg__", "__pos__", "__abs__", "__invert__", "__complex__", "__int__",
    "__float__", "__index__", "__round__", "__trunc__", "__floor__", "__ceil__",
    "__enter__", "__exit__", "__await__", "__aiter__", "__anext__", "__aenter__",
    "__aexit__", "__copy__", "__deepcopy__",
]  # fmt: skip

for _name in _FORWARDED:
    setattr(LocalProxy, _name, _forward(_name))


def _bool(self: LocalProxy[t.Any]) -> bool:
    try:
        return bool(type(self)._resolve())
    except RuntimeError:
        return False


LocalProxy.__bool__ = _bool  # type: ignore[method-assign,assignment]
LocalProxy.__hash__ = lambda self: hash(type(self)._resolve())  # type: ignore[method-assign,assignment]


def make_proxy(
    var: ContextVar[t.Any], attribute: str | None, unbound_message: str, name: str
) -> t.Any:
    """A proxy to ``var.get()`` (or its *attribute*) that raises ``RuntimeError``
    with *unbound_message* when the context variable is not set."""
    get = var.get
    # The resolver and __getattribute__ are generated so the attribute access is
    # inlined: ``request.args`` is then one call, one context variable read and two
    # attribute loads.
    target = "get()" if attribute is None else f"get().{attribute}"
    source = f"""
def resolve():
    try:
        return {target}
    except LookupError:
        raise RuntimeError(unbound_message) from None

def __getattribute__(self, key):
    try:
        obj = {target}
    except LookupError:
        if key == "__class__":
            return _type(self)  # unbound: isinstance() checks see the proxy itself
        raise RuntimeError(unbound_message) from None
    try:
        return getattr(obj, key)
    except AttributeError:
        if key == "_get_current_object":
            return resolve
        raise

def __setattr__(self, key, value):
    setattr(resolve(), key, value)

def __delattr__(self, key):
    delattr(resolve(), key)
"""
    scope: dict[str, t.Any] = {"get": get, "unbound_message": unbound_message, "_type": type}
    exec(compile(source, f"<erlen proxy {name}>", "exec"), scope)
    resolve = scope["resolve"]
    namespace = {
        "__slots__": (),
        "_resolve": staticmethod(resolve),
        "__module__": "erlen.globals",
        "__qualname__": name,
    }
    if _ContextProxy is not None:
        # The C base does in its attribute slots what the generated methods below do,
        # without a Python call per access.
        cls = type(name, (_ContextProxy, LocalProxy), namespace)
        return cls(var, attribute, unbound_message, resolve)
    namespace["__getattribute__"] = scope["__getattribute__"]
    namespace["__setattr__"] = scope["__setattr__"]
    namespace["__delattr__"] = scope["__delattr__"]
    cls = type(name, (LocalProxy,), namespace)
    return cls()
