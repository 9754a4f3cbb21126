"""Memory: resident set size of one worker after start-up and after 10,000 requests.

Each app is served by one worker (gunicorn for WSGI, uvicorn for ASGI, as in the
end-to-end workload). "After start-up" is read once the server has answered every case
once, correctly (the check that gates all measurements), so lazy first-request set-up is
included. Then exactly ``memory_requests`` requests cycling through all seven cases are
sent over keep-alive connections by the Python client (a request count, not a duration,
is what this workload needs), and the RSS is read again. The worker's RSS includes the
interpreter and the server, which are the same for every framework under one server.
"""

from __future__ import annotations

from benchmarks.apps import FRAMEWORKS, load_app, with_interface
from benchmarks.cases import CASES, CASES_BY_NAME
from benchmarks.loadgen import python_load
from benchmarks.model import Cell, Unavailable, WorkloadResult, describe_error
from benchmarks.servers import (
    SERVER_FOR_INTERFACE,
    RunningServer,
    ServerSpec,
    check_over_http,
    rss_mib,
    start_all,
    stop_all,
)
from benchmarks.settings import Settings
from benchmarks.timing import Log

CONNECTIONS = 4
"""Keep-alive connections the requests are spread over."""


def measure_server(server: RunningServer, requests: int) -> Cell:
    """Check every case, read the worker's RSS, send ``requests`` requests, read it again."""
    for case in CASES:
        problem = check_over_http(server.port, case)
        if problem is not None:
            return Cell.unavailable(problem)
    workers = server.worker_pids()
    if len(workers) != 1:
        return Cell.unavailable(f"expected one worker process, found {len(workers)}")
    (worker,) = workers
    startup = rss_mib(worker)
    result = python_load(server.port, list(CASES), CONNECTIONS, total=requests)
    if result.errors:
        return Cell.unavailable(f"{result.errors} errors in {result.requests} requests")
    after = rss_mib(worker)
    return Cell.measured(
        {"startup_mib": [startup], "after_mib": [after]},
        {"requests": result.requests, "growth_mib": after - startup},
    )


def run(settings: Settings, log: Log) -> WorkloadResult:
    """Start one single-worker server per app, then measure each in turn."""
    cells: dict[str, dict[str, Cell]] = {server: {} for server in SERVER_FOR_INTERFACE.values()}
    specs: list[ServerSpec] = []
    for interface, server_name in SERVER_FOR_INTERFACE.items():
        for framework in with_interface(interface, settings.frameworks):
            try:
                load_app(framework, interface)
            except Unavailable as error:
                cells[server_name][framework.key] = Cell.unavailable(str(error))
                continue
            specs.append(ServerSpec(framework, interface, workers=1))
    servers, failures = start_all(specs, CASES_BY_NAME["hello"], settings.server_start_timeout)
    try:
        for spec, reason in failures.items():
            cells[spec.server][spec.framework.key] = Cell.unavailable(reason)
        for server in servers:
            try:
                cell = measure_server(server, settings.memory_requests)
            except Exception as error:
                cell = Cell.unavailable(describe_error(error))
            cells[server.spec.server][server.spec.framework.key] = cell
            log(f"memory: {server.label}: {'ok' if cell.ok else cell.reason}")
    finally:
        stop_all(servers)
    return WorkloadResult(
        name="memory",
        title=f"Memory of one worker (RSS, after start-up and after {settings.memory_requests:,} requests)",
        description=(
            "Resident set size of the single worker process serving the app, read from "
            "/proc after start-up (and one correct answer to every case) and after "
            f"{settings.memory_requests:,} requests cycling through all seven cases."
        ),
        unit="MiB",
        primary="after_mib",
        lower_is_better=True,
        frameworks=[key for key in FRAMEWORKS if key in settings.frameworks],
        cases=cells,
        case_descriptions={
            "gunicorn": "one gunicorn gthread worker serving the WSGI app",
            "uvicorn": "one uvicorn process serving the ASGI app",
        },
    )
