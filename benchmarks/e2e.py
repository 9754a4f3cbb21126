"""End to end: each framework behind a real server over loopback, loaded by wrk.

WSGI apps (erlen, Flask, Falcon, Bottle) run under gunicorn, ASGI apps (erlen's
``app.asgi``, Starlette, Falcon's ASGI app, Quart) under uvicorn, all with the same worker
count and settings. All servers start together and stay up, so runs can be interleaved:
each repeat loads every (server, case) pair once, in an order that rotates between
repeats. Before any load, every server must answer each case correctly over HTTP; after a
run, any socket error or unexpected status voids the cell. Requests per second and the
median and 99th-percentile latency are reported (median over repeats).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from benchmarks.apps import FRAMEWORKS, load_app, with_interface
from benchmarks.cases import CASES_BY_NAME, HttpCase
from benchmarks.loadgen import LoadResult, python_load, wrk_executable, wrk_load, wrk_version
from benchmarks.model import Cell, Unavailable, WorkloadResult, describe_error
from benchmarks.servers import (
    LOAD_CPUS,
    SERVER_FOR_INTERFACE,
    RunningServer,
    ServerSpec,
    check_over_http,
    pin_to,
    start_all,
    stop_all,
)
from benchmarks.settings import Settings
from benchmarks.timing import Log


@dataclass
class LoadClient:
    """The load client chosen for this run and how to describe it in the report."""

    name: str
    description: str
    wrk: str | None = None

    def load(self, port: int, case: HttpCase, seconds: int, connections: int) -> LoadResult:
        """Load ``case`` on ``port`` for ``seconds`` seconds with ``connections`` connections."""
        if self.wrk is not None:
            return wrk_load(self.wrk, port, case, seconds, connections, pin_to(LOAD_CPUS))
        # The fallback client runs in this process: move it to the load core for the run.
        previous = os.sched_getaffinity(0)
        os.sched_setaffinity(0, LOAD_CPUS)
        try:
            return python_load(port, [case], connections, seconds=seconds)
        finally:
            os.sched_setaffinity(0, previous)


def choose_client(preference: str) -> LoadClient:
    """wrk if installed (or required), else the bounded Python client, said out loud."""
    executable = wrk_executable() if preference in ("auto", "wrk") else None
    if preference == "wrk" and executable is None:
        raise Unavailable("--load-client wrk was asked for but wrk is not installed")
    if executable is not None:
        return LoadClient("wrk", wrk_version(executable), executable)
    why = "asked for" if preference == "python" else "wrk not found"
    return LoadClient(
        "python",
        f"Python asyncio fallback client ({why}); much slower than wrk, so these figures "
        "are lower than wrk's and comparable only with each other",
    )


@dataclass
class Pair:
    """One (server, case) pair under load, with its runs so far or why it failed."""

    server: RunningServer
    case: HttpCase
    runs: list[LoadResult] = field(default_factory=list)
    failure: str | None = None

    @property
    def row(self) -> str:
        """The table row this pair lands in, e.g. ``"gunicorn: hello"``."""
        return row_name(self.server.spec.server, self.case.name)

    def cell(self) -> Cell:
        """The pair's runs summarised (median over repeats), or its failure."""
        if self.failure is not None:
            return Cell.unavailable(self.failure)
        return Cell.measured(
            {
                "requests_per_second": [run.requests_per_second for run in self.runs],
                "p50_ms": [run.p50_ms for run in self.runs],
                "p99_ms": [run.p99_ms for run in self.runs],
            },
            {"requests": [run.requests for run in self.runs], "client": self.runs[0].client},
        )


def row_name(server: str, case: str) -> str:
    """The row of a server/case pair."""
    return f"{server}: {case}"


def plan_servers(settings: Settings, cells: dict[str, dict[str, Cell]]) -> list[ServerSpec]:
    """The servers to start: every selected framework whose app imports, per interface."""
    specs: list[ServerSpec] = []
    for interface, server in SERVER_FOR_INTERFACE.items():
        for framework in with_interface(interface, settings.frameworks):
            try:
                load_app(framework, interface)
            except Unavailable as error:
                for case in settings.e2e_cases:
                    cells[row_name(server, case)][framework.key] = Cell.unavailable(str(error))
                continue
            specs.append(ServerSpec(framework, interface, settings.workers))
    return specs


