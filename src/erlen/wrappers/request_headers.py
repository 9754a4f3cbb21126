"""Typed request headers: ``request.accept_mimetypes``, ``request.if_none_match``, ...

:class:`RequestHeadersMixin` gives a request class the parsed views of its headers that
Werkzeug 3.1's ``Request`` offers, with the same names, types and values. Nothing is
parsed when the request is created: each header is parsed the first time it is asked
for, and the parsed object is kept on the instance where Werkzeug keeps it too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..http.accept import Accept, CharsetAccept, LanguageAccept, MIMEAccept, parse_accept_header
from ..http.auth import Authorization
from ..http.cache_control import RequestCacheControl, parse_cache_control_header
from ..http.dates import parse_date
from ..http.etags import ETags, IfRange, parse_etags
from ..http.header_set import HeaderSet, parse_set_header
from ..http.headers import EnvironHeaders
from ..http.multidict import ImmutableList
from ..http.options import parse_list_header, parse_options_header
from ..http.ranges import Range, parse_if_range_header, parse_range_header
from ..http.streams import get_content_length
from ..http.useragent import UserAgent
from ..lazy import cached_property

__all__ = ["RequestHeadersMixin"]

_SECURE_SCHEMES = frozenset(("https", "wss"))


class RequestHeadersMixin:
    """Parsed request headers for a request class.

    The host class provides ``environ`` (the WSGI environ) and ``headers`` (an
    :class:`~erlen.http.headers.EnvironHeaders` over it), and must have a
    ``__dict__``: cached values are stored there, so ``del request.range`` makes the
    next access parse the header again.
    """

    __slots__ = ()

    environ: dict[str, Any]
    headers: EnvironHeaders

    #: The list type of :attr:`access_route`.
    list_storage_class: type[list[Any]] = ImmutableList
    #: The class :attr:`user_agent` returns; a subclass may parse the string.
    user_agent_class: type[UserAgent] = UserAgent

    # -- content negotiation -------------------------------------------------------

    @cached_property
    def accept_mimetypes(self) -> MIMEAccept:
        """The ``Accept`` header: the media types the client takes, best first."""
        return parse_accept_header(self.headers.get("Accept"), MIMEAccept)  # type: ignore[no-any-return]

    @cached_property
    def accept_charsets(self) -> CharsetAccept:
        """The ``Accept-Charset`` header: the charsets the client takes."""
        return parse_accept_header(self.headers.get("Accept-Charset"), CharsetAccept)  # type: ignore[no-any-return]

    @cached_property
    def accept_encodings(self) -> Accept:
        """The ``Accept-Encoding`` header: content codings such as ``gzip``."""
        return parse_accept_header(self.headers.get("Accept-Encoding"))  # type: ignore[no-any-return]

    @cached_property
    def accept_languages(self) -> LanguageAccept:
        """The ``Accept-Language`` header: the languages the client reads."""
        return parse_accept_header(self.headers.get("Accept-Language"), LanguageAccept)  # type: ignore[no-any-return]

    # -- caching and conditional requests ------------------------------------------

    @cached_property
    def cache_control(self) -> RequestCacheControl:
        """The ``Cache-Control`` header as a read-only directive dict."""
        return parse_cache_control_header(  # type: ignore[no-any-return]
            self.headers.get("Cache-Control"), None, RequestCacheControl
        )

    @cached_property
    def if_match(self) -> ETags:
        """The entity tags of the ``If-Match`` header."""
        return parse_etags(self.headers.get("If-Match"))

    @cached_property
    def if_none_match(self) -> ETags:
        """The entity tags of the ``If-None-Match`` header."""
        return parse_etags(self.headers.get("If-None-Match"))

    @cached_property
    def if_modified_since(self) -> datetime | None:
        """The ``If-Modified-Since`` date (timezone-aware), or ``None``."""
        return parse_date(self.headers.get("If-Modified-Since"))

    @cached_property
    def if_unmodified_since(self) -> datetime | None:
        """The ``If-Unmodified-Since`` date (timezone-aware), or ``None``."""
        return parse_date(self.headers.get("If-Unmodified-Since"))

    @cached_property
    def if_range(self) -> IfRange:
        """The ``If-Range`` header: an entity tag or a date (both ``None`` if absent)."""
        return parse_if_range_header(self.headers.get("If-Range"))

    @cached_property
    def range(self) -> Range | None:
        """The ``Range`` header, or ``None`` if it is absent or malformed."""
        return parse_range_header(self.headers.get("Range"))

    @cached_property
    def pragma(self) -> HeaderSet:
        """The ``Pragma`` header's directives (such as ``no-cache``)."""
        return parse_set_header(self.headers.get("Pragma", ""))

    # -- who is asking ---------------------------------------------------------------

    @cached_property
    def user_agent(self) -> UserAgent:
        """The ``User-Agent`` header as a :attr:`user_agent_class` object."""
        return self.user_agent_class(self.headers.get("User-Agent", ""))

    @cached_property
    def authorization(self) -> Authorization | None:
        """The ``Authorization`` header, or ``None`` if absent or unreadable."""
        return Authorization.from_header(self.headers.get("Authorization"))

    @cached_property
    def access_route(self) -> list[str]:
        """The client address followed by each proxy's, from ``X-Forwarded-For``.

        Without that header, just ``REMOTE_ADDR`` (or nothing). The header is sent by
        the client and only trustworthy behind a proxy that sets it.
        """
        if "X-Forwarded-For" in self.headers:
            return self.list_storage_class(parse_list_header(self.headers["X-Forwarded-For"]))
        remote_addr = self.environ.get("REMOTE_ADDR")
        if remote_addr is not None:
            return self.list_storage_class([remote_addr])
        return self.list_storage_class()

    @property
    def referrer(self) -> str | None:
        """The ``Referer`` header: the page the client came from."""
        return self.headers.get("Referer")

    @property
    def origin(self) -> str | None:
        """The ``Origin`` header: the site a cross-origin request was made from."""
        return self.headers.get("Origin")

    @property
    def date(self) -> datetime | None:
        """The ``Date`` header (timezone-aware), or ``None`` if absent or malformed."""
        return parse_date(self.headers.get("Date"))

    @property
    def max_forwards(self) -> int | None:
        """The ``Max-Forwards`` header as an int, or ``None``."""
        value = self.headers.get("Max-Forwards")
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    @property
    def is_secure(self) -> bool:
        """Whether the request came over HTTPS or WSS."""
        return self.environ.get("wsgi.url_scheme", "http") in _SECURE_SCHEMES

    # -- the body's description ------------------------------------------------------

    @property
    def content_type(self) -> str | None:
        """The raw ``Content-Type`` header, parameters included."""
        return self.headers.get("Content-Type")

    @cached_property
    def content_length(self) -> int | None:
        """The ``Content-Length`` header as an int.

        ``None`` when it is absent or the body is chunked; ``0`` when it is not a
        plain non-negative integer.
        """
        return get_content_length(self.environ)

    @property
    def content_encoding(self) -> str | None:
        """The ``Content-Encoding`` header (such as ``gzip``)."""
        return self.headers.get("Content-Encoding")

    @property
    def content_md5(self) -> str | None:
        """The ``Content-MD5`` header."""
        return self.headers.get("Content-MD5")

    @cached_property
    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        return parse_options_header(self.headers.get("Content-Type", ""))

    @property
    def mimetype(self) -> str:
        """The media type of the body, lowercased, without parameters (``""`` if none)."""
        return self._parsed_content_type[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The ``Content-Type`` parameters, such as ``{"charset": "utf-8"}``."""
        return self._parsed_content_type[1]

    @property
    def is_json(self) -> bool:
        """Whether the body is JSON: ``application/json`` or ``application/*+json``."""
        mimetype = self.mimetype
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    # -- CORS preflight --------------------------------------------------------------

    @property
    def access_control_request_headers(self) -> HeaderSet | None:
        """The headers a preflight request says the real request will send."""
        value = self.headers.get("Access-Control-Request-Headers")
        if value is None:
            return None
        return parse_set_header(value)

    @property
    def access_control_request_method(self) -> str | None:
        """The method a preflight request says the real request will use."""
        return self.headers.get("Access-Control-Request-Method")
