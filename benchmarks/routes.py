"""The GitHub REST API route set that HTTP router benchmarks share (203 routes).

The file is tab-separated ``METHOD<TAB>PATH`` lines, ``#`` starting a comment, and
``:name`` marking a path parameter. Each route gets an endpoint name, concrete parameter
values and the concrete path those values produce, so every framework is asked the same
203 questions and must give the same answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PARAMETER = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
"""A ``:name`` path parameter in the route file's syntax."""


@dataclass(frozen=True)
class ApiRoute:
    """One route of the set, with the request that must match it."""

    index: int
    method: str
    pattern: str

    @property
    def endpoint(self) -> str:
        """A unique endpoint (route) name, valid in every framework."""
        return f"route_{self.index:03d}"

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameter names, in path order."""
        return tuple(PARAMETER.findall(self.pattern))

    @property
    def values(self) -> dict[str, str]:
        """Concrete values for the parameters; they never collide with a static segment."""
        return {name: f"{name}-1" for name in self.parameters}

    @property
    def path(self) -> str:
        """The concrete request path: the pattern with every parameter filled in."""
        values = self.values
        return PARAMETER.sub(lambda found: values[found.group(1)], self.pattern)

    def template(self, opening: str, closing: str) -> str:
        """The pattern in a framework's syntax, e.g. ``template("<", ">")`` for Werkzeug."""
        return to_template(self.pattern, opening, closing)


def to_template(pattern: str, opening: str, closing: str) -> str:
    """Rewrite ``:name`` parameters as ``<opening>name<closing>`` (``{name}``, ``<name>``)."""
    return PARAMETER.sub(lambda found: f"{opening}{found.group(1)}{closing}", pattern)


def load_routes(path: Path) -> list[ApiRoute]:
    """Read the route set from ``path``; raise ``ValueError`` on a malformed line."""
    routes: list[ApiRoute] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            fields = text.split("\t")
            if len(fields) != 2 or not fields[1].startswith("/"):
                raise ValueError(f"{path}:{number}: expected 'METHOD<TAB>/path', got {text!r}")
            routes.append(ApiRoute(len(routes), fields[0].upper(), fields[1]))
    if not routes:
        raise ValueError(f"{path}: no routes")
    return routes
