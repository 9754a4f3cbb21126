"""Routing requests and building URLs for an application.

``_match_request`` routes each request.  In the common configuration (no
``SERVER_NAME``, no host or subdomain matching) it goes straight to the compiled
matcher with the path and method, without binding a
:class:`~erlen.routing.MapAdapter`; the adapter is created only when something needs it
(``url_for``, a redirect, an automatic ``OPTIONS`` response).

``url_for`` follows Flask's rules: relative URLs inside requests, external ones in app
contexts, ``.name`` relative to the current blueprint, ``url_defaults`` functions, build
error handlers, ``_anchor``/``_method``/``_scheme``/``_external``.  Two erlen options
ride on the general path: ``_sign``/``_expires`` (signed URLs, :mod:`erlen.signing`) and,
with ``STATIC_URL_HASH``, the content hash of static files (``?v=``).
"""

from __future__ import annotations

import sys
import typing as t
from itertools import chain
from urllib.parse import quote

from .ctx import _UNSET
from .exceptions import BadRequest, HTTPException, SecurityError
from .globals import _get_app_ctx, _get_request_ctx
from .routing.builder import _SPECIAL_VALUES
from .routing.converters import ValidationError
from .routing.exceptions import BuildError
from .routing.map import MapAdapter, miss_error
from .routing.matcher import SLASH
from .signing import sign_path, sign_url

if t.TYPE_CHECKING:
    from .app import Erlen
    from .ctx import RequestContext
    from .scaffold import Scaffold
    from .wrappers import Request, Response

__all__ = ["UrlMixin", "build_url", "fast_relative_url", "fast_url_table"]

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
_UPPER_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))

_no_url_context = (
    "Unable to build URLs outside an active request without 'SERVER_NAME'"
    " configured. Also configure 'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME'"
    " as needed. To build a URL in a script or test, use"
    " 'with app.test_request_context():' (or 'with app.app_context():' once"
    " SERVER_NAME is set)."
)


def _split_blueprint_path(name: str) -> list[str]:
    """``"a.b.c"`` -> ``["a.b.c", "a.b", "a"]``."""
    out = [name]
    while "." in name:
        name = name.rpartition(".")[0]
        out.append(name)
    return out


def fast_url_table(app: Erlen, adapter: MapAdapter) -> dict[t.Any, t.Any]:
    """The endpoint -> generated builder table the fast path of *adapter* uses, stored
    on the adapter (fetched once per adapter, i.e. once per request).

    With ``STATIC_URL_HASH`` on, the plain builders of static endpoints are replaced
    by ones that append the file's content hash (``?v=``).
    """
    table = adapter.map._fast_table(adapter.subdomain, adapter.default_method)
    if app.config["STATIC_URL_HASH"]:
        table = _with_hashed_static_endpoints(app, table)
    adapter._fast = table
    return table


def _with_hashed_static_endpoints(app: Erlen, table: dict[t.Any, t.Any]) -> dict[t.Any, t.Any]:
    """*table* with hashing builders for the static endpoints (remembered per table)."""
    cache: dict[int, tuple[dict[t.Any, t.Any], dict[t.Any, t.Any]]] = app.__dict__.setdefault(
        "_tables_with_static_hashes", {}
    )
    entry = cache.get(id(table))
    if entry is not None and entry[0] is table:
        return entry[1]
    hashed = dict(table)
    for endpoint, build in table.items():
        owner = static_owner(app, endpoint)
        if owner is None:
            continue
        if app.url_map.sort_parameters:
            del hashed[endpoint]  # the general path sorts the query, hash included
        else:
            hashed[endpoint] = _hashing_builder(app, owner, build)
    if len(cache) > 16:  # tables are replaced when rules are added; forget old ones
        cache.clear()
    cache[id(table)] = (table, hashed)
    return hashed


def _hashing_builder(
    app: Erlen, owner: Scaffold, build: t.Callable[[dict[str, t.Any]], str | None]
) -> t.Callable[[dict[str, t.Any]], str | None]:
    """A static endpoint's fast builder that appends ``v=<content hash>``."""
    config = app.config
    file_hash = owner.static_file_hash

    def build_with_hash(values: dict[str, t.Any]) -> str | None:
        if "_sign" in values:
            return None  # the hash must be in the URL before it is signed: general path
        path = build(values)
        if path is None or "v" in values:
            return path
        filename = values.get("filename")
        digest = file_hash(filename, bool(config["DEBUG"])) if filename is not None else None
        if digest is None:
            return path
        return f"{path}&v={digest}" if "?" in path else f"{path}?v={digest}"

    return build_with_hash


