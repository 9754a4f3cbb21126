"""HeaderSet and parse_set_header against their Werkzeug namesakes."""

from __future__ import annotations

from typing import Any

import pytest
import werkzeug.datastructures as wds
import werkzeug.http as whttp

from erlen.http.header_set import HeaderSet, parse_set_header

from .response_standin import plain

# -- HeaderSet on its own ----------------------------------------------------------


@pytest.mark.parametrize(
    "value", (None, "", "a", "a, B, c", "A, a", '"x, y", z', ", ,", "x" * 10_000)
)
def test_parse_set_header_matches_werkzeug(value: str | None) -> None:
    erlen_set = parse_set_header(value)
    werkzeug_set = whttp.parse_set_header(value)
    assert plain(erlen_set) == plain(werkzeug_set)
    assert erlen_set.as_set() == werkzeug_set.as_set()
    assert erlen_set.as_set(preserve_casing=True) == werkzeug_set.as_set(preserve_casing=True)
    assert repr(erlen_set) == repr(werkzeug_set)
    assert str(erlen_set) == str(werkzeug_set)


def test_header_set_operations_match_werkzeug() -> None:
    def run(cls: type) -> list[Any]:
        calls: list[str] = []
        items = cls(["Accept", "Cookie"], on_update=lambda s: calls.append(s.to_header()))
        results: list[Any] = ["ACCEPT" in items, "nope" in items, len(items), items[1]]
        items.update(["cookie", "X-A"])
        items.add("Y")
        items |= ["Z"]
        results.append(sorted(items | {"w"}))
        results.append(sorted(items & {"accept", "Y"}))
        results.append(sorted(items - {"Y"}))
        results.append(items.isdisjoint(["q"]))
        items[0] = "Origin"
        del items[1]
        try:
            items.index("missing")
        except IndexError:
            results.append("IndexError")
        try:
            items.remove("missing")
        except KeyError:
            results.append("KeyError")
        items.remove("x-a")
        results.append(list(items))
        results.append(calls)
        return results

    assert run(HeaderSet) == run(wds.HeaderSet)


def test_header_set_remove_ignores_case() -> None:
    """Werkzeug only drops the item from the header if the name is given in lower case."""
    items = HeaderSet(["Accept", "Cookie"])
    items.remove("Accept")
    assert list(items) == ["Cookie"]
    assert "accept" not in items
    items.discard("COOKIE")
    assert not items
    assert items.to_header() == ""


def test_header_set_keeps_duplicates_consistent() -> None:
    items = HeaderSet(["a", "A", "b"])
    assert len(items) == 2
    del items[0]
    assert "a" in items
    del items[0]
    assert "a" not in items
    items[0] = "c"
    assert list(items) == ["c"]
    assert items.as_set() == {"c"}
