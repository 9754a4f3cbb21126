"""Isolation for CLI tests: commands change the process (environment variables set by
``--debug`` and dotenv files, ``sys.path`` entries and imported app modules), so each
test gets them back as they were, and runs in an empty current directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

APPS = Path(__file__).parent / "apps"

# Variables the code under test reads or sets; none may leak in from the outside.
_CLI_VARIABLES = (
    "ERLEN_APP",
    "FLASK_APP",
    "ERLEN_DEBUG",
    "FLASK_DEBUG",
    "ERLEN_ENV_FILE",
    "FLASK_ENV_FILE",
    "ERLEN_SKIP_DOTENV",
    "FLASK_SKIP_DOTENV",
    "ERLEN_RUN_FROM_CLI",
    "ERLEN_RELOAD_SPEC",
    "ERLEN_RELOADER_PID",
    "PYTHONSTARTUP",
)


@pytest.fixture(autouse=True)
def isolated_process(monkeypatch, tmp_path):
    for name in _CLI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("ERLEN_RUN_", "FLASK_RUN_", "ERLEN_ROUTES_", "CLITEST_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved_environ)
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        filename = str(getattr(sys.modules[name], "__file__", None) or "")
        if filename.startswith((str(APPS), str(tmp_path))):
            del sys.modules[name]


@pytest.fixture
def apps() -> Path:
    """The directory of the fixture applications."""
    return APPS
