"""Fixtures for the URL-building features: the fixture applications under ``apps/``
are imported by name (their folder put on ``sys.path``) and forgotten afterwards."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

APPS = Path(__file__).parent / "apps"


@pytest.fixture
def load_app():
    """``load_app("verify_clean")`` -> that fixture package's ``app``."""
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    sys.path.insert(0, str(APPS))

    def load(name: str):
        return importlib.import_module(name).app

    yield load
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        if str(getattr(sys.modules[name], "__file__", "") or "").startswith(str(APPS)):
            del sys.modules[name]


def expected_markers(package: str) -> set[tuple[str, str, int]]:
    """``(code, file, line)`` for each ``expect: <code>`` marker in a fixture package
    (a ``# expect:`` comment in Python, ``{# expect: ... #}`` in a template)."""
    expected = set()
    for path in sorted((APPS / package).rglob("*")):
        if path.suffix not in (".py", ".html"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            marker = line.partition("expect: ")[2]
            if marker:
                code = marker.split()[0]
                expected.add((code, str(path), number))
    return expected
