"""The response object: status, headers and body, and how they go out over WSGI.

:class:`Response` has Werkzeug's and Flask's API.  Internally it keeps the header list
as a plain list and wraps it in a :class:`~erlen.http.headers.Headers` only when code
asks for ``response.headers``; a response that nobody touched after creating it is
sent with no copying or re-scanning of its headers.
"""

from __future__ import annotations

import typing as t
from http import HTTPStatus

from .. import json as _json
from ..http.cookies import dump_cookie
from ..http.headers import Headers
from ..http.options import get_content_type
from ..http.status import HTTP_STATUS_CODES, STATUS_LINES
from ..http.urls import iri_to_uri, is_plain_relative_uri
from .conditional import remove_entity_headers
from .response_headers import ResponseHeadersMixin

if t.TYPE_CHECKING:
    from ..exceptions import ErrorPage
    from ..globals import _cv_app as _cv_app_type  # noqa: F401

__all__ = ["ClosingIterator", "Response", "ResponseStream"]

_content_types: dict[str, str] = {}
_status_line = STATUS_LINES.get  # bound once (a per-call bound method on Python 3.11)
_no_callbacks: tuple[t.Callable[[], t.Any], ...] = ()


def _adopt_headers(items: list[tuple[str, str]]) -> Headers:
    """A :class:`Headers` view over *items* without copying or re-validating them.

    Only for lists erlen built itself from validated values.
    """
    headers = Headers.__new__(Headers)
    headers._list = items
    return headers


def _iter_encoded(iterable: t.Iterable[str | bytes]) -> t.Iterator[bytes]:
    for item in iterable:
        if isinstance(item, str):
            yield item.encode()
        else:
            yield item


