"""The URL map and its adapters: matching requests and building URLs.

:class:`Map` holds the rules and compiles them (see :mod:`.matcher` and
:mod:`.builder`).  :class:`MapAdapter` is a map bound to one server name, script root
and scheme: ``Map.bind(...)`` or ``Map.bind_to_environ(environ)`` make one, and its
``match`` and ``build`` methods are what applications use.  The API and outcomes follow
Werkzeug's, so code written against ``werkzeug.routing`` runs unchanged.
"""

from __future__ import annotations

import re
import threading
import typing as t
from urllib.parse import quote, urljoin, urlunsplit

from ..exceptions import BadHost, HTTPException, MethodNotAllowed, NotFound
from ..http.host import get_host
from .builder import FastBuilder, compile_fast_builder, encode_query
from .converters import DEFAULT_CONVERTERS, PATH_SAFE, BaseConverter, ValidationError
from .exceptions import (
    BuildError,
    BuildValueError,
    NoMatch,
    RequestAliasRedirect,
    RequestPath,
    RequestRedirect,
    WebsocketMismatch,
)
from .matcher import SLASH, Matcher, _no_match

if t.TYPE_CHECKING:
    from .rules import Rule, RuleFactory

__all__ = ["Map", "MapAdapter"]

_SIMPLE_RULE = re.compile(r"<([^>]+)>")
_UPPERCASE_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")
)


