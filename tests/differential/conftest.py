"""Parametrizes differential tests: every scenario of a module, against each candidate.

Candidates are chosen with the ``ERLEN_DIFF`` environment variable: ``self`` (Flask vs
Flask, the harness self-check), ``erlen`` (Flask vs erlen), or ``both`` (the default).
erlen is imported only when a test needs it, so a missing or half-written erlen fails
those tests one by one instead of breaking collection.
"""

from __future__ import annotations

import os

import pytest

from .harness import ORACLE, Framework, load_framework, scenarios_for

_CANDIDATES = {"self": ORACLE, "erlen": "erlen"}


def _selected() -> list[str]:
    choice = os.environ.get("ERLEN_DIFF", "both").strip().lower()
    if choice == "both":
        return ["self", "erlen"]
    if choice not in _CANDIDATES:
        raise pytest.UsageError(f"ERLEN_DIFF must be self, erlen or both, not {choice!r}")
    return [choice]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "candidate" in metafunc.fixturenames:
        metafunc.parametrize("candidate_name", _selected())
    if "scenario" in metafunc.fixturenames:
        scenarios = scenarios_for(metafunc.module.__name__)
        metafunc.parametrize("scenario", scenarios, ids=[sc.name for sc in scenarios])


@pytest.fixture
def candidate(candidate_name: str) -> Framework:
    """The ``fw`` namespace under test: Flask itself for ``self``, else erlen."""
    try:
        return load_framework(_CANDIDATES[candidate_name])
    except ImportError as exc:
        pytest.fail(f"cannot import {_CANDIDATES[candidate_name]}: {exc}", pytrace=False)
