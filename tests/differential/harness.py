"""Differential harness: one app definition, run on Flask (the oracle) and on erlen.

A *scenario* is a function ``build(fw) -> app`` that defines an application once, using
only the names on ``fw`` (``fw.App``, ``fw.request``, ``fw.url_for``, ...), plus a list of
*steps*: requests sent through ``app.test_client()`` and blocks of *probes* (``url_for``
calls or any expression) evaluated inside ``test_request_context()``, ``app_context()`` or
no context at all. The harness builds the app on the oracle and on the candidate, runs the
same steps on both, normalizes every result into a plain-data snapshot and reports each
comparison that differs as a readable diff.

Adding a scenario::

    @scenario(
        get("/hello/ada"),
        post("/items", json={"name": "x"}),
        in_request(url("hello", name="ada"), url("hello", name="ada", _external=True)),
    )
    def hello(fw):
        app = fw.App(__name__)

        @app.route("/hello/<name>")
        def hello(name):
            return f"Hello {name}"

        return app

The test module then needs only ``def test_scenario(scenario, candidate):
scenario.check(candidate)``; ``conftest.py`` parametrizes it with the module's scenarios.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .frameworks import ORACLE, Framework, load_framework
from .snapshots import (
    Raised,
    classify_exception,
    raised_from,
    render,
    results_equal,
    snapshot_response,
)

__all__ = [
    "ORACLE",
    "File",
    "Framework",
    "Probe",
    "Raised",
    "Scenario",
    "all_scenarios",
    "classify_exception",
    "compare",
    "delete",
    "dump",
    "get",
    "head",
    "in_app",
    "in_request",
    "load_framework",
    "no_context",
    "on_client",
    "options",
    "patch",
    "post",
    "probe",
    "put",
    "request",
    "scenario",
    "scenarios_for",
    "summary",
    "url",
]


# --------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class File:
    """A file for a multipart upload; a fresh stream is made for every run."""

    content: bytes
    filename: str
    content_type: str | None = None

    def materialize(self) -> tuple:
        if self.content_type is None:
            return (io.BytesIO(self.content), self.filename)
        return (io.BytesIO(self.content), self.filename, self.content_type)


def _materialize(value: Any) -> Any:
    if isinstance(value, File):
        return value.materialize()
    if isinstance(value, dict):
        return {key: _materialize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_materialize(item) for item in value]
    return value


@dataclasses.dataclass
class RequestStep:
    """One request sent through the test client; compared as a response snapshot."""

    method: str
    path: str
    kwargs: dict
    label: str
    ignore_headers: tuple[str, ...] = ()
    exact_json: bool = False
    #: Why erlen deliberately answers differently (the step is then not compared; the
    #: erlen behaviour must be tested on its own elsewhere).
    erlen_differs: str | None = None

    def run(self, fw: Framework, app: Any, client: Any) -> list[tuple[str, Any]]:
        try:
            response = client.open(self.path, method=self.method, **_materialize(self.kwargs))
        except Exception as exc:
            return [(self.label, raised_from(fw, exc))]
        try:
            return [(self.label, snapshot_response(response, self))]
        finally:
            response.close()

    @property
    def comparisons(self) -> int:
        return 1


def request(
    method: str,
    path: str,
    *,
    label: str | None = None,
    ignore_headers: Sequence[str] = (),
    exact_json: bool = False,
    erlen_differs: str | None = None,
    **kwargs: Any,
) -> RequestStep:
    """A request step; ``kwargs`` go to ``client.open`` unchanged (json=, data=, ...).

    ``ignore_headers`` drops headers whose value is legitimately implementation-specific
    (an ETag formula); ``exact_json`` compares JSON bodies byte for byte instead of parsed.
    """
    if label is None:
        extras = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
        label = f"{method} {path}" + (f" ({extras})" if extras else "")
    return RequestStep(
        method, path, kwargs, label, tuple(ignore_headers), exact_json, erlen_differs
    )


def _method_helper(method: str) -> Callable[..., RequestStep]:
    def helper(path: str, **kwargs: Any) -> RequestStep:
        return request(method, path, **kwargs)

    helper.__name__ = method.lower()
    helper.__doc__ = f"A {method} request step."
    return helper


get = _method_helper("GET")
post = _method_helper("POST")
put = _method_helper("PUT")
patch = _method_helper("PATCH")
delete = _method_helper("DELETE")
head = _method_helper("HEAD")
options = _method_helper("OPTIONS")


@dataclasses.dataclass(frozen=True)
class Probe:
    """An expression evaluated inside a context; its value (or exception kind) compared."""

    label: str
    fn: Callable[[Framework], Any]


def url(endpoint: str, **values: Any) -> Probe:
    """Probe ``fw.url_for(endpoint, **values)``."""
    args = [repr(endpoint)] + [f"{key}={value!r}" for key, value in values.items()]
    return Probe(f"url_for({', '.join(args)})", lambda fw: fw.url_for(endpoint, **values))


def probe(label: str, fn: Callable[[Framework], Any]) -> Probe:
    """Probe any expression, e.g. ``probe("request.url", lambda fw: fw.request.url)``."""
    return Probe(label, fn)


@dataclasses.dataclass
class ContextStep:
    """Probes evaluated inside one context: a test request, an app context, or none."""

    kind: str  # "request" | "app" | "none"
    args: tuple
    kwargs: dict
    probes: tuple[Probe, ...]

    @property
    def description(self) -> str:
        if self.kind == "none":
            return "no context"
        if self.kind == "app":
            return "app_context()"
        parts = [repr(arg) for arg in self.args] + [
            f"{key}={value!r}" for key, value in self.kwargs.items()
        ]
        return f"test_request_context({', '.join(parts)})"

    def run(self, fw: Framework, app: Any, client: Any) -> list[tuple[str, Any]]:
        results: list[tuple[str, Any]] = []
        prefix = self.description
        try:
            if self.kind == "none":
                context = None
            elif self.kind == "app":
                context = app.app_context()
            else:
                context = app.test_request_context(*self.args, **_materialize(self.kwargs))
            if context is not None:
                context.__enter__()
        except Exception as exc:
            # Every probe reports the failure, so both frameworks give equally many results.
            failure = raised_from(fw, exc)
            return [(f"{prefix} (entering failed): {item.label}", failure) for item in self.probes]
        try:
            for item in self.probes:
                try:
                    value: Any = item.fn(fw)
                except Exception as exc:
                    value = raised_from(fw, exc)
                results.append((f"{prefix}: {item.label}", value))
        finally:
            if context is not None:
                context.__exit__(None, None, None)
        return results

    @property
    def comparisons(self) -> int:
        return len(self.probes)


def in_request(*probes: Probe, path: str = "/", **kwargs: Any) -> ContextStep:
    """Evaluate probes in ``app.test_request_context(path, **kwargs)``."""
    return ContextStep("request", (path,), kwargs, probes)


def in_app(*probes: Probe) -> ContextStep:
    """Evaluate probes in ``app.app_context()`` (no request)."""
    return ContextStep("app", (), {}, probes)


def no_context(*probes: Probe) -> ContextStep:
    """Evaluate probes with no context pushed."""
    return ContextStep("none", (), {}, probes)


@dataclasses.dataclass
class ClientStep:
    """A call on the test client itself (cookies, ...), its return value compared."""

    label: str
    fn: Callable[[Framework, Any], Any]

    def run(self, fw: Framework, app: Any, client: Any) -> list[tuple[str, Any]]:
        try:
            value: Any = self.fn(fw, client)
        except Exception as exc:
            value = raised_from(fw, exc)
        return [(f"client: {self.label}", value)]

    @property
    def comparisons(self) -> int:
        return 1


def on_client(label: str, fn: Callable[[Framework, Any], Any]) -> ClientStep:
    """Call ``fn(fw, client)`` between requests, e.g. to set or read a cookie."""
    return ClientStep(label, fn)


Step = RequestStep | ContextStep | ClientStep

# --------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------

_REGISTRY: dict[str, dict[str, Scenario]] = {}


@dataclasses.dataclass
class Scenario:
    """An app definition plus the steps whose results must match between frameworks."""

    name: str
    build: Callable[[Framework], Any]
    steps: tuple[Step, ...]
    config: dict
    client_kwargs: dict = dataclasses.field(default_factory=dict)

    @property
    def comparisons(self) -> int:
        return sum(step.comparisons for step in self.steps)

    def run(self, fw: Framework) -> list[tuple[str, Any]]:
        """Build the app on ``fw`` and return every (label, result) in step order."""
        app = self.build(fw)
        if app is None:
            raise TypeError(f"scenario {self.name!r}: build(fw) must return the app")
        if self.config:
            app.config.update(self.config)
        client = app.test_client(**self.client_kwargs)
        # Each test client names itself in User-Agent ("Werkzeug/3.1.9", "Erlen/0.1.0");
        # send the same one from both so apps that echo it compare equal.
        if getattr(client, "environ_base", None) is not None:
            client.environ_base["HTTP_USER_AGENT"] = "differential-test-client"
        if fw.name == "erlen" and os.environ.get("ERLEN_DIFF_ASGI"):
            # Send erlen's requests through its ASGI interface instead of WSGI.
            from tests.asgi.shim import AsgiAsWsgi

            client.application = AsgiAsWsgi(app)
        results: list[tuple[str, Any]] = []
        for step in self.steps:
            results.extend(step.run(fw, app, client))
        return results

    def check(self, candidate: Framework, oracle: Framework | None = None) -> None:
        """Fail the running test with a readable diff unless every result matches."""
        import pytest

        oracle = oracle or load_framework(ORACLE)
        report = compare(self, oracle, candidate)
        if report is not None:
            pytest.fail(report, pytrace=False)

    def __repr__(self) -> str:
        return f"<Scenario {self.name}>"


def scenario(
    *steps: Step,
    name: str | None = None,
    config: dict | None = None,
    client_kwargs: dict | None = None,
    module: str | None = None,
) -> Callable[[Callable[[Framework], Any]], Callable[[Framework], Any]]:
    """Register ``build(fw) -> app`` with its steps in the calling module's scenario list.

    ``config`` is applied with ``app.config.update`` after building; ``client_kwargs`` go
    to ``app.test_client()``; ``name`` defaults to the build function's name and must be
    unique within the module.
    """
    if not steps:
        raise ValueError("a scenario needs at least one step")
    if module is None:
        module = sys._getframe(1).f_globals["__name__"]

    def register(build: Callable[[Framework], Any]) -> Callable[[Framework], Any]:
        scenario_name = name or build.__name__
        if build.__name__.startswith("test"):
            raise ValueError(f"{build.__name__}: pytest would collect a build function named test*")
        table = _REGISTRY.setdefault(module, {})
        if scenario_name in table:
            raise ValueError(f"duplicate scenario name {scenario_name!r} in {module}")
        table[scenario_name] = Scenario(
            scenario_name, build, tuple(steps), dict(config or {}), dict(client_kwargs or {})
        )
        return build

    return register


def scenarios_for(module_name: str) -> list[Scenario]:
    """The scenarios registered by one module, in definition order."""
    return list(_REGISTRY.get(module_name, {}).values())


def all_scenarios() -> dict[str, list[Scenario]]:
    return {module: list(table.values()) for module, table in _REGISTRY.items()}


# --------------------------------------------------------------------------------------
# Comparison and reporting
# --------------------------------------------------------------------------------------


def _asgi_visible(result: Any) -> Any:
    """A response snapshot without the status text: ASGI carries only the code."""
    if isinstance(result, dict) and "status_code" in result:
        return {key: value for key, value in result.items() if key != "status"}
    return result


def compare(sc: Scenario, oracle: Framework, candidate: Framework) -> str | None:
    """Run ``sc`` on both frameworks; return a report of the differences, or None."""
    expected = sc.run(oracle)
    actual = sc.run(candidate)
    if len(expected) != len(actual):  # pragma: no cover - both run the same steps
        raise AssertionError("internal: different number of results")
    known = {
        step.label: step.erlen_differs
        for step in sc.steps
        if isinstance(step, RequestStep) and step.erlen_differs and candidate.name == "erlen"
    }
    if candidate.name == "erlen" and os.environ.get("ERLEN_DIFF_ASGI"):
        expected = [(label, _asgi_visible(want)) for label, want in expected]
        actual = [(label, _asgi_visible(got)) for label, got in actual]
        known.update(
            (label, "not a valid HTTP status over ASGI")
            for label, want in expected
            if isinstance(want, dict) and not 100 <= want.get("status_code", 200) <= 599
        )
    rows = []
    failures = 0
    for (label, want), (_, got) in zip(expected, actual, strict=True):
        same = label in known or results_equal(want, got)
        failures += not same
        rows.append((label, want, got, same))
    if not failures:
        return None
    lines = [
        f"scenario {sc.name!r}: {failures} of {len(rows)} comparisons differ "
        f"(oracle={oracle.name}, candidate={candidate.name})",
        "",
    ]
    for label, want, got, same in rows:
        if same:
            lines.append(f"  ok    {label}")
            continue
        lines.append(f"  DIFF  {label}")
        diff = difflib.unified_diff(
            render(want), render(got), oracle.name, candidate.name, lineterm="", n=3
        )
        lines.extend("        " + line for line in diff)
        for result, who in ((want, oracle.name), (got, candidate.name)):
            if isinstance(result, Raised) and result.detail:
                lines.append(f"        {who} raised (message not compared):")
                lines.extend("          " + line for line in result.detail.splitlines())
    return "\n".join(lines)


def _import_test_modules() -> None:
    import pkgutil

    package = importlib.import_module(__name__.rsplit(".", 1)[0])
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("test_"):
            importlib.import_module(f"{package.__name__}.{info.name}")


def summary() -> str:
    """A table of scenarios and comparisons per test module (imports every module)."""
    _import_test_modules()
    rows = []
    total_scenarios = total_comparisons = 0
    for module, items in sorted(all_scenarios().items()):
        comparisons = sum(item.comparisons for item in items)
        total_scenarios += len(items)
        total_comparisons += comparisons
        rows.append(f"{module.rsplit('.', 1)[-1]:<28} {len(items):>5} {comparisons:>7}")
    rows.append(f"{'total':<28} {total_scenarios:>5} {total_comparisons:>7}")
    return "\n".join([f"{'module':<28} {'scen.':>5} {'compar.':>7}", *rows])


def dump(pattern: str, framework: str = ORACLE) -> str:
    """Every result of the scenarios whose name contains ``pattern``, on one framework:
    the quickest way to see what the oracle does when writing a scenario."""
    _import_test_modules()
    fw = load_framework(framework)
    lines = []
    for module, items in sorted(all_scenarios().items()):
        for item in items:
            if pattern not in item.name:
                continue
            lines.append(f"== {module.rsplit('.', 1)[-1]}::{item.name} on {framework}")
            for label, result in item.run(fw):
                lines.append(f"-- {label}")
                lines.extend("   " + line for line in render(result))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    # ``python -m tests.differential.harness`` prints the summary table;
    # ``... harness NAME [FRAMEWORK]`` prints the results of matching scenarios.
    # The registry lives in the imported module, not in this ``__main__`` copy.
    from tests.differential import harness as _harness

    if len(sys.argv) > 1:
        print(_harness.dump(*sys.argv[1:3]))
    else:
        print(_harness.summary())
