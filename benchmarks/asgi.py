"""In-process ASGI: each framework's ASGI callable driven directly on one event loop.

A minimal server stand-in: the lifespan protocol is run once at start-up (as uvicorn's
``--lifespan auto`` does, tolerating apps that do not speak it), then each request gets a
fresh scope, a ``receive`` that hands over the body and then waits until the response is
complete before reporting a disconnect, and a ``send`` that collects the response. All
frameworks share the loop and the driver, so its overhead is the same for each.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from benchmarks.apps import Framework, load_app, with_interface
from benchmarks.cases import CASES, HttpCase, check_response
from benchmarks.model import Cell, Unavailable, WorkloadResult, describe_error
from benchmarks.settings import Settings
from benchmarks.timing import Log, Runner, Subject, TimingPlan, measure

Message = MutableMapping[str, Any]
AsgiApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


def make_scope(case: HttpCase) -> dict[str, Any]:
    """Return the HTTP scope a server would build for ``case``."""
    headers = [
        (b"host", b"localhost"),
        (b"user-agent", b"erlen-benchmarks"),
        (b"accept", b"*/*"),
    ]
    if case.body or case.method in ("POST", "PUT", "PATCH"):
        headers.append((b"content-length", str(len(case.body)).encode("ascii")))
    if case.content_type is not None:
        headers.append((b"content-type", case.content_type.encode("latin-1")))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": case.method,
        "scheme": "http",
        "path": case.path,
        "raw_path": case.path.encode("ascii"),
        "query_string": case.query.encode("ascii"),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
        "state": {},
    }


class Exchange:
    """One request/response exchange: the ``receive`` and ``send`` an app is called with."""

    __slots__ = ("body_message", "chunks", "finished", "headers", "status")

    def __init__(self, body: bytes, finished: asyncio.Future[None]) -> None:
        self.body_message: Message | None = {
            "type": "http.request",
            "body": body,
            "more_body": False,
        }
        self.finished = finished
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def receive(self) -> Message:
        """Hand over the body, then wait for the response to complete and disconnect."""
        message = self.body_message
        if message is not None:
            self.body_message = None
            return message
        await self.finished
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        """Collect the response start and body chunks; note when the body is complete."""
        kind = message["type"]
        if kind == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", ()))
        elif kind == "http.response.body":
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False) and not self.finished.done():
                self.finished.set_result(None)


@dataclass
class Lifespan:
    """A running lifespan protocol: the app's task and the future that asks it to stop."""

    task: asyncio.Task[None]
    shutdown: asyncio.Future[None]


async def start_lifespan(app: AsgiApp) -> Lifespan | None:
    """Run the app's lifespan start-up; return the handle to shut it down, if it has one.

    An app that does not support lifespan (it raises, returns or never answers) is served
    without it, as uvicorn's ``--lifespan auto`` does.
    """
    loop = asyncio.get_running_loop()
    started: asyncio.Future[bool] = loop.create_future()
    shutdown: asyncio.Future[None] = loop.create_future()
    sent_startup = False

    async def receive() -> Message:
        nonlocal sent_startup
        if not sent_startup:
            sent_startup = True
            return {"type": "lifespan.startup"}
        await shutdown
        return {"type": "lifespan.shutdown"}

    async def send(message: Message) -> None:
        if started.done():
            return
        if message["type"] == "lifespan.startup.complete":
            started.set_result(True)
        elif message["type"] == "lifespan.startup.failed":
            reason = message.get("message", "")
            started.set_exception(Unavailable(f"lifespan start-up failed: {reason}"))

    async def serve() -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        try:
            await app(scope, receive, send)
        finally:
            if not started.done():
                started.set_result(False)

    task = loop.create_task(serve())
    try:
        supported = await asyncio.wait_for(asyncio.shield(started), timeout=10)
    except asyncio.TimeoutError:
        supported = False
    if not supported:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        return None
    return Lifespan(task, shutdown)


async def stop_lifespan(lifespan: Lifespan | None) -> None:
    """Send the lifespan shutdown and wait (boundedly) for the app to finish it."""
    if lifespan is None:
        return
    if not lifespan.shutdown.done():
        lifespan.shutdown.set_result(None)
    with contextlib.suppress(BaseException):
        await asyncio.wait_for(lifespan.task, timeout=10)