class Map:
    """All the URL rules of an application, and the settings they share.

    ``strict_slashes`` redirects ``/branch`` to ``/branch/``; ``merge_slashes``
    redirects ``/a//b`` to ``/a/b``; ``redirect_defaults`` redirects to the canonical
    rule when another rule provides defaults; ``host_matching`` matches rules on the
    full host (``Rule(host=...)``) instead of the subdomain.  Add converters by
    assigning to ``map.converters[name]``.
    """

    default_converters: t.Mapping[str, type[BaseConverter]] = dict(DEFAULT_CONVERTERS)
    lock_class = threading.Lock

    def __init__(
        self,
        rules: t.Iterable[RuleFactory] | None = None,
        default_subdomain: str = "",
        strict_slashes: bool = True,
        merge_slashes: bool = True,
        redirect_defaults: bool = True,
        converters: t.Mapping[str, type[BaseConverter]] | None = None,
        sort_parameters: bool = False,
        sort_key: t.Callable[[t.Any], t.Any] | None = None,
        host_matching: bool = False,
    ) -> None:
        self._matcher = Matcher(merge_slashes)
        self._rules_by_endpoint: dict[t.Any, list[Rule]] = {}
        self._fast_builders: dict[t.Any, FastBuilder] = {}
        #: Per (subdomain, default method): endpoint -> build function usable as is.
        self._fast_tables: dict[tuple[str | None, str], dict[t.Any, t.Any]] = {}
        self._remap = True
        self._remap_lock = self.lock_class()
        self.default_subdomain = default_subdomain
        self.strict_slashes = strict_slashes
        self.redirect_defaults = redirect_defaults
        self.host_matching = host_matching
        self.converters: dict[str, type[BaseConverter]] = dict(self.default_converters)
        if converters:
            self.converters.update(converters)
        self.sort_parameters = sort_parameters
        self.sort_key = sort_key
        for factory in rules or ():
            self.add(factory)

    @property
    def merge_slashes(self) -> bool:
        return self._matcher.merge_slashes

    @merge_slashes.setter
    def merge_slashes(self, value: bool) -> None:
        self._matcher.merge_slashes = value

    def is_endpoint_expecting(self, endpoint: t.Any, *arguments: str) -> bool:
        """Whether some rule of *endpoint* takes all of *arguments*."""
        self.update()
        wanted = set(arguments)
        return any(wanted <= rule.arguments for rule in self._rules_by_endpoint[endpoint])

    @property
    def _rules(self) -> list[Rule]:
        return [rule for rules in self._rules_by_endpoint.values() for rule in rules]

    def iter_rules(self, endpoint: t.Any | None = None) -> t.Iterator[Rule]:
        """All rules, or those of one endpoint (in build order)."""
        self.update()
        if endpoint is not None:
            return iter(self._rules_by_endpoint[endpoint])
        return iter(self._rules)

    def add(self, rulefactory: RuleFactory) -> None:
        """Add a rule (or every rule of a factory) and bind it to this map."""
        for rule in rulefactory.get_rules(self):
            rule.bind(self)
            if not rule.build_only:
                self._matcher.add(rule)
            self._rules_by_endpoint.setdefault(rule.endpoint, []).append(rule)
        self._remap = True

    def update(self) -> None:
        """Recompile after rules were added; cheap when nothing changed."""
        if not self._remap:
            return
        with self._remap_lock:
            if not self._remap:
                return
            self._matcher.redirect_defaults = self.redirect_defaults
            self._matcher.update()
            for rules in self._rules_by_endpoint.values():
                rules.sort(key=lambda rule: rule.build_compare_key())
                for position, rule in enumerate(rules):
                    rule._canonical = [
                        other for other in rules[:position] if other.provides_defaults_for(rule)
                    ]
                    rule._redirects = bool(rule._canonical) or rule.redirect_to is not None
            fast_builders = {}
            for endpoint, rules in self._rules_by_endpoint.items():
                fast = compile_fast_builder(rules)
                if fast is not None:
                    fast_builders[endpoint] = fast
            self._fast_builders = fast_builders
            self._fast_tables = {}
            self._remap = False

    def _fast_table(self, subdomain: str | None, default_method: str) -> dict[t.Any, t.Any]:
        """Endpoint -> generated builder, for the relative URLs of adapters bound to
        *subdomain* with *default_method* (computed once per pair)."""
        if self._remap:
            self.update()
        key = (subdomain, default_method)
        table = self._fast_tables.get(key)
        if table is None:
            table = {
                endpoint: fast.build
                for endpoint, fast in self._fast_builders.items()
                if fast.subdomain == subdomain and (fast.always or fast.uniform(default_method))
            }
            self._fast_tables[key] = table
        return table

    def matcher_source(self) -> str:
        """The Python source generated for matching, for reading and debugging."""
        self.update()
        return self._matcher.source

    def bind(
        self,
        server_name: str,
        script_name: str | None = None,
        subdomain: str | None = None,
        url_scheme: str = "http",
        default_method: str = "GET",
        path_info: str | None = None,
        query_args: t.Mapping[str, t.Any] | str | None = None,
    ) -> MapAdapter:
        """An adapter for *server_name* (``host[:port]``) and *script_name* (``/``)."""
        server_name = server_name.lower()
        if self.host_matching:
            if subdomain is not None:
                raise RuntimeError("host matching enabled and a subdomain was provided")
        elif subdomain is None:
            subdomain = self.default_subdomain
        host, sep, port = server_name.partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as e:
            raise BadHost() from e
        return MapAdapter(
            self,
            f"{host}{sep}{port}",
            "/" if script_name is None else script_name,
            subdomain,
            url_scheme,
            "/" if path_info is None else path_info,
            default_method,
            query_args,
        )

    def bind_to_environ(
        self,
        environ: t.Any,
        server_name: str | None = None,
        subdomain: str | None = None,
    ) -> MapAdapter:
        """An adapter for a WSGI environ (or a request object with ``.environ``).

        Without *server_name* the request's host is used and subdomains are off; with
        it, the subdomain is what the request's host has in front of it.
        """
        env = getattr(environ, "environ", environ)
        scheme = env["wsgi.url_scheme"]
        wsgi_host = get_host(
            scheme,
            env.get("HTTP_HOST"),
            (env.get("SERVER_NAME", ""), env.get("SERVER_PORT")),
        ).lower()
        connection = env.get("HTTP_CONNECTION", "").lower()
        if (
            "upgrade" in connection
            and env.get("HTTP_UPGRADE", "").lower() == "websocket"
            and any(token.strip(" \t") == "upgrade" for token in connection.split(","))
        ):
            scheme = "wss" if scheme in {"https", "wss"} else "ws"
        if server_name is None:
            server_name = wsgi_host
        else:
            server_name = server_name.lower()
            if scheme in {"http", "ws"} and server_name.endswith(":80"):
                server_name = server_name[:-3]
            elif scheme in {"https", "wss"} and server_name.endswith(":443"):
                server_name = server_name[:-4]
        if subdomain is None and not self.host_matching:
            current = wsgi_host.split(".")
            configured = server_name.split(".")
            offset = -len(configured)
            if current[offset:] != configured:
                import warnings

                warnings.warn(
                    f"Current server name {wsgi_host!r} doesn't match configured"
                    f" server name {server_name!r}",
                    stacklevel=2,
                )
                subdomain = "<invalid>"
            else:
                subdomain = ".".join(filter(None, current[:offset]))

        def text(name: str) -> str | None:
            value = env.get(name)
            if value is None:
                return None
            return value.encode("latin-1").decode("utf-8", "replace")

        return Map.bind(
            self,
            server_name,
            text("SCRIPT_NAME"),
            subdomain,
            scheme,
            env["REQUEST_METHOD"],
            text("PATH_INFO"),
            query_args=text("QUERY_STRING"),
        )

    # -- the core operations, shared by all adapters ---------------------------------

    def _match(
        self, domain_part: str, path_part: str, method: str, websocket: bool
    ) -> tuple[Rule, dict[str, t.Any]]:
        """Match one request; raises the internal :class:`RequestPath`,
        :class:`NoMatch` and :class:`RequestAliasRedirect` for adapters to translate."""
        if self._remap:
            self.update()
        return self._matcher.match(domain_part, path_part, method, websocket)

    def __repr__(self) -> str:
        from pprint import pformat

        return f"{type(self).__name__}({pformat(list(self.iter_rules()))})"


