"""The url_signing benchmark runs and checks its URLs (timings are never asserted)."""

from __future__ import annotations

import pytest
from benchmarks import url_signing
from benchmarks.settings import routes_file


@pytest.mark.skipif(not routes_file().exists(), reason="the GitHub API route set is missing")
def test_url_signing_benchmark_runs(capsys):
    assert url_signing.main(["--samples", "1", "--target-ms", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["case", "variant", "median", "vs", "plain"]
    rows = [line for line in lines[2:] if line.strip()]
    assert len(rows) == len(url_signing.CASES)
    assert all(row.rstrip().endswith("x") for row in rows)