async def call(app: AsgiApp, case: HttpCase) -> tuple[int, dict[str, str], bytes]:
    """Send ``case`` to ``app`` once; return status, lower-cased headers and body."""
    exchange = Exchange(case.body, asyncio.get_running_loop().create_future())
    await app(make_scope(case), exchange.receive, exchange.send)
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in exchange.headers
    }
    return exchange.status, headers, b"".join(exchange.chunks)


def make_runner(loop: asyncio.AbstractEventLoop, app: AsgiApp, case: HttpCase) -> Runner:
    """Return a runner sending ``case`` to ``app`` ``n`` times on ``loop``, fresh scope each."""
    prepared = make_scope(case)
    body = case.body

    async def many(iterations: int) -> None:
        new_future = loop.create_future
        for _ in repeat(None, iterations):
            scope = prepared.copy()
            scope["headers"] = list(prepared["headers"])
            scope["state"] = {}
            exchange = Exchange(body, new_future())
            await app(scope, exchange.receive, exchange.send)

    def run(iterations: int) -> None:
        loop.run_until_complete(many(iterations))

    return run


def verified_runner(loop: asyncio.AbstractEventLoop, app: AsgiApp, case: HttpCase) -> Runner:
    """Check ``app`` answers ``case`` correctly, then return its runner.

    Raises :class:`Unavailable` with what was wrong.
    """
    try:
        status, headers, body = loop.run_until_complete(
            asyncio.wait_for(call(app, case), timeout=10)
        )
    except Exception as error:
        raise Unavailable(f"{case.name}: raised {describe_error(error)}") from error
    problem = check_response(case, status, headers, body)
    if problem is not None:
        raise Unavailable(problem)
    return make_runner(loop, app, case)


def collect_subjects(
    loop: asyncio.AbstractEventLoop,
    frameworks: list[Framework],
    cells: dict[str, dict[str, Cell]],
    lifespans: list[Lifespan | None],
) -> list[Subject]:
    """Return a subject per correct (case, framework); record unavailable ones in ``cells``."""
    subjects: list[Subject] = []
    for framework in frameworks:
        try:
            app = load_app(framework, "asgi")
            lifespans.append(loop.run_until_complete(start_lifespan(app)))
        except Exception as error:
            for case in CASES:
                cells[case.name][framework.key] = Cell.unavailable(describe_error(error))
            continue
        for case in CASES:
            try:
                runner = verified_runner(loop, app, case)
            except Unavailable as error:
                cells[case.name][framework.key] = Cell.unavailable(str(error))
                continue
            subjects.append(Subject(case.name, framework.key, runner))
    return subjects


def _reference(frameworks: list[Framework]) -> str:
    """The column ratios are taken against: erlen with async views when it runs."""
    keys = [framework.key for framework in frameworks]
    return "erlen_async" if "erlen_async" in keys else "erlen"


def run(settings: Settings, log: Log) -> WorkloadResult:
    """Time every case on every selected ASGI framework, interleaved, on one event loop."""
    frameworks = with_interface("asgi", settings.frameworks)
    cells: dict[str, dict[str, Cell]] = {case.name: {} for case in CASES}
    loop = asyncio.new_event_loop()
    lifespans: list[Lifespan | None] = []
    try:
        asyncio.set_event_loop(loop)
        subjects = collect_subjects(loop, frameworks, cells, lifespans)
        log(f"asgi: {len(subjects)} case/framework pairs passed their checks; timing")
        measure(subjects, TimingPlan(settings.samples, settings.target_seconds), log)
        for lifespan in lifespans:
            loop.run_until_complete(stop_lifespan(lifespan))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    for subject in subjects:
        cells[subject.case][subject.framework] = subject.cell()
    return WorkloadResult(
        name="asgi",
        title="In-process ASGI",
        description=(
            "The ASGI callable is awaited directly on one asyncio event loop with a fresh "
            "scope and a minimal receive/send per request. Time per request."
        ),
        unit="s",
        primary="time",
        lower_is_better=True,
        paired=True,
        frameworks=[framework.key for framework in frameworks],
        cases=cells,
        case_descriptions={case.name: case.description for case in CASES},
        reference=_reference(frameworks),
        notes=[
            "erlen runs its benchmark app twice: as ported from Flask (sync views, which "
            "ASGI runs in a thread pool, as Starlette does with sync endpoints) and with "
            "the same views written 'async def' (run on the event loop, like Starlette's "
            "and Quart's endpoints); ratios are taken against the async one.",
            "Each app's lifespan start-up runs once before its checks (as uvicorn's "
            "--lifespan auto does); receive() hands over the body, then waits for the "
            "response to complete before reporting a disconnect.",
        ],
    )