def static_owner(app: Erlen, endpoint: t.Any) -> Scaffold | None:
    """The app or blueprint whose static folder *endpoint* serves, else ``None``."""
    view = app.view_functions.get(endpoint)
    owner = getattr(view, "__self__", None)
    if owner is None or getattr(view, "__name__", None) != "send_static_file":
        return None
    return owner  # type: ignore[no-any-return]


def fast_relative_url(
    app: Erlen,
    req_ctx: RequestContext,
    endpoint: str,
    values: dict[str, t.Any],
    with_root: bool = True,
) -> str | None:
    """The common ``url_for`` — a relative URL inside a request, built by the
    endpoint's generated builder — or ``None`` when the general path must decide.

    Eligible once the request's URL adapter exists, with no ``url_defaults``
    functions and a builder valid for the adapter's subdomain and method.  Without
    *with_root*, the path is given without the script root in front.
    """
    adapter = req_ctx._url_adapter
    if adapter.__class__ is not MapAdapter or app.url_default_functions:
        return None
    table = adapter._fast
    if table is None or adapter.map._remap:
        table = fast_url_table(app, adapter)
    build = table.get(endpoint)
    if build is None:
        return None
    try:
        path = build(values)
    except (ValueError, TypeError):
        return None  # the general path reports it
    if path is None or not with_root:
        return path  # type: ignore[no-any-return]
    return adapter._script_root + path  # type: ignore[no-any-return]


def build_url(
    app: Erlen, req_ctx: RequestContext | None, endpoint: str, values: dict[str, t.Any]
) -> str:
    """``url_for``'s general path: every option, ``url_defaults``, build error handlers.

    Called with the keyword arguments of one ``url_for`` call (*values* is consumed)
    once the fast path has declined them.
    """
    if "_sign" in values or "_expires" in values:
        return _build_signed_url(app, req_ctx, endpoint, values)
    _anchor = values.pop("_anchor", None)
    _method = values.pop("_method", None)
    _scheme = values.pop("_scheme", None)
    _external = values.pop("_external", None)
    if req_ctx is not None:
        url_adapter = req_ctx.url_adapter
        if endpoint[:1] == ".":
            blueprint_name = req_ctx.request.blueprint
            if blueprint_name is not None:
                endpoint = f"{blueprint_name}{endpoint}"
            else:
                endpoint = endpoint[1:]
        if _external is None:
            _external = _scheme is not None
    else:
        app_ctx = _get_app_ctx(None)
        if app_ctx is not None:
            url_adapter = app_ctx.url_adapter
        else:
            url_adapter = app.create_url_adapter(None)
        if url_adapter is None:
            raise RuntimeError(_no_url_context)
        if _external is None:
            _external = True
    if _scheme is not None and not _external:
        raise ValueError("When specifying '_scheme', '_external' must be True.")
    if app.url_default_functions:
        app.inject_url_defaults(endpoint, values)
    if url_adapter is None:
        raise RuntimeError(_no_url_context)
    if app.config["STATIC_URL_HASH"] and "filename" in values and "v" not in values:
        _add_static_hash(app, endpoint, values)
    try:
        rv = url_adapter.build(
            endpoint, values, method=_method, url_scheme=_scheme, force_external=_external
        )
    except BuildError as error:
        values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
        return app.handle_url_build_error(error, endpoint, values)
    if _anchor is not None:
        rv = f"{rv}#{quote(_anchor, safe=_ANCHOR_SAFE)}"
    return rv


def _add_static_hash(app: Erlen, endpoint: str, values: dict[str, t.Any]) -> None:
    """Add ``v=<content hash>`` to a static file's URL values (``STATIC_URL_HASH``)."""
    owner = static_owner(app, endpoint)
    if owner is None:
        return
    digest = owner.static_file_hash(values["filename"], refresh=app.debug)
    if digest is not None:
        values["v"] = digest


