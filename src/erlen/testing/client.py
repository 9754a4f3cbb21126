"""The test client: send requests to a WSGI application in-process, keep cookies,
follow redirects, read responses.

:class:`Client` is Werkzeug's client, :class:`ErlenClient` (alias ``FlaskClient``) the
one ``app.test_client()`` returns, :func:`run_wsgi_app` the single call underneath and
:class:`TestResponse` what comes back. Behaviour matches Werkzeug's test client and
Flask's ``FlaskClient`` (3.1); the docstrings name each place where erlen differs and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from copy import copy
from functools import cache, cached_property
from itertools import chain
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..http.cookiejar import Cookie, CookieJar
from ..http.cookies import dump_cookie
from ..http.headers import Headers
from .environ import (
    PRESERVE_CONTEXT_KEY,
    AppEnvironBuilder,
    EnvironBuilder,
    WSGIApplication,
    WSGIEnvironment,
    _host_name,
    _request_target,
    _request_url,
)

__all__ = [
    "Client",
    "ClientRedirectError",
    "ErlenClient",
    "FlaskClient",
    "TestResponse",
    "run_wsgi_app",
]

_REDIRECT_CODES = frozenset((301, 302, 303, 305, 307, 308))
_COOKIES_DISABLED = "Cookies are disabled. Create a client with 'use_cookies=True'."


class _ClosingIterator:
    """Iterates ``iterator`` and forwards :meth:`close` to the application's iterable."""

    __slots__ = ("_close", "_iterator")

    def __init__(self, iterator: Iterator[bytes], close: Callable[[], Any]) -> None:
        self._iterator = iterator
        self._close = close

    def __iter__(self) -> _ClosingIterator:
        return self

    def __next__(self) -> bytes:
        return next(self._iterator)

    def close(self) -> None:
        self._close()


def run_wsgi_app(
    app: WSGIApplication, environ: Mapping[str, Any] | Any, buffered: bool = False
) -> tuple[Iterable[bytes], str, Headers]:
    """Call a WSGI application; return ``(app_iter, status, headers)``.

    ``environ`` (or a request's ``environ``) is copied, so changes the app makes do
    not leak into follow-up requests. Data passed to the ``write`` callable comes
    first. Unbuffered, the app iterable is advanced until ``start_response`` has been
    called (at least one item) and ``close()`` stays available on what is returned;
    ``buffered`` reads everything and closes the iterable before returning.
    """
    environ = dict(getattr(environ, "environ", environ))
    response: tuple[str, list[tuple[str, str]]] | None = None
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        nonlocal response
        if exc_info:
            try:
                raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        response = (status, headers)
        return written.append

    app_rv = app(environ, start_response)
    close = getattr(app_rv, "close", None)
    app_iter: Iterable[bytes] = iter(app_rv)

    if buffered:
        try:
            app_iter = written + list(app_iter)
        finally:
            if close is not None:
                close()
    else:
        for item in app_iter:
            written.append(item)
            if response is not None:
                break
        if written:
            app_iter = chain(written, app_iter)
        if close is not None and app_iter is not app_rv:
            app_iter = _ClosingIterator(iter(app_iter), close)

    if response is None:
        raise RuntimeError(
            f"The WSGI application {app!r} returned without calling start_response()."
        )
    status, headers = response
    return app_iter, status, Headers(headers)


