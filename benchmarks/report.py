"""The markdown report: one table per workload, the method written next to the tables.

Everything is rendered from the ``results.json`` document alone (see
:func:`benchmarks.cli.build_document`), so the report can be regenerated from a saved run
with ``python -m benchmarks --from-json PATH``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

REFERENCE = "erlen"
MISSING = "—"
REASON_LIMIT = 140


def significant(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, without scientific notation."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{value:,.{decimals}f}"


def format_seconds(seconds: float) -> str:
    """A duration in the most readable unit: ns, µs, ms or s."""
    for scale, unit in ((1e-6, "ns"), (1e-3, "µs"), (1.0, "ms")):
        if seconds < scale:
            return f"{significant(seconds / scale * 1e3)} {unit}"
    return f"{significant(seconds)} s"


def spread_percent(metric: Mapping[str, float]) -> str:
    """Half the interquartile range, relative to the median, e.g. ``±1.2%``."""
    median = metric["median"]
    if median == 0:
        return ""
    return f"±{(metric['q3'] - metric['q1']) / 2 / median * 100:.1f}%"


def format_ratio(ratio: float | None) -> str:
    """``×N`` for a ratio against erlen, or nothing."""
    return "" if ratio is None else f" · ×{ratio:.2f}"


def _escape(text: str) -> str:
    """Make ``text`` safe inside a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def format_cell(workload: Mapping[str, Any], framework: str, cell: Mapping[str, Any] | None) -> str:
    """One table cell: the measurement with its spread and ratio, or why there is none."""
    if cell is None:
        return MISSING
    if cell["status"] != "ok":
        reason = str(cell.get("reason") or "unknown")
        if len(reason) > REASON_LIMIT:
            reason = reason[: REASON_LIMIT - 1] + "…"
        return _escape(f"unavailable: {reason}")
    metrics = cell["metrics"]
    reference = workload.get("reference", REFERENCE)
    ratio = None if framework == reference else cell.get("ratio_vs_erlen")
    unit = workload["unit"]
    if unit == "s":
        time = metrics["time"]
        return (
            f"{format_seconds(time['median'])} {spread_percent(time)}{format_ratio(ratio)}"
            f"<br>min {format_seconds(time['min'])}"
        )
    if unit == "requests/s":
        rate = metrics["requests_per_second"]
        return (
            f"{rate['median']:,.0f} req/s {spread_percent(rate)}{format_ratio(ratio)}<br>"
            f"p50 {significant(metrics['p50_ms']['median'])} ms · "
            f"p99 {significant(metrics['p99_ms']['median'])} ms"
        )
    if unit == "MiB":
        return (
            f"{metrics['startup_mib']['median']:.1f} → {metrics['after_mib']['median']:.1f} MiB"
            f"{format_ratio(ratio)}"
        )
    primary = metrics[workload["primary_metric"]]
    return f"{significant(primary['median'])} {unit}{format_ratio(ratio)}"


