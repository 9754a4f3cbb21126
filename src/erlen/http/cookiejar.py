"""The test client's cookie jar: what a browser remembers from ``Set-Cookie`` headers.

Cookies are stored under ``(domain, path, name)``, as Werkzeug's test client does, and
sent back when the request's host and path match (RFC 6265 domain and path matching).
The jar follows Werkzeug 3.1's rules, and departs from them only where Werkzeug differs
from every browser in a way a test could trip on:

* an expired cookie is dropped: ``Max-Age`` of zero or less, or an ``Expires`` date
  already past (Werkzeug only drops ``Max-Age=0`` and ``Expires`` at the epoch), and a
  stored cookie stops being sent once its lifetime ends;
* a ``Domain`` attribute is lowercased and loses a leading dot (``.example.com``
  matches ``www.example.com``), and an empty one is ignored;
* a malformed ``Max-Age`` or a ``Path`` not starting with ``/`` is ignored instead of
  raising or being used verbatim.

Cookies go out in the order they were first stored (a replaced cookie keeps its place),
as with Werkzeug, so the ``Cookie`` header is byte for byte what Werkzeug would send.

``Secure``, ``HttpOnly`` and ``SameSite`` are recorded but do not filter what is sent,
as in Werkzeug: tests run over plain ``http://localhost`` and still expect a
``SESSION_COOKIE_SECURE`` session to work.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .cookies import parse_cookie
from .dates import parse_date

__all__ = ["Cookie", "CookieJar", "default_cookie_path"]


def default_cookie_path(request_path: str) -> str:
    """The path a cookie without a ``Path`` attribute applies to (RFC 6265 5.1.4): the
    request path up to, not including, its last ``/``, or ``/``."""
    return request_path.rpartition("/")[0] or "/"


def _parse_attributes(attributes: str) -> dict[str, str | None]:
    """``; Path=/; Secure`` -> ``{"path": "/", "secure": None}``; the last one wins."""
    parsed: dict[str, str | None] = {}
    for item in attributes.split(";"):
        name, sep, value = item.partition("=")
        parsed[name.strip(" \t").lower()] = value.strip(" \t") if sep else None
    return parsed


def _parse_max_age(value: str | None) -> int | None:
    if not value:
        return None
    digits = value[1:] if value[0] == "-" else value
    if not digits.isdigit() or not digits.isascii():
        return None
    return int(value)


class Cookie:
    """One stored cookie, as :meth:`erlen.testing.Client.get_cookie` returns it.

    ``key`` and ``value`` are the text as sent in the ``Cookie`` header (quoted and
    escaped as the server wrote them); ``decoded_key`` and ``decoded_value`` are what
    the application reads back. ``domain`` is the host the cookie belongs to;
    ``origin_only`` means that host exactly (no ``Domain`` attribute was given),
    otherwise its subdomains match too. ``expires`` and ``max_age`` are the attributes
    as received.
    """

    __slots__ = (
        "decoded_key",
        "decoded_value",
        "domain",
        "expires",
        "expires_at",
        "http_only",
        "key",
        "max_age",
        "origin_only",
        "path",
        "same_site",
        "secure",
        "value",
    )

    def __init__(
        self,
        key: str,
        value: str,
        decoded_key: str,
        decoded_value: str,
        expires: datetime | None = None,
        max_age: int | None = None,
        domain: str = "localhost",
        origin_only: bool = True,
        path: str = "/",
        secure: bool | None = None,
        http_only: bool | None = None,
        same_site: str | None = None,
        received_at: float | None = None,
    ) -> None:
        self.key = key
        self.value = value
        self.decoded_key = decoded_key
        self.decoded_value = decoded_value
        self.expires = expires
        self.max_age = max_age
        self.domain = domain
        self.origin_only = origin_only
        self.path = path
        self.secure = secure
        self.http_only = http_only
        self.same_site = same_site
        #: When the cookie stops being valid (a POSIX timestamp), ``None`` for a cookie
        #: that lives as long as the client. ``Max-Age`` wins over ``Expires``.
        self.expires_at: float | None
        if max_age is not None:
            start = time.time() if received_at is None else received_at
            self.expires_at = start + max_age
        elif expires is not None:
            self.expires_at = expires.timestamp()
        else:
            self.expires_at = None

    @classmethod
    def from_set_cookie(
        cls, header: str, server_name: str, request_path: str = "/"
    ) -> Cookie | None:
        """Read a ``Set-Cookie`` value received from ``server_name`` for a request to
        ``request_path``; ``None`` if the header names no cookie."""
        pair, _, attribute_text = header.partition(";")
        try:  # a WSGI header carries UTF-8 bytes in a latin-1 string (PEP 3333)
            text = pair.encode("latin-1").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = pair
        parsed = parse_cookie(text)
        if not parsed:
            return None
        decoded_key, decoded_value = next(iter(parsed.items()))
        key, _, value = pair.partition("=")
        attributes = _parse_attributes(attribute_text) if attribute_text else {}
        domain = (attributes.get("domain") or "").lstrip(".").lower()
        path = attributes.get("path")
        if not path or path[0] != "/":
            path = default_cookie_path(request_path)
        return cls(
            key=key.strip(" \t"),
            value=value.strip(" \t"),
            decoded_key=decoded_key,
            decoded_value=decoded_value,
            expires=parse_date(attributes.get("expires")),
            max_age=_parse_max_age(attributes.get("max-age")),
            domain=domain or server_name.lower(),
            origin_only=not domain,
            path=path,
            secure="secure" in attributes,
            http_only="httponly" in attributes,
            same_site=attributes.get("samesite"),
        )

    @property
    def storage_key(self) -> tuple[str, str, str]:
        """``(domain, path, decoded_key)``: a new cookie with the same key replaces this."""
        return self.domain, self.path, self.decoded_key

    def is_expired(self, now: float | None = None) -> bool:
        """Whether the cookie's lifetime has ended (at ``now``, default the current time)."""
        if self.expires_at is None:
            return False
        return self.expires_at <= (time.time() if now is None else now)

    def matches_domain(self, server_name: str) -> bool:
        """Whether a request to host ``server_name`` is within this cookie's domain."""
        server_name = server_name.lower()
        domain = self.domain
        if server_name == domain:
            return True
        return (
            not self.origin_only
            and server_name.endswith(domain)
            and server_name[-len(domain) - 1 : -len(domain)] == "."
        )

    def matches_path(self, path: str) -> bool:
        """Whether request ``path`` is this cookie's path or below it (RFC 6265 5.1.4)."""
        own = self.path
        if path == own:
            return True
        if not path.startswith(own):
            return False
        return own.endswith("/") or path[len(own)] == "/"

    def should_send(self, server_name: str, path: str, now: float | None = None) -> bool:
        """Whether a request to ``server_name`` and ``path`` carries this cookie."""
        return (
            self.matches_domain(server_name)
            and self.matches_path(path)
            and not self.is_expired(now)
        )

    def to_request_header(self) -> str:
        """The ``name=value`` pair for the ``Cookie`` request header."""
        return f"{self.key}={self.value}"

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__ if name != "expires_at")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cookie):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        flags = "".join(f" {name}" for name in ("secure", "http_only") if getattr(self, name))
        return (
            f"<Cookie {self.decoded_key}={self.decoded_value!r} domain={self.domain!r}"
            f" path={self.path!r}{' origin_only' if self.origin_only else ''}{flags}>"
        )


