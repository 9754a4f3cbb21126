"""HTTP errors as exceptions: raise one in a view and the client gets that status.

Each class matches its namesake in ``werkzeug.exceptions`` 3.1 (code, reason,
description, constructor, attributes, default HTML page), so Flask code that raises,
catches or subclasses them ports by changing the import. ``get_response()`` builds an
``erlen.wrappers.Response``; ``get_page()`` is erlen's fast path, giving the status line,
headers and body without a response object and rendering a class's default page only
once. The response class is imported lazily: ``erlen.wrappers`` sits above this module.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable
from datetime import datetime

from markupsafe import escape

from .http.dates import http_date
from .http.status import HTTP_STATUS_CODES, status_line

if t.TYPE_CHECKING:
    from .wrappers import Response

_reason_phrase = HTTP_STATUS_CODES.get  # (bound once: see erlen.globals._get_app_ctx)
_Env = dict[str, t.Any]
_Scope = dict[str, t.Any]
_Headers = list[tuple[str, str]]

_HTML_CONTENT_TYPE = "text/html; charset=utf-8"

#: Types of ``code`` and ``description`` whose rendered page may be cached (immutable).
_PLAIN_TYPES = (str, int, type(None))


def _response_class() -> type[Response]:
    """The response class pages are built with (``erlen.wrappers`` sits above us)."""
    from .wrappers import Response

    return Response


def _response_class_if_available() -> type[Response] | None:
    """Like :func:`_response_class`, but ``None`` while ``erlen.wrappers`` is absent."""
    try:
        return _response_class()
    except ModuleNotFoundError as error:
        if error.name != f"{__package__}.wrappers":
            raise
        return None


def _environ_of(environ_or_request: t.Any) -> dict[str, t.Any]:
    """Accept a WSGI environ or a request object carrying one in ``.environ``."""
    environ = getattr(environ_or_request, "environ", environ_or_request)
    if not isinstance(environ, dict):
        raise TypeError(
            f"Expected a WSGI environ dict or a request with an 'environ' attribute,"
            f" got {type(environ_or_request).__name__}."
        )
    return environ


class ErrorPage(t.NamedTuple):
    """What a server adapter sends for an error, without a response object.

    ``headers`` includes ``Content-Length``; drop ``body`` for ``HEAD``. Pages are shared
    between requests: copy ``headers`` into a list before adding to it.
    """

    code: int
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


#: Each class's default page, with the (description, code, name) it was rendered from
#: so that a class attribute changed at runtime is noticed.
_PAGE_CACHE: dict[type, tuple[tuple[object, object, str], ErrorPage]] = {}


class HTTPException(Exception):
    """Base of every HTTP error; raising one from a view answers with its status.

    An instance is also a WSGI app serving its error page. ``response``, when given, is
    a ready response used instead of the page.
    """

    code: int | None = None
    description: str | None = None

    def __init__(self, description: str | None = None, response: Response | None = None) -> None:
        super().__init__()
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self) -> str:
        """The reason phrase for ``code`` (``"Not Found"``), or ``"Unknown Error"``."""
        return _reason_phrase(self.code, "Unknown Error")  # type: ignore[arg-type]

    def get_description(self, environ: _Env | None = None, scope: _Scope | None = None) -> str:
        """The description as an HTML paragraph, escaped, with newlines as ``<br>``."""
        description = self.description
        if description is None:
            return "<p></p>"
        html = str(escape(description)).replace("\n", "<br>")
        return f"<p>{html}</p>"

    def get_body(self, environ: _Env | None = None, scope: _Scope | None = None) -> str:
        """The HTML error page: status in the title and heading, then the description."""
        # get_description gets no scope: overrides written for Werkzeug don't take one.
        name = escape(self.name)
        return (
            f"<!doctype html>\n<html lang=en>\n<title>{self.code} {name}</title>\n"
            f"<h1>{name}</h1>\n{self.get_description(environ)}\n"
        )

    def get_headers(self, environ: _Env | None = None, scope: _Scope | None = None) -> _Headers:
        """The error page's headers, as a new list the caller may extend."""
        return [("Content-Type", _HTML_CONTENT_TYPE)]

    def get_response(
        self, environ: _Env | t.Any | None = None, scope: _Scope | None = None
    ) -> Response:
        """Return ``response`` if given, else a new error-page response. ``environ`` (or a
        request) and ``scope`` reach :meth:`get_body` and :meth:`get_headers`."""
        if self.response is not None:
            return self.response
        if environ is not None:
            environ = _environ_of(environ)
        headers = self.get_headers(environ, scope)
        return _response_class()(self.get_body(environ, scope), self.code, headers)

    def get_page(
        self, environ: _Env | t.Any | None = None, scope: _Scope | None = None
    ) -> ErrorPage | None:
        """Return the page :meth:`__call__` would send, without building a response.

        The fast path for the dispatch core: status line, headers (with
        ``Content-Length``) and UTF-8 body, exactly what :meth:`get_response` would send
        over WSGI. A class's default page is rendered once and reused. Returns ``None``
        when the response must come from :meth:`get_response`: an explicit ``response``,
        a subclass with its own ``get_response`` or ``get_headers``, a 1xx/204/304
        status, or a body that is neither ``str`` nor ``bytes``.
        """
        cls = type(self)
        code = 200 if self.code is None else self.code
        if (
            self.response is not None
            or cls.get_response is not HTTPException.get_response
            or cls.get_headers not in _PAGE_HEADER_METHODS
            or not isinstance(code, int)
            or 100 <= code < 200  # 1xx, 204 and 304 carry no body: the response class
            or code in (204, 304)  # knows how to strip it
        ):
            return None
        description = self.description
        cache_key = (description, self.code, self.name)
        cacheable = (
            cls.get_headers is HTTPException.get_headers
            and cls.get_body is HTTPException.get_body
            and cls.get_description is HTTPException.get_description
            and type(description) in _PLAIN_TYPES
            and type(self.code) in _PLAIN_TYPES
        )
        if cacheable:
            cached = _PAGE_CACHE.get(cls)
            if cached is not None and cached[0] == cache_key:
                return cached[1]

        if environ is not None:
            environ = _environ_of(environ)
        body = self.get_body(environ, scope)
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            return None
        headers = self.get_headers(environ, scope)
        for _, value in headers:
            if "\n" in value or "\r" in value:
                raise ValueError("Header values must not contain newline characters.")
        headers.append(("Content-Length", str(len(body))))
        page = ErrorPage(int(code), status_line(code), tuple(headers), body)
        if cacheable and description is getattr(cls, "description", None):
            _PAGE_CACHE[cls] = (cache_key, page)
        return page

    def __call__(self, environ: _Env, start_response: t.Callable[..., t.Any]) -> t.Iterable[bytes]:
        """Serve the error page (or ``response``) as a WSGI application."""
        page = self.get_page(environ)
        if page is None:
            return self.get_response(environ)(environ, start_response)
        start_response(page.status, list(page.headers))
        if environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return [page.body]

    def __str__(self) -> str:
        code = "???" if self.code is None else self.code
        return f"{code} {self.name}: {self.description}"

    def __repr__(self) -> str:
        code = "???" if self.code is None else self.code
        return f"<{type(self).__name__} '{code}: {self.name}'>"


