"""Trusting the ``X-Forwarded-*`` headers of the reverse proxies in front of an app.

Behind a proxy (nginx, a load balancer, a PaaS router) the server sees the proxy's
address, the proxy's scheme and often an internal host name.  Proxies report what the
client really used in ``X-Forwarded-For``, ``-Proto``, ``-Host``, ``-Port`` and
``-Prefix``.  Any client can send those headers too, so only the values appended by
proxies you run can be believed: each argument says how many proxies in the chain set
that header, and the value that many entries from the right is used (with fewer
entries than that, the header is ignored).

:class:`ProxyFix` is the WSGI middleware, with the signature and behaviour of Werkzeug
3.1's ``werkzeug.middleware.proxy_fix.ProxyFix``::

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

Assigned to ``app.wsgi_app`` it applies to WSGI servers and to HTTP requests served
through ``app.asgi``, which calls ``app.wsgi_app``.  :class:`ASGIProxyFix` does the
same to an ASGI scope (HTTP and WebSocket) for whole ASGI applications::

    asgi_app = ASGIProxyFix(app.asgi, x_for=1, x_proto=1, x_host=1)
"""

from __future__ import annotations

import typing as t
from urllib.parse import quote

from ..http.options import parse_list_header

__all__ = ["ASGIProxyFix", "ProxyFix"]

WSGIApp = t.Callable[[dict[str, t.Any], t.Callable[..., t.Any]], t.Iterable[bytes]]
ASGIApp = t.Callable[
    [dict[str, t.Any], t.Callable[[], t.Awaitable[t.Any]], t.Callable[[t.Any], t.Awaitable[None]]],
    t.Awaitable[None],
]

#: Where the values from before the rewrite are kept (the WSGI environ or ASGI scope).
ORIG_KEY = "erlen.proxy_fix.orig"


def trusted_value(trusted: int, value: str | None) -> str | None:
    """The entry of a comma separated forwarded header that *trusted* proxies vouch for.

    Each proxy appends one entry, so the one set by the outermost trusted proxy is
    *trusted* entries from the right.  ``None`` when nothing is trusted, the header is
    missing, or it has fewer entries than trusted proxies (someone bypassed a proxy).
    """
    if not (trusted and value):
        return None
    values = parse_list_header(value)
    if len(values) >= trusted:
        return values[-trusted]
    return None


def _split_host(host: str) -> tuple[str, str | None]:
    """``host[:port]`` into name and port; a bracketed IPv6 address alone has no port."""
    if ":" in host and not host.endswith("]"):
        name, _, port = host.rpartition(":")
        return name, port
    return host, None


class _ProxyTrust:
    """How many proxies are trusted for each forwarded header."""

    __slots__ = ("x_for", "x_host", "x_port", "x_prefix", "x_proto")

    def __init__(self, x_for: int, x_proto: int, x_host: int, x_port: int, x_prefix: int) -> None:
        self.x_for = x_for
        self.x_proto = x_proto
        self.x_host = x_host
        self.x_port = x_port
        self.x_prefix = x_prefix


