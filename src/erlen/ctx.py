"""Application and request contexts.

Pushing a context is setting a :class:`contextvars.ContextVar`; popping it resets the
variable with the token from the push.  An :class:`AppContext` carries ``g`` and a URL
adapter for building URLs outside requests; a :class:`RequestContext` carries the
request, its session, flashed messages and the URL adapter bound to the request.  Both
create what they hold lazily, so a request that never uses ``g``, the session or
``url_for`` never pays for them.
"""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import update_wrapper

from . import signals
from .globals import (
    _get_app_ctx,
    _get_request_ctx,
    _reset_app_ctx,
    _reset_request_ctx,
    _set_app_ctx,
    _set_request_ctx,
)
from .wrappers.request import Request as _Request

if t.TYPE_CHECKING:
    from .app import Erlen
    from .routing import MapAdapter
    from .sessions import SessionMixin
    from .wrappers import Request, Response

__all__ = [
    "AppContext",
    "RequestContext",
    "after_this_request",
    "copy_current_request_context",
    "has_app_context",
    "has_request_context",
]

_sentinel = object()
_UNSET: t.Any = object()
_request_close = _Request.close
_new = object.__new__


class _AppCtxGlobals:
    """The ``g`` object: a namespace for data that lives as long as one app context.

    Typical use is caching a database connection or the current user for a request.
    """

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: t.Any | None = None) -> t.Any:
        """The attribute *name*, or *default*."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        """Remove and return the attribute *name* (or *default* if given)."""
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """The attribute *name*, set to *default* first if missing."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _get_app_ctx(None)
        if ctx is not None:
            return f"<erlen.g of '{ctx.app.name}'>"
        return object.__repr__(self)


class AppContext:
    """The application context: makes ``current_app`` and ``g`` available.

    Use it as ``with app.app_context(): ...`` in scripts and tests.  It is pushed
    automatically for every request.
    """

    __slots__ = ("__dict__", "_g", "_nested", "_token", "_url_adapter", "app")

    def __init__(self, app: Erlen) -> None:
        self.app = app
        self._g: _AppCtxGlobals | None = None
        self._url_adapter: t.Any = _UNSET
        # The token of the first push, and those of pushes while already pushed.
        self._token: contextvars.Token[AppContext] | None = None
        self._nested: list[contextvars.Token[AppContext]] | None = None

    @property
    def g(self) -> _AppCtxGlobals:
        """The context's ``g`` namespace."""
        g = self._g
        if g is None:
            g = self._g = self.app.app_ctx_globals_class()
        return g

    @g.setter
    def g(self, value: _AppCtxGlobals) -> None:
        self._g = value

    @property
    def url_adapter(self) -> MapAdapter | None:
        """An adapter for building URLs from configuration (``SERVER_NAME``...)."""
        adapter = self._url_adapter
        if adapter is _UNSET:
            adapter = self._url_adapter = self.app.create_url_adapter(None)
        return adapter  # type: ignore[no-any-return]

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    def push(self) -> None:
        """Make this the current app context."""
        token = _set_app_ctx(self)
        if self._token is None:
            self._token = token
        elif self._nested is None:
            self._nested = [token]
        else:
            self._nested.append(token)
        if signals.appcontext_pushed.receivers:
            signals.appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Remove this context, running the app's teardown functions for the last pop."""
        nested = self._nested
        try:
            if not nested:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            ctx = _get_app_ctx()
            if nested:
                _reset_app_ctx(nested.pop())
            else:
                token = self._token
                if token is None:
                    raise RuntimeError("Popped an app context that was not pushed.")
                self._token = None
                _reset_app_ctx(token)
        if ctx is not self:
            raise AssertionError(f"Popped wrong app context.  ({ctx!r} instead of {self!r})")
        if signals.appcontext_popped.receivers:
            signals.appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)


