"""Routing outcomes that are not a plain match: redirects, misses and build failures.

``RequestRedirect`` and ``WebsocketMismatch`` are HTTP errors a view never sees (the
app turns them into responses).  ``BuildError`` is what ``url_for`` raises; its message
says exactly what is wrong and how to fix it.  The remaining classes are internal
signals between the map and its adapters.
"""

from __future__ import annotations

import difflib
import typing as t

from ..exceptions import BadRequest, HTTPException

if t.TYPE_CHECKING:
    from ..wrappers import Response
    from .map import MapAdapter
    from .rules import Rule

__all__ = [
    "BuildError",
    "NoMatch",
    "RequestAliasRedirect",
    "RequestPath",
    "RequestRedirect",
    "RoutingException",
    "WebsocketMismatch",
]


class RoutingException(Exception):
    """Base of the exceptions the router uses for control flow and errors."""


class RequestRedirect(HTTPException, RoutingException):
    """The URL must be visited at ``new_url`` instead (a permanent 308 redirect).

    Raised for missing trailing slashes, merged slashes, defaults and ``redirect_to``.
    """

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(new_url)
        self.new_url = new_url

    def get_response(
        self, environ: t.Any = None, scope: dict[str, t.Any] | None = None
    ) -> Response:
        from ..utils import redirect

        return redirect(self.new_url, self.code)


class RequestPath(RoutingException):
    """Internal: the path matched only with a different form (slash added or merged)."""

    __slots__ = ("path_info",)

    def __init__(self, path_info: str) -> None:
        super().__init__()
        self.path_info = path_info


class RequestAliasRedirect(RoutingException):
    """Internal: an alias rule matched and the canonical URL should be used."""

    def __init__(self, matched_values: t.Mapping[str, t.Any], endpoint: t.Any) -> None:
        super().__init__()
        self.matched_values = matched_values
        self.endpoint = endpoint


class NoMatch(RoutingException):
    """Internal: nothing matched; says which methods would have and WebSocket misses."""

    __slots__ = ("have_match_for", "websocket_mismatch")

    def __init__(self, have_match_for: set[str], websocket_mismatch: bool) -> None:
        super().__init__()
        self.have_match_for = have_match_for
        self.websocket_mismatch = websocket_mismatch


class WebsocketMismatch(BadRequest):
    """A rule matched the path, but not the request's kind (HTTP versus WebSocket)."""


class BuildError(RoutingException, LookupError):
    """No URL can be built for the endpoint with the given values and method.

    The message names the problem: an unknown endpoint (with the closest names), the
    values a rule needs but did not get, values a converter rejected, or a method no
    rule of the endpoint accepts.
    """

    def __init__(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any],
        method: str | None,
        adapter: MapAdapter | None = None,
        rejected: t.Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(endpoint, values, method)
        self.endpoint = endpoint
        self.values = values
        self.method = method
        self.adapter = adapter
        #: Per placeholder, why a converter refused the given value (if one did).
        self.rejected = dict(rejected or {})

    @property
    def suggested(self) -> Rule | None:
        """The rule that comes closest to what was asked for, if any."""
        return self.closest_rule(self.adapter)

    def closest_rule(self, adapter: MapAdapter | None) -> Rule | None:
        if adapter is None or not adapter.map._rules:
            return None
        rules = adapter.map._rules_by_endpoint.get(self.endpoint)
        if rules:
            return min(rules, key=lambda rule: len(self._missing(rule)))
        names = [str(endpoint) for endpoint in adapter.map._rules_by_endpoint]
        close = difflib.get_close_matches(str(self.endpoint), names, n=1, cutoff=0.0)
        if close:
            return adapter.map._rules_by_endpoint[close[0]][0]
        return None

    def _missing(self, rule: Rule) -> list[str]:
        defaults = rule.defaults or {}
        return sorted(
            arg for arg in rule.arguments if arg not in self.values and arg not in defaults
        )

    def __str__(self) -> str:
        head = f"Could not build url for endpoint {self.endpoint!r}"
        if self.method:
            head += f" ({self.method!r})"
        if self.values:
            head += f" with values {sorted(self.values)!r}"
        adapter = self.adapter
        if adapter is None:
            return head + "."
        rules = adapter.map._rules_by_endpoint.get(self.endpoint)
        if not rules:
            return head + ". " + self._unknown_endpoint(adapter)
        return head + ". " + " ".join(self._explain(rule) for rule in rules[:3])

    def _unknown_endpoint(self, adapter: MapAdapter) -> str:
        names = sorted(str(endpoint) for endpoint in adapter.map._rules_by_endpoint)
        endpoint = str(self.endpoint)
        close = difflib.get_close_matches(endpoint, names, n=3, cutoff=0.6)
        if not close:
            # Also try the name without a blueprint prefix and suffix matches.
            tail = endpoint.rpartition(".")[2]
            close = [name for name in names if name.rpartition(".")[2] == tail][:3]
        message = f"There is no endpoint named {endpoint!r}."
        if close:
            options = " or ".join(repr(name) for name in close)
            message += f" Did you mean {options}?"
        elif names:
            shown = ", ".join(repr(name) for name in names[:10])
            more = "" if len(names) <= 10 else f" and {len(names) - 10} more"
            message += f" Known endpoints: {shown}{more}."
        message += " Endpoints are view function names (or the 'endpoint=' given to the route), prefixed with 'blueprint.' inside blueprints."
        return message

    def _explain(self, rule: Rule) -> str:
        parts = []
        if self.method and rule.methods is not None and self.method not in rule.methods:
            allowed = ", ".join(sorted(rule.methods))
            parts.append(
                f"The rule {rule.rule!r} accepts {allowed}, not {self.method!r}; pass"
                f" _method= one of those, or leave it out."
            )
        missing = self._missing(rule)
        if missing:
            names = ", ".join(repr(name) for name in missing)
            example = ", ".join(f"{name}=..." for name in missing)
            parts.append(
                f"The rule {rule.rule!r} needs a value for {names}: call"
                f" url_for({str(self.endpoint)!r}, {example})."
            )
        for name, reason in self.rejected.items():
            parts.append(
                f"The rule {rule.rule!r} rejected {name}={self.values.get(name)!r}: {reason}."
            )
        defaults = rule.defaults or {}
        conflicting = [
            key
            for key, value in defaults.items()
            if key in self.values and self.values[key] != value
        ]
        for key in conflicting:
            parts.append(
                f"The rule {rule.rule!r} fixes {key}={defaults[key]!r} as a default, but"
                f" {key}={self.values[key]!r} was given."
            )
        if not parts:
            parts.append(f"The rule {rule.rule!r} could not be built from these values.")
        return " ".join(parts)


class BuildValueError(ValueError):
    """A converter's ``to_url`` raised ``ValueError`` for a value given to ``url_for``.

    A ``ValueError``, as in Flask (build error handlers do not see it), whose message
    names the endpoint, the placeholder, the value and the rule.
    """

    def __init__(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any],
        method: str | None,
        adapter: MapAdapter | None,
        rule: Rule,
        name: str | None,
        error: ValueError,
    ) -> None:
        super().__init__(endpoint, values, method)
        self.endpoint = endpoint
        self.values = values
        self.method = method
        self.adapter = adapter
        self.rule = rule
        self.name = name
        self.error = error

    def __str__(self) -> str:
        where = f" for {self.name!r}" if self.name else ""
        value = f" {self.values.get(self.name)!r}" if self.name in self.values else ""
        return (
            f"Could not build url for endpoint {self.endpoint!r}: the value{value}{where} is"
            f" not accepted by the rule {self.rule.rule!r} ({self.error})."
        )
