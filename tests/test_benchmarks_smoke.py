"""Smoke tests of the benchmark harness: ``python -m benchmarks --quick`` runs and is correct.

These tests look at correctness only: every framework's checks pass and ``results.json``
has the documented shape. They never look at how fast anything was (timed assertions in
tests are banned; speed is what the benchmark report is for).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# The harness needs the bench extra (pip install -e ".[bench]"); without it there is nothing to smoke.
for _module in ("falcon", "starlette", "quart", "bottle", "gunicorn", "uvicorn", "matplotlib"):
    pytest.importorskip(_module, reason='needs the bench extra: pip install -e ".[bench]"')

REPO_ROOT = Path(__file__).resolve().parent.parent
PEERS = ("flask", "falcon", "bottle", "starlette", "quart")
WORKLOADS = ("routing", "templates", "wsgi", "asgi", "e2e", "memory")
PRIMARY_METRICS = {
    "routing": "time",
    "templates": "time",
    "wsgi": "time",
    "asgi": "time",
    "e2e": "requests_per_second",
    "memory": "after_mib",
}


def run_harness(output: Path, *arguments: str) -> dict[str, Any]:
    """Run ``python -m benchmarks --quick`` into ``output``; return the parsed results.json."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output), *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    return json.loads((output / "results.json").read_text(encoding="utf-8"))