class CookieJar(dict[tuple[str, str, str], Cookie]):
    """The cookies a client holds, keyed by ``(domain, path, decoded_key)``.

    A plain dict underneath (Werkzeug's client keeps the same mapping in
    ``client._cookies``), with the browser rules on top: storing an expired cookie
    deletes the one it replaces, and :meth:`request_header` picks what to send.
    """

    def store(self, cookie: Cookie) -> None:
        """Add or replace ``cookie``; an already expired cookie removes its namesake."""
        if cookie.is_expired():
            self.pop(cookie.storage_key, None)
        else:
            self[cookie.storage_key] = cookie

    def update_from_headers(self, server_name: str, path: str, headers: Iterable[str]) -> None:
        """Store the cookies of ``Set-Cookie`` header values received from
        ``server_name`` in answer to a request for ``path``."""
        for header in headers:
            cookie = Cookie.from_set_cookie(header, server_name, path)
            if cookie is not None:
                self.store(cookie)

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> Cookie | None:
        """The cookie stored under exactly this ``domain``, ``path`` and decoded ``key``."""
        return self.get((domain, path, key))

    def delete(self, key: str, domain: str = "localhost", path: str = "/") -> None:
        """Forget the cookie under this ``domain``, ``path`` and key, if there is one."""
        self.pop((domain, path, key), None)

    def cookies_for(self, server_name: str, path: str) -> list[Cookie]:
        """The cookies a request to ``server_name`` and ``path`` carries, oldest first;
        expired cookies are dropped on the way."""
        now = time.time()
        matching = []
        expired = []
        for storage_key, cookie in self.items():
            if cookie.is_expired(now):
                expired.append(storage_key)
            elif cookie.matches_domain(server_name) and cookie.matches_path(path):
                matching.append(cookie)
        for storage_key in expired:
            del self[storage_key]
        return matching

    def request_header(self, server_name: str, path: str) -> str | None:
        """The ``Cookie`` header value for a request to ``server_name`` and ``path``, or
        ``None`` when no cookie applies."""
        cookies = self.cookies_for(server_name, path)
        if not cookies:
            return None
        return "; ".join(cookie.to_request_header() for cookie in cookies)
