"""Routing requests and building URLs for an application.

``_match_request`` routes each request.  In the common configuration (no
``SERVER_NAME``, no host or subdomain matching) it goes straight to the compiled
matcher with the path and method, without binding a
:class:`~erlen.routing.MapAdapter`; the adapter is created only when something needs it
(``url_for``, a redirect, an automatic ``OPTIONS`` response).

``url_for`` follows Flask's rules: relative URLs inside requests, external ones in app
contexts, ``.name`` relative to the current blueprint, ``url_defaults`` functions, build
error handlers, ``_anchor``/``_method``/``_scheme``/``_external``.
"""

from __future__ import annotations

import sys
import typing as t
from itertools import chain
from urllib.parse import quote

from .ctx import _UNSET
from .exceptions import BadRequest, HTTPException, SecurityError
from .globals import _cv_app, _cv_request
from .routing.converters import ValidationError
from .routing.exceptions import BuildError
from .routing.map import MapAdapter
from .routing.matcher import SLASH

if t.TYPE_CHECKING:
    from .app import Erlen
    from .ctx import RequestContext
    from .wrappers import Request, Response

__all__ = ["UrlMixin"]

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


def fast_relative_url(
    app: Erlen, req_ctx: RequestContext, endpoint: str, values: dict[str, t.Any]
) -> str | None:
    """The common ``url_for`` — a relative URL inside a request, built by the
    endpoint's generated builder — or ``None`` when the general path must decide.

    Eligible once the request's URL adapter exists, with no ``url_defaults``
    functions and a builder valid for the adapter's subdomain and method.
    """
    adapter = req_ctx._url_adapter
    if adapter.__class__ is not MapAdapter or app.url_default_functions:
        return None
    table = adapter._fast
    if table is None or adapter.map._remap:
        table = adapter._fast = adapter.map._fast_table(adapter.subdomain, adapter.default_method)
    build = table.get(endpoint)
    if build is None:
        return None
    try:
        path = build(values)
    except (ValueError, TypeError):
        return None  # the general path reports it
    if path is None:
        return None
    return adapter._script_root + path  # type: ignore[no-any-return]


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

    def _match_request(self: Erlen, ctx: RequestContext) -> None:
        """Route the request of *ctx*: ``url_rule``/``view_args`` or ``routing_exception``."""
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
        ):
            if url_map._remap:
                url_map.update()
            matcher = url_map._matcher
            path = environ.get("PATH_INFO") or ""
            method = environ.get("REQUEST_METHOD") or "GET"
            # Most requests are for static paths: the raw PATH_INFO is already a valid
            # key when it is one (non-normal paths simply miss and go the long way).
            by_method = matcher._static_root.get(path) if not url_map.default_subdomain else None
            if by_method is not None:
                entry = by_method.get(method) or by_method.get(None)
                if entry is not None and entry[1] is None and not entry[0]._redirects:
                    request.url_rule = entry[0]
                    request.view_args = {}
                    request.__dict__["method"] = method
                    return
            if not path.isascii():
                try:
                    path = path.encode("latin-1").decode("utf-8")
                except (UnicodeError, ValueError):
                    request.routing_exception = BadRequest(
                        "The request path is not valid UTF-8 once percent-decoded."
                    )
                    return
            if path[:2] == "//" or path[:1] != "/":
                path = f"/{path.lstrip('/')}" if path else ""
            if method not in _UPPER_METHODS:
                method = method.upper()
            try:
                found = matcher._compiled(  # type: ignore[misc]
                    url_map.default_subdomain, path, method, False, []
                )
            except ValidationError:
                found = None  # the adapter below reports 404/405 precisely
            if found is not None and found is not SLASH:
                rule, view_args = found
                if not rule._redirects and not rule.alias:
                    request.url_rule = rule
                    request.view_args = view_args
                    request.__dict__["method"] = method
                    return
        self._match_with_adapter(ctx)

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
        req_ctx = _cv_request.get(None)
        if req_ctx is not None:
            path = fast_relative_url(self, req_ctx, endpoint, values)
            if path is not None:
                return path
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
            app_ctx = _cv_app.get(None)
            if app_ctx is not None:
                url_adapter = app_ctx.url_adapter
            else:
                url_adapter = self.create_url_adapter(None)
            if url_adapter is None:
                raise RuntimeError(_no_url_context)
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")
        if self.url_default_functions:
            self.inject_url_defaults(endpoint, values)
        if url_adapter is None:
            raise RuntimeError(_no_url_context)
        try:
            rv = url_adapter.build(
                endpoint, values, method=_method, url_scheme=_scheme, force_external=_external
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            rv = f"{rv}#{quote(_anchor, safe=_ANCHOR_SAFE)}"
        return rv

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