class Response(ResponseHeadersMixin):
    """An HTTP response.

    ``response`` is the body: ``str``/``bytes`` (stored as one chunk, Content-Length
    set), or any iterable of ``str``/``bytes`` (streamed).  ``status`` is an int,
    ``HTTPStatus`` or a string such as ``"404 NOT FOUND"``; ``mimetype`` gets a charset
    for text types; ``content_type`` is used as is.
    """

    #: The status when none is given.
    default_status = 200
    #: The mimetype when none is given (Flask's default is HTML).
    default_mimetype: str | None = "text/html"
    #: Set Content-Length from the body when it is known.
    automatically_set_content_length = True
    #: Make a relative Location absolute (off, as in Werkzeug >= 2.1).
    autocorrect_location_header = False
    #: Let ``get_data`` and friends turn a streamed body into a list.
    implicit_sequence_conversion = True
    #: The JSON implementation ``get_json`` uses.
    json_module: t.Any = _json

    __slots__ = (
        "__dict__",
        "_headers",
        "_hlist",
        "_on_close",
        "_plain_body",
        "_status",
        "_status_code",
        "direct_passthrough",
        "response",
    )

    def __init__(
        self,
        response: t.Iterable[bytes] | bytes | t.Iterable[str] | str | None = None,
        status: int | str | HTTPStatus | None = None,
        headers: t.Mapping[str, str | t.Iterable[str]] | t.Iterable[tuple[str, str]] | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        self._headers: Headers | None = None
        self._status: str | None = None
        self._on_close: t.Any = _no_callbacks
        # The body list made by set_data while the header list still describes it.
        self._plain_body: list[bytes] | None = None
        if headers is None or (not headers and not isinstance(headers, Headers)):
            items: list[tuple[str, str]] = []
        elif isinstance(headers, Headers) and type(headers) is Headers:
            self._headers = headers
            items = headers._list
        else:
            adopted = Headers(headers)
            self._headers = adopted
            items = adopted._list
        self._hlist = items
        if content_type is None:
            if mimetype is None:
                if not items or self._headers is None or "content-type" not in self._headers:
                    content_type = _default_content_type(type(self))
            else:
                content_type = get_content_type(mimetype, "utf-8")
        if content_type is not None:
            if self._headers is None and not items:
                items.append(("Content-Type", content_type))
            else:
                self.headers["Content-Type"] = content_type
        if status is None:
            self._status_code = self.default_status
        elif status.__class__ is int and status in STATUS_LINES:
            self._status_code = status  # type: ignore[assignment]
        else:
            self.status = status  # type: ignore[assignment]
        self.direct_passthrough = direct_passthrough
        if response is None:
            self.response: t.Any = []
        elif isinstance(response, (str, bytes, bytearray)):
            self.set_data(response)
        else:
            self.response = response

    @classmethod
    def _from_text(cls, text: str) -> Response:
        """``Response(text)``: a 200 response with the default mimetype."""
        # (The identity test first: a class attribute read is slow on Python 3.11.)
        if cls is not Response and cls.__init__ is not _base_init:
            return cls(text)
        mimetype = cls.default_mimetype
        content_type = _content_types.get(mimetype) if mimetype is not None else None
        return _text_response(cls, text, content_type)

    @classmethod
    def _json_response(cls, text: str, mimetype: str) -> Response:
        """``Response(text, mimetype=mimetype)`` for the JSON provider."""
        if cls is not Response and cls.__init__ is not _base_init:
            return cls(text, mimetype=mimetype)
        return _text_response(
            cls, text, _content_types.get(mimetype) or _content_type_for(mimetype)
        )

    @classmethod
    def _plain_redirect(cls, text: str, code: int, location: str) -> Response | None:
        """``Response(text, code, mimetype="text/html")`` with a ``Location`` that is
        already a URI (:func:`~erlen.http.urls.is_plain_relative_uri`), or ``None``
        when the general constructor must build it (a subclass's constructor, an
        unusual status, a location to correct or encode)."""
        if (
            cls.__init__ is not _base_init
            or cls.autocorrect_location_header
            or code not in STATUS_LINES
            or not is_plain_relative_uri(location)
        ):
            return None
        response = object.__new__(cls)
        body = text.encode()
        response._plain_body = response.response = [body]
        response._hlist = [
            ("Content-Type", _content_type_for("text/html")),
            ("Content-Length", str(len(body))),
            ("Location", location),
        ]
        response._headers = response._status = None
        response._status_code = code
        response._on_close = _no_callbacks
        response.direct_passthrough = False
        return response

    @classmethod
    def _from_page(cls, page: ErrorPage) -> Response:
        """``Response(page.body, page.status, page.headers)`` for an error page (its
        headers are trusted: they were checked when the page was rendered)."""
        if cls.__init__ is not _base_init:
            return cls(page.body, page.status, list(page.headers))
        response = object.__new__(cls)
        response._plain_body = response.response = [page.body]
        response._hlist = list(page.headers)
        response._headers = None
        response._status = page.status
        response._status_code = page.code
        response._on_close = _no_callbacks
        response.direct_passthrough = False
        return response

    def __repr__(self) -> str:
        if self.is_sequence:
            body_info = f"{sum(map(len, self.iter_encoded()))} bytes"
        else:
            body_info = "streamed" if self.is_streamed else "likely-streamed"
        return f"<{type(self).__name__} {body_info} [{self.status}]>"

    # -- headers and status -----------------------------------------------------------

    @property
    def headers(self) -> Headers:
        """The response headers."""
        headers = self._headers
        if headers is None:
            headers = self._headers = _adopt_headers(self._hlist)
        return headers

    @headers.setter
    def headers(self, value: Headers | t.Any) -> None:
        if not isinstance(value, Headers):
            value = Headers(value)
        self._headers = value
        self._hlist = value._list

    @property
    def status_code(self) -> int:
        """The status as a number."""
        return self._status_code

    @status_code.setter
    def status_code(self, code: int) -> None:
        self.status = code

    @property
    def status(self) -> str:
        """The status line, e.g. ``"404 NOT FOUND"``."""
        status = self._status
        if status is None:
            status = _status_line(self._status_code)
            if status is None:
                status = f"{self._status_code} UNKNOWN"
        return status

    @status.setter
    def status(self, value: str | int | HTTPStatus) -> None:
        if isinstance(value, (int, HTTPStatus)):
            code = int(value)
            self._status_code = code
            self._status = None if code in STATUS_LINES else f"{code} UNKNOWN"
            return
        if not isinstance(value, str):
            raise TypeError("Invalid status argument")
        value = value.strip()
        if not value:
            raise ValueError("Empty status argument")
        code_text, sep, _ = value.partition(" ")
        try:
            code = int(code_text)
        except ValueError:
            self._status, self._status_code = f"0 {value}", 0
            return
        self._status_code = code
        if sep:
            self._status = value
        else:
            reason = HTTP_STATUS_CODES.get(code)
            self._status = f"{code} {reason.upper()}" if reason else f"{code} UNKNOWN"

    @property
    def max_cookie_size(self) -> int:
        """Cookies larger than this warn when set (``MAX_COOKIE_SIZE``, 0 disables)."""
        from ..globals import _cv_app

        app_ctx = _cv_app.get(None)
        if app_ctx is not None:
            return app_ctx.app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]
        return 4093

    # -- cookies ---------------------------------------------------------------------

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: t.Any = None,
        expires: t.Any = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Add a ``Set-Cookie`` header (every RFC 6265 attribute, plus Partitioned)."""
        self.headers.add(
            "Set-Cookie",
            dump_cookie(
                key,
                value=value,
                max_age=max_age,
                expires=expires,
                path=path,
                domain=domain,
                secure=secure,
                httponly=httponly,
                max_size=self.max_cookie_size,
                samesite=samesite,
                partitioned=partitioned,
            ),
        )

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Expire a cookie (path and domain must match the ones it was set with)."""
        self.set_cookie(
            key,
            expires=0,
            max_age=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    # -- the body ----------------------------------------------------------------------

    @property
    def is_sequence(self) -> bool:
        """Whether the body is a list or tuple (known length, re-iterable)."""
        return isinstance(self.response, (tuple, list))

    @property
    def is_streamed(self) -> bool:
        """Whether the body has no length (a generator, a file)."""
        try:
            len(self.response)
        except (TypeError, AttributeError):
            return True
        return False

    def set_data(self, value: bytes | str) -> None:
        """Replace the body; sets Content-Length."""
        if isinstance(value, str):
            value = value.encode()
        else:
            value = bytes(value)
        data = [value]
        self.response = data
        if self.automatically_set_content_length:
            if self._headers is None:
                items = self._hlist
                for index, (name, _) in enumerate(items):
                    if name.lower() == "content-length":
                        items[index] = ("Content-Length", str(len(value)))
                        break
                else:
                    items.append(("Content-Length", str(len(value))))
                self._plain_body = data
            else:
                self._headers["Content-Length"] = str(len(value))

    def get_data(self, as_text: bool = False) -> bytes | str:
        """The whole body (a streamed body is read into memory first)."""
        self._ensure_sequence()
        data = b"".join(self.iter_encoded())
        if as_text:
            return data.decode()
        return data

    data = property(get_data, set_data, doc="The body as bytes (get and set).")

    def calculate_content_length(self) -> int | None:
        """The body's length, or ``None`` if it is streamed."""
        try:
            self._ensure_sequence()
        except RuntimeError:
            return None
        return sum(len(chunk) for chunk in self.iter_encoded())

    def _ensure_sequence(self, mutable: bool = False) -> None:
        if self.is_sequence:
            if mutable and not isinstance(self.response, list):
                self.response = list(self.response)
            return
        if self.direct_passthrough:
            raise RuntimeError(
                "Attempted implicit sequence conversion but the response object is in"
                " direct passthrough mode."
            )
        if not self.implicit_sequence_conversion:
            raise RuntimeError(
                "The response object required the iterable to be a sequence, but the"
                " implicit conversion was disabled. Call make_sequence() yourself."
            )
        self.make_sequence()

    def make_sequence(self) -> None:
        """Read a streamed body into a list (its ``close`` still runs at the end)."""
        if not self.is_sequence:
            close = getattr(self.response, "close", None)
            self.response = list(self.iter_encoded())
            if close is not None:
                self.call_on_close(close)

    def iter_encoded(self) -> t.Iterator[bytes]:
        """The body's chunks as bytes (an async body is passed on as it is)."""
        if hasattr(self.response, "__aiter__"):
            return self.response  # type: ignore[no-any-return]
        return _iter_encoded(self.response)

    def freeze(self) -> None:
        """Read the body into memory and set Content-Length (e.g. before caching)."""
        self.response = list(self.iter_encoded())
        self.headers["Content-Length"] = str(sum(map(len, self.response)))

    @property
    def stream(self) -> ResponseStream:
        """A write-only file object appending to the body."""
        stream = self.__dict__.get("_stream")
        if stream is None:
            stream = self.__dict__["_stream"] = ResponseStream(self)
        return stream

    # -- JSON (mostly for tests) -----------------------------------------------------

    @property
    def json(self) -> t.Any | None:
        """The body parsed as JSON if the mimetype is JSON, else ``None``."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False) -> t.Any | None:
        """Parse the body as JSON (``None`` if the mimetype is not JSON and not forced)."""
        if not (force or self.is_json):
            return None
        data = self.get_data()
        try:
            return self.json_module.loads(data)
        except ValueError:
            if not silent:
                raise
            return None

    # -- closing -----------------------------------------------------------------------

    def call_on_close(self, func: t.Callable[[], t.Any]) -> t.Callable[[], t.Any]:
        """Run *func* when the server is done with the response (usable as decorator)."""
        if self._on_close is _no_callbacks:
            self._on_close = []
        self._on_close.append(func)  # type: ignore[union-attr]
        return func

    def close(self) -> None:
        """Close the body and run the ``call_on_close`` callbacks."""
        close = getattr(self.response, "close", None)
        if close is not None:
            close()
        for func in self._on_close:
            func()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, exc_type: t.Any, exc_value: t.Any, tb: t.Any) -> None:
        self.close()

    # -- WSGI --------------------------------------------------------------------------

    def get_wsgi_headers(self, environ: dict[str, t.Any]) -> Headers:
        """The headers to send for *environ*: Location as a URI, Content-Length fixed
        for the status, computed when the body allows it.  A copy."""
        headers = Headers(self.headers)
        location = content_location = content_length = None
        status = self._status_code
        for key, value in headers:
            lower = key.lower()
            if lower == "location":
                location = value
            elif lower == "content-location":
                content_location = value
            elif lower == "content-length":
                content_length = value
        if location is not None:
            location = iri_to_uri(location)
            if self.autocorrect_location_header:
                from urllib.parse import urljoin

                base = _environ_url(environ)
                location = urljoin(iri_to_uri(base), location)
            headers["Location"] = location
        if content_location is not None:
            headers["Content-Location"] = iri_to_uri(content_location)
        if 100 <= status < 200 or status == 204:
            headers.remove("Content-Length")
        elif status == 304:
            remove_entity_headers(headers)
        if (
            self.automatically_set_content_length
            and self.is_sequence
            and content_length is None
            and status not in (204, 304)
            and not (100 <= status < 200)
        ):
            headers["Content-Length"] = str(sum(len(chunk) for chunk in self.iter_encoded()))
        return headers

    def get_app_iter(self, environ: dict[str, t.Any]) -> t.Iterable[bytes]:
        """The body to send for *environ* (empty for HEAD and bodyless statuses).

        A body that is a list or tuple, on a response with no ``call_on_close``
        callbacks and erlen's own :meth:`close`, has nothing to close: it is returned
        as a plain list, which servers send without calling back (under ASGI that
        spares a request greenlet just to run an empty ``close``)."""
        status = self._status_code
        if environ["REQUEST_METHOD"] == "HEAD" or 100 <= status < 200 or status in (204, 304):
            iterable: t.Iterable[bytes] = []
        elif self.direct_passthrough:
            return self.response  # type: ignore[no-any-return]
        elif self.is_sequence:
            iterable = list(self.iter_encoded())
        else:
            return ClosingIterator(self.iter_encoded(), self.close)
        if self.is_sequence and not self._on_close and type(self).close is _base_close:
            return iterable
        return ClosingIterator(iterable, self.close)

    def get_wsgi_response(
        self, environ: dict[str, t.Any]
    ) -> tuple[t.Iterable[bytes], str, list[tuple[str, str]]]:
        """``(app_iter, status, headers)`` for *environ*."""
        headers = self.get_wsgi_headers(environ)
        app_iter = self.get_app_iter(environ)
        return app_iter, self.status, headers.to_wsgi_list()

    def __call__(
        self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> t.Iterable[bytes]:
        """Send the response as a WSGI application."""
        body = self._plain_body
        if (
            body is not None
            and body is self.response
            and self._headers is None
            and self._on_close is _no_callbacks
        ):
            code = self._status_code
            if code >= 200 and code != 204 and code != 304:
                start_response(self._status or _status_line(code) or self.status, self._hlist)
                if environ["REQUEST_METHOD"] == "HEAD":
                    return []
                return body
        app_iter, status, headers = self.get_wsgi_response(environ)
        start_response(status, headers)
        return app_iter

    # -- conversions -------------------------------------------------------------------

    @classmethod
    def force_type(cls, response: t.Any, environ: dict[str, t.Any] | None = None) -> Response:
        """Make *response* (another response object or a WSGI app) an instance of *cls*."""
        if not isinstance(response, Response):
            if environ is None:
                raise TypeError(
                    "cannot convert WSGI application into response objects without an environ"
                )
            from ..testing import run_wsgi_app

            response = Response(*run_wsgi_app(response, environ))
        response.__class__ = cls
        return response  # type: ignore[no-any-return]

    @classmethod
    def from_app(cls, app: t.Any, environ: dict[str, t.Any], buffered: bool = False) -> Response:
        """Call a WSGI application and wrap what it returns."""
        from ..testing import run_wsgi_app

        return cls(*run_wsgi_app(app, environ, buffered))


_base_init = Response.__init__
_base_close = Response.close
_new = object.__new__


def _text_response(cls: type[Response], text: str, content_type: str | None) -> Response:
    """A 200 response of class *cls* with *text* as the body, built without the general
    constructor (callers send classes that override ``__init__`` through it instead)."""
    if content_type is None:
        return cls(text)
    response = _new(cls)
    body = text.encode()
    response._plain_body = response.response = [body]
    response._hlist = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    response._headers = response._status = None
    response._status_code = cls.default_status
    response._on_close = _no_callbacks
    response.direct_passthrough = False
    return response


_content_types["text/html"] = get_content_type("text/html", "utf-8")


def _default_content_type(cls: type[Response]) -> str | None:
    """The Content-Type of the class's default mimetype."""
    mimetype = cls.default_mimetype
    if mimetype is None:
        return None
    return _content_type_for(mimetype)


def _content_type_for(mimetype: str) -> str:
    """``get_content_type(mimetype, "utf-8")``, cached."""
    value = _content_types.get(mimetype)
    if value is None:
        value = _content_types[mimetype] = get_content_type(mimetype, "utf-8")
    return value


def _environ_url(environ: dict[str, t.Any]) -> str:
    from .request import Request

    return Request(environ, populate_request=False).base_url


class ResponseStream:
    """The write-only file object behind ``response.stream``."""

    mode = "wb+"

    def __init__(self, response: Response) -> None:
        self.response = response
        self.closed = False

    def write(self, value: bytes) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        self.response._ensure_sequence(mutable=True)
        self.response.response.append(value)
        self.response.headers.pop("Content-Length", None)
        return len(value)

    def writelines(self, seq: t.Iterable[bytes]) -> None:
        for item in seq:
            self.write(item)

    def close(self) -> None:
        self.closed = True

    def flush(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return False

    def tell(self) -> int:
        self.response._ensure_sequence()
        return sum(map(len, self.response.response))

    @property
    def encoding(self) -> str:
        return "utf-8"


class ClosingIterator:
    """Iterate a body and, when the server closes it, run the close callbacks.

    An async iterable body is kept as ``_async`` for the ASGI interface to await; under
    WSGI it is advanced on the thread's event loop.
    """

    def __init__(
        self,
        iterable: t.Iterable[bytes] | t.AsyncIterable[bytes],
        callbacks: t.Callable[[], t.Any] | t.Iterable[t.Callable[[], t.Any]] | None = None,
    ) -> None:
        self._async: t.AsyncIterator[bytes] | None = None
        #: The body when it is already a list or tuple of chunks (servers may send it
        #: in one go).
        self.sequence = iterable if isinstance(iterable, (list, tuple)) else None
        if hasattr(iterable, "__aiter__"):
            self._async = _aiter_encoded(iterable)  # type: ignore[arg-type]
            self._next = self._next_from_async
        else:
            iterator = iter(iterable)  # type: ignore[arg-type]
            self._next = t.cast(t.Callable[[], bytes], iterator.__next__)
        if callbacks is None:
            callbacks = []
        elif callable(callbacks):
            callbacks = [callbacks]
        else:
            callbacks = list(callbacks)
        iterable_close = getattr(iterable, "close", None)
        if iterable_close:
            callbacks.insert(0, iterable_close)
        self._callbacks = callbacks

    def _next_from_async(self) -> bytes:
        from ..concurrency import await_sync

        try:
            return await_sync(self._async.__anext__())  # type: ignore[union-attr]
        except StopAsyncIteration:
            raise StopIteration from None

    def __iter__(self) -> ClosingIterator:
        return self

    def __next__(self) -> bytes:
        return self._next()

    def close(self) -> None:
        for callback in self._callbacks:
            callback()


async def _aiter_encoded(iterable: t.AsyncIterable[str | bytes]) -> t.AsyncIterator[bytes]:
    async for item in iterable:
        yield item.encode() if isinstance(item, str) else item
