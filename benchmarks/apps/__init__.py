"""The equivalent apps, one module per framework, and the registry that finds them.

Each ``benchmarks/apps/<framework>_app.py`` implements the endpoints of
:mod:`benchmarks.cases` the way that framework's documentation would, and exposes
``wsgi_app`` and/or ``asgi_app``. The ``_app`` suffix keeps a module from ever shadowing
the framework it imports. Modules are imported only on demand, so a framework that fails to
import (erlen while it is being written) makes only its own cells unavailable.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from benchmarks.model import Unavailable, describe_error


@dataclass(frozen=True)
class Framework:
    """A framework under test: its names and which server interfaces its app offers."""

    key: str
    display_name: str
    distribution: str
    interfaces: tuple[str, ...]

    @property
    def module(self) -> str:
        """The dotted name of the module defining this framework's app."""
        return f"benchmarks.apps.{self.key}_app"

    def target(self, interface: str) -> str:
        """The ``module:attribute`` a server is pointed at to serve ``interface``."""
        return f"{self.module}:{interface}_app"

    def version(self) -> str | None:
        """The installed version of the framework, or ``None`` if it is not installed."""
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return None


FRAMEWORKS: dict[str, Framework] = {
    framework.key: framework
    for framework in (
        Framework("erlen", "erlen", "erlen", ("wsgi", "asgi")),
        Framework("erlen_async", "erlen (async views)", "erlen", ("asgi",)),
        Framework("flask", "Flask", "flask", ("wsgi",)),
        Framework("falcon", "Falcon", "falcon", ("wsgi", "asgi")),
        Framework("bottle", "Bottle", "bottle", ("wsgi",)),
        Framework("starlette", "Starlette", "starlette", ("asgi",)),
        Framework("quart", "Quart", "quart", ("asgi",)),
    )
}
"""Every framework, erlen first (the column every ratio is taken against)."""


def display_name(key: str) -> str:
    """The human name of a framework key (``"flask"`` -> ``"Flask"``)."""
    framework = FRAMEWORKS.get(key)
    return framework.display_name if framework else key


def with_interface(interface: str, selection: tuple[str, ...]) -> list[Framework]:
    """The selected frameworks that offer ``interface`` (``"wsgi"`` or ``"asgi"``), in order."""
    return [
        framework
        for key, framework in FRAMEWORKS.items()
        if key in selection and interface in framework.interfaces
    ]


def load_app(framework: Framework, interface: str) -> Any:
    """Import ``framework``'s app module and return its app for ``interface``.

    Raises :class:`Unavailable` with the reason when the module fails to import or offers
    no app for that interface.
    """
    try:
        module = importlib.import_module(framework.module)
    except Exception as error:
        raise Unavailable(f"app failed to import: {describe_error(error)}") from error
    try:
        app = getattr(module, f"{interface}_app", None)
    except Exception as error:  # a lazily resolved app (erlen's app.asgi) may fail itself
        raise Unavailable(f"no {interface.upper()} app: {describe_error(error)}") from error
    if app is None:
        raise Unavailable(f"no {interface.upper()} app ({framework.module}.{interface}_app)")
    return app