def render_table(document: Mapping[str, Any], name: str) -> str:
    """The markdown table of workload ``name``: cases down, frameworks across."""
    workload = document["workloads"][name]
    names = {key: info["name"] for key, info in document["frameworks"].items()}
    columns = workload["frameworks"]
    lines = [
        "| case | " + " | ".join(names.get(key, key) for key in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for case, cells in workload["cases"].items():
        row = [format_cell(workload, key, cells.get(key)) for key in columns]
        lines.append(f"| {case} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def _reference_measured(workload: Mapping[str, Any]) -> bool:
    """Whether the reference (erlen) has at least one measured cell in ``workload``."""
    reference = workload.get("reference", REFERENCE)
    return any(
        cells.get(reference, {}).get("status") == "ok" for cells in workload["cases"].values()
    )


def render_results(document: Mapping[str, Any]) -> str:
    """The results part of the report: every workload's title, description and table."""
    parts: list[str] = []
    for name, workload in document["workloads"].items():
        parts.append(f"### {workload['title']}\n")
        parts.append(workload["description"] + "\n")
        parts.append(render_table(document, name) + "\n")
        if not _reference_measured(workload):
            parts.append(
                "_Ratios against erlen appear once erlen passes this workload's checks._\n"
            )
        for note in workload.get("notes", []):
            parts.append(f"_{note}_\n")
        if name in document.get("charts", {}):
            parts.append(f"![{workload['title']}]({document['charts'][name]})\n")
    for name, error in document.get("errors", {}).items():
        parts.append(f"### {name}: the workload itself failed\n\n`{_escape(error)}`\n")
    return "\n".join(parts)


def _packages_table(packages: Mapping[str, str | None]) -> str:
    lines = ["| package | version |", "|---|---|"]
    for name, version in packages.items():
        lines.append(f"| {name} | {version or 'not installed'} |")
    return "\n".join(lines)


def _case_list(document: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for workload in document["workloads"].values():
        descriptions = workload.get("case_descriptions", {})
        if not descriptions:
            continue
        lines.append(f"- **{workload['title']}**")
        lines.extend(f"  - `{case}`: {text}" for case, text in descriptions.items())
    return "\n".join(lines)


def _erlen_build(machine: dict[str, Any]) -> str:
    """How erlen ran: with its C extension, in pure Python, or not recorded (old runs)."""
    built = machine.get("erlen_c_extension")
    if built is None:
        return "(C extension not recorded)"
    return "with its C extension" if built else "in pure Python (no C extension)"


def render_method(document: Mapping[str, Any]) -> str:
    """The method part: machine, software, settings, timing rules and what each case does."""
    machine = document["machine"]
    settings = document["settings"]
    method = document["method"]
    memory = f"{machine['memory_mib']:,} MiB RAM" if machine.get("memory_mib") else ""
    return "\n".join(
        [
            "## Method",
            "",
            "### Machine and software",
            "",
            f"- CPU: {machine['cpu_model']}, {machine['nproc']} cores available (`nproc`); {memory}",
            f"- OS: {machine['os']}, kernel {machine['kernel']}",
            f"- Python: {machine['python']}",
            f"- erlen: {_erlen_build(machine)}",
            f"- Load average when the run started: {machine['load_average_at_start']}",
            f"- Run: {document['mode']} mode, {machine['date']}, took "
            f"{document['duration_seconds']:.0f} s",
            "",
            _packages_table(machine["packages"]),
            "",
            "### In-process timing (routing, templates, WSGI, ASGI)",
            "",
            f"- {method['timing']}",
            f"- Samples per framework and case: {settings['samples']}; each sample lasts about "
            f"{settings['target_seconds'] * 1e3:g} ms (iterations per sample calibrated "
            "timeit-style: 1, 2, 5, 10, 20, 50, ... until one run lasts that long; the "
            "calibration runs are the warm-up).",
            f"- {method['gc']}",
            "- Reported: the median per operation; ±x% is half the interquartile range relative "
            "to the median; min is the fastest sample, the best estimate of the intrinsic cost "
            "when other processes share the machine. Every sample, the quartiles and the "
            "maximum are in `results.json`.",
            "- ×N compares with erlen on the same row: erlen does N times better than that "
            "framework (less time, more requests per second, less memory); below 1, erlen is "
            "behind. In the in-process tables ×N is the median over the rounds of that "
            "framework's sample divided by erlen's sample of the same round (taken a "
            "fraction of a second apart), which cancels the machine's slow phases of a "
            "second or more that can otherwise fall on one framework's samples more than "
            "another's; it can therefore differ a little from the ratio of the two medians "
            "shown. In the end-to-end and memory tables ×N is the ratio of the medians. "
            "In the in-process ASGI table the comparison is with erlen's app written "
            "with async views (like Starlette's and Quart's endpoints); the erlen column "
            "there is the same app as ported from Flask, with sync views in a thread pool.",
            "- Every framework must answer every case correctly (status and body) before it "
            "is timed; one that cannot is shown as `unavailable: <reason>` instead.",
            "",
            "### End to end and memory",
            "",
            f"- Load client: {method['load_client']}",
            f"- Servers: {method['servers']}",
            f"- {method['pinning']}",
            f"- Runs: {settings['e2e_duration']} s each after a {settings['e2e_warmup']} s "
            f"warm-up, {settings['e2e_connections']} connections, {settings['e2e_repeats']} "
            "interleaved repeats (the order rotates each repeat); cases: "
            + ", ".join(f"`{case}`" for case in settings["e2e_cases"])
            + ". A run with any socket error or unexpected status voids the cell; every "
            "server is checked for correct answers before and after the load.",
            f"- Memory: {method['memory']}",
            "",
            "### Reading the figures",
            "",
            "- Compare within a run: every framework in a table was measured in the same run, "
            "interleaved with the others. Absolute figures depend on the machine and on "
            "whatever else it was doing (the load average at the start is recorded above).",
            "- In-process figures measure the framework alone. End-to-end figures add the "
            "server, the kernel's loopback and the load client; on a small machine the server "
            "dominates and compresses the differences, and these figures are the most "
            "sensitive to other load.",
            "",
            "### What each case does",
            "",
            _case_list(document),
            "",
        ]
    )


HOW_TO_RUN = """## How to run

```sh
make bench                                   # full run (well under 15 minutes on 2 cores)
python -m benchmarks --quick                 # seconds: correctness of every framework, rough figures
python -m benchmarks --only routing,wsgi     # some workloads: routing, templates, wsgi, asgi, e2e, memory
python -m benchmarks --frameworks erlen,flask
python -m benchmarks --from-json benchmarks/results.json   # re-render this page and the charts
```

The route set is read from `../shared/data/github_api_routes.tsv` (relative to the
repository root), or from the identical copy in `benchmarks/data/` where that is absent;
set `ERLEN_BENCH_ROUTES` to use another file. A full run writes
`benchmarks/results.json`, this page and `docs/img/bench-*.png`; `--quick` writes under
`benchmarks/.work/quick/` unless `--output DIR` is given. wrk is used for the end-to-end
load when installed (`apt-get install wrk`); otherwise a bounded Python client stands in and
the page says so.
"""


def render_document(document: Mapping[str, Any]) -> str:
    """The whole markdown page: introduction, results, how to run, method."""
    unavailable = sorted(
        {
            key
            for workload in document["workloads"].values()
            for cells in workload["cases"].values()
            for key, cell in cells.items()
            if cell["status"] != "ok"
        }
    )
    names = {key: info["name"] for key, info in document["frameworks"].items()}
    status = (
        "Unavailable somewhere in this run (see the cells for why): "
        + ", ".join(names.get(key, key) for key in unavailable)
        + "."
        if unavailable
        else "Every framework passed every check in this run."
    )
    quick = (
        "\n> **Quick mode**: a smoke run with tiny samples; do not read these figures.\n"
        if document["mode"] == "quick"
        else ""
    )
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "<!-- Generated by `python -m benchmarks`; edit benchmarks/report.py, not this file. -->",
            "",
            "erlen side by side with Flask, Falcon, Bottle, Starlette and Quart, in one run on "
            "one machine. " + status,
            quick,
            "## Results",
            "",
            render_results(document),
            HOW_TO_RUN,
            render_method(document),
        ]
    )


README_START = "<!-- benchmarks:start (generated by make bench; edit benchmarks/report.py) -->"
README_END = "<!-- benchmarks:end -->"
README_CHART = "wsgi"
"""The workload whose chart the README shows."""


def render_readme_section(document: Mapping[str, Any], docs_prefix: str) -> str:
    """The README's benchmark section: every table, the main chart, where the rest is.

    ``docs_prefix`` is the path from the README to the folder of the benchmark page (the
    chart paths in ``document`` are relative to that folder).
    """
    machine = document["machine"]
    parts = [
        README_START,
        "",
        f"_{document['mode'].capitalize()} run of {machine['date']} on {machine['cpu_model']}"
        f" ({machine['nproc']} cores), Python {machine['python']}, erlen"
        f" {_erlen_build(machine)}. Each cell: the median, its"
        " spread, and ×N = how many times better erlen does than that framework (below 1,"
        " erlen is behind; in-process, the median of the ratios of samples taken side by"
        f" side); the method and every figure are in"
        f" [{docs_prefix}benchmarks.md]({docs_prefix}benchmarks.md)._",
        "",
    ]
    for name, workload in document["workloads"].items():
        parts.append(f"**{workload['title']}**\n")
        parts.append(render_table(document, name) + "\n")
    chart = document.get("charts", {}).get(README_CHART)
    if chart is not None:
        title = document["workloads"][README_CHART]["title"]
        parts.append(f"![{title}]({docs_prefix}{chart})\n")
    parts.append(README_END)
    return "\n".join(parts)


def replace_readme_section(readme: str, section: str) -> str:
    """*readme* with the text between the benchmark markers replaced by *section*.

    Raises ``ValueError`` when the markers are missing, so a run never silently leaves
    the README's table stale.
    """
    start = readme.find(README_START)
    end = readme.find(README_END)
    if start == -1 or end == -1 or end < start:
        raise ValueError(
            f"README.md lacks the benchmark markers {README_START!r} ... {README_END!r}"
        )
    return readme[:start] + section + readme[end + len(README_END) :]
