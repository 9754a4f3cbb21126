"""In-process WSGI: each framework's WSGI callable driven directly, no server, no socket.

Every call gets a fresh environ (a copy of a prepared dict plus a new ``wsgi.input``
stream), the response iterable is consumed to the end and closed, exactly as a server
would. What is measured is the framework's whole request path: environ parsing, routing,
the view, response building and serialisation.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from benchmarks.apps import Framework, load_app, with_interface
from benchmarks.cases import CASES, HttpCase, check_response, parse_status
from benchmarks.model import Cell, Unavailable, WorkloadResult, describe_error
from benchmarks.settings import Settings
from benchmarks.timing import Log, Runner, Subject, TimingPlan, measure

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_environ(case: HttpCase) -> dict[str, Any]:
    """Return the environ a server would build for ``case`` (without ``wsgi.input``)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": case.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": case.path,
        "QUERY_STRING": case.query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "HTTP_USER_AGENT": "erlen-benchmarks",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if case.body or case.method in ("POST", "PUT", "PATCH"):
        environ["CONTENT_LENGTH"] = str(len(case.body))
    if case.content_type is not None:
        environ["CONTENT_TYPE"] = case.content_type
    return environ


def call(app: WsgiApp, case: HttpCase) -> tuple[int, dict[str, str], bytes]:
    """Send ``case`` to ``app`` once; return status, lower-cased headers and body."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = status
        captured["headers"] = {name.lower(): value for name, value in headers}
        return _discard

    environ = make_environ(case)
    environ["wsgi.input"] = io.BytesIO(case.body)
    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return parse_status(captured["status"]), captured["headers"], body


def _discard(data: bytes) -> None:
    """The ``write`` callable handed back by ``start_response``; the data is dropped."""


def _ignore_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return _discard


def make_runner(app: WsgiApp, case: HttpCase) -> Runner:
    """Return a runner sending ``case`` to ``app`` ``n`` times, each with a fresh environ."""
    prepared = make_environ(case)
    body = case.body
    new_stream = io.BytesIO

    def run(iterations: int) -> None:
        for _ in repeat(None, iterations):
            environ = prepared.copy()
            environ["wsgi.input"] = new_stream(body)
            result = app(environ, _ignore_start)
            for _chunk in result:
                pass
            close = getattr(result, "close", None)
            if close is not None:
                close()

    return run


def verified_runner(app: WsgiApp, case: HttpCase) -> Runner:
    """Check ``app`` answers ``case`` correctly, then return its runner.

    Raises :class:`Unavailable` with what was wrong.
    """
    try:
        status, headers, body = call(app, case)
    except Exception as error:
        raise Unavailable(f"{case.name}: raised {describe_error(error)}") from error
    problem = check_response(case, status, headers, body)
    if problem is not None:
        raise Unavailable(problem)
    return make_runner(app, case)


def collect_subjects(
    frameworks: list[Framework], cases: tuple[HttpCase, ...], cells: dict[str, dict[str, Cell]]
) -> list[Subject]:
    """Return a subject per correct (case, framework); record unavailable ones in ``cells``."""
    subjects: list[Subject] = []
    for framework in frameworks:
        try:
            app = load_app(framework, "wsgi")
        except Unavailable as error:
            for case in cases:
                cells[case.name][framework.key] = Cell.unavailable(str(error))
            continue
        for case in cases:
            try:
                runner = verified_runner(app, case)
            except Unavailable as error:
                cells[case.name][framework.key] = Cell.unavailable(str(error))
                continue
            subjects.append(Subject(case.name, framework.key, runner))
    return subjects


def run(settings: Settings, log: Log) -> WorkloadResult:
    """Time every case on every selected WSGI framework, interleaved."""
    frameworks = with_interface("wsgi", settings.frameworks)
    cells: dict[str, dict[str, Cell]] = {case.name: {} for case in CASES}
    subjects = collect_subjects(frameworks, CASES, cells)
    log(f"wsgi: {len(subjects)} case/framework pairs passed their checks; timing")
    measure(subjects, TimingPlan(settings.samples, settings.target_seconds), log)
    for subject in subjects:
        cells[subject.case][subject.framework] = subject.cell()
    return WorkloadResult(
        name="wsgi",
        title="In-process WSGI",
        description=(
            "The WSGI callable is called directly with a fresh environ per request; the "
            "response iterable is consumed and closed. Time per request."
        ),
        unit="s",
        primary="time",
        lower_is_better=True,
        paired=True,
        frameworks=[framework.key for framework in frameworks],
        cases=cells,
        case_descriptions={case.name: case.description for case in CASES},
    )
