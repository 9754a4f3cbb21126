"""Typed response headers and conditional responses.

:class:`ResponseHeadersMixin` gives a response class Werkzeug 3.1's typed header
attributes (``response.mimetype``, ``response.cache_control.max_age = 60``,
``response.vary.add("Accept")``, ...) and :meth:`~ResponseHeadersMixin.make_conditional`,
which answers ``If-None-Match``/``If-Modified-Since`` with 304, a failed ``If-Match``
with 412 and ``Range`` with 206. Every attribute reads the headers when asked and
writes them back at once, so nothing is parsed when a response is created and the
headers are always the single source of truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..exceptions import RequestedRangeNotSatisfiable
from ..http.auth import WWWAuthenticate
from ..http.cache_control import (
    ContentSecurityPolicy,
    ResponseCacheControl,
    parse_cache_control_header,
    parse_csp_header,
)
from ..http.dates import dump_age, http_date, parse_age, parse_date
from ..http.etags import generate_etag, parse_etags, quote_etag, unquote_etag
from ..http.header_set import HeaderSet, parse_set_header
from ..http.headers import Headers
from ..http.multidict import CallbackDict
from ..http.options import (
    dump_header,
    dump_options_header,
    get_content_type,
    parse_options_header,
)
from ..http.ranges import ContentRange, parse_content_range_header, parse_range_header
from .conditional import RangeWrapper, is_resource_modified

__all__ = ["COEP", "COOP", "ResponseHeadersMixin"]


class COEP(Enum):
    """Values of the ``Cross-Origin-Embedder-Policy`` header."""

    UNSAFE_NONE = "unsafe-none"
    REQUIRE_CORP = "require-corp"


class COOP(Enum):
    """Values of the ``Cross-Origin-Opener-Policy`` header."""

    UNSAFE_NONE = "unsafe-none"
    SAME_ORIGIN_ALLOW_POPUPS = "same-origin-allow-popups"
    SAME_ORIGIN = "same-origin"


def _header_property(
    name: str,
    doc: str,
    load: Callable[[str], Any] | None = None,
    dump: Callable[[Any], Any] | None = None,
    default: Any = None,
) -> Any:
    """A property over one header: read through ``load``, written through ``dump``.

    A missing header, or one ``load`` rejects with :class:`ValueError` or
    :class:`TypeError`, reads as ``default``. Deleting removes the header.
    """

    def fget(self: ResponseHeadersMixin) -> Any:
        value = self.headers.get(name)
        if value is None:
            return default
        if load is None:
            return value
        try:
            return load(value)
        except (ValueError, TypeError):
            return default

    def fset(self: ResponseHeadersMixin, value: Any) -> None:
        self.headers[name] = value if dump is None else dump(value)

    def fdel(self: ResponseHeadersMixin) -> None:
        self.headers.pop(name, None)

    return property(fget, fset, fdel, doc)


def _header_set_property(name: str, doc: str) -> Any:
    """A property giving a header as a :class:`HeaderSet` whose changes write back."""

    def fget(self: ResponseHeadersMixin) -> HeaderSet:
        headers = self.headers

        def on_update(header_set: HeaderSet) -> None:
            if header_set:
                headers[name] = header_set.to_header()
            elif name in headers:
                del headers[name]

        return parse_set_header(headers.get(name), on_update)

    def fset(self: ResponseHeadersMixin, value: str | Iterable[Any] | None) -> None:
        if not value:
            del self.headers[name]
        elif isinstance(value, str):
            self.headers[name] = value
        else:
            self.headers[name] = dump_header(value)

    return property(fget, fset, None, doc)


def _csp_property(name: str, doc: str) -> Any:
    """A property giving a CSP header as a :class:`ContentSecurityPolicy` that writes back."""

    def fget(self: ResponseHeadersMixin) -> ContentSecurityPolicy:
        headers = self.headers

        def on_update(csp: ContentSecurityPolicy) -> None:
            if csp:
                headers[name] = csp.to_header()
            else:
                del headers[name]

        return parse_csp_header(headers.get(name), on_update)  # type: ignore[no-any-return]

    def fset(self: ResponseHeadersMixin, value: ContentSecurityPolicy | str | None) -> None:
        if not value:
            del self.headers[name]
        elif isinstance(value, str):
            self.headers[name] = value
        else:
            self.headers[name] = value.to_header()

    return property(fget, fset, None, doc)


def _policy_value(policy: type[Enum]) -> Callable[[Any], str]:
    """Render a policy enum member (or its string value) as the header value."""

    def dump(value: Any) -> str:
        return policy(value).value  # type: ignore[no-any-return]

    return dump


def _environ_of(request_or_environ: Any) -> dict[str, Any]:
    """The WSGI environ of a request, or the argument itself if it is one."""
    environ = getattr(request_or_environ, "environ", request_or_environ)
    if not isinstance(environ, dict):
        raise TypeError(
            f"{type(request_or_environ).__name__!r} is not a WSGI environ (a dict) nor a"
            " request with an 'environ' attribute."
        )
    return environ


class ResponseHeadersMixin:
    """Typed header attributes and conditional-request handling for a response class.

    The host class provides ``headers`` (a :class:`~erlen.http.headers.Headers`),
    a settable ``status_code`` (int) and ``response`` (the body iterable),
    ``get_data()`` (the body as bytes, used to compute an entity tag),
    ``calculate_content_length()`` (``None`` when the length is unknowable) and an
    ``automatically_set_content_length`` flag.
    """

    __slots__ = ()

    headers: Headers
    status_code: int
    response: Any
    automatically_set_content_length: bool

    if TYPE_CHECKING:  # the host class supplies these

        def get_data(self) -> bytes: ...

        def calculate_content_length(self) -> int | None: ...

    # -- the body's description ------------------------------------------------------

    @property
    def mimetype(self) -> str | None:
        """The media type without parameters, or ``None`` without a ``Content-Type``.

        Setting it adds ``; charset=utf-8`` for text types.
        """
        content_type = self.headers.get("content-type")
        if content_type:
            return content_type.partition(";")[0].strip()
        return None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.headers["Content-Type"] = get_content_type(value, "utf-8")

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The ``Content-Type`` parameters; changing the dict rewrites the header."""
        headers = self.headers

        def on_update(params: CallbackDict[str, str]) -> None:
            headers["Content-Type"] = dump_options_header(self.mimetype, params)

        return CallbackDict(parse_options_header(headers.get("content-type", ""))[1], on_update)

    @property
    def is_json(self) -> bool:
        """Whether the body is JSON: ``application/json`` or ``application/*+json``."""
        mimetype = self.mimetype
        return mimetype is not None and (
            mimetype == "application/json"
            or (mimetype.startswith("application/") and mimetype.endswith("+json"))
        )

    content_type: str | None = _header_property(
        "Content-Type", "The full ``Content-Type`` header, parameters included."
    )
    content_length: int | None = _header_property(
        "Content-Length", "The ``Content-Length`` header as an int.", int, str
    )
    content_location: str | None = _header_property(
        "Content-Location", "The ``Content-Location`` header: where this body also lives."
    )
    content_encoding: str | None = _header_property(
        "Content-Encoding", "The ``Content-Encoding`` header (such as ``gzip``)."
    )
    content_md5: str | None = _header_property("Content-MD5", "The ``Content-MD5`` header.")
    content_language: HeaderSet = _header_set_property(
        "Content-Language", "The ``Content-Language`` header: the audience's languages."
    )
    location: str | None = _header_property(
        "Location", "The ``Location`` header: where a redirect or a new resource points."
    )
    age: timedelta | None = _header_property(
        "Age", "The ``Age`` header: how long a cache has held the response.", parse_age, dump_age
    )
    date: datetime | None = _header_property(
        "Date", "The ``Date`` header (timezone-aware).", parse_date, http_date
    )
    expires: datetime | None = _header_property(
        "Expires", "The ``Expires`` header: when the response goes stale.", parse_date, http_date
    )
    last_modified: datetime | None = _header_property(
        "Last-Modified",
        "The ``Last-Modified`` header: when the resource last changed.",
        parse_date,
        http_date,
    )
    vary: HeaderSet = _header_set_property(
        "Vary", "The ``Vary`` header: the request headers the response depends on."
    )
    allow: HeaderSet = _header_set_property(
        "Allow", "The ``Allow`` header: the methods the resource supports."
    )

    @property
    def retry_after(self) -> datetime | None:
        """The ``Retry-After`` header as a timezone-aware moment.

        A number of seconds is counted from now. Set a datetime, a number of seconds
        or ``None`` (removes the header).
        """
        value = self.headers.get("retry-after")
        if value is None:
            return None
        try:
            seconds = int(value)
        except ValueError:
            return parse_date(value)
        return datetime.now(timezone.utc) + timedelta(seconds=seconds)

    @retry_after.setter
    def retry_after(self, value: datetime | int | str | None) -> None:
        if value is None:
            if "retry-after" in self.headers:
                del self.headers["retry-after"]
            return
        if isinstance(value, datetime):
            value = http_date(value)
        else:
            value = str(value)
        self.headers["Retry-After"] = value

    # -- caching -----------------------------------------------------------------------

    @property
    def cache_control(self) -> ResponseCacheControl:
        """The ``Cache-Control`` header; changing a directive rewrites the header."""
        headers = self.headers

        def on_update(cache_control: ResponseCacheControl) -> None:
            if cache_control:
                headers["Cache-Control"] = cache_control.to_header()
            elif "cache-control" in headers:
                del headers["cache-control"]

        return parse_cache_control_header(  # type: ignore[no-any-return]
            headers.get("cache-control"), on_update, ResponseCacheControl
        )

    def set_etag(self, etag: str, weak: bool = False) -> None:
        """Set the ``ETag`` header to ``etag`` (quoted here), replacing any other."""
        self.headers["ETag"] = quote_etag(etag, weak)

    def get_etag(self) -> tuple[str, bool] | tuple[None, None]:
        """Return ``(etag, is_weak)``, or ``(None, None)`` without an ``ETag``."""
        return unquote_etag(self.headers.get("ETag"))

    def add_etag(self, overwrite: bool = False, weak: bool = False) -> None:
        """Set an ``ETag`` from the SHA-1 of the body, unless one is set already."""
        if overwrite or "etag" not in self.headers:
            self.set_etag(generate_etag(self.get_data()), weak)

    # -- ranges ----------------------------------------------------------------------

    accept_ranges: str | None = _header_property(
        "Accept-Ranges", "The ``Accept-Ranges`` header: one token, usually ``bytes``."
    )

    @property
    def content_range(self) -> ContentRange:
        """The ``Content-Range`` header as a :class:`ContentRange`, even when absent.

        Changing it rewrites the header; ``unset()`` removes it.
        """
        headers = self.headers

        def on_update(content_range: ContentRange) -> None:
            if content_range:
                headers["Content-Range"] = content_range.to_header()
            else:
                del headers["content-range"]

        parsed = parse_content_range_header(headers.get("content-range"), on_update)
        if parsed is None:
            return ContentRange(None, None, None, on_update=on_update)
        return parsed

    @content_range.setter
    def content_range(self, value: ContentRange | str | None) -> None:
        if not value:
            del self.headers["content-range"]
        elif isinstance(value, str):
            self.headers["Content-Range"] = value
        else:
            self.headers["Content-Range"] = value.to_header()

    # -- authentication and security policies ----------------------------------------

    @property
    def www_authenticate(self) -> WWWAuthenticate:
        """The first ``WWW-Authenticate`` challenge; changing it rewrites the header.

        Without the header this is an empty ``basic`` challenge. Assign a
        :class:`WWWAuthenticate` to set the header, a list of them to send several,
        ``None`` or ``del`` to remove it.
        """
        value = WWWAuthenticate.from_header(self.headers.get("WWW-Authenticate"))
        if value is None:
            value = WWWAuthenticate("basic")
        value._on_update = self._write_www_authenticate
        return value

    def _write_www_authenticate(self, value: WWWAuthenticate) -> None:
        self.www_authenticate = value

    @www_authenticate.setter
    def www_authenticate(self, value: WWWAuthenticate | list[WWWAuthenticate] | None) -> None:
        if not value:
            self.headers.pop("WWW-Authenticate", None)
        elif isinstance(value, list):
            self.headers.set("WWW-Authenticate", value[0].to_header())
            for challenge in value[1:]:
                self.headers.add("WWW-Authenticate", challenge.to_header())
        else:
            self.headers.set("WWW-Authenticate", value.to_header())
            value._on_update = self._write_www_authenticate

    @www_authenticate.deleter
    def www_authenticate(self) -> None:
        self.headers.pop("WWW-Authenticate", None)

    content_security_policy: ContentSecurityPolicy = _csp_property(
        "Content-Security-Policy",
        "The ``Content-Security-Policy`` header; changing it rewrites the header.",
    )
    content_security_policy_report_only: ContentSecurityPolicy = _csp_property(
        "Content-Security-Policy-Report-Only",
        "The ``Content-Security-Policy-Report-Only`` header (reported, not enforced).",
    )

    cross_origin_opener_policy: COOP = _header_property(
        "Cross-Origin-Opener-Policy",
        "The ``Cross-Origin-Opener-Policy`` header as a :class:`COOP` member.",
        COOP,
        _policy_value(COOP),
        COOP.UNSAFE_NONE,
    )
    cross_origin_embedder_policy: COEP = _header_property(
        "Cross-Origin-Embedder-Policy",
        "The ``Cross-Origin-Embedder-Policy`` header as a :class:`COEP` member.",
        COEP,
        _policy_value(COEP),
        COEP.UNSAFE_NONE,
    )

    # -- CORS --------------------------------------------------------------------------

    @property
    def access_control_allow_credentials(self) -> bool:
        """Whether the browser may expose the response to scripts when credentials are used."""
        return "Access-Control-Allow-Credentials" in self.headers

    @access_control_allow_credentials.setter
    def access_control_allow_credentials(self, value: bool | None) -> None:
        if value is True:
            self.headers["Access-Control-Allow-Credentials"] = "true"
        else:
            self.headers.pop("Access-Control-Allow-Credentials", None)

    access_control_allow_headers: HeaderSet | None = _header_property(
        "Access-Control-Allow-Headers",
        "The headers a cross-origin request may send.",
        parse_set_header,
        dump_header,
    )
    access_control_allow_methods: HeaderSet | None = _header_property(
        "Access-Control-Allow-Methods",
        "The methods a cross-origin request may use.",
        parse_set_header,
        dump_header,
    )
    access_control_allow_origin: str | None = _header_property(
        "Access-Control-Allow-Origin",
        "The origin (or ``*``) allowed to read the response from another site.",
    )
    access_control_expose_headers: HeaderSet | None = _header_property(
        "Access-Control-Expose-Headers",
        "The response headers scripts on another site may read.",
        parse_set_header,
        dump_header,
    )
    access_control_max_age: int | None = _header_property(
        "Access-Control-Max-Age",
        "How many seconds a preflight answer may be cached.",
        int,
        str,
    )

    # -- conditional requests ------------------------------------------------------

    def make_conditional(
        self,
        request_or_environ: Any,
        accept_ranges: bool | str = False,
        complete_length: int | None = None,
    ) -> Any:
        """Answer the request's conditional headers; returns the response itself.

        Only ``GET`` and ``HEAD`` requests are affected. A ``Date`` header is added if
        missing. With ``accept_ranges`` (``True`` means ``"bytes"``) the
        ``Accept-Ranges`` header is set and, given ``complete_length``, a satisfiable
        ``Range`` makes a 206 whose body is cut to the range; an unsatisfiable or
        malformed one raises :class:`~erlen.exceptions.RequestedRangeNotSatisfiable`.
        Otherwise validators that still match make a 304, or a 412 when the request
        had ``If-Match``. The body is kept; sending none for a 304 is the server
        side's job.
        """
        environ = _environ_of(request_or_environ)
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self
        headers = self.headers
        if "date" not in headers:
            headers["Date"] = http_date()
        is_partial = self._process_range_request(environ, complete_length, accept_ranges)
        if not is_partial and not is_resource_modified(
            environ, headers.get("ETag"), last_modified=headers.get("Last-Modified")
        ):
            if parse_etags(environ.get("HTTP_IF_MATCH")):
                self.status_code = 412
            else:
                self.status_code = 304
        if self.automatically_set_content_length and "content-length" not in headers:
            length = self.calculate_content_length()
            if length is not None:
                headers["Content-Length"] = str(length)
        return self

    def _is_range_request_processable(self, environ: dict[str, Any]) -> bool:
        """Whether there is a ``Range`` and an ``If-Range`` (if any) still matches."""
        return "HTTP_RANGE" in environ and (
            "HTTP_IF_RANGE" not in environ
            or not is_resource_modified(
                environ,
                self.headers.get("ETag"),
                last_modified=self.headers.get("Last-Modified"),
                ignore_if_range=False,
            )
        )

    def _process_range_request(
        self,
        environ: dict[str, Any],
        complete_length: int | None,
        accept_ranges: bool | str,
    ) -> bool:
        """Turn the response into a 206 for the requested range; whether it did."""
        if not accept_ranges:
            return False
        if accept_ranges is True:
            accept_ranges = "bytes"
        self.accept_ranges = accept_ranges  # type: ignore[assignment]
        if not (complete_length and self._is_range_request_processable(environ)):
            return False
        parsed = parse_range_header(environ.get("HTTP_RANGE"))
        if parsed is None:
            raise RequestedRangeNotSatisfiable(complete_length)
        bounds = parsed.range_for_length(complete_length)
        content_range = parsed.to_content_range_header(complete_length)
        if bounds is None or content_range is None:
            raise RequestedRangeNotSatisfiable(complete_length)
        length = bounds[1] - bounds[0]
        self.content_length = length
        self.content_range = content_range  # type: ignore[assignment]
        self.status_code = 206
        self._wrap_range_response(bounds[0], length)
        return True

    def _wrap_range_response(self, start: int, length: int) -> None:
        """Replace the body by the ``length`` bytes from ``start`` (206 responses only)."""
        if self.status_code == 206:
            self.response = RangeWrapper(self.response, start, length)