def _build_signed_url(
    app: Erlen, req_ctx: RequestContext | None, endpoint: str, values: dict[str, t.Any]
) -> str:
    """``url_for(..., _sign=True, _expires=...)``: the URL, then its signature."""
    sign = values.pop("_sign", False)
    expires = values.pop("_expires", None)
    if not sign:
        if expires is not None:
            raise ValueError(
                "'_expires' only applies to signed URLs: pass '_sign=True' with it,"
                " e.g. url_for(endpoint, _sign=True, _expires=3600)."
            )
        return build_url(app, req_ctx, endpoint, values)
    anchor = values.pop("_anchor", None)
    url = None
    if req_ctx is not None and _SPECIAL_VALUES.isdisjoint(values):
        # A relative URL: the endpoint's generated builder gives the path below the
        # script root, which is exactly what gets signed.
        path = fast_relative_url(app, req_ctx, endpoint, values, with_root=False)
        if path is not None:
            url = req_ctx._url_adapter._script_root + sign_path(app, path, expires)
    if url is None:
        url = build_url(app, req_ctx, endpoint, values)
        if req_ctx is not None:
            adapter = req_ctx.url_adapter
        else:
            app_ctx = _get_app_ctx(None)
            adapter = app_ctx.url_adapter if app_ctx is not None else app.create_url_adapter(None)
        script_root = adapter._script_root if adapter is not None else ""
        url = sign_url(app, url, expires, script_root)
    if anchor is not None:
        url = f"{url}#{quote(anchor, safe=_ANCHOR_SAFE)}"
    return url


#: Host headers known to bind (see :func:`_accept_host`); bounded, never evicted.
_accepted_hosts: dict[str | None, bool] = {}


def _accept_host(environ: dict[str, t.Any]) -> bool:
    """Whether the request's ``Host`` would bind a URL adapter, as the fast routing
    path (which binds none) must know: a host name with an empty or over-long label
    cannot be IDNA-encoded, which is a 400 (as on Flask).  Good hosts are remembered."""
    host = environ.get("HTTP_HOST")
    if host is None:
        return False  # rare (HTTP/1.0): let the adapter work out the server's name
    try:
        host.lower().partition(":")[0].encode("idna")
    except UnicodeError:
        return False
    if len(_accepted_hosts) < 256:
        _accepted_hosts[host] = True
    return True


