"""Checking ``url_for`` calls against the application's URL map.

For each call with a literal endpoint: the endpoint must exist (relative ``.name``
resolved against the blueprint owning the file), the literal keyword values must
fill some rule of the endpoint, each literal placeholder value must be one the
rule's converter turns into a URL that matches the rule again, and the options must
make sense together (``_scheme`` needs ``_external``, ``_expires`` needs ``_sign``).
Calls with a computed endpoint are listed as unverifiable.
"""

from __future__ import annotations

import difflib
import os
import re
import typing as t
from urllib.parse import unquote

from ..routing.converters import ValidationError
from .findings import DYNAMIC, ERROR, UNVERIFIABLE, WARNING, Finding, Findings, UrlCall

if t.TYPE_CHECKING:
    from ..app import Erlen
    from ..routing import Rule

__all__ = ["check_app", "check_calls", "collect_calls"]

#: ``url_for``'s own keyword options (everything else is a rule value or the query).
OPTIONS = frozenset(("_anchor", "_method", "_scheme", "_external", "_sign", "_expires"))

_regex_cache: dict[str, re.Pattern[str]] = {}


def collect_calls(
    app: Erlen,
    paths: t.Iterable[str] = (),
    templates: bool = True,
    python: bool = True,
) -> tuple[list[UrlCall], list[Finding], int]:
    """Every ``url_for`` call of *app*'s templates and modules (and *paths*), the
    findings for files that could not be read, and how many files were read."""
    from .python import calls_in_module, module_files, owners_of
    from .templates import calls_in_template, template_sources

    calls: list[UrlCall] = []
    problems: list[Finding] = []
    files = 0
    if templates:
        sources, unreadable = template_sources(app)
        problems.extend(unreadable)
        env = app.jinja_env
        for template in sources:
            found, trouble = calls_in_template(env, template)
            calls.extend(found)
            problems.extend(trouble)
            files += 1
    paths = list(paths)
    if python or paths:
        owners = owners_of(app)
        modules = module_files(app, paths) if python else module_files_only(paths)
        for filename in modules:
            found, trouble = calls_in_module(filename, owners)
            calls.extend(found)
            problems.extend(trouble)
            files += 1
    return calls, problems, files


def module_files_only(paths: t.Iterable[str]) -> list[str]:
    from .python import _python_files

    files: list[str] = []
    for path in paths:
        path = os.path.abspath(path)
        if os.path.isdir(path):
            files.extend(_python_files(path))
        elif path.endswith(".py"):
            files.append(path)
    return files


def check_app(
    app: Erlen,
    paths: t.Iterable[str] = (),
    templates: bool = True,
    python: bool = True,
) -> Findings:
    """Verify every ``url_for`` call in *app*'s templates and Python modules (and in
    *paths*, extra files or folders) against its URL map: ``app.check_urls()``."""
    calls, problems, files = collect_calls(app, paths, templates, python)
    findings = Findings([*problems, *check_calls(app, calls)], calls=len(calls), files=files)
    return findings


def check_calls(app: Erlen, calls: t.Iterable[UrlCall]) -> list[Finding]:
    """The findings for *calls* against *app*'s URL map."""
    rules_by_endpoint: dict[str, list[Rule]] = {}
    for rule in app.url_map.iter_rules():
        rules_by_endpoint.setdefault(rule.endpoint, []).append(rule)
    checker = _Checker(app, rules_by_endpoint)
    findings: list[Finding] = []
    for call in calls:
        findings.extend(checker.check(call))
    return findings