class RequestContext:
    """The request context: makes ``request`` and ``session`` available.

    Created for each request (and by ``app.test_request_context()``); pushing it also
    pushes an app context when none for this app is active.  Routing happens on push.
    """

    __slots__ = (
        "__dict__",
        "_after_request_functions",
        "_app_ctx",
        "_nested",
        "_session",
        "_token",
        "_url_adapter",
        "app",
        "flashes",
        "request",
    )

    def __init__(
        self,
        app: Erlen,
        environ: dict[str, t.Any],
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
        self.request = request
        self._url_adapter: t.Any = _UNSET
        self.flashes: list[tuple[str, str]] | None = None
        self._session = session
        self._after_request_functions: list[t.Callable[[Response], Response]] | None = None
        # The first push's token and the app context it pushed (if any); then the same
        # pairs for pushes while already pushed.
        self._token: contextvars.Token[RequestContext] | None = None
        self._app_ctx: AppContext | None = None
        self._nested: list[tuple[contextvars.Token[RequestContext], AppContext | None]] | None = (
            None
        )

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL map bound to this request (for matching and ``url_for``)."""
        adapter = self._url_adapter
        if adapter is _UNSET:
            from .exceptions import HTTPException

            try:
                adapter = self.app.create_url_adapter(self.request)
            except HTTPException as e:
                self.request.routing_exception = e
                adapter = None
            self._url_adapter = adapter
        return adapter  # type: ignore[no-any-return]

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    @property
    def session(self) -> SessionMixin:
        """The session, opened through ``app.session_interface`` on first use.

        Reaching the session through the context marks it accessed (the response
        then varies on ``Cookie``).
        """
        session = self._session
        if session is None:
            session = self._open_session()
        session.accessed = True
        return session

    def _open_session(self) -> SessionMixin:
        """Open the session without marking it accessed (for erlen's own use)."""
        interface = self.app.session_interface
        session = interface.open_session(self.app, self.request)
        if session is None:
            session = interface.make_null_session(self.app)
        self._session = session
        return session

    @session.setter
    def session(self, value: SessionMixin | None) -> None:
        self._session = value

    def copy(self) -> RequestContext:
        """A new context for the same request and session (for another greenlet or
        thread; see :func:`copy_current_request_context`)."""
        return self.__class__(
            self.app, environ=self.request.environ, request=self.request, session=self._session
        )

    def match_request(self) -> None:
        """Route the request: set ``url_rule`` and ``view_args`` or ``routing_exception``."""
        self.app._match_request(self)

    def push(self) -> None:
        """Make this the current request context (and route the request)."""
        app = self.app
        app_ctx = _get_app_ctx(None)
        if app_ctx is None or app_ctx.app is not app:
            app_ctx = app.app_context()
            app_ctx.push()
        else:
            app_ctx = None
        token = _set_request_ctx(self)
        if self._token is None:
            self._token = token
            self._app_ctx = app_ctx
        else:
            if self._nested is None:
                self._nested = []
            self._nested.append((token, app_ctx))
        if self._session is None and not app.session_interface.opens_lazily:
            self._open_session()  # custom interfaces are opened eagerly, as in Flask
        app._match_request(self)

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Remove this context; the last pop runs teardown functions and closes the request."""
        nested = self._nested
        clear_request = not nested
        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                request = self.request
                if request.__class__.close is _request_close:  # nothing to close unless files
                    if "files" in request.__dict__:
                        request.close()
                else:
                    request_close = getattr(request, "close", None)
                    if request_close is not None:
                        request_close()
        finally:
            ctx = _get_request_ctx()
            if nested:
                token, app_ctx = nested.pop()
            else:
                token, app_ctx = self._token, self._app_ctx
                if token is None:
                    raise RuntimeError("Popped a request context that was not pushed.")
                self._token = self._app_ctx = None
            _reset_request_ctx(token)
            if app_ctx is not None:
                app_ctx.pop(exc)
            if ctx is not self:
                raise AssertionError(f"Popped wrong request context. ({ctx!r} instead of {self!r})")

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.request.url!r} [{self.request.method}] of {self.app.name}>"


def after_this_request(f: t.Callable[[Response], Response]) -> t.Callable[[Response], Response]:
    """Run *f* on this request's response (before ``after_request`` functions).

    Useful in a view to change a response that is made elsewhere, e.g. to set a cookie.
    """
    ctx = _get_request_ctx(None)
    if ctx is None:
        raise RuntimeError(
            "'after_this_request' can only be used when a request"
            " context is active, such as in a view function."
        )
    if ctx._after_request_functions is None:
        ctx._after_request_functions = []
    ctx._after_request_functions.append(f)
    return f


F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def copy_current_request_context(f: F) -> F:
    """Decorate *f* to run with a copy of the current request context (for threads)."""
    ctx = _get_request_ctx(None)
    if ctx is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used when a"
            " request context is active, such as in a view function."
        )
    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def has_request_context() -> bool:
    """Whether a request context is active (``request`` is usable)."""
    return _get_request_ctx(None) is not None


def has_app_context() -> bool:
    """Whether an app context is active (``current_app`` and ``g`` are usable)."""
    return _get_app_ctx(None) is not None


def _enter_request(app: Erlen, environ: dict[str, t.Any]) -> RequestContext:
    """Build the request of *environ* and push the app and request contexts for it, on
    the dispatch fast path (see ``DispatchMixin._fast_wsgi_call``).

    The same objects ``RequestContext(app, environ).push()`` makes, built without
    calling the classes (on Python 3.11 a class call with an ``__init__`` costs
    several times a plain function call) and without the work the fast path has ruled
    out: nesting, an eager session, routing (done by the caller).  A request class
    other than erlen's own is called as usual.  The tokens are in ``ctx._token`` and
    ``ctx._app_ctx._token``.
    """
    request_class = app.request_class
    if request_class is _Request:  # its __init__ only keeps the environ
        request = _new(_Request)
        request.environ = environ
    else:
        request = request_class(environ)
    app_ctx = _new(AppContext)
    app_ctx.app = app
    app_ctx._g = app_ctx._nested = None
    app_ctx._url_adapter = _UNSET
    ctx = _new(RequestContext)
    ctx.app = app
    ctx.request = request
    ctx._url_adapter = _UNSET
    ctx.flashes = ctx._session = ctx._after_request_functions = ctx._nested = None
    app_ctx._token = _set_app_ctx(app_ctx)
    ctx._token = _set_request_ctx(ctx)
    ctx._app_ctx = app_ctx
    return ctx
