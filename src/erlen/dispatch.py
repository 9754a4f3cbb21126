"""The request lifecycle, written once for every server interface.

For each request: push the contexts (routing happens there), send ``request_started``,
run URL value preprocessors and ``before_request`` hooks, call the view, turn its
return value into a response, run ``after_request`` hooks, save the session, send
``request_finished``; on the way out run teardown functions and pop the contexts.
Exceptions go to the registered error handlers (blueprint first, most specific class
first) and, unhandled, become 500 responses.

Every step checks whether anything is registered before doing work, so a request to
an app without hooks, signals or a session costs little more than the view itself.
User callables go through :meth:`DispatchMixin.ensure_sync`, which is where the ASGI
interface plugs in native ``await`` for async functions.
"""

from __future__ import annotations

import sys
import typing as t
from collections.abc import Iterator as _Iterator
from inspect import CO_COROUTINE, iscoroutinefunction
from itertools import chain
from types import FunctionType

from . import signals
from .concurrency import _bridge
from .ctx import AppContext, RequestContext, _enter_request
from .exceptions import BadRequestKeyError, HTTPException, InternalServerError
from .globals import _get_app_ctx, _get_request_ctx, _reset_app_ctx, _reset_request_ctx
from .http.headers import Headers
from .routing.exceptions import RequestRedirect, RoutingException
from .wrappers.response import Response as _Response

if t.TYPE_CHECKING:
    from .app import Erlen
    from .concurrency import AsgiBridge
    from .wrappers import Response

__all__ = ["DispatchMixin"]

_sentinel = object()
# Bound once (see erlen.globals: a method call on an imported name is slow on 3.11).
_get_bridge = _bridge.get
_json_types = (dict, list)
_HTML = "text/html; charset=utf-8"
_HTML_BYTES = _HTML.encode()
_text_types = (str, bytes, bytearray)
_header_types = (Headers, dict, tuple, list)


