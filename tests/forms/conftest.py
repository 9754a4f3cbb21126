"""Shared setup of the forms tests."""

from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).parent

# The tutorial writes SelectField choices as tuples, which WTForms 3.3 deprecates;
# the deprecation is WTForms' own and the same on both stacks.
_TUPLE_CHOICES = pytest.mark.filterwarnings(
    "ignore:Passing SelectField choices as tuples:DeprecationWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.fspath).parents:
            item.add_marker(_TUPLE_CHOICES)