class _Checker:
    def __init__(self, app: Erlen, rules_by_endpoint: dict[str, list[Rule]]) -> None:
        self.app = app
        self.rules = rules_by_endpoint
        self.endpoints = sorted(rules_by_endpoint)
        self.blueprint_names = sorted(app.blueprints)

    def check(self, call: UrlCall) -> list[Finding]:
        findings = self.check_options(call)
        if call.endpoint is None:
            findings.append(
                self.finding(
                    call,
                    "dynamic-endpoint",
                    UNVERIFIABLE,
                    f"the endpoint is computed at run time ({call.endpoint_text or '?'}),"
                    " so it cannot be checked",
                    "nothing to fix; a literal endpoint name would be verified",
                )
            )
            return findings
        endpoints, problem = self.resolve(call)
        if problem is not None:
            findings.append(problem)
            return findings
        # A relative name that may mean several endpoints is fine if one of them fits.
        problems_by_endpoint = [self.check_values(call, endpoint) for endpoint in endpoints]
        value_problems = [] if not all(problems_by_endpoint) else problems_by_endpoint[0]
        findings.extend(value_problems)
        if not value_problems:
            findings.extend(self.check_static_file(call, endpoints[0]))
        return findings

    def finding(
        self,
        call: UrlCall,
        code: str,
        severity: str,
        message: str,
        fix: str,
        endpoint: str | None = None,
    ) -> Finding:
        return Finding(
            code, severity, call.file, call.line, call.text, message, fix,
            endpoint or call.endpoint,
        )  # fmt: skip

    # -- options -------------------------------------------------------------------

    def check_options(self, call: UrlCall) -> list[Finding]:
        values = call.values
        findings = []
        if values.get("_scheme") is not None and values.get("_external") in (False, None):
            explicit = values.get("_external") is False
            findings.append(
                self.finding(
                    call,
                    "scheme-without-external",
                    ERROR,
                    "'_scheme' is given with '_external=False', which raises ValueError"
                    if explicit
                    else "'_scheme' is given without '_external=True' (only an absolute URL"
                    " has a scheme; older Flask raises ValueError here)",
                    "add _external=True (or drop _scheme)",
                )
            )
        if values.get("_expires") is not None and values.get("_sign") in (False, None):
            findings.append(
                self.finding(
                    call,
                    "expires-without-sign",
                    ERROR,
                    "'_expires' is given without '_sign=True', which raises ValueError"
                    " (an expiry only exists on signed URLs)",
                    "add _sign=True",
                )
            )
        for name in values:
            if name.startswith("_") and name not in OPTIONS and not self.is_rule_value(call, name):
                close = difflib.get_close_matches(name, sorted(OPTIONS), n=1, cutoff=0.7)
                if close:
                    findings.append(
                        self.finding(
                            call,
                            "unknown-option",
                            ERROR,
                            f"{name!r} is not a url_for option: it would be sent as a query"
                            f" parameter ('?{name}=...')",
                            f"did you mean {close[0]!r}?",
                        )
                    )
        return findings

    def is_rule_value(self, call: UrlCall, name: str) -> bool:
        endpoint = call.endpoint or ""
        candidates = [endpoint] if not endpoint.startswith(".") else self.relative(call)
        return any(
            name in rule.arguments
            for candidate in candidates
            for rule in self.rules.get(candidate, ())
        )

    # -- endpoints -----------------------------------------------------------------

    def relative(self, call: UrlCall) -> list[str]:
        """The endpoints ``.name`` may mean in *call*'s file."""
        endpoint = t.cast(str, call.endpoint)
        if call.blueprints:
            return [f"{blueprint}{endpoint}" for blueprint in call.blueprints]
        # An application file: ``.name`` is the app's ``name`` when rendered by the
        # app's views, or a blueprint's when rendered by that blueprint's views.
        return [endpoint[1:], *(f"{blueprint}{endpoint}" for blueprint in self.blueprint_names)]

    def resolve(self, call: UrlCall) -> tuple[list[str], Finding | None]:
        endpoint = t.cast(str, call.endpoint)
        if endpoint.startswith("."):
            candidates = self.relative(call)
            found = [candidate for candidate in candidates if candidate in self.rules]
            if found:
                return found, None
            if call.blueprints:
                owner = " or ".join(repr(name) for name in call.blueprints)
                where = f"in blueprint {owner}, {endpoint!r} means {candidates[0]!r}"
            else:
                where = f"in an application file, {endpoint!r} means {candidates[0]!r}"
            suggestions = self.suggest_relative(endpoint, call.blueprints)
            own = self.blueprint_endpoints(call.blueprints)
            if suggestions:
                fix = self.fix_for_unknown(suggestions)
            elif own:
                names = ", ".join(repr(name) for name in own[:6])
                fix = f"use one of the blueprint's endpoints ({names}), or add the route"
            else:
                fix = self.fix_for_unknown(self.suggest(endpoint[1:]))
            return [], self.finding(
                call,
                "unknown-relative-endpoint",
                ERROR,
                f"{where}, and no route has that endpoint",
                fix,
                endpoint=candidates[0],
            )
        if endpoint in self.rules:
            return [endpoint], None
        suggestions = self.suggest(endpoint)
        return [], self.finding(
            call,
            "unknown-endpoint",
            ERROR,
            f"no route has the endpoint {endpoint!r}",
            self.fix_for_unknown(suggestions),
        )

    def suggest(self, endpoint: str) -> list[str]:
        """The closest endpoint names, and blueprint endpoints of the same name."""
        close = difflib.get_close_matches(endpoint, self.endpoints, n=3, cutoff=0.6)
        short = endpoint.rpartition(".")[2]
        same_name = [name for name in self.endpoints if name.rpartition(".")[2] == short]
        return list(dict.fromkeys([*close, *same_name]))[:4]

    def blueprint_endpoints(self, blueprints: tuple[str, ...]) -> list[str]:
        """The ``.names`` of the endpoints the owning blueprints have."""
        return sorted(
            {
                name[len(blueprint) :]
                for blueprint in blueprints
                for name in self.endpoints
                if name.startswith(f"{blueprint}.") and "." not in name[len(blueprint) + 1 :]
            }
        )

    def suggest_relative(self, endpoint: str, blueprints: tuple[str, ...]) -> list[str]:
        """Close ``.names`` among the endpoints of the owning blueprints."""
        own = self.blueprint_endpoints(blueprints)
        return difflib.get_close_matches(endpoint, own, n=3, cutoff=0.5)

    @staticmethod
    def fix_for_unknown(suggestions: list[str]) -> str:
        if not suggestions:
            return "register a route with that endpoint, or correct the name (see 'erlen routes')"
        names = ", ".join(repr(name) for name in suggestions)
        return f"did you mean {names}?"

    # -- values --------------------------------------------------------------------

    def check_values(self, call: UrlCall, endpoint: str) -> list[Finding]:
        rules = self.rules[endpoint]
        method = call.values.get("_method")
        if isinstance(method, str):
            rules = [
                rule for rule in rules if rule.methods is None or method.upper() in rule.methods
            ]
            if not rules:
                return [
                    self.finding(
                        call,
                        "method-not-allowed",
                        ERROR,
                        f"no rule of {endpoint!r} accepts the method {method.upper()!r}",
                        "use a method the endpoint's rules accept (see 'erlen routes')",
                        endpoint,
                    )
                ]
        given = {
            name: value
            for name, value in call.values.items()
            if name not in OPTIONS and value is not None
        }
        if call.open_values or self.has_url_defaults(endpoint):
            suitable = rules  # more values may arrive at run time
        else:
            suitable = [rule for rule in rules if _suitable(rule, given)]
            if not suitable:
                return [self.missing_values(call, endpoint, rules, given)]
        rejections = []
        for rule in suitable:
            rejected = _rejected_values(rule, given)
            if not rejected:
                return []
            rejections.append((rule, rejected))
        rule, rejected = rejections[0]
        name, reason = rejected[0]
        converter = rule._converters[name]
        return [
            self.finding(
                call,
                "rejected-value",
                ERROR,
                f"{name}={given[name]!r} does not fit <{_converter_label(converter)}:{name}> in"
                f" the rule {rule.rule!r} ({reason})",
                f"pass a value the converter accepts, e.g. {name}={_example(converter)}",
                endpoint,
            )
        ]

    def has_url_defaults(self, endpoint: str) -> bool:
        """Whether ``url_defaults`` functions may add values for *endpoint*."""
        functions = self.app.url_default_functions
        if functions.get(None):
            return True
        prefix = endpoint.rpartition(".")[0]
        while prefix:
            if functions.get(prefix):
                return True
            prefix = prefix.rpartition(".")[0]
        return False

    def missing_values(
        self, call: UrlCall, endpoint: str, rules: list[Rule], given: dict[str, t.Any]
    ) -> Finding:
        def missing_for(rule: Rule) -> list[str]:
            defaults = rule.defaults or {}
            return sorted(
                name for name in rule.arguments if name not in given and name not in defaults
            )

        rule = min(rules, key=lambda rule: len(missing_for(rule)))
        missing = missing_for(rule)
        if not missing:  # the values conflict with the rule's defaults
            return self.finding(
                call,
                "conflicting-defaults",
                ERROR,
                f"the values given conflict with the defaults of every rule of {endpoint!r}",
                "pass values matching a rule's defaults, or leave them out",
                endpoint,
            )
        names = ", ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        example = ", ".join(f"{name}=..." for name in missing)
        meaning = "" if call.endpoint == endpoint else f" (meaning {endpoint!r})"
        return self.finding(
            call,
            "missing-values",
            ERROR,
            f"url_for({call.endpoint!r}){meaning} is missing the value{plural} {names};"
            f" the rule is {rule.rule!r}",
            f"pass {example}",
            endpoint,
        )

    # -- static files --------------------------------------------------------------

    def check_static_file(self, call: UrlCall, endpoint: str) -> list[Finding]:
        filename = call.values.get("filename")
        if not isinstance(filename, str):
            return []
        from ..urls import static_owner
        from ..utils import safe_join

        owner = static_owner(self.app, endpoint)
        if owner is None or owner.static_folder is None:
            return []
        path = safe_join(owner.static_folder, filename)
        if path is not None and os.path.isfile(path):
            return []
        return [
            self.finding(
                call,
                "missing-static-file",
                WARNING,
                f"the static file {filename!r} is not in {owner.static_folder!r}",
                "add the file, or correct its name (ignore this if a build step creates it)",
                endpoint,
            )
        ]