class DispatchMixin:
    """Request handling for :class:`~erlen.app.Erlen` (see the module docstring)."""

    # -- the WSGI entry ----------------------------------------------------------------

    #: Use the inlined request path when nothing needs the general one (tests turn it
    #: off to check both paths behave the same).
    _fast_path_enabled = True

    def request_context(self: Erlen, environ: dict[str, t.Any]) -> RequestContext:
        """A request context for a WSGI environ."""
        return RequestContext(self, environ)

    def app_context(self: Erlen) -> AppContext:
        """An app context: ``with app.app_context(): ...``."""
        return AppContext(self)

    def _fast_path_applies(self: Erlen, environ: dict[str, t.Any]) -> bool:
        """Whether the inlined lifecycle (:meth:`_fast_wsgi_call`, or its ASGI twin)
        can serve this request: no hooks, signals, eager session, nested or preserved
        context, WebSocket upgrade or overridden ``request_context``/``app_context``."""
        return (
            not self.before_request_funcs
            and not self.url_value_preprocessors
            and not self.after_request_funcs
            and not self.teardown_request_funcs
            and not signals.request_signals_active
            and self._fast_path_enabled
            and _get_app_ctx(None) is None
            and "erlen.preserve_context" not in environ
            and "HTTP_UPGRADE" not in environ
            and (cls := type(self)).request_context is _base_request_context
            and cls.app_context is _base_app_context
            and self.session_interface.opens_lazily
        )

    def wsgi_app(
        self: Erlen, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> t.Any:
        """The WSGI application; wrap it for middleware: ``app.wsgi_app = MW(app.wsgi_app)``.

        (``app(environ, start_response)`` calls it, and so does the ASGI interface.)
        """
        if self._fast_path_applies(environ):
            return self._fast_wsgi_call(environ, start_response)
        if "erlen.websocket" in environ:
            return self._websocket_wsgi(environ, start_response)
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            preserve = environ.get("erlen.preserve_context")
            if preserve is not None:
                preserve(_get_app_ctx())
                preserve(_get_request_ctx())
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)

    def _websocket_wsgi(
        self: Erlen, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> t.Any:
        """A WebSocket connection arriving through the WSGI chain (so that middleware
        on ``wsgi_app`` applies): run it and report the rejection status."""
        from .websocket import websocket_call

        environ["erlen.websocket.status"] = websocket_call(
            self, environ, environ["erlen.websocket"]
        )
        start_response("200 OK", [])
        return []

    def _fast_wsgi_call(
        self: Erlen, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> t.Any:
        """The request lifecycle for an app with no hooks, signals or eager session.

        It is :meth:`wsgi_app`, :meth:`full_dispatch_request` and the context push
        and pop with the steps that have nothing to do left out and the rest inlined.
        Anything unusual (an error, ``after_this_request``, a session that was used) is
        handed to the same general methods the full path uses.  A plain string from a
        view that nothing else can observe is sent without building a response object.
        """
        ctx = _enter_request(self, environ)
        request = ctx.request
        app_ctx = ctx._app_ctx
        app_token = app_ctx._token
        request_token = ctx._token
        error: BaseException | None = None
        try:
            try:
                method = self._match_request(ctx)
                self._got_first_request = True
                try:
                    rule = request.url_rule
                    if (
                        rule is None  # routing failed
                        or rule.websocket
                        or (
                            rule.provide_automatic_options
                            and (method or request.method) == "OPTIONS"
                        )
                    ):
                        rv = self.dispatch_request()
                    else:
                        view = self.view_functions[rule.endpoint]  # type: ignore[union-attr]
                        call = self._sync_views.get(view)
                        if call is None:
                            call = self._sync_views[view] = self._view_caller(view)
                        if call is view and _get_bridge() is not None:
                            rv = _in_thread_pool(view, request.view_args)
                        else:
                            rv = call(**request.view_args)  # type: ignore[arg-type]
                except Exception as e:
                    rv = self.handle_user_exception(e)
                if signals.request_signals_active:
                    # A receiver was connected during the view: finish the usual way.
                    response = self.finalize_request(rv)
                    return response(environ, start_response)
                untouched = (
                    ctx._after_request_functions is None
                    and ctx._session is None
                    and (
                        "HTTP_COOKIE" not in environ
                        or not self.session_interface.needs_saving_unopened(self, request)
                    )
                )
                if rv.__class__ is str and untouched and self.response_class is _Response:
                    # Nothing can see the response object: send the bytes directly.
                    body = rv.encode()
                    start_response(
                        "200 OK", [("Content-Type", _HTML), ("Content-Length", str(len(body)))]
                    )
                    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
                # A response object as is (what make_response would do, minus its checks).
                response = rv if rv.__class__ is self.response_class else self.make_response(rv)
                if not untouched:
                    response = self.process_response(response)
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            if signals.request_signals_active:
                # A receiver was connected during the request: pop the usual way.
                if error is not None and self.should_ignore_error(error):
                    error = None
                ctx.pop(error)
            else:
                try:
                    if "files" in request.__dict__:
                        request.close()
                finally:
                    _reset_request_ctx(request_token)
                    ctx._token = ctx._app_ctx = None
                    try:
                        if self.teardown_appcontext_funcs:
                            if error is not None and self.should_ignore_error(error):
                                error = None
                            self.do_teardown_appcontext(error)
                    finally:
                        _reset_app_ctx(app_token)
                        app_ctx._token = None

    async def _fast_asgi_call(
        self: Erlen,
        environ: dict[str, t.Any],
        start_response: t.Callable[..., t.Any],
        bridge: AsgiBridge,
    ) -> t.Any:
        """:meth:`_fast_wsgi_call` for ASGI, run in the server's task itself.

        The same steps in the same order; what differs is how the view is called: a
        coroutine view is awaited directly (no request greenlet, no thread), a sync view
        goes to the thread pool.  Steps that may run user callables which are allowed
        to be async (error handlers, ``after_this_request`` functions, teardown
        functions, the rare cases of :meth:`dispatch_request`) run through *bridge* in a
        request greenlet, exactly as on the general path.  The caller guarantees that
        the request body, if any, is already buffered, so sync code never waits for it.
        """
        ctx = _enter_request(self, environ)
        request = ctx.request
        app_ctx = ctx._app_ctx
        app_token = app_ctx._token
        request_token = ctx._token
        error: BaseException | None = None
        try:
            try:
                method = self._match_request(ctx)
                self._got_first_request = True
                try:
                    rule = request.url_rule
                    if rule is None:  # routing failed
                        rv = self._plain_routing_error(request)
                        if rv is None:  # user code may run (and await): the general way
                            rv = await bridge.run(self.dispatch_request)
                    elif rule.websocket or (
                        rule.provide_automatic_options and (method or request.method) == "OPTIONS"
                    ):
                        rv = await bridge.run(self.dispatch_request)
                    else:
                        view = self.view_functions[rule.endpoint]  # type: ignore[union-attr]
                        call = self._sync_views.get(view)
                        if call is None:
                            call = self._sync_views[view] = self._view_caller(view)
                        if call is view:
                            rv = await bridge.run_in_thread(view, **request.view_args)  # type: ignore[arg-type]
                        else:
                            rv = await call.__wrapped__(**request.view_args)  # type: ignore[attr-defined]
                except Exception as e:
                    rv = await bridge.run(_while_handling, self.handle_user_exception, e)
                if signals.request_signals_active:
                    response = await bridge.run(self.finalize_request, rv)
                    return response(environ, start_response)
                untouched = (
                    ctx._after_request_functions is None
                    and ctx._session is None
                    and (
                        "HTTP_COOKIE" not in environ
                        or not self.session_interface.needs_saving_unopened(self, request)
                    )
                )
                if rv.__class__ is str and untouched and self.response_class is _Response:
                    body = rv.encode()
                    start_response.ready(  # type: ignore[attr-defined]
                        200,
                        [(b"content-type", _HTML_BYTES), (b"content-length", b"%d" % len(body))],
                    )
                    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
                if untouched:
                    response = rv if rv.__class__ is self.response_class else self.make_response(rv)
                else:
                    response = await bridge.run(self._finish_response, rv)
            except Exception as e:
                error = e
                response = await bridge.run(_while_handling, self.handle_exception, e)
            except:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            if signals.request_signals_active:
                if error is not None and self.should_ignore_error(error):
                    error = None
                await bridge.run(ctx.pop, error)
            else:
                try:
                    if "files" in request.__dict__:
                        request.close()
                finally:
                    _reset_request_ctx(request_token)
                    ctx._token = ctx._app_ctx = None
                    try:
                        if self.teardown_appcontext_funcs:
                            if error is not None and self.should_ignore_error(error):
                                error = None
                            await bridge.run(self.do_teardown_appcontext, error)
                    finally:
                        _reset_app_ctx(app_token)
                        app_ctx._token = None

    def _plain_routing_error(self: Erlen, request: t.Any) -> HTTPException | None:
        """The routing error of *request* (404, 405, a redirect), when it is also what
        dispatching and handling it would return: the app's class keeps erlen's
        dispatch and error-handling methods, debug mode is off (it may swap a redirect
        for an explanation), the error is not trapped and no registered handler takes
        it.  ``None`` otherwise: then the general path runs, with whatever user code
        that involves.  Lets the ASGI fast path answer a 404 without a request
        greenlet."""
        cls = type(self)
        if (
            cls.dispatch_request is not DispatchMixin.dispatch_request
            or cls.raise_routing_exception is not DispatchMixin.raise_routing_exception
            or cls.handle_user_exception is not DispatchMixin.handle_user_exception
            or cls.handle_http_exception is not DispatchMixin.handle_http_exception
            or cls.trap_http_exception is not DispatchMixin.trap_http_exception
            or self.debug
        ):
            return None
        error = request.routing_exception
        if not isinstance(error, HTTPException) or self.trap_http_exception(error):
            return None
        if self._http_error_handler(error, request.blueprints) is not None:
            return None
        return error

    def _finish_response(self: Erlen, rv: t.Any) -> Response:
        """The response for *rv* with ``after_request`` work done (session, hooks)."""
        return self.process_response(self.make_response(rv))

    def _awaits_views_directly(self: Erlen) -> bool:
        """Whether coroutine views can be awaited without going through
        :meth:`ensure_sync` (which an app may override to wrap them differently)."""
        cls = type(self)
        return (
            cls.ensure_sync is DispatchMixin.ensure_sync
            and cls.async_to_sync is DispatchMixin.async_to_sync
            and cls._view_caller is DispatchMixin._view_caller
        )

    # -- dispatch --------------------------------------------------------------------

    def full_dispatch_request(self: Erlen) -> Response:
        """Dispatch the current request with hooks, signals and error handling."""
        self._got_first_request = True
        try:
            if signals.request_started.receivers:
                signals.request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = None
            if self.before_request_funcs or self.url_value_preprocessors:
                rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv)

    def dispatch_request(self: Erlen) -> t.Any:
        """Call the view of the matched rule (or raise the routing error)."""
        request = _get_request_ctx().request
        if request.routing_exception is not None:
            self.raise_routing_exception(request)
        rule = request.url_rule
        if rule.provide_automatic_options and request.method == "OPTIONS":  # type: ignore[union-attr]
            return self.make_default_options_response()
        if rule.websocket:  # type: ignore[union-attr]
            from .exceptions import BadRequest

            raise BadRequest(
                "This is a WebSocket route; WebSockets need the ASGI interface. Serve the"
                " app with an ASGI server, e.g. 'uvicorn module:app.asgi'."
            )
        view = self.view_functions[rule.endpoint]  # type: ignore[union-attr]
        call = self._sync_views.get(view)
        if call is None:
            call = self._sync_views[view] = self._view_caller(view)
        if call is view and _get_bridge() is not None:
            return _in_thread_pool(view, request.view_args)  # a sync view under ASGI
        return call(**request.view_args)  # type: ignore[arg-type]

    def _view_caller(self: Erlen, view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """How to call *view* under WSGI: itself, or its coroutine run to completion."""
        return self.ensure_sync(view)

    def raise_routing_exception(self: Erlen, request: t.Any) -> t.NoReturn:
        """Raise the routing error; in debug mode explain a redirect that drops a form."""
        error = request.routing_exception
        if (
            not self.debug
            or not isinstance(error, RequestRedirect)
            or error.code in {307, 308}
            or request.method in {"GET", "HEAD", "OPTIONS"}
        ):
            raise error
        from .debughelpers import FormDataRoutingRedirect

        raise FormDataRoutingRedirect(request)

    def make_default_options_response(self: Erlen) -> Response:
        """The automatic ``OPTIONS`` response: empty, with ``Allow``."""
        adapter = _get_request_ctx().url_adapter
        methods = adapter.allowed_methods()  # type: ignore[union-attr]
        rv = self.response_class()
        rv.allow.update(methods)
        return rv

    def preprocess_request(self: Erlen) -> t.Any:
        """Run URL value preprocessors and ``before_request`` hooks (app, then blueprints).

        A hook returning a value stops the request: that value is the response.
        """
        request = _get_request_ctx().request
        names = (None, *reversed(request.blueprints))
        for name in names:
            if name in self.url_value_preprocessors:
                for url_func in self.url_value_preprocessors[name]:
                    url_func(request.endpoint, request.view_args)
        for name in names:
            if name in self.before_request_funcs:
                for before_func in self.before_request_funcs[name]:
                    rv = self.ensure_sync(before_func)()
                    if rv is not None:
                        return rv
        return None

    def finalize_request(self: Erlen, rv: t.Any, from_error_handler: bool = False) -> Response:
        """Make the response, run ``after_request`` hooks, save the session."""
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            if signals.request_finished.receivers:
                signals.request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception("Request finalizing failed with an error while handling an error")
        return response

    def process_response(self: Erlen, response: Response) -> Response:
        """Run ``after_this_request`` callbacks and ``after_request`` hooks, then save
        the session."""
        ctx = _get_request_ctx()
        if ctx._after_request_functions:
            for func in ctx._after_request_functions:
                response = self.ensure_sync(func)(response)
        if self.after_request_funcs:
            for name in chain(ctx.request.blueprints, (None,)):
                if name in self.after_request_funcs:
                    for func in reversed(self.after_request_funcs[name]):
                        response = self.ensure_sync(func)(response)
        interface = self.session_interface
        session = ctx._session
        if session is None and interface.opens_lazily:
            # An unopened session only matters if the client sent a cookie.
            request = ctx.request
            if "HTTP_COOKIE" not in request.environ or not interface.needs_saving_unopened(
                self, request
            ):
                return response
            session = ctx._open_session()
        if not interface.is_null_session(session):
            interface.save_session(self, session, response)
        return response

    # -- turning return values into responses -------------------------------------------

    def make_response(self: Erlen, rv: t.Any) -> Response:
        """Turn a view's return value into a response object.

        Accepted: a response, ``str``/``bytes``, a ``dict`` or ``list`` (JSON), an
        iterator (streamed), a WSGI callable, or a tuple ``(body, status)``,
        ``(body, headers)`` or ``(body, status, headers)``.
        """
        cls = rv.__class__
        if cls is str:
            return self.response_class._from_text(rv)  # type: ignore[attr-defined,no-any-return]
        status = headers = None
        if cls is tuple:
            length = len(rv)
            if length == 3:
                rv, status, headers = rv
            elif length == 2:
                if isinstance(rv[1], _header_types):
                    rv, headers = rv
                else:
                    rv, status = rv
            else:
                raise TypeError(
                    "The view function did not return a valid response tuple."
                    " The tuple must have the form (body, status, headers),"
                    " (body, status), or (body, headers)."
                )
        if rv is None:
            endpoint = _get_request_ctx().request.endpoint
            raise TypeError(
                f"The view function for {endpoint!r} did not"
                " return a valid response. The function either returned"
                " None or ended without a return statement."
            )
        response_class = self.response_class
        if not isinstance(rv, response_class):
            if rv.__class__ is str and status is None and not headers:
                return response_class._from_text(rv)  # type: ignore[attr-defined,no-any-return]
            if isinstance(rv, (*_text_types, _Iterator)):
                rv = response_class(rv, status=status, headers=headers)
                status = headers = None
            elif isinstance(rv, _json_types):
                rv = self.json.response(rv)
            elif isinstance(rv, HTTPException):
                rv = self._http_exception_response(rv)
            elif callable(rv) or _is_response(rv):
                try:
                    rv = response_class.force_type(rv, _get_request_ctx().request.environ)
                except TypeError as e:
                    raise TypeError(
                        f"{e}\nThe view function did not return a valid"
                        " response. The return type must be a string,"
                        " dict, list, tuple with headers or status,"
                        " Response instance, or WSGI callable, but it"
                        f" was a {type(rv).__name__}."
                    ).with_traceback(sys.exc_info()[2]) from None
            else:
                raise TypeError(
                    "The view function did not return a valid"
                    " response. The return type must be a string,"
                    " dict, list, tuple with headers or status,"
                    " Response instance, or WSGI callable, but it was a"
                    f" {type(rv).__name__}."
                )
        if status is not None:
            if isinstance(status, _text_types):
                rv.status = status
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv  # type: ignore[no-any-return]

    def _http_exception_response(self: Erlen, error: HTTPException) -> Response:
        """The response for an HTTP error, from its cached default page when possible."""
        environ = _get_request_ctx().request.environ
        page = error.get_page(environ)
        if page is None:
            return self.response_class.force_type(error.get_response(environ), environ)
        return self.response_class._from_page(page)

    # -- errors ------------------------------------------------------------------------

    def _find_error_handler(
        self: Erlen, e: Exception, blueprints: list[str]
    ) -> t.Callable[[Exception], t.Any] | None:
        """The handler for *e*: by code then class, blueprint (innermost) before app."""
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        for c in (code, None) if code is not None else (None,):
            for name in names:
                handler_map = self.error_handler_spec[name][c]
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return handler
        return None

    def trap_http_exception(self: Erlen, e: Exception) -> bool:
        """Whether an HTTP error should be raised instead of handled (debugging aids)."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            from .exceptions import BadRequest

            return isinstance(e, BadRequest)
        return False

    def handle_http_exception(self: Erlen, e: HTTPException) -> t.Any:
        """Handle an HTTP error with its registered handler, or return it as response."""
        handler = self._http_error_handler(e, _get_request_ctx().request.blueprints)
        if handler is None:
            return e
        return self.ensure_sync(handler)(e)

    def _http_error_handler(
        self: Erlen, e: HTTPException, blueprints: list[str]
    ) -> t.Callable[[Exception], t.Any] | None:
        """The registered handler for an HTTP error, or ``None`` when it is its own
        response: no code (a bare ``HTTPException``), a routing redirect or error, or
        no handler for it."""
        if e.code is None or isinstance(e, RoutingException):
            return None
        return self._find_error_handler(e, blueprints)

    def handle_user_exception(self: Erlen, e: Exception) -> t.Any:
        """Handle an exception raised while dispatching; re-raise if there's no handler."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        handler = self._find_error_handler(e, _get_request_ctx().request.blueprints)
        if handler is None:
            raise
        return self.ensure_sync(handler)(e)

    def handle_exception(self: Erlen, e: Exception) -> Response:
        """Turn an unhandled exception into a 500 response (or re-raise when testing)."""
        exc_info = sys.exc_info()
        if signals.got_request_exception.receivers:
            signals.got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            if exc_info[1] is e:
                raise
            raise e
        self.log_exception(exc_info)
        server_error: t.Any = InternalServerError(original_exception=e)
        ctx = _get_request_ctx(None)
        blueprints = ctx.request.blueprints if ctx is not None else []
        handler = self._find_error_handler(server_error, blueprints)
        if handler is not None:
            server_error = self.ensure_sync(handler)(server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def should_ignore_error(self: Erlen, error: BaseException | None) -> bool:
        """Whether teardown functions should not see *error* (never, by default)."""
        return False

    # -- teardown -------------------------------------------------------------------------

    def do_teardown_request(self: Erlen, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Run ``teardown_request`` functions (blueprints first, each in reverse order)."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        if self.teardown_request_funcs:
            request = _get_request_ctx().request
            for name in chain(request.blueprints, (None,)):
                if name in self.teardown_request_funcs:
                    for func in reversed(self.teardown_request_funcs[name]):
                        self.ensure_sync(func)(exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self: Erlen, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Run ``teardown_appcontext`` functions in reverse order."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        if self.teardown_appcontext_funcs:
            for func in reversed(self.teardown_appcontext_funcs):
                self.ensure_sync(func)(exc)
        if signals.appcontext_tearing_down.receivers:
            signals.appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    # -- sync and async ------------------------------------------------------------------

    def ensure_sync(self: Erlen, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """*func* itself, or for a coroutine function a sync wrapper that runs it."""
        if _is_coroutine_function(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self: Erlen, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Run a coroutine function to completion from sync code.

        Under ASGI this awaits it natively on the server's event loop; under WSGI it runs
        on an event loop kept per thread.
        """
        from .concurrency import _bridge as bridge_var
        from .concurrency import run_coroutine_sync

        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            bridge = bridge_var.get()
            if bridge is not None:
                return bridge.await_sync(func(*args, **kwargs))
            return run_coroutine_sync(func(*args, **kwargs))

        run.__wrapped__ = func  # type: ignore[attr-defined]
        return run

    def _get_current_ctx(self: Erlen) -> RequestContext | None:
        return _get_request_ctx(None)


def _while_handling(handle: t.Callable[[Exception], t.Any], error: Exception) -> t.Any:
    """``handle(error)`` with *error* as the exception being handled, as in the
    ``except`` block it came from (a request greenlet starts with none), so that a
    bare ``raise`` in the handler re-raises it."""
    try:
        raise error
    except Exception:
        return handle(error)


def _in_thread_pool(view: t.Callable[..., t.Any], kwargs: t.Any) -> t.Any:
    """Run a sync view in the ASGI thread pool (with the request context) and wait."""
    bridge = _bridge.get()
    assert bridge is not None
    return bridge.await_sync(bridge.run_in_thread(view, **kwargs))


def _is_response(value: t.Any) -> bool:
    from .wrappers import Response

    return isinstance(value, Response)


def _is_coroutine_function(func: t.Any) -> bool:
    """``inspect.iscoroutinefunction(func)``, answered from the code flags for a plain
    function: hooks go through ``ensure_sync`` on every request, and the inspect
    version unwraps methods and partials through several calls first.  A function
    with attributes (``functools.wraps``, ``inspect.markcoroutinefunction``) is asked
    the long way."""
    if func.__class__ is FunctionType and not func.__dict__:
        return bool(func.__code__.co_flags & CO_COROUTINE)
    return iscoroutinefunction(func)


_base_request_context = DispatchMixin.request_context
_base_app_context = DispatchMixin.app_context