def cells_of(document: dict[str, Any], framework: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every cell ``framework`` has in ``document``, keyed by (workload, case)."""
    return {
        (workload, case): cells[framework]
        for workload, data in document["workloads"].items()
        for case, cells in data["cases"].items()
        if framework in cells
    }


MISSING_PIECE_PREFIXES = (
    "app failed to import",
    "app failed to build",
    "router failed to build",
    "no WSGI app",
    "no ASGI app",
)
"""How the harness words "this framework lacks the piece the case needs" (vs a wrong answer)."""


def is_missing_piece(reason: str) -> bool:
    """Whether an unavailable reason says a piece is missing rather than a wrong answer."""
    return reason.startswith(MISSING_PIECE_PREFIXES)


def erlen_is_written() -> bool:
    """Whether ``erlen.Erlen`` exists yet (the app class the benchmark apps need)."""
    try:
        import erlen
    except ImportError:
        return False
    return hasattr(erlen, "Erlen")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """One quick run of every workload on every framework, shared by the tests below."""
    output = tmp_path_factory.mktemp("bench-quick")
    return run_harness(output), output


def test_results_json_has_the_documented_shape(quick_run: tuple[dict[str, Any], Path]) -> None:
    document, _ = quick_run
    assert document["schema_version"] == 1
    assert document["mode"] == "quick"
    assert document["errors"] == {}
    assert set(document["workloads"]) == set(WORKLOADS)
    assert document["machine"]["nproc"] >= 1
    assert document["machine"]["packages"]["flask"]
    assert set(document["frameworks"]) == {"erlen", "erlen_async", *PEERS}
    for name, workload in document["workloads"].items():
        assert workload["primary_metric"] == PRIMARY_METRICS[name]
        assert workload["frameworks"][0] == "erlen"
        # ASGI ratios are against erlen's async views (like-for-like with Starlette).
        assert workload["reference"] == ("erlen_async" if name == "asgi" else "erlen")
        assert workload["cases"], name
        for case, cells in workload["cases"].items():
            assert set(cells) <= set(workload["frameworks"]), (name, case)
            for framework, cell in cells.items():
                assert cell["status"] in ("ok", "unavailable"), (name, case, framework)
                if cell["status"] == "unavailable":
                    assert cell["reason"], (name, case, framework)
                    continue
                metric = cell["metrics"][workload["primary_metric"]]
                assert set(metric) == {"median", "q1", "q3", "min", "max", "n"}
                assert metric["min"] <= metric["q1"] <= metric["median"] <= metric["q3"]
                assert metric["q3"] <= metric["max"]


def test_every_peer_passes_every_correctness_check(quick_run: tuple[dict[str, Any], Path]) -> None:
    document, _ = quick_run
    expected_cells = {
        "flask": 2 + 2 + 7 + 1 + 1,  # match, build, templates, WSGI cases, e2e, memory
        "falcon": 1 + 14 + 2 + 2,  # match, WSGI + ASGI cases, e2e x2, memory x2
        "bottle": 2 + 7 + 1 + 1,
        "starlette": 2 + 7 + 1 + 1,
        "quart": 2 + 7 + 1 + 1,
    }
    for framework in PEERS:
        cells = cells_of(document, framework)
        failures = {key: cell["reason"] for key, cell in cells.items() if cell["status"] != "ok"}
        assert failures == {}, framework
        assert len(cells) == expected_cells[framework], framework


def test_erlen_never_answers_wrongly(quick_run: tuple[dict[str, Any], Path]) -> None:
    """Each erlen cell is measured, or unavailable only because a piece is not written yet."""
    document, _ = quick_run
    cells = cells_of(document, "erlen")
    assert len(cells) == 2 + 2 + 7 + 7 + 2 + 2
    reasons = {key: cell["reason"] for key, cell in cells.items() if cell["status"] != "ok"}
    if not erlen_is_written():
        assert len(reasons) == len(cells)
        assert all("Erlen" in reason for reason in reasons.values())
        return
    wrong = {key: reason for key, reason in reasons.items() if not is_missing_piece(reason)}
    assert wrong == {}


def test_erlen_async_views_pass_every_asgi_check(quick_run: tuple[dict[str, Any], Path]) -> None:
    """The async-views app runs under ASGI only: in-process cases, e2e and memory."""
    document, _ = quick_run
    cells = cells_of(document, "erlen_async")
    assert len(cells) == 7 + 1 + 1
    assert {key: cell["reason"] for key, cell in cells.items() if cell["status"] != "ok"} == {}


def test_erlen_passes_every_check(quick_run: tuple[dict[str, Any], Path]) -> None:
    """Strict once erlen is complete; until then the skip reason lists what is missing."""
    document, _ = quick_run
    reasons = {
        key: cell["reason"]
        for key, cell in cells_of(document, "erlen").items()
        if cell["status"] != "ok"
    }
    if reasons and all(is_missing_piece(reason) for reason in reasons.values()):
        pytest.skip(f"erlen pieces not written yet: {sorted(set(reasons.values()))}")
    assert reasons == {}


def test_report_and_charts_are_written(quick_run: tuple[dict[str, Any], Path]) -> None:
    document, output = quick_run
    page = (output / "benchmarks.md").read_text(encoding="utf-8")
    assert "## Method" in page and "Quick mode" in page
    for workload in document["workloads"].values():
        assert workload["title"] in page
    for name in WORKLOADS:
        chart = output / "img" / f"bench-{name}.png"
        assert chart.read_bytes().startswith(b"\x89PNG"), name
        assert document["charts"][name] == f"img/bench-{name}.png"


WRK_OUTPUT = """Running 4s test @ http://127.0.0.1:40000/hello
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.02ms  20.11ms   90.00%
    Req/Sec     3.80k   200.00     4.10k    70.00%
  Latency Distribution
     50%  850.00us
     75%    2.50ms
     90%    3.00ms
     99%    1.20s
  15200 requests in 4.00s, 2.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   3800.00
Transfer/sec:    537.60KB
"""


def test_wrk_output_is_parsed_with_units_and_errors() -> None:
    from benchmarks.loadgen import parse_wrk

    result = parse_wrk(WRK_OUTPUT)
    assert result.requests == 15200
    assert result.seconds == 4.0
    assert result.requests_per_second == 3800.0
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.errors == 2 + 1 + 4


def _one_case_workload(
    cells: dict[str, Any], lower_is_better: bool = True, paired: bool = False
) -> Any:
    """A one-case workload of *cells* (framework -> Cell) on metric "m", ratios computed."""
    from benchmarks.model import WorkloadResult

    result = WorkloadResult(
        name="w",
        title="w",
        description="",
        unit="s",
        primary="m",
        lower_is_better=lower_is_better,
        frameworks=list(cells),
        cases={"case": cells},
        paired=paired,
    )
    result.compute_ratios()
    assert result.to_json()["paired"] is paired
    return result.cases["case"]


def test_ratios_always_read_as_how_many_times_better_erlen_does() -> None:
    from benchmarks.model import Cell

    def workload(lower_is_better: bool, erlen: float, flask: float) -> dict[str, Any]:
        cells = {
            "erlen": Cell.measured({"m": [erlen]}),
            "flask": Cell.measured({"m": [flask, flask * 2, flask / 2]}),
            "falcon": Cell.unavailable("no"),
        }
        return _one_case_workload(cells, lower_is_better)

    timed = workload(lower_is_better=True, erlen=2.0, flask=6.0)
    assert timed["erlen"].ratio_vs_reference == 1.0
    assert timed["flask"].ratio_vs_reference == 3.0
    assert timed["falcon"].ratio_vs_reference is None
    throughput = workload(lower_is_better=False, erlen=300.0, flask=100.0)
    assert throughput["flask"].ratio_vs_reference == 3.0


def test_paired_ratios_take_the_median_of_the_per_round_ratios() -> None:
    from benchmarks.model import Cell

    # Round 2 is slow for erlen only and rounds 1 and 3 are slow for both: per round flask
    # takes 3, 3, 1.5, 3, 3 times erlen's time; the two medians (2 and 3) would say 1.5.
    def workload(paired: bool) -> dict[str, Any]:
        cells = {
            "erlen": Cell.measured({"m": [1.0, 2.0, 2.0, 2.0, 1.0]}),
            "flask": Cell.measured({"m": [3.0, 6.0, 3.0, 6.0, 3.0]}),
        }
        return _one_case_workload(cells, paired=paired)

    assert workload(paired=True)["flask"].ratio_vs_reference == 3.0
    assert workload(paired=True)["erlen"].ratio_vs_reference == 1.0
    assert workload(paired=False)["flask"].ratio_vs_reference == 1.5


def test_each_round_times_the_frameworks_of_one_case_back_to_back() -> None:
    from benchmarks.timing import Subject, TimingPlan, measure

    calls: list[tuple[str, str]] = []

    def subject(case: str, framework: str) -> Subject:
        return Subject(case, framework, lambda n: calls.append((case, framework)))

    # Listed framework by framework, as the workloads collect them.
    subjects = [
        subject(case, framework)
        for framework in ("erlen", "flask", "falcon")
        for case in ("hello", "json")
    ]
    measure(subjects, TimingPlan(samples=8, target_seconds=0.0))
    assert all(len(s.per_op_seconds) == 8 for s in subjects)
    rounds = calls[len(subjects) :]  # after one calibration call each
    assert len(rounds) == 8 * len(subjects)
    first = rounds[: len(subjects)]
    assert [case for case, _ in first] == ["hello"] * 3 + ["json"] * 3
    assert sorted(first) == sorted((s.case, s.framework) for s in subjects)
    for index in range(8):
        visited = rounds[index * len(subjects) : (index + 1) * len(subjects)]
        start = index % len(subjects)
        assert visited == first[start:] + first[:start]


def test_wrong_answers_are_caught_by_the_checks() -> None:
    from benchmarks.cases import CASES_BY_NAME, check_response

    hello, data, moved = CASES_BY_NAME["hello"], CASES_BY_NAME["json"], CASES_BY_NAME["redirect"]
    assert check_response(hello, 200, {}, b"Hello, World!") is None
    assert "status 500" in str(check_response(hello, 500, {}, b"Hello, World!"))
    assert "body" in str(check_response(hello, 200, {}, b"Hello"))
    json_headers = {"content-type": "application/json"}
    assert check_response(data, 200, json_headers, b'{"message": "Hello, World!"}') is None
    assert check_response(data, 200, {"content-type": "text/html"}, b"{}") is not None
    assert check_response(data, 200, json_headers, b'{"message": "Hi"}') is not None
    assert check_response(moved, 302, {"location": "http://localhost/hello"}, b"") is None
    assert check_response(moved, 302, {"location": "/elsewhere"}, b"") is not None
    assert check_response(moved, 302, {}, b"") is not None


def test_route_set_loads_with_concrete_paths_and_unique_endpoints() -> None:
    from benchmarks.routes import load_routes
    from benchmarks.settings import routes_file

    routes = load_routes(routes_file())
    assert len(routes) == 203
    assert len({route.endpoint for route in routes}) == 203
    assert len({(route.method, route.path) for route in routes}) == 203
    assert all(":" not in route.path for route in routes)
    events = next(route for route in routes if route.pattern == "/repos/:owner/:repo/events")
    assert events.template("<", ">") == "/repos/<owner>/<repo>/events"
    assert events.path == "/repos/owner-1/repo-1/events"
    assert events.values == {"owner": "owner-1", "repo": "repo-1"}


def test_readme_section_is_replaced_between_its_markers(
    quick_run: tuple[dict[str, Any], Path],
) -> None:
    from benchmarks.report import (
        README_END,
        README_START,
        render_readme_section,
        replace_readme_section,
    )

    document, _ = quick_run
    section = render_readme_section(document, "docs/")
    assert section.startswith(README_START) and section.endswith(README_END)
    for workload in document["workloads"].values():
        assert workload["title"] in section
    assert "](docs/img/bench-wsgi.png)" in section
    readme = f"# erlen\n\nintro\n\n{README_START}\nold table\n{README_END}\n\n## After\n"
    updated = replace_readme_section(readme, section)
    assert "old table" not in updated
    assert updated.startswith("# erlen\n\nintro\n\n") and updated.endswith("\n\n## After\n")
    assert replace_readme_section(updated, section) == updated  # idempotent
    with pytest.raises(ValueError, match="markers"):
        replace_readme_section("# erlen without markers\n", section)