class BadRequest(HTTPException):
    """400: the request is malformed or otherwise not something the app can process."""

    code = 400
    description = "The browser (or proxy) sent a request that this server could not understand."


_NO_KEY = object()


class BadRequestKeyError(BadRequest, KeyError):
    """A missing form, query or header key: a 400 that is also a :exc:`KeyError`.

    ``except KeyError`` and ``except BadRequest`` both catch it, which is why request
    data lookups raise it. Set ``show_exception`` (Flask does in debug mode) to add the
    missing key to the description shown on the page.
    """

    _description = BadRequest.description
    #: Append ``KeyError: '<key>'`` to the description; leave off in production.
    show_exception = False

    def __init__(self, arg: object = None, *args: t.Any, **kwargs: t.Any) -> None:
        BadRequest.__init__(self, *args, **kwargs)
        if arg is None:
            KeyError.__init__(self)
        else:
            KeyError.__init__(self, arg)

    @property  # type: ignore[override]
    def description(self) -> str:
        """The page text, plus the missing key when ``show_exception`` is set."""
        if self.show_exception:
            return f"{self._description}\nKeyError: {KeyError.__str__(self)}"
        return self._description

    @description.setter
    def description(self, value: str) -> None:
        self._description = value

    @classmethod
    def from_key_error(cls, error: KeyError) -> BadRequestKeyError:
        """Convert a plain :exc:`KeyError` from a lookup in request data.

        The key is taken from the error's ``key`` attribute (as on erlen's
        ``MissingKeyError``) or else its first argument. The new exception keeps the
        original traceback so debuggers still point at the failed lookup; raise it
        ``from None``. An instance of ``cls`` is returned unchanged.
        """
        if isinstance(error, cls):
            return error
        key = getattr(error, "key", _NO_KEY)
        if key is _NO_KEY:
            key = error.args[0] if error.args else None
        return cls(key).with_traceback(error.__traceback__)