class TestResponse:
    """What the test client returns: the application's response class plus the test
    details, :attr:`request` and :attr:`history`.

    The client combines this class with the response class it is given
    (``type("TestResponse", (TestResponse, response_class), {})``), so the result is
    an instance of both. ``default_mimetype`` is ``None`` so no content type is
    assumed that the application did not send. Close the response (or use it in a
    ``with`` block) to close the application's iterable and any open files.
    """

    __test__ = False  # not a pytest test class
    default_mimetype: str | None = None

    #: The request that produced this response.
    request: Any
    #: The responses that redirected to this one, oldest first (``follow_redirects``).
    history: tuple[TestResponse, ...]

    def __init__(
        self,
        response: Iterable[bytes],
        status: str,
        headers: Headers,
        request: Any,
        history: tuple[TestResponse, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(response, status, headers, **kwargs)  # type: ignore[call-arg]
        self.request = request
        self.history = history

    @cached_property
    def text(self) -> str:
        """The body decoded as text (``get_data(as_text=True)``)."""
        return self.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


@cache
def _test_response_class(response_class: type[Any] | None) -> type[Any]:
    if response_class is None:
        from ..wrappers import Response

        return _test_response_class(Response)
    if issubclass(response_class, TestResponse):
        return response_class
    from .. import wrappers

    name = "TestResponse" if response_class is wrappers.Response else "WrapperTestResponse"
    return type(name, (TestResponse, response_class), {})


def _shortcut(method: str) -> Callable[..., Any]:
    """A :meth:`Client.open` shortcut that fixes the request method."""

    def send(self: Client, *args: Any, **kwargs: Any) -> Any:
        kwargs["method"] = method
        return self.open(*args, **kwargs)

    send.__name__ = send.__qualname__ = method.lower()
    send.__doc__ = f':meth:`open` with ``method="{method}"``.'
    return send


class ClientRedirectError(Exception):
    """``follow_redirects`` met a redirect loop or too many redirects."""


class Client:
    """Send requests to a WSGI application in-process and get responses back.

    ``response_wrapper`` is the response class to build (combined with
    :class:`TestResponse`). With ``use_cookies`` the client keeps the cookies it is
    sent and returns them on later requests to the same host and path.
    ``allow_subdomain_redirects`` lets ``follow_redirects`` go to subdomains of the
    current host; other hosts are always refused.

    Where erlen differs from Werkzeug, and why: a ``Cookie`` header passed by the
    caller is sent along with the jar's cookies (Werkzeug silently drops it); a
    307/308 redirect re-sends the request body even if the application read it; a
    relative ``Location`` (``next``, ``?page=2``) is resolved against the request URL;
    a redirect without ``Location`` ends the chain instead of crashing; more than
    :attr:`max_redirects` redirects raise :class:`ClientRedirectError` even without a
    loop; see :mod:`erlen.http.cookiejar` for expiry and domain rules.
    """

    #: How many redirects ``follow_redirects`` follows before giving up.
    max_redirects = 30

    def __init__(
        self,
        application: WSGIApplication,
        response_wrapper: type[Any] | None = None,
        use_cookies: bool = True,
        allow_subdomain_redirects: bool = False,
    ) -> None:
        self.application = application
        self.response_wrapper = _test_response_class(response_wrapper)
        self._cookies: CookieJar | None = CookieJar() if use_cookies else None
        self.allow_subdomain_redirects = allow_subdomain_redirects

    def _jar(self) -> CookieJar:
        if self._cookies is None:
            raise TypeError(_COOKIES_DISABLED)
        return self._cookies

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> Cookie | None:
        """The cookie stored for exactly ``(domain, path, key)``, or ``None``."""
        return self._jar().get_cookie(key, domain.lstrip(".").lower(), path)

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        domain: str = "localhost",
        origin_only: bool = True,
        path: str = "/",
        **kwargs: Any,
    ) -> None:
        """Store a cookie as if the application had set it, for requests to ``domain``
        (and its subdomains unless ``origin_only``) under ``path``. ``kwargs`` go to
        :func:`~erlen.http.cookies.dump_cookie`; an expired cookie deletes instead."""
        jar = self._jar()
        header = dump_cookie(key, value, domain=domain, path=path, **kwargs)
        cookie = Cookie.from_set_cookie(header, domain, "/")
        if cookie is None:
            return
        cookie.origin_only = origin_only
        jar.store(cookie)

    def delete_cookie(self, key: str, *, domain: str = "localhost", path: str = "/") -> None:
        """Forget the cookie stored for ``(domain, path, key)``, if any."""
        self._jar().delete(key, domain.lstrip(".").lower(), path)

    def _add_cookies_to_wsgi(self, environ: WSGIEnvironment) -> None:
        """Put the jar's cookies for this request in ``HTTP_COOKIE``.

        As with Werkzeug's client, a ``Cookie`` header passed to the request is
        replaced by the jar's cookies while the client keeps cookies (set them with
        :meth:`set_cookie` instead, or use ``use_cookies=False``).
        """
        if self._cookies is None:
            return
        server_name, path = _request_target(environ)
        value = self._cookies.request_header(server_name, path)
        if value:
            environ["HTTP_COOKIE"] = value
        else:
            environ.pop("HTTP_COOKIE", None)

    def run_wsgi_app(
        self, environ: WSGIEnvironment, buffered: bool = False
    ) -> tuple[Iterable[bytes], str, Headers]:
        """Run the application with cookies sent and received; see :func:`run_wsgi_app`."""
        self._add_cookies_to_wsgi(environ)
        result = run_wsgi_app(self.application, environ, buffered=buffered)
        if self._cookies is not None:
            server_name, path = _request_target(environ)
            self._cookies.update_from_headers(server_name, path, result[2].getlist("Set-Cookie"))
        return result

    def resolve_redirect(self, response: Any, buffered: bool = False) -> Any:
        """Request the ``Location`` of a redirect ``response`` and return the new response."""
        environ = response.request.environ
        location = response.headers.get("Location", "")
        scheme, netloc, path, query, _ = urlsplit(location)
        if not netloc and not path.startswith("/"):
            scheme, netloc, path, query, _ = urlsplit(urljoin(_request_url(environ), location))
        builder = EnvironBuilder.from_environ(environ, path=path, query_string=query)

        current_name = _host_name(builder.host)
        target_name = current_name
        if netloc:
            target_name = _host_name(netloc)
            builder.url_scheme = scheme or builder.url_scheme
            builder.host = netloc
        if target_name != current_name:
            if target_name.endswith(f".{current_name}"):
                if not self.allow_subdomain_redirects:
                    raise RuntimeError("Following subdomain redirects is not enabled.")
            else:
                raise RuntimeError("Following external redirects is not supported.")

        root_parts = builder.script_root.split("/")
        if path.split("/")[: len(root_parts)] == root_parts:
            builder.path = path[len(builder.script_root) :]
        else:
            builder.path = path
            builder.script_root = ""

        if response.status_code in (307, 308):
            stream = builder.input_stream
            start = getattr(response, "_request_body_start", None)
            if stream is not None and start is not None:
                stream.seek(start)
        else:
            if builder.method != "HEAD":
                builder.method = "GET"
            if builder.input_stream is not None:
                builder.input_stream.close()
                builder.input_stream = None
            builder.content_type = None
            builder.content_length = None
            builder.headers.pop("Transfer-Encoding", None)

        if self._cookies is not None:
            # The jar's cookies are added afresh.
            builder.headers.remove("Cookie")
        return self.open(builder, buffered=buffered)

    def open(
        self,
        *args: Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Send a request and return the response (a :class:`TestResponse`).

        Takes :class:`EnvironBuilder` arguments, or one :class:`EnvironBuilder`, WSGI
        environ dict or request object. ``buffered`` reads the whole body and closes the
        application iterable at once. ``follow_redirects`` keeps requesting
        ``Location`` while the status is 301, 302, 303, 305, 307 or 308 (301-303 and
        305 become a body-less ``GET``, 307/308 repeat method and body); the
        redirect responses are in the final response's :attr:`~TestResponse.history`.
        """
        request = None
        if not kwargs and len(args) == 1:
            arg = args[0]
            if isinstance(arg, EnvironBuilder):
                request = arg.get_request()
            elif isinstance(arg, dict):
                request = EnvironBuilder.from_environ(arg).get_request()
            elif isinstance(getattr(arg, "environ", None), dict):
                request = arg
        if request is None:
            builder = EnvironBuilder(*args, **kwargs)
            try:
                request = builder.get_request()
            finally:
                builder.close()

        input_stream = request.environ.get("wsgi.input")
        try:
            body_start = input_stream.tell() if input_stream is not None else None
        except (AttributeError, OSError, ValueError):
            body_start = None
        response = self.response_wrapper(
            *self.run_wsgi_app(request.environ, buffered=buffered), request=request
        )
        response._request_body_start = body_start
        if not follow_redirects:
            return response

        seen: set[tuple[str, int]] = set()
        history: list[Any] = []
        while response.status_code in _REDIRECT_CODES and response.headers.get("Location"):
            if not buffered:
                # Drain and close so that middleware cleanup of each hop runs now.
                getattr(response, "make_sequence", response.get_data)()
                response.close()
            hop = (response.headers["Location"], response.status_code)
            if hop in seen:
                raise ClientRedirectError(
                    f"Loop detected: A {hop[1]} redirect to {hop[0]} was already made."
                )
            if len(history) >= self.max_redirects:
                raise ClientRedirectError(
                    f"More than {self.max_redirects} redirects, the last to {hop[0]};"
                    " raise Client.max_redirects if the chain is intended."
                )
            seen.add(hop)
            response.history = tuple(history)
            history.append(response)
            response = self.resolve_redirect(response, buffered=buffered)
        response.history = tuple(history)
        if input_stream is not None:
            response.call_on_close(input_stream.close)
        return response

    get = _shortcut("GET")
    post = _shortcut("POST")
    put = _shortcut("PUT")
    delete = _shortcut("DELETE")
    patch = _shortcut("PATCH")
    options = _shortcut("OPTIONS")
    head = _shortcut("HEAD")
    trace = _shortcut("TRACE")

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.application!r}>"


class ErlenClient(Client):
    """The client ``app.test_client()`` returns (Flask's ``FlaskClient``).

    Requests get the application's defaults (see :class:`AppEnvironBuilder`) and
    :attr:`environ_base`: ``REMOTE_ADDR`` ``127.0.0.1`` and a ``User-Agent`` of
    ``Erlen/<version>`` (Flask sends ``Werkzeug/<version>``). Inside ``with client:``
    the contexts of the last request stay pushed until the next request or the end of
    the block, so ``request``, ``session`` and ``g`` can be inspected after a call.
    """

    application: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preserve_context = False
        self._new_contexts: list[AbstractContextManager[Any]] = []
        self._context_stack = ExitStack()
        from .. import __version__

        self.environ_base: dict[str, Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": f"Erlen/{__version__}",
        }

    @contextmanager
    def session_transaction(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """Open the session the client's cookies point to, for reading or changing it.

        ``with client.session_transaction() as session: session["user"] = 1`` stores
        the change in the client's cookies at the end of the block. Arguments are
        those of ``app.test_request_context``, for sessions that depend on the request.
        """
        if self._cookies is None:
            raise TypeError(_COOKIES_DISABLED)
        app = self.application
        ctx = app.test_request_context(*args, **kwargs)
        environ = ctx.request.environ
        self._add_cookies_to_wsgi(environ)
        with ctx:
            session = app.session_interface.open_session(app, ctx.request)
        if session is None:
            raise RuntimeError("Session backend did not open a session.")
        yield session
        response = app.response_class()
        if app.session_interface.is_null_session(session):
            return
        with ctx:
            app.session_interface.save_session(app, session, response)
        server_name, path = _request_target(environ)
        self._cookies.update_from_headers(server_name, path, response.headers.getlist("Set-Cookie"))

    def _copy_environ(self, other: Mapping[str, Any]) -> WSGIEnvironment:
        environ = {**self.environ_base, **other}
        if self.preserve_context:
            environ[PRESERVE_CONTEXT_KEY] = self._new_contexts.append
        return environ

    def _request_from_builder_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        kwargs["environ_base"] = self._copy_environ(kwargs.get("environ_base") or {})
        builder = AppEnvironBuilder(self.application, *args, **kwargs)
        try:
            return builder.get_request()
        finally:
            builder.close()

    def run_wsgi_app(
        self, environ: WSGIEnvironment, buffered: bool = False
    ) -> tuple[Iterable[bytes], str, Headers]:
        # Only the contexts of the request that ends a redirect chain are kept.
        self._new_contexts.clear()
        return super().run_wsgi_app(environ, buffered=buffered)

    def open(
        self,
        *args: Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: Any,
    ) -> Any:
        first = args[0] if args else None
        if isinstance(first, EnvironBuilder):
            builder = copy(first)
            builder.environ_base = self._copy_environ(builder.environ_base or {})
            request = builder.get_request()
        elif isinstance(first, dict):
            request = EnvironBuilder.from_environ(
                first, app=self.application, environ_base=self._copy_environ({})
            ).get_request()
        elif first is not None and isinstance(getattr(first, "environ", None), dict):
            request = copy(first)
            request.environ = self._copy_environ(first.environ)
        else:
            request = self._request_from_builder_args(args, kwargs)

        # Contexts kept from an earlier request end before the next one starts.
        self._context_stack.close()
        response = super().open(request, buffered=buffered, follow_redirects=follow_redirects)
        json_provider = getattr(self.application, "json", None)
        if json_provider is not None:
            response.json_module = json_provider
        for context in self._new_contexts:
            self._context_stack.enter_context(context)
        self._new_contexts.clear()
        return response

    def __enter__(self) -> ErlenClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.preserve_context = False
        self._context_stack.close()


#: Flask's name for :class:`ErlenClient`, so ``from erlen.testing import FlaskClient``
#: keeps working in ported test suites.
FlaskClient = ErlenClient