def run(settings: Settings, log: Log) -> WorkloadResult:
    """Start every server, check it, then load each (server, case) pair in rotating order."""
    client = choose_client(settings.load_client)
    log(f"e2e: load client: {client.description}")
    rows = [
        row_name(server, case)
        for server in SERVER_FOR_INTERFACE.values()
        for case in settings.e2e_cases
    ]
    cells: dict[str, dict[str, Cell]] = {row: {} for row in rows}
    specs = plan_servers(settings, cells)
    servers, failures = start_all(specs, CASES_BY_NAME["hello"], settings.server_start_timeout)
    try:
        for spec, reason in failures.items():
            for case in settings.e2e_cases:
                cells[row_name(spec.server, case)][spec.framework.key] = Cell.unavailable(reason)
        pairs: list[Pair] = []
        for server in servers:
            for case_name in settings.e2e_cases:
                pair = Pair(server, CASES_BY_NAME[case_name])
                pair.failure = check_over_http(server.port, pair.case)
                pairs.append(pair)
        log(f"e2e: {len(servers)} servers up, {len(pairs)} server/case pairs; loading")
        _load_interleaved(pairs, client, settings, log)
        for pair in pairs:
            if pair.failure is None:
                problem = check_over_http(pair.server.port, pair.case)
                pair.failure = f"wrong answer after the load: {problem}" if problem else None
        for pair in pairs:
            cells[pair.row][pair.server.spec.framework.key] = pair.cell()
    finally:
        stop_all(servers)
    notes = [f"Load client: {client.description}."]
    if client.name == "python":
        notes.insert(0, "wrk was not used: figures come from the Python fallback client.")
    return WorkloadResult(
        name="e2e",
        title="End to end over loopback",
        description=(
            f"Each app behind a real server ({settings.workers} worker(s); WSGI apps under "
            "gunicorn, ASGI apps under uvicorn), loaded over 127.0.0.1 for "
            f"{settings.e2e_duration} s per run with {settings.e2e_connections} connections, "
            f"{settings.e2e_repeats} interleaved repeats. Requests per second (median over "
            "repeats), with median (p50) and 99th-percentile (p99) latency."
        ),
        unit="requests/s",
        primary="requests_per_second",
        lower_is_better=False,
        frameworks=[key for key in FRAMEWORKS if key in settings.frameworks],
        cases=cells,
        case_descriptions={
            row_name(server, case): f"{CASES_BY_NAME[case].description}, under {server}"
            for server in SERVER_FOR_INTERFACE.values()
            for case in settings.e2e_cases
        },
        notes=notes,
    )


def _load_interleaved(pairs: list[Pair], client: LoadClient, settings: Settings, log: Log) -> None:
    """Warm every pair up, then run the repeats round-robin, voiding pairs that misbehave."""
    live = [pair for pair in pairs if pair.failure is None]
    if settings.e2e_warmup > 0:
        for pair in live:
            _load_once(pair, client, settings, settings.e2e_warmup, record=False)
    for repeat_index in range(settings.e2e_repeats):
        live = [pair for pair in live if pair.failure is None]
        if not live:
            return
        start = repeat_index % len(live)
        for pair in live[start:] + live[:start]:
            _load_once(pair, client, settings, settings.e2e_duration, record=True)
        log(f"  e2e repeat {repeat_index + 1}/{settings.e2e_repeats} done")


def _load_once(
    pair: Pair, client: LoadClient, settings: Settings, seconds: int, record: bool
) -> None:
    """Load one pair for ``seconds``; keep the result or void the pair on errors."""
    try:
        result = client.load(pair.server.port, pair.case, seconds, settings.e2e_connections)
    except Exception as error:
        pair.failure = f"load failed: {describe_error(error)}"
        return
    if result.errors:
        pair.failure = (
            f"{result.errors} errors (socket errors or unexpected statuses) "
            f"in {result.requests} requests"
        )
    elif result.requests == 0:
        pair.failure = "no request completed"
    elif record:
        pair.runs.append(result)