def _suitable(rule: Rule, given: dict[str, t.Any]) -> bool:
    """Whether *rule* can be built from *given*, as URL building decides it."""
    defaults = rule.defaults or {}
    if any(name not in given and name not in defaults for name in rule.arguments):
        return False
    return all(
        given[name] is DYNAMIC or given[name] == value
        for name, value in defaults.items()
        if name in given
    )


def _rejected_values(rule: Rule, given: dict[str, t.Any]) -> list[tuple[str, str]]:
    """The literal placeholder values of *given* that *rule*'s converters refuse."""
    rejected = []
    for name, converter in rule._converters.items():
        value = given.get(name, DYNAMIC)
        if value is DYNAMIC or (rule.defaults and name in rule.defaults):
            continue
        reason = _refusal(converter, value)
        if reason is not None:
            rejected.append((name, reason))
    return rejected


def _refusal(converter: t.Any, value: t.Any) -> str | None:
    """Why *converter* would not round-trip *value*, or ``None`` if it would."""
    try:
        text = converter.to_url(value)
    except (ValueError, TypeError) as error:
        return f"the converter refuses it: {error}" if str(error) else "the converter refuses it"
    raw = unquote(text)
    pattern = _regex_cache.get(converter.regex)
    if pattern is None:
        pattern = _regex_cache[converter.regex] = re.compile(converter.regex)
    if pattern.fullmatch(raw) is None:
        return (
            f"the URL would contain {raw!r}, which the rule does not match, so the link would 404"
        )
    try:
        converter.to_python(raw)
    except (ValidationError, ValueError):
        return f"the URL would contain {raw!r}, which the converter rejects when matching"
    return None


def _converter_label(converter: t.Any) -> str:
    for name, cls in converter.map.converters.items():
        if type(converter) is cls and name != "default":
            return str(name)
    return type(converter).__name__


def _example(converter: t.Any) -> str:
    label = _converter_label(converter)
    return {
        "int": "1",
        "float": "1.5",
        "uuid": "uuid.uuid4()",
        "path": "'dir/file.txt'",
        "string": "'some-name'",
    }.get(label, "...")