class ClientDisconnected(BadRequest):
    """400 raised when the client went away mid-request; nobody is left to read the page."""


class SecurityError(BadRequest):
    """400 raised when input trips a security check; otherwise a plain bad request."""


class BadHost(BadRequest):
    """400 raised when the ``Host`` header is malformed or not a trusted host."""


class Unauthorized(HTTPException):
    """401: authentication is missing or wrong. ``www_authenticate`` is one challenge or
    a list; each becomes a ``WWW-Authenticate`` header (a 401 should carry one)."""

    code = 401
    description = (
        "The server could not verify that you are authorized to access the URL requested."
        " You either supplied the wrong credentials (e.g. a bad password), or your browser"
        " doesn't understand how to supply the credentials required."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        www_authenticate: t.Any | Iterable[t.Any] | None = None,
    ) -> None:
        super().__init__(description, response)
        if www_authenticate is not None and (
            isinstance(www_authenticate, str)
            or hasattr(www_authenticate, "to_header")
            or not isinstance(www_authenticate, Iterable)
        ):
            www_authenticate = (www_authenticate,)
        self.www_authenticate = www_authenticate

    def get_headers(self, environ: _Env | None = None, scope: _Scope | None = None) -> _Headers:
        headers = super().get_headers(environ, scope)
        if self.www_authenticate:
            for challenge in self.www_authenticate:
                headers.append(("WWW-Authenticate", str(challenge)))
        return headers


class Forbidden(HTTPException):
    """403: the client is known but is not allowed to access this resource."""

    code = 403
    description = (
        "You don't have the permission to access the requested resource. It is either"
        " read-protected or not readable by the server."
    )


class NotFound(HTTPException):
    """404: nothing exists at this URL."""

    code = 404
    description = (
        "The requested URL was not found on the server. If you entered the URL manually"
        " please check your spelling and try again."
    )


