"""The command line: choose workloads and settings, run them, write JSON, markdown and charts.

``python -m benchmarks`` runs everything with the full preset and writes
``benchmarks/results.json``, ``docs/benchmarks.md`` and ``docs/img/bench-*.png``;
``--quick`` runs the quick preset and writes under ``benchmarks/.work/quick/`` so a smoke
run never overwrites the published figures. The results tables are also printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import WORKLOADS
from benchmarks.apps import FRAMEWORKS
from benchmarks.machine import describe
from benchmarks.model import WorkloadResult
from benchmarks.settings import REPO_ROOT, Settings, preset

SCHEMA_VERSION = 1
"""Bumped whenever the shape of ``results.json`` changes."""


@dataclasses.dataclass(frozen=True)
class Outputs:
    """Where a run writes its results."""

    results_json: Path
    markdown: Path
    images: Path
    #: The README whose benchmark section is regenerated (published runs only).
    readme: Path | None = None

    @classmethod
    def in_folder(cls, folder: Path) -> Outputs:
        """Everything in one folder: results.json, benchmarks.md, img/."""
        return cls(folder / "results.json", folder / "benchmarks.md", folder / "img")

    @classmethod
    def published(cls) -> Outputs:
        """The published locations a full run writes to, the README's table included."""
        return cls(
            REPO_ROOT / "benchmarks" / "results.json",
            REPO_ROOT / "docs" / "benchmarks.md",
            REPO_ROOT / "docs" / "img",
            REPO_ROOT / "README.md",
        )