def _no_match_error(miss: NoMatch) -> HTTPException:
    """The HTTP error for a failed match: 405 with the methods that would have
    matched, 400 for a WebSocket/HTTP mismatch, else 404."""
    if miss.have_match_for:
        return MethodNotAllowed(valid_methods=list(miss.have_match_for))
    if miss.websocket_mismatch:
        return WebsocketMismatch()
    return NotFound()


def miss_error(miss: list[t.Any]) -> HTTPException:
    """The HTTP error for a compiled match that found nothing, from its miss list."""
    return _no_match_error(_no_match(miss))


class MapAdapter:
    """A :class:`Map` bound to one server name, script root, subdomain and scheme."""

    __slots__ = (
        "_domain_part",
        "_fast",
        "_script_root",
        "default_method",
        "map",
        "path_info",
        "query_args",
        "script_name",
        "server_name",
        "subdomain",
        "url_scheme",
        "websocket",
    )

    def __init__(
        self,
        map: Map,
        server_name: str,
        script_name: str,
        subdomain: str | None,
        url_scheme: str,
        path_info: str,
        default_method: str,
        query_args: t.Mapping[str, t.Any] | str | None = None,
    ) -> None:
        self.map = map
        self.server_name = server_name
        if not script_name.endswith("/"):
            script_name += "/"
        self.script_name = script_name
        self._script_root = script_name.rstrip("/")
        #: The map's fast-build table for this adapter, fetched on first use.
        self._fast: dict[t.Any, t.Any] | None = None
        self.subdomain = subdomain
        self.url_scheme = url_scheme
        self.path_info = path_info
        self.default_method = default_method
        self.query_args = query_args
        self.websocket = url_scheme in {"ws", "wss"}
        #: What the first part of the matcher sees: the subdomain, or the host.
        self._domain_part = (
            subdomain if not map.host_matching and subdomain is not None else server_name
        )

    def dispatch(
        self,
        view_func: t.Callable[[t.Any, t.Mapping[str, t.Any]], t.Any],
        path_info: str | None = None,
        method: str | None = None,
        catch_http_exceptions: bool = False,
    ) -> t.Any:
        """Match and call ``view_func(endpoint, values)``; redirects become responses."""
        try:
            try:
                endpoint, args = self.match(path_info, method)
            except RequestRedirect as e:
                return e
            return view_func(endpoint, args)
        except HTTPException as e:
            if catch_http_exceptions:
                return e
            raise

    @t.overload
    def match(
        self,
        path_info: str | None = None,
        method: str | None = None,
        return_rule: t.Literal[False] = False,
        query_args: t.Mapping[str, t.Any] | str | None = None,
        websocket: bool | None = None,
    ) -> tuple[t.Any, t.Mapping[str, t.Any]]: ...

    @t.overload
    def match(
        self,
        path_info: str | None = None,
        method: str | None = None,
        return_rule: t.Literal[True] = True,
        query_args: t.Mapping[str, t.Any] | str | None = None,
        websocket: bool | None = None,
    ) -> tuple[Rule, t.Mapping[str, t.Any]]: ...

    def match(
        self,
        path_info: str | None = None,
        method: str | None = None,
        return_rule: bool = False,
        query_args: t.Mapping[str, t.Any] | str | None = None,
        websocket: bool | None = None,
    ) -> tuple[t.Any, t.Mapping[str, t.Any]]:
        """Match a path: ``(endpoint, values)`` or ``(rule, values)``.

        Raises ``NotFound``, ``MethodNotAllowed`` (with the allowed methods),
        ``RequestRedirect`` (with the URL to go to) or ``WebsocketMismatch``.
        """
        if path_info is None:
            path_info = self.path_info
        if not method:
            method = self.default_method
        if method not in _UPPERCASE_METHODS:
            method = method.upper()
        if websocket is None:
            websocket = self.websocket
        # (One-character slices cost no allocation.)
        if path_info[:1] == "/" and path_info[1:2] != "/":
            path_part = path_info
        else:
            path_part = f"/{path_info.lstrip('/')}" if path_info else ""
        map = self.map
        if map._remap:
            map.update()
        miss: list[t.Any] = []
        # The compiled matcher, called directly (Matcher.match is the same plus the
        # translation of its rare outcomes, done below).  Loaded first: on 3.11 a call
        # of a function held in an instance attribute is only fast in this form.
        compiled = map._matcher._compiled
        try:
            found = compiled(self._domain_part, path_part, method, websocket, miss)
            if found is None or found is SLASH:
                map._matcher._no_direct_match(
                    found, self._domain_part, path_part, method, websocket, miss
                )
            rule, values = found
        except ValidationError:
            raise miss_error(miss) from None
        except RequestPath as e:
            if query_args is None:
                query_args = self.query_args or {}
            new_path = quote(e.path_info, safe=PATH_SAFE)
            raise RequestRedirect(self.make_redirect_url(new_path, query_args)) from None
        except RequestAliasRedirect as e:
            if query_args is None:
                query_args = self.query_args or {}
            raise RequestRedirect(
                self.make_alias_redirect_url(
                    f"{self._domain_part}|{path_part}",
                    e.endpoint,
                    e.matched_values,
                    method,
                    query_args,
                )
            ) from None
        except NoMatch as e:
            raise _no_match_error(e) from None
        if rule._redirects:
            self._check_redirects(rule, method, values, query_args)
        if return_rule:
            return rule, values
        return rule.endpoint, values

    def _check_redirects(
        self,
        rule: Rule,
        method: str,
        values: dict[str, t.Any],
        query_args: t.Mapping[str, t.Any] | str | None,
    ) -> None:
        """Raise :class:`RequestRedirect` for ``redirect_to`` and canonical-default rules."""
        if rule._canonical and self.map.redirect_defaults:
            if query_args is None:
                query_args = self.query_args or {}
            redirect_url = self.get_default_redirect(rule, method, values, query_args)
            if redirect_url is not None:
                raise RequestRedirect(redirect_url)
        if rule.redirect_to is not None:
            raise RequestRedirect(self._redirect_to_url(rule, values))

    def _redirect_to_url(self, rule: Rule, values: t.Mapping[str, t.Any]) -> str:
        if isinstance(rule.redirect_to, str):

            def substitute(match: re.Match[str]) -> str:
                return rule._converters[match.group(1)].to_url(values[match.group(1)])

            target = _SIMPLE_RULE.sub(substitute, rule.redirect_to)
        else:
            target = rule.redirect_to(self, **values)  # type: ignore[misc]
        netloc = f"{self.subdomain}.{self.server_name}" if self.subdomain else self.server_name
        return urljoin(f"{self.url_scheme or 'http'}://{netloc}{self.script_name}", target)

    def test(self, path_info: str | None = None, method: str | None = None) -> bool:
        """Whether *path_info* would match (a redirect counts as a match)."""
        try:
            self.match(path_info, method)
        except RequestRedirect:
            pass
        except HTTPException:
            return False
        return True

    def allowed_methods(self, path_info: str | None = None) -> t.Iterable[str]:
        """The methods some rule accepts for *path_info*."""
        try:
            self.match(path_info, method="--")
        except MethodNotAllowed as e:
            return e.valid_methods  # type: ignore[return-value]
        except HTTPException:
            pass
        return []

    def get_host(self, domain_part: str | None) -> str:
        """The full host for a subdomain (or, with host matching, a host)."""
        if self.map.host_matching:
            return self.server_name if domain_part is None else domain_part
        subdomain = self.subdomain if domain_part is None else domain_part
        return f"{subdomain}.{self.server_name}" if subdomain else self.server_name

    def get_default_redirect(
        self,
        rule: Rule,
        method: str,
        values: t.MutableMapping[str, t.Any],
        query_args: t.Mapping[str, t.Any] | str,
    ) -> str | None:
        """The canonical URL when an earlier rule provides defaults for *rule*."""
        for other in rule._canonical:
            if other.suitable_for(values, method):
                values.update(other.defaults)  # type: ignore[arg-type]
                domain_part, path = other.build(values)  # type: ignore[misc]
                return self.make_redirect_url(path, query_args, domain_part=domain_part)
        return None

    def encode_query_args(self, query_args: t.Mapping[str, t.Any] | str) -> str:
        if isinstance(query_args, str):
            return query_args
        return encode_query(query_args)

    def make_redirect_url(
        self,
        path_info: str,
        query_args: t.Mapping[str, t.Any] | str | None = None,
        domain_part: str | None = None,
    ) -> str:
        """An absolute URL for *path_info* on this adapter's host and script root."""
        if query_args is None:
            query_args = self.query_args
        query = self.encode_query_args(query_args) if query_args else None
        path = "/".join((self.script_name.strip("/"), path_info.lstrip("/")))
        return urlunsplit(
            (self.url_scheme or "http", self.get_host(domain_part), path, query, None)
        )

    def make_alias_redirect_url(
        self,
        path: str,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any],
        method: str,
        query_args: t.Mapping[str, t.Any] | str,
    ) -> str:
        url = self.build(endpoint, values, method, append_unknown=False, force_external=True)
        if query_args:
            url += f"?{self.encode_query_args(query_args)}"
        assert url != path, "detected invalid alias setting. No canonical URL found"
        return url

    # -- building ------------------------------------------------------------------------

    def _partial_build(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any],
        method: str | None,
        append_unknown: bool,
        rejected: dict[str, str] | None = None,
    ) -> tuple[str, str, bool] | None:
        """``(domain_part, path, websocket)`` from the first rule that can build."""
        if method is None:
            found = self._partial_build(
                endpoint, values, self.default_method, append_unknown, rejected
            )
            if found is not None:
                return found
        first_match = None
        for rule in self.map._rules_by_endpoint.get(endpoint, ()):
            if not rule.suitable_for(values, method):
                continue
            try:
                built = rule._build(values, append_unknown)  # type: ignore[misc]
            except ValidationError as e:
                if rejected is not None:
                    rejected.update(_which_value(rule, values, e))
                continue
            except ValueError as e:
                if isinstance(e, BuildValueError):
                    raise
                name = next(iter(_which_value(rule, values, e)), None)
                raise BuildValueError(endpoint, values, method, self, rule, name, e) from e
            result = (built[0], built[1], rule.websocket)
            if not self.map.host_matching:
                return result
            if result[0] == self.server_name:
                return result
            if first_match is None:
                first_match = result
        return first_match

    def build(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any] | None = None,
        method: str | None = None,
        force_external: bool = False,
        append_unknown: bool = True,
        url_scheme: str | None = None,
    ) -> str:
        """Build the URL of *endpoint* from *values*; extra values become the query.

        The URL is relative to the host unless *force_external* is set, the rule is on
        another subdomain or host, or the rule is a WebSocket rule.  Raises
        :class:`BuildError` (with an explanation) when no rule can be built.
        """
        map = self.map
        if map._remap:
            map.update()
        if method is None and not force_external and append_unknown:
            fast = map._fast_builders.get(endpoint)
            if (
                fast is not None
                and fast.subdomain == self.subdomain
                and (fast.always or fast.uniform(self.default_method))
            ):
                if values is None:
                    values = {}
                if values.__class__ is dict:
                    try:
                        path = fast.build(values)  # type: ignore[arg-type]
                    except (ValueError, TypeError):
                        path = None  # the general path below reports it properly
                    if path is not None:
                        return self._script_root + path
        if values:
            if hasattr(values, "getlist") and hasattr(values, "lists"):
                values = {
                    key: (items[0] if len(items) == 1 else items)
                    for key, items in values.lists()  # type: ignore[attr-defined]
                    if len(items) != 0
                }
            else:
                values = {key: value for key, value in values.items() if value is not None}
        else:
            values = {}
        found = self._partial_build(endpoint, values, method, append_unknown)
        if found is None:
            rejected: dict[str, str] = {}
            self._partial_build(endpoint, values, method, append_unknown, rejected)
            raise BuildError(endpoint, values, method, self, rejected)
        domain_part, path, websocket = found
        host = self.get_host(domain_part)
        if url_scheme is None:
            url_scheme = self.url_scheme
        secure = url_scheme in {"https", "wss"}
        if websocket:
            force_external = True
            url_scheme = "wss" if secure else "ws"
        elif url_scheme:
            url_scheme = "https" if secure else "http"
        if not force_external and (
            (map.host_matching and host == self.server_name)
            or (not map.host_matching and domain_part == self.subdomain)
        ):
            return f"{self.script_name.rstrip('/')}/{path.lstrip('/')}"
        scheme = f"{url_scheme}:" if url_scheme else ""
        return f"{scheme}//{host}{self.script_name[:-1]}/{path.lstrip('/')}"


def _which_value(rule: Rule, values: t.Mapping[str, t.Any], error: Exception) -> dict[str, str]:
    """Find the placeholder whose converter refuses its value, for error messages."""
    for name, converter in rule._converters.items():
        if name not in values:
            continue
        try:
            converter.to_url(values[name])
        except ValueError as e:
            reason = str(e) or f"not accepted by {type(converter).__name__}"
            return {name: reason}
    return {"?": str(error) or type(error).__name__}
