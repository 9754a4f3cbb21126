"""Class-based views: :class:`View` and :class:`MethodView`, as in ``flask.views``."""

from __future__ import annotations

import typing as t

from .globals import current_app, request

__all__ = ["MethodView", "View", "http_method_funcs"]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: The methods a :class:`MethodView` maps to same-named lower-case methods.
http_method_funcs = frozenset(["get", "post", "head", "options", "delete", "put", "trace", "patch"])


class View:
    """Subclass and implement :meth:`dispatch_request`; register with :meth:`as_view`.

    ``methods`` lists the HTTP methods, ``decorators`` wraps the generated view
    function, and ``init_every_request = False`` reuses one instance for all requests.
    """

    methods: t.ClassVar[t.Collection[str] | None] = None
    provide_automatic_options: t.ClassVar[bool | None] = None
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self) -> t.Any:
        """Handle a request; the URL values are keyword arguments."""
        raise NotImplementedError()

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> t.Callable[..., t.Any]:
        """A view function named *name* (the endpoint) that runs this class.

        ``class_args``/``class_kwargs`` go to the constructor.
        """
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> t.Any:
                self = view.view_class(*class_args, **class_kwargs)  # type: ignore[attr-defined]
                return current_app.ensure_sync(self.dispatch_request)(**kwargs)

        else:
            self = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> t.Any:
                return current_app.ensure_sync(self.dispatch_request)(**kwargs)

        if cls.decorators:
            view.__name__ = name
            view.__module__ = cls.__module__
            for decorator in cls.decorators:
                view = decorator(view)
        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
        return view


class MethodView(View):
    """Dispatch each HTTP method to the same-named method (``get``, ``post``...).

    ``methods`` is inferred from the methods the class defines; ``HEAD`` falls back to
    ``get``.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" not in cls.__dict__:
            methods = set()
            for base in cls.__bases__:
                if getattr(base, "methods", None):
                    methods.update(base.methods)  # type: ignore[attr-defined]
            for key in http_method_funcs:
                if hasattr(cls, key):
                    methods.add(key.upper())
            if methods:
                cls.methods = methods

    def dispatch_request(self, **kwargs: t.Any) -> t.Any:
        meth = getattr(self, request.method.lower(), None)
        if meth is None and request.method == "HEAD":
            meth = getattr(self, "get", None)
        assert meth is not None, f"Unimplemented method {request.method!r}"
        return current_app.ensure_sync(meth)(**kwargs)