def _names(text: str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    """Split a comma-separated list and check every name is allowed."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown) or '(none given)'}; choose from {', '.join(allowed)}"
        )
    return names


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="erlen side by side with Flask, Falcon, Bottle, Starlette and Quart.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny samples and short loads: a smoke run"
    )
    parser.add_argument(
        "--only",
        type=lambda text: _names(text, WORKLOADS, "workload"),
        default=WORKLOADS,
        help=f"comma-separated workloads to run (default: all of {','.join(WORKLOADS)})",
    )
    parser.add_argument(
        "--frameworks",
        type=lambda text: _names(text, tuple(FRAMEWORKS), "framework"),
        default=tuple(FRAMEWORKS),
        help=f"comma-separated frameworks (default: all of {','.join(FRAMEWORKS)})",
    )
    parser.add_argument("--samples", type=int, help="samples per framework and case")
    parser.add_argument("--target-ms", type=float, help="duration of one timing sample, in ms")
    parser.add_argument("--e2e-duration", type=int, help="seconds per end-to-end load run")
    parser.add_argument("--e2e-repeats", type=int, help="interleaved end-to-end repeats")
    parser.add_argument("--workers", type=int, help="server workers for the end-to-end runs")
    parser.add_argument("--connections", type=int, help="connections for the end-to-end runs")
    parser.add_argument(
        "--load-client",
        choices=("auto", "wrk", "python"),
        help="end-to-end load client (default auto: wrk if installed, else Python)",
    )
    parser.add_argument("--memory-requests", type=int, help="requests before the second RSS")
    parser.add_argument(
        "--output", type=Path, help="write results.json, benchmarks.md and img/ into this folder"
    )
    parser.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="PATH",
        help="do not run anything: re-render the page and charts from a saved results.json",
    )
    return parser.parse_args(argv)


def build_settings(arguments: argparse.Namespace) -> Settings:
    """The preset chosen by ``--quick``, with the command line's overrides applied."""
    settings = preset(arguments.quick, arguments.frameworks)
    overrides: dict[str, Any] = {
        "samples": arguments.samples,
        "target_seconds": arguments.target_ms / 1e3 if arguments.target_ms else None,
        "e2e_duration": arguments.e2e_duration,
        "e2e_repeats": arguments.e2e_repeats,
        "workers": arguments.workers,
        "e2e_connections": arguments.connections,
        "load_client": arguments.load_client,
        "memory_requests": arguments.memory_requests,
    }
    return dataclasses.replace(
        settings, **{key: value for key, value in overrides.items() if value is not None}
    )


def make_log() -> Callable[[str], None]:
    """A progress logger writing timestamped lines to stderr."""
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    return log


def run_workload(name: str, settings: Settings, log: Callable[[str], None]) -> WorkloadResult:
    """Import and run one workload module (imported late: each pulls in its frameworks)."""
    if name == "routing":
        from benchmarks import routing as module
    elif name == "templates":
        from benchmarks import templates as module
    elif name == "wsgi":
        from benchmarks import wsgi as module
    elif name == "asgi":
        from benchmarks import asgi as module
    elif name == "e2e":
        from benchmarks import e2e as module
    else:
        from benchmarks import memory as module
    result = module.run(settings, log)
    result.compute_ratios()
    return result


def describe_method(settings: Settings) -> dict[str, str]:
    """The prose the method section is made of, for this run's settings."""
    from benchmarks import e2e
    from benchmarks.machine import package_versions
    from benchmarks.servers import GUNICORN_WORKER_CLASS, LOAD_CPUS, SERVER_CPUS

    packages = package_versions()
    try:
        client = e2e.choose_client(settings.load_client).description
    except Exception as error:
        client = f"none ({error})"
    http = "httptools" if packages.get("httptools") else "h11"
    loop = "uvloop" if packages.get("uvloop") else "asyncio"
    return {
        "timing": (
            "time.perf_counter() around a loop of n iterations of the operation; per "
            "workload, samples are taken round-robin over every (framework, case) pair, the "
            "starting pair moving one place each round, so drifts of the machine spread "
            "evenly over all frameworks; within a round the frameworks of one case run "
            "back to back, so their samples of that round are taken a fraction of a second "
            "apart."
        ),
        "gc": (
            "The garbage collector is disabled during each timed sample and re-enabled "
            "right after it (as timeit does), identically for every framework."
        ),
        "load_client": client,
        "servers": (
            f"gunicorn {packages.get('gunicorn')} (worker class {GUNICORN_WORKER_CLASS}, one "
            "thread per worker, keep-alive 5 s) for WSGI apps; uvicorn "
            f"{packages.get('uvicorn')} (HTTP parser {http}, event loop {loop}) for ASGI "
            f"apps; {settings.workers} worker(s) each for the end-to-end runs; log level "
            "warning, no access log."
        ),
        "pinning": (
            f"Servers are pinned to CPU(s) {sorted(SERVER_CPUS)} and wrk to CPU(s) "
            f"{sorted(LOAD_CPUS)}, so the load client never competes with the server for a "
            "core."
            if SERVER_CPUS.isdisjoint(LOAD_CPUS)
            else "One core only: server and load client share it."
        ),
        "memory": (
            "one worker per app (gunicorn gthread or uvicorn), VmRSS from /proc/<pid>/status "
            "after start-up (once every case was answered correctly) and after "
            f"{settings.memory_requests:,} requests cycling through all seven cases over 4 "
            "keep-alive connections (Python client, exact request count)."
        ),
    }


def build_document(
    settings: Settings,
    results: list[WorkloadResult],
    errors: dict[str, str],
    duration: float,
) -> dict[str, Any]:
    """The ``results.json`` document: everything the report and charts are drawn from."""
    return {
        "schema_version": SCHEMA_VERSION,
        "mode": settings.mode,
        "duration_seconds": round(duration, 1),
        "settings": {
            field.name: (
                str(value)
                if isinstance(value := getattr(settings, field.name), Path)
                else list(value)
                if isinstance(value, tuple)
                else value
            )
            for field in dataclasses.fields(settings)
        },
        "machine": describe(),
        "method": describe_method(settings),
        "frameworks": {
            key: {
                "name": framework.display_name,
                "version": framework.version(),
                "interfaces": list(framework.interfaces),
            }
            for key, framework in FRAMEWORKS.items()
            if key in settings.frameworks
        },
        "workloads": {result.name: result.to_json() for result in results},
        "errors": errors,
    }


def write_outputs(document: dict[str, Any], outputs: Outputs, charts: bool) -> None:
    """Write the charts, then the JSON and the page (which link the charts)."""
    from benchmarks.report import render_document

    document["charts"] = {}
    if charts:
        from benchmarks.charts import draw_all

        for name, path in draw_all(document, outputs.images).items():
            document["charts"][name] = os.path.relpath(path, outputs.markdown.parent)
    outputs.results_json.parent.mkdir(parents=True, exist_ok=True)
    outputs.results_json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    outputs.markdown.parent.mkdir(parents=True, exist_ok=True)
    outputs.markdown.write_text(render_document(document), encoding="utf-8")
    if outputs.readme is not None and outputs.readme.exists():
        from benchmarks.report import render_readme_section, replace_readme_section

        prefix = os.path.relpath(outputs.markdown.parent, outputs.readme.parent) + "/"
        text = outputs.readme.read_text(encoding="utf-8")
        section = render_readme_section(document, prefix)
        outputs.readme.write_text(replace_readme_section(text, section), encoding="utf-8")


def choose_outputs(folder: Path | None, quick: bool) -> Outputs:
    """``--output`` if given; else quick runs stay out of the published locations."""
    if folder is not None:
        return Outputs.in_folder(folder.resolve())
    if quick:
        return Outputs.in_folder(REPO_ROOT / "benchmarks" / ".work" / "quick")
    return Outputs.published()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; return 0, or 1 when a workload itself crashed (a harness bug)."""
    arguments = parse_arguments(argv)
    if arguments.from_json is not None:
        document = json.loads(arguments.from_json.read_text(encoding="utf-8"))
        outputs = choose_outputs(arguments.output, document["mode"] == "quick")
        write_outputs(document, outputs, charts=not arguments.no_charts)
        return _print_summary(document, outputs)
    outputs = choose_outputs(arguments.output, arguments.quick)
    settings = build_settings(arguments)
    log = make_log()
    log(
        f"{settings.mode} run: workloads {','.join(arguments.only)}; "
        f"frameworks {','.join(settings.frameworks)}"
    )
    started = time.monotonic()
    results: list[WorkloadResult] = []
    errors: dict[str, str] = {}
    for name in WORKLOADS:
        if name not in arguments.only:
            continue
        log(f"{name}: starting")
        try:
            results.append(run_workload(name, settings, log))
        except Exception as error:
            traceback.print_exc()
            errors[name] = f"{type(error).__name__}: {error}"
        log(f"{name}: done")
    document = build_document(settings, results, errors, time.monotonic() - started)
    write_outputs(document, outputs, charts=not arguments.no_charts)
    return _print_summary(document, outputs)


def _print_summary(document: dict[str, Any], outputs: Outputs) -> int:
    """Print the results tables and where everything was written; return the exit status."""
    from benchmarks.report import render_results

    print(render_results(document))
    print(f"results: {outputs.results_json}")
    print(f"report:  {outputs.markdown}")
    for path in document.get("charts", {}).values():
        print(f"chart:   {(outputs.markdown.parent / path).resolve()}")
    return 1 if document.get("errors") else 0
