"""The ``fw`` namespace: the names a scenario may use, from Flask or from erlen."""

from __future__ import annotations

import importlib
import types
from typing import Any

ORACLE = "flask"

# Submodules scenarios reach through ``fw.<name>``, per framework.
_MODULES: dict[str, dict[str, str]] = {
    "flask": {
        "views": "flask.views",
        "exceptions": "werkzeug.exceptions",
        "routing": "werkzeug.routing",
        "datastructures": "werkzeug.datastructures",
        "utils": "werkzeug.utils",
        "testing": "flask.testing",
        "json": "flask.json",
        "wrappers": "flask.wrappers",
        "globals": "flask.globals",
        "sessions": "flask.sessions",
    },
    "erlen": {
        "views": "erlen.views",
        "exceptions": "erlen.exceptions",
        "routing": "erlen.routing",
        "datastructures": "erlen.datastructures",
        "utils": "erlen.utils",
        "testing": "erlen.testing",
        "json": "erlen.json",
        "wrappers": "erlen.wrappers",
        "globals": "erlen.globals",
        "sessions": "erlen.sessions",
    },
}

# Names that do not live at the package top level, per framework: (module, attribute).
_ALIASES: dict[str, dict[str, tuple[str, str]]] = {
    "flask": {
        "App": ("flask", "Flask"),
        "View": ("flask.views", "View"),
        "MethodView": ("flask.views", "MethodView"),
        "HTTPException": ("werkzeug.exceptions", "HTTPException"),
        "BuildError": ("werkzeug.routing", "BuildError"),
        "BaseConverter": ("werkzeug.routing", "BaseConverter"),
        "FlaskClient": ("flask.testing", "FlaskClient"),
    },
    "erlen": {
        "App": ("erlen", "Erlen"),
        "View": ("erlen.views", "View"),
        "MethodView": ("erlen.views", "MethodView"),
        "HTTPException": ("erlen.exceptions", "HTTPException"),
        "BuildError": ("erlen.routing", "BuildError"),
        "BaseConverter": ("erlen.routing", "BaseConverter"),
        "FlaskClient": ("erlen.testing", "FlaskClient"),
    },
}


class Framework:
    """The names a scenario may use, resolved lazily from one framework.

    Lazy resolution means a candidate that lacks one name fails only the scenarios that
    use it, with an error naming what is missing, instead of failing every scenario.
    """

    def __init__(self, name: str) -> None:
        if name not in _MODULES:
            raise ValueError(f"unknown framework {name!r}; expected one of {sorted(_MODULES)}")
        self.name = name
        self.package = importlib.import_module(name)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        modules = _MODULES[self.name]
        aliases = _ALIASES[self.name]
        if attr in modules:
            value = _import(modules[attr], self.name, attr)
        elif attr in aliases:
            module_name, name = aliases[attr]
            value = _lookup(_import(module_name, self.name, attr), name, self.name, attr)
        else:
            value = _lookup(self.package, attr, self.name, attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<fw {self.name}>"


def _import(module_name: str, framework: str, attr: str) -> types.ModuleType:
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise AttributeError(
            f"{framework} does not provide fw.{attr}: cannot import {module_name} ({exc})"
        ) from exc


def _lookup(module: types.ModuleType, name: str, framework: str, attr: str) -> Any:
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(
            f"{framework} does not provide fw.{attr} ({module.__name__}.{name} is missing)"
        ) from None


_FRAMEWORKS: dict[str, Framework] = {}


def load_framework(name: str) -> Framework:
    """Return the (cached) ``fw`` namespace for ``name``; raises ImportError if absent."""
    if name not in _FRAMEWORKS:
        _FRAMEWORKS[name] = Framework(name)
    return _FRAMEWORKS[name]