class ProxyFix(_ProxyTrust):
    """WSGI middleware applying the trusted ``X-Forwarded-*`` values to the environ.

    - ``X-Forwarded-For`` replaces ``REMOTE_ADDR``;
    - ``X-Forwarded-Proto`` replaces ``wsgi.url_scheme``;
    - ``X-Forwarded-Host`` replaces ``HTTP_HOST`` and ``SERVER_NAME`` (and
      ``SERVER_PORT`` when it names a port);
    - ``X-Forwarded-Port`` replaces the port of ``HTTP_HOST`` and ``SERVER_PORT``;
    - ``X-Forwarded-Prefix`` replaces ``SCRIPT_NAME`` (the path the app is mounted at,
      which the proxy removed from the path).

    Each ``x_*`` argument is the number of proxies that set that header; 0 ignores it.
    The values from before the rewrite are kept in ``environ["erlen.proxy_fix.orig"]``.
    Never trust more proxies than you run: a client can send any of these headers.
    """

    __slots__ = ("app",)

    def __init__(
        self,
        app: WSGIApp,
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        super().__init__(x_for, x_proto, x_host, x_port, x_prefix)
        self.app = app

    def __call__(
        self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
    ) -> t.Iterable[bytes]:
        self.fix_environ(environ)
        return self.app(environ, start_response)

    def fix_environ(self, environ: dict[str, t.Any]) -> None:
        """Rewrite *environ* in place from the trusted forwarded headers."""
        get = environ.get
        environ[ORIG_KEY] = {
            "REMOTE_ADDR": get("REMOTE_ADDR"),
            "wsgi.url_scheme": get("wsgi.url_scheme"),
            "HTTP_HOST": get("HTTP_HOST"),
            "SERVER_NAME": get("SERVER_NAME"),
            "SERVER_PORT": get("SERVER_PORT"),
            "SCRIPT_NAME": get("SCRIPT_NAME"),
        }
        client = trusted_value(self.x_for, get("HTTP_X_FORWARDED_FOR"))
        if client:
            environ["REMOTE_ADDR"] = client
        scheme = trusted_value(self.x_proto, get("HTTP_X_FORWARDED_PROTO"))
        if scheme:
            environ["wsgi.url_scheme"] = scheme
        host = trusted_value(self.x_host, get("HTTP_X_FORWARDED_HOST"))
        if host:
            environ["HTTP_HOST"] = host
            name, port = _split_host(host)
            environ["SERVER_NAME"] = name
            if port is not None:
                environ["SERVER_PORT"] = port
        port = trusted_value(self.x_port, get("HTTP_X_FORWARDED_PORT"))
        if port:
            current = get("HTTP_HOST")
            if current:
                environ["HTTP_HOST"] = f"{_split_host(current)[0]}:{port}"
            environ["SERVER_PORT"] = port
        prefix = trusted_value(self.x_prefix, get("HTTP_X_FORWARDED_PREFIX"))
        if prefix:
            environ["SCRIPT_NAME"] = prefix


_FORWARDED_NAMES = {
    b"x-forwarded-for": "for",
    b"x-forwarded-proto": "proto",
    b"x-forwarded-host": "host",
    b"x-forwarded-port": "port",
    b"x-forwarded-prefix": "prefix",
    b"host": "own_host",
}
_WEBSOCKET_SCHEMES = {"http": "ws", "https": "wss"}
_NO_SERVER = ("localhost", 80)
# What ``quote`` may leave alone in a path prefix (the characters RFC 3986 allows in a
# path besides unreserved ones).
_PATH_SAFE = "/:@!$&'()*+,;="


class ASGIProxyFix(_ProxyTrust):
    """ASGI middleware applying the trusted ``X-Forwarded-*`` values to the scope.

    The counterpart of :class:`ProxyFix` for an ASGI application such as ``app.asgi``;
    it handles WebSocket connections as well as HTTP requests.  It rewrites ``client``
    (the address; the port is kept), ``scheme`` (``http``/``https`` become
    ``ws``/``wss`` for WebSockets), the ``host`` header and ``server``, and
    ``root_path`` (with ``path`` and ``raw_path``, which include it).  An erlen app
    then sees the same ``REMOTE_ADDR``, ``wsgi.url_scheme``, ``HTTP_HOST``,
    ``SERVER_NAME``, ``SERVER_PORT`` and ``SCRIPT_NAME`` as under :class:`ProxyFix`,
    except that a forwarded port that is not a number leaves the server port unset
    (an ASGI port is an integer).  The rewritten scope is a copy; the values from before
    are kept in ``scope["erlen.proxy_fix.orig"]``.
    """

    __slots__ = ("app",)

    def __init__(
        self,
        app: ASGIApp,
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        super().__init__(x_for, x_proto, x_host, x_port, x_prefix)
        self.app = app

    async def __call__(
        self,
        scope: dict[str, t.Any],
        receive: t.Callable[[], t.Awaitable[t.Any]],
        send: t.Callable[[t.Any], t.Awaitable[None]],
    ) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = self.fix_scope(scope)
        await self.app(scope, receive, send)

    def fix_scope(self, scope: dict[str, t.Any]) -> dict[str, t.Any]:
        """A copy of *scope* rewritten from the trusted forwarded headers."""
        found: dict[str, str] = {}
        for name, value in scope.get("headers", ()):
            key = _FORWARDED_NAMES.get(name)
            if key is None and not name.islower():
                key = _FORWARDED_NAMES.get(name.lower())  # ASGI says lower case; be lenient
            if key is not None:
                text = value.decode("latin-1")
                # Repeated header lines form one list, as a WSGI server joins them.
                found[key] = f"{found[key]},{text}" if key in found else text

        fixed = dict(scope)
        own_host = found.get("own_host")
        server = scope.get("server")
        fixed[ORIG_KEY] = {
            "client": scope.get("client"),
            "scheme": scope.get("scheme"),
            "host": own_host,
            "server": server,
            "root_path": scope.get("root_path", ""),
            "path": scope.get("path"),
            "raw_path": scope.get("raw_path"),
        }

        client = trusted_value(self.x_for, found.get("for"))
        if client:
            old_client = scope.get("client")
            fixed["client"] = (client, old_client[1] if old_client else 0)

        scheme = trusted_value(self.x_proto, found.get("proto"))
        if scheme:
            if scope["type"] == "websocket":
                scheme = _WEBSOCKET_SCHEMES.get(scheme, scheme)
            fixed["scheme"] = scheme

        host = own_host
        host_changed = False
        forwarded_host = trusted_value(self.x_host, found.get("host"))
        if forwarded_host:
            host = forwarded_host
            host_changed = True
            name, port = _split_host(forwarded_host)
            server_port = (server or _NO_SERVER)[1] if port is None else _asgi_port(port)
            server = (name, server_port)
        forwarded_port = trusted_value(self.x_port, found.get("port"))
        if forwarded_port:
            if host:
                host = f"{_split_host(host)[0]}:{forwarded_port}"
                host_changed = True
            server = ((server or _NO_SERVER)[0], _asgi_port(forwarded_port))
        if host_changed:
            fixed["headers"] = [
                *(pair for pair in scope.get("headers", ()) if pair[0].lower() != b"host"),
                (b"host", host.encode("latin-1")),  # type: ignore[union-attr]
            ]
        if server is not scope.get("server"):
            fixed["server"] = server

        prefix = trusted_value(self.x_prefix, found.get("prefix"))
        if prefix:
            _mount(fixed, scope, prefix)
        return fixed


def _asgi_port(port: str) -> int | None:
    """A forwarded port as ASGI wants it: an integer, or ``None`` when it is not one."""
    return int(port) if port.isascii() and port.isdigit() else None


def _mount(fixed: dict[str, t.Any], scope: dict[str, t.Any], prefix: str) -> None:
    """Make *prefix* (a header value) the scope's ``root_path``.

    ASGI paths include the root path, so the old one is taken off ``path`` and
    ``raw_path`` and the new one put on.  The header's bytes are read as UTF-8 when they
    are, so the app's ``SCRIPT_NAME`` holds exactly the bytes the proxy sent.
    """
    raw_prefix = prefix.encode("latin-1")
    try:
        root_path = raw_prefix.decode("utf-8")
    except UnicodeDecodeError:
        root_path = prefix
    old_root = scope.get("root_path") or ""
    path = scope.get("path", "/")
    if old_root and path.startswith(old_root):
        path = path[len(old_root) :]
    fixed["root_path"] = root_path
    fixed["path"] = root_path + path
    raw_path = scope.get("raw_path")
    if raw_path is not None:
        if old_root:
            for encoded in (
                old_root.encode("utf-8"),
                quote(old_root, safe=_PATH_SAFE).encode("ascii"),
            ):
                if raw_path.startswith(encoded):
                    raw_path = raw_path[len(encoded) :]
                    break
        fixed["raw_path"] = quote(root_path, safe=_PATH_SAFE).encode("ascii") + raw_path