class MethodNotAllowed(HTTPException):
    """405: the URL does not accept this method; ``valid_methods`` become the ``Allow``
    header, which a 405 is required to carry."""

    code = 405
    description = "The method is not allowed for the requested URL."

    def __init__(
        self,
        valid_methods: Iterable[str] | None = None,
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.valid_methods = valid_methods

    def get_headers(self, environ: _Env | None = None, scope: _Scope | None = None) -> _Headers:
        headers = super().get_headers(environ, scope)
        if self.valid_methods:
            headers.append(("Allow", ", ".join(self.valid_methods)))
        return headers


class NotAcceptable(HTTPException):
    """406: no representation matches the request's ``Accept`` headers."""

    code = 406
    description = (
        "The resource identified by the request is only capable of generating response"
        " entities which have content characteristics not acceptable according to the"
        " accept headers sent in the request."
    )


class RequestTimeout(HTTPException):
    """408: the client took too long to send its request."""

    code = 408
    description = (
        "The server closed the network connection because the browser didn't finish the"
        " request within the specified time."
    )


class Conflict(HTTPException):
    """409: the request conflicts with the resource's current state."""

    code = 409
    description = (
        "A conflict happened while processing the request. The resource might have been"
        " modified while the request was being processed."
    )


class Gone(HTTPException):
    """410: the resource existed once and has been removed for good."""

    code = 410
    description = (
        "The requested URL is no longer available on this server and there is no"
        " forwarding address. If you followed a link from a foreign page, please contact"
        " the author of this page."
    )


class LengthRequired(HTTPException):
    """411: the request has a body but no ``Content-Length``, which the app requires."""

    code = 411
    description = "A request with this method requires a valid <code>Content-Length</code> header."


class PreconditionFailed(HTTPException):
    """412: an ``If-Match``/``If-None-Match``/``If-Unmodified-Since`` check failed."""

    code = 412
    description = "The precondition on the request for the URL failed positive evaluation."


class RequestEntityTooLarge(HTTPException):
    """413: the request body is larger than the app accepts (``MAX_CONTENT_LENGTH``)."""

    code = 413
    description = "The data value transmitted exceeds the capacity limit."


class RequestURITooLarge(HTTPException):
    """414: the URL is longer than the server accepts."""

    code = 414
    description = (
        "The length of the requested URL exceeds the capacity limit for this server. The"
        " request cannot be processed."
    )


class UnsupportedMediaType(HTTPException):
    """415: the app cannot handle the request body's media type."""

    code = 415
    description = "The server does not support the media type transmitted in the request."


class RequestedRangeNotSatisfiable(HTTPException):
    """416: the ``Range`` lies outside the resource; a ``length`` (in ``units``) is sent
    as ``Content-Range: bytes */N`` so the client learns what it could ask for."""

    code = 416
    description = "The server cannot provide the requested range."

    def __init__(
        self,
        length: int | None = None,
        units: str = "bytes",
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.length = length
        self.units = units

    def get_headers(self, environ: _Env | None = None, scope: _Scope | None = None) -> _Headers:
        headers = super().get_headers(environ, scope)
        if self.length is not None:
            headers.append(("Content-Range", f"{self.units} */{self.length}"))
        return headers


class ExpectationFailed(HTTPException):
    """417: the app cannot meet the request's ``Expect`` header."""

    code = 417
    description = "The server could not meet the requirements of the Expect header"


class ImATeapot(HTTPException):
    """418: the RFC 2324 joke status, for a server asked to brew coffee."""

    code = 418
    description = "This server is a teapot, not a coffee machine"


class MisdirectedRequest(HTTPException):
    """421: the request reached a server that cannot answer for this host/scheme."""

    code = 421
    description = "The server is not able to produce a response."


class UnprocessableEntity(HTTPException):
    """422: the request is well-formed but its content is semantically invalid."""

    code = 422
    description = (
        "The request was well-formed but was unable to be followed due to semantic errors."
    )


class Locked(HTTPException):
    """423 (WebDAV): the resource is locked."""

    code = 423
    description = "The resource that is being accessed is locked."


class FailedDependency(HTTPException):
    """424 (WebDAV): the action depended on another action that failed."""

    code = 424
    description = (
        "The method could not be performed on the resource because the requested action"
        " depended on another action and that action failed."
    )


class PreconditionRequired(HTTPException):
    """428: only conditional requests are accepted here, so that two clients cannot
    silently overwrite each other's changes (the lost-update problem)."""

    code = 428
    description = (
        'This request is required to be conditional; try using "If-Match" or "If-Unmodified-Since".'
    )


class _RetryAfter(HTTPException):
    """Base of the errors that may say when to try again: a truthy ``retry_after`` (seconds
    or a :class:`~datetime.datetime`, sent as an HTTP date) becomes ``Retry-After``."""

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        retry_after: datetime | int | None = None,
    ) -> None:
        super().__init__(description, response)
        self.retry_after = retry_after

    def get_headers(self, environ: _Env | None = None, scope: _Scope | None = None) -> _Headers:
        headers = super().get_headers(environ, scope)
        retry_after = self.retry_after
        if retry_after:
            if isinstance(retry_after, datetime):
                value = http_date(retry_after)
            else:
                value = str(retry_after)
            headers.append(("Retry-After", value))
        return headers


class TooManyRequests(_RetryAfter):
    """429: the client exceeded a rate limit; ``retry_after`` says when to come back."""

    code = 429
    description = "This user has exceeded an allotted request count. Try again later."


class RequestHeaderFieldsTooLarge(HTTPException):
    """431: one header, or all headers together, exceed what the server accepts."""

    code = 431
    description = "One or more header fields exceeds the maximum size."


class UnavailableForLegalReasons(HTTPException):
    """451: access is denied because of a legal demand."""

    code = 451
    description = "Unavailable for legal reasons."


class InternalServerError(HTTPException):
    """500: the app failed. When an unhandled exception becomes a 500, it is kept in
    ``original_exception`` so error handlers and logging can report it."""

    code = 500
    description = (
        "The server encountered an internal error and was unable to complete your request."
        " Either the server is overloaded or there is an error in the application."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        original_exception: BaseException | None = None,
    ) -> None:
        self.original_exception = original_exception
        super().__init__(description=description, response=response)


class NotImplemented(HTTPException):  # shadows the builtin on purpose: the Werkzeug name
    """501: the app does not support what the request asks for."""

    code = 501
    description = "The server does not support the action requested by the browser."


class BadGateway(HTTPException):
    """502: an upstream server the app relies on answered with something invalid."""

    code = 502
    description = "The proxy server received an invalid response from an upstream server."


class ServiceUnavailable(_RetryAfter):
    """503: temporarily down (maintenance, overload); ``retry_after`` gives an ETA."""

    code = 503
    description = (
        "The server is temporarily unable to service your request due to maintenance"
        " downtime or capacity problems. Please try again later."
    )


class GatewayTimeout(HTTPException):
    """504: an upstream server the app relies on did not answer in time."""

    code = 504
    description = "The connection to an upstream server timed out."


class HTTPVersionNotSupported(HTTPException):
    """505: the request's HTTP version is not supported."""

    code = 505
    description = "The server does not support the HTTP protocol version used in the request."


def _error_classes() -> list[type[HTTPException]]:
    """The exception classes defined in this module, each after its base classes."""
    found: list[type[HTTPException]] = []
    pending: list[type[HTTPException]] = [HTTPException]
    while pending:
        for subclass in pending.pop(0).__subclasses__():
            if subclass.__module__ == __name__:
                found.append(subclass)
                pending.append(subclass)
    return found


#: The exception class ``abort(code)`` raises for each status code. Where several
#: classes share a code (400), the most general one is chosen.
default_exceptions: dict[int, type[HTTPException]] = {}
for _class in _error_classes():
    if _class.code is not None:
        default_exceptions.setdefault(_class.code, _class)
default_exceptions = dict(sorted(default_exceptions.items()))

#: ``get_headers`` implementations whose output get_page knows how to finish: the ones
#: defined here. A subclass with its own goes through ``get_response`` instead.
_PAGE_HEADER_METHODS = frozenset(cls.get_headers for cls in (HTTPException, *_error_classes()))

__all__ = [
    "Aborter",
    "ErrorPage",
    "HTTPException",
    "abort",
    "default_exceptions",
    *(cls.__name__ for cls in _error_classes() if not cls.__name__.startswith("_")),
]
del _class


class Aborter:
    """A callable raising the exception registered for a code, or wrapping a response.

    ``mapping`` (default :data:`default_exceptions`) is copied and updated with ``extra``,
    so an app can add or replace codes without touching the global table.
    """

    def __init__(
        self,
        mapping: dict[int, type[HTTPException]] | None = None,
        extra: dict[int, type[HTTPException]] | None = None,
    ) -> None:
        self.mapping = dict(default_exceptions if mapping is None else mapping)
        if extra is not None:
            self.mapping.update(extra)

    def __call__(self, code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        if type(code) is not int:
            response_class = _response_class_if_available()
            if response_class is not None and isinstance(code, response_class):
                raise HTTPException(response=code)
        exception_class = self.mapping.get(code)  # type: ignore[call-overload]
        if exception_class is None:
            raise LookupError(f"no exception for {code!r}")
        raise exception_class(*args, **kwargs)


def abort(status: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Stop handling the request with an HTTP error.

    ``abort(404)`` raises :class:`NotFound`; extra arguments go to the exception
    (``abort(404, "No such post")`` sets the description). ``abort(response)`` raises
    an :class:`HTTPException` whose ``get_response()`` returns that response unchanged.
    Raises :exc:`LookupError` for a code without a registered exception.
    """
    _aborter(status, *args, **kwargs)


_aborter = Aborter()