class UrlMixin:
    """Routing and URL building for :class:`~erlen.app.Erlen`."""

    def create_url_adapter(self: Erlen, request: Request | None) -> MapAdapter | None:
        """The URL map bound to *request*, or (without one) to ``SERVER_NAME``."""
        if request is not None:
            trusted_hosts = self.config["TRUSTED_HOSTS"]
            if trusted_hosts is not None:
                request.trusted_hosts = trusted_hosts
            request.host  # noqa: B018 - validates TRUSTED_HOSTS now
            subdomain = None
            server_name = self.config["SERVER_NAME"]
            if self.url_map.host_matching:
                server_name = None
            elif not self.subdomain_matching:
                subdomain = self.url_map.default_subdomain or ""
            return self.url_map.bind_to_environ(
                request.environ, server_name=server_name, subdomain=subdomain
            )
        if self.config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                self.config["SERVER_NAME"],
                script_name=self.config["APPLICATION_ROOT"],
                url_scheme=self.config["PREFERRED_URL_SCHEME"],
            )
        return None

    def _match_request(self: Erlen, ctx: RequestContext) -> str | None:
        """Route the request of *ctx*: ``url_rule``/``view_args`` or ``routing_exception``.

        Returns the request's method when the direct match found the rule (it is then
        ``request.method`` too), ``None`` otherwise.
        """
        request = ctx.request
        environ = request.environ
        url_map = self.url_map
        config = self.config
        if (
            config["SERVER_NAME"] is None
            and config["TRUSTED_HOSTS"] is None
            and not url_map.host_matching
            and not self.subdomain_matching
            and "HTTP_UPGRADE" not in environ
            and ctx._url_adapter is _UNSET
            and (environ.get("HTTP_HOST") in _accepted_hosts or _accept_host(environ))
        ):
            if url_map._remap:
                url_map.update()
            matcher = url_map._matcher
            path = environ.get("PATH_INFO") or ""
            method = environ.get("REQUEST_METHOD") or "GET"
            # Most requests are for static paths: the raw PATH_INFO is already a valid
            # key when it is one (non-normal paths simply miss and go the long way).
            looked_up = None  # the path known not to be a static rule's
            if url_map.default_subdomain:
                by_method = None
            else:
                by_method = matcher._static_root.get(path)
                if by_method is None:
                    looked_up = path
            if by_method is not None:
                entry = by_method.get(method)
                if entry is None:
                    # A rule for any method; ``request.method`` is upper case.
                    entry = by_method.get(None)
                    if method not in _UPPER_METHODS:
                        method = method.upper()
                if entry is not None and entry[1] is None and not entry[0]._redirects:
                    request.url_rule = entry[0]
                    request.view_args = {}
                    request.__dict__["method"] = method
                    return method
            if not path.isascii():
                try:
                    path = path.encode("latin-1").decode("utf-8")
                except (UnicodeError, ValueError):
                    request.routing_exception = BadRequest(
                        "The request path is not valid UTF-8 once percent-decoded."
                    )
                    return None
            if path[:2] == "//" or path[:1] != "/":
                path = f"/{path.lstrip('/')}" if path else ""
            if method not in _UPPER_METHODS:
                method = method.upper()
            # A path already looked up among the static rules needs the tree walk only.
            compiled = matcher._compiled_dynamic if path is looked_up else matcher._compiled
            miss: list[t.Any] = []
            try:
                found = compiled(url_map.default_subdomain, path, method, False, miss)
            except ValidationError:
                # A converter refused a value of the chosen rule: 404 or 405, as the
                # adapter would answer.
                request.routing_exception = miss_error(miss)
                return None
            if found is None:
                if not (url_map.merge_slashes and "//" in path):
                    request.routing_exception = miss_error(miss)
                    return None
            elif found is not SLASH:
                rule, view_args = found
                if not rule._redirects and not rule.alias:
                    request.url_rule = rule
                    request.view_args = view_args
                    request.__dict__["method"] = method
                    return method
        # Redirects (trailing slash, merged slashes, aliases, redirect_to), host
        # checks and anything configured go through a bound adapter.
        self._match_with_adapter(ctx)
        return None

    def _match_with_adapter(self: Erlen, ctx: RequestContext) -> None:
        request = ctx.request
        raw_path = request.environ.get("PATH_INFO") or ""
        if not raw_path.isascii():
            try:
                raw_path.encode("latin-1").decode("utf-8")
            except (UnicodeError, ValueError):
                request.routing_exception = BadRequest(
                    "The request path is not valid UTF-8 once percent-decoded."
                )
                return
        try:
            adapter = ctx.url_adapter
        except SecurityError as e:
            request.routing_exception = e
            return
        if adapter is None:
            return
        try:
            request.url_rule, request.view_args = adapter.match(return_rule=True)
        except HTTPException as e:
            request.routing_exception = e

    # -- building URLs -------------------------------------------------------------------

    def url_for(self: Erlen, endpoint: str, **values: t.Any) -> str:
        """The URL of *endpoint* with *values* (see :func:`erlen.url_for`).

        Accepts ``_anchor``, ``_method``, ``_scheme`` and ``_external`` among the
        keyword arguments, as Flask's does.
        """
        req_ctx = _get_request_ctx(None)
        if req_ctx is not None:
            path = fast_relative_url(self, req_ctx, endpoint, values)
            if path is not None:
                return path
        return build_url(self, req_ctx, endpoint, values)

    def inject_url_defaults(self: Erlen, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let ``url_defaults`` functions (app, then blueprints) add values in place."""
        names: t.Iterable[str | None] = (None,)
        if "." in endpoint:
            names = chain(names, reversed(_split_blueprint_path(endpoint.rpartition(".")[0])))
        for name in names:
            if name in self.url_default_functions:
                for func in self.url_default_functions[name]:
                    func(endpoint, values)

    def handle_url_build_error(
        self: Erlen, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Ask ``url_build_error_handlers`` for a URL; re-raise if none gives one."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        if error is sys.exc_info()[1]:
            raise
        raise error

    def redirect(self: Erlen, location: str, code: int = 302) -> Response:
        """A redirect response made with the app's response class."""
        from .utils import redirect

        return redirect(location, code=code, Response=self.response_class)
