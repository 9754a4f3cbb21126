"""Comparing two routing implementations' answers: each call's outcome reduced to plain
data (the endpoint and typed values, a redirect's URL and code, a 405's methods, errors
by class), and helpers that run one call on both maps and fail with a readable report.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------------------
# Outcomes: what a call did, as comparable plain data
# --------------------------------------------------------------------------------------

ROUTING_ERRORS = {"NotFound", "WebsocketMismatch", "BuildError", "BadHost", "BadRequest"}


def describe_exception(exc: BaseException) -> tuple[Any, ...]:
    """A redirect by its URL and code, a 405 by its methods, routing errors by name,
    anything else by its built-in base classes (the message is not compared)."""
    name = type(exc).__name__
    if name == "RequestRedirect":
        return (name, exc.new_url, getattr(exc, "code", None))  # type: ignore[attr-defined]
    if name == "MethodNotAllowed":
        return (name, tuple(sorted(exc.valid_methods or ())))  # type: ignore[attr-defined]
    if name in ROUTING_ERRORS:
        return (name,)
    builtins = [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"]
    return ("raises", builtins[0], frozenset(builtins[:-3]))


def agree(expected: tuple[Any, ...] | None, actual: tuple[Any, ...] | None) -> bool:
    """Equal outcomes; or, where Werkzeug raises a built-in error, any error that is an
    instance of it (``except ValueError`` still catches it)."""
    if expected == actual:
        return True
    raised = expected and actual and expected[0] == actual[0] == "raises"
    return bool(raised and expected[1] in actual[2])  # type: ignore[index]


def outcome(call: Any) -> tuple[Any, ...]:
    """Run *call*: ("ok", endpoint, values) for a match, ("ok", result) otherwise, or the
    exception's description. Values become (name, type name, value) so 1, 1.0 and True
    differ."""
    try:
        result = call()
    except Exception as exc:  # every failure is an outcome to compare
        return describe_exception(exc)
    if isinstance(result, tuple) and len(result) == 2 and hasattr(result[1], "items"):
        values = tuple((k, type(v).__name__, v) for k, v in sorted(dict(result[1]).items()))
        return ("ok", result[0], values)
    if isinstance(result, (list, set, frozenset)):  # allowed_methods: order is a set's
        return ("ok", tuple(sorted(result, key=str)))
    return ("ok", result)


def construct(spec_build: Any) -> tuple[Any, tuple[Any, ...] | None]:
    """Build a map; return (map, None) or (None, the exception's description)."""
    try:
        return spec_build(), None
    except Exception as exc:
        return None, describe_exception(exc)


RULE_ATTRIBUTES = ["defaults", "subdomain", "host", "strict_slashes", "merge_slashes"]
RULE_ATTRIBUTES += ["build_only", "alias", "websocket", "redirect_to", "is_leaf", "is_branch"]


def rule_signature(rule: Any) -> dict[str, Any]:
    """A bound rule's public attributes. The methods inside ``repr`` are sorted: Werkzeug
    prints a set there, whose order is not part of the contract."""
    text = repr(rule)
    head, sep, tail = text.rpartition(") -> ")
    if sep and rule.methods is not None and " (" in head:
        prefix, _, methods = head.rpartition(" (")
        text = f"{prefix} ({', '.join(sorted(methods.split(', ')))}) -> {tail}"
    return {
        "str": str(rule),
        "repr": text,
        "rule": rule.rule,
        "endpoint": rule.endpoint,
        "arguments": sorted(rule.arguments),
        "methods": None if rule.methods is None else sorted(rule.methods),
        **{name: getattr(rule, name, "<missing>") for name in RULE_ATTRIBUTES},
    }


def report(setup: str, call: str, expected: Any, actual: Any) -> str:
    return f"\n{setup}\n>>> {call}\nwerkzeug:  {expected!r}\ncandidate: {actual!r}"


def quiet(call: Any) -> Any:
    """Run *call* with warnings silenced (bind_to_environ warns on a host mismatch)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


def _matched_rule(result: tuple[Any, Any]) -> tuple[str, Any]:
    """``match(return_rule=True)`` gives a rule object: compare its normalized repr."""
    return rule_signature(result[0])["repr"], result[1]


def compare_adapter_calls(setup: str, pair: tuple[Any, Any], bind: dict, path: Any, **kw: Any):
    """match (endpoint and rule), allowed_methods and test for one request, on both maps."""
    method = kw.get("method")
    probes = {
        f"match({path!r}, **{kw!r})": lambda m: m.bind(**bind).match(path, **kw),
        f"match({path!r}, return_rule=True, **{kw!r})": lambda m: _matched_rule(
            m.bind(**bind).match(path, return_rule=True, **kw)
        ),
        f"allowed_methods({path!r})": lambda m: m.bind(**bind).allowed_methods(path),
        f"test({path!r}, {method!r})": lambda m: m.bind(**bind).test(path, method),
    }
    for text, probe in probes.items():
        expected = quiet(lambda probe=probe: outcome(lambda: probe(pair[0])))
        actual = quiet(lambda probe=probe: outcome(lambda: probe(pair[1])))
        call = f"m.bind(**{bind!r}).{text}"
        assert agree(expected, actual), report(setup, call, expected, actual)


def compare_builds(setup: str, pair: tuple[Any, Any], bind: dict, *args: Any, **kw: Any):
    """build(endpoint, values, **kw) on both maps; two BuildErrors agree whatever they say."""

    def build(url_map: Any) -> Any:
        resolved = [a.resolve(url_map) if isinstance(a, MD) else a for a in args]
        return url_map.bind(**bind).build(*resolved, **kw)

    expected, actual = outcome(lambda: build(pair[0])), outcome(lambda: build(pair[1]))
    if expected[0] != "BuildError" or actual[0] != "BuildError":
        call = f"m.bind(**{bind!r}).build({', '.join(map(repr, args))}, **{kw!r})"
        assert agree(expected, actual), report(setup, call, expected, actual)


def compare_rules(setup: str, pair: tuple[Any, Any]) -> None:
    """iter_rules() (order included), iter_rules(endpoint) and every rule's attributes."""
    expected = [rule_signature(r) for r in pair[0].iter_rules()]
    actual = [rule_signature(r) for r in pair[1].iter_rules()]
    assert agree(expected, actual), report(setup, "list(m.iter_rules())", expected, actual)
    for endpoint in {r["endpoint"] for r in expected}:
        expected = [rule_signature(r) for r in pair[0].iter_rules(endpoint)]
        actual = [rule_signature(r) for r in pair[1].iter_rules(endpoint)]
        assert agree(expected, actual), report(
            setup, f"m.iter_rules({endpoint!r})", expected, actual
        )


@dataclass
class MD:
    """Build values given as the implementation's own ``MultiDict``."""

    pairs: list[tuple[str, Any]]

    def resolve(self, url_map: Any) -> Any:
        package = type(url_map).__module__.split(".")[0]
        return importlib.import_module(f"{package}.datastructures").MultiDict(self.pairs)
