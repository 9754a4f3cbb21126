"""The url_signing benchmark runs and checks its URLs (timings are never asserted)."""

from __future__ import annotations

import pytest
from benchmarks import url_signing
from benchmarks.settings import BUNDLED_ROUTES_FILE, DEFAULT_ROUTES_FILE, REPO_ROOT, routes_file


def test_url_signing_benchmark_runs(capsys):
    assert url_signing.main(["--samples", "1", "--target-ms", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["case", "variant", "median", "vs", "plain"]
    rows = [line for line in lines[2:] if line.strip()]
    assert len(rows) == len(url_signing.CASES)
    assert all(row.rstrip().endswith("x") for row in rows)


def test_the_route_set_is_always_available():
    """A clone outside the workspace falls back to the bundled copy of the route set."""
    assert routes_file().is_file()
    assert (REPO_ROOT / BUNDLED_ROUTES_FILE).is_file()


@pytest.mark.skipif(
    not (REPO_ROOT / DEFAULT_ROUTES_FILE).exists(), reason="no shared route set next to this clone"
)
def test_the_bundled_route_set_is_the_shared_one():
    shared = (REPO_ROOT / DEFAULT_ROUTES_FILE).read_bytes()
    assert (REPO_ROOT / BUNDLED_ROUTES_FILE).read_bytes() == shared
