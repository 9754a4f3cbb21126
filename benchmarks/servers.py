"""Real servers for the end-to-end and memory workloads: start, probe, measure, stop.

WSGI apps run under gunicorn and ASGI apps under uvicorn, each framework with the same
server, worker count and settings as its peers, so the server's cost is a constant and the
differences are the frameworks'. Every server runs in its own process group (started by us)
and is stopped by that group's id; nothing else is ever signalled.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.apps import Framework
from benchmarks.cases import HttpCase, check_response
from benchmarks.model import Unavailable
from benchmarks.settings import REPO_ROOT

SERVER_FOR_INTERFACE = {"wsgi": "gunicorn", "asgi": "uvicorn"}
"""Which server runs which interface."""

GUNICORN_WORKER_CLASS = "gthread"
"""gunicorn's threaded worker, with one thread: it keeps connections alive (the sync
worker closes every connection after one response, which would measure TCP set-up more
than the framework) while running one request at a time, as uvicorn's event loop does."""


_ALL_CPUS = sorted(os.sched_getaffinity(0))
LOAD_CPUS: set[int] = {_ALL_CPUS[-1]}
"""The core the load client (wrk) is pinned to: the last one."""
SERVER_CPUS: set[int] = set(_ALL_CPUS[:-1]) or set(_ALL_CPUS)
"""The cores servers are pinned to: all the others (all of them on a one-core machine)."""


def pin_to(cpus: set[int]) -> Callable[[], None] | None:
    """A ``preexec_fn`` pinning a child process to ``cpus``, or ``None`` on one core.

    Keeping the load client and the server on separate cores stops the scheduler from
    stacking them on one core for part of a run, the main source of run-to-run noise.
    """
    if len(_ALL_CPUS) < 2:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


@dataclass(frozen=True)
class ServerSpec:
    """Which app to serve, through which interface and with how many workers."""

    framework: Framework
    interface: str
    workers: int

    @property
    def server(self) -> str:
        """``"gunicorn"`` or ``"uvicorn"``."""
        return SERVER_FOR_INTERFACE[self.interface]

    def command(self, port: int) -> list[str]:
        """The command line that serves this app on ``127.0.0.1:port``."""
        target = self.framework.target(self.interface)
        if self.server == "gunicorn":
            return [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                GUNICORN_WORKER_CLASS,
                "--threads",
                "1",
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
                target,
            ]
        return [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(self.workers),
            "--lifespan",
            "auto",
            "--log-level",
            "warning",
            "--no-access-log",
        ]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(port: int, case: HttpCase, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """Send ``case`` to the server on ``port`` over a new connection; return the response."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"User-Agent": "erlen-benchmarks"}
        if case.content_type is not None:
            headers["Content-Type"] = case.content_type
        connection.request(case.method, case.target, body=case.body or None, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def check_over_http(port: int, case: HttpCase) -> str | None:
    """Return why the server's answer to ``case`` is wrong, or ``None`` when it is right."""
    try:
        status, headers, body = request(port, case)
    except (OSError, http.client.HTTPException) as error:
        return f"{case.name}: request failed: {error}"
    return check_response(case, status, headers, body)


def child_pids(parent: int) -> list[int]:
    """The pids of ``parent``'s direct children, from ``/proc``."""
    children: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces or parentheses; fields resume after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            children.append(int(entry))
    return sorted(children)


def rss_mib(pid: int) -> float:
    """The resident set size of process ``pid``, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise Unavailable(f"no VmRSS for pid {pid}")


class RunningServer:
    """A server process we started, with its port and its log."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.port = free_port()
        self.log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix=f"bench-{spec.framework.key}-{spec.server}-", suffix=".log", delete=False
        )
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
        )
        environment["PYTHONUNBUFFERED"] = "1"
        self.process = subprocess.Popen(
            spec.command(self.port),
            cwd=REPO_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=pin_to(SERVER_CPUS),
        )

    @property
    def label(self) -> str:
        """E.g. ``"Flask under gunicorn"``."""
        return f"{self.spec.framework.display_name} under {self.spec.server}"

    def log_tail(self, lines: int = 3) -> str:
        """The last lines the server wrote, for an unavailable reason."""
        try:
            text = Path(self.log_file.name).read_text(errors="replace")
        except OSError:
            return ""
        tail = [line.strip() for line in text.strip().splitlines()[-lines:]]
        return " | ".join(tail)

    def wait_ready(self, probe: HttpCase, timeout: float) -> None:
        """Wait until the server answers ``probe`` correctly; raise :class:`Unavailable` if not."""
        deadline = time.monotonic() + timeout
        problem = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Unavailable(
                    f"{self.spec.server} exited with {self.process.returncode}: {self.log_tail()}"
                )
            problem = check_over_http(self.port, probe) or ""
            if not problem:
                return
            time.sleep(0.1)
        raise Unavailable(f"not ready after {timeout:.0f} s: {problem}; {self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The processes that run the app (uvicorn with one worker serves in-process)."""
        if self.spec.server == "uvicorn" and self.spec.workers == 1:
            return [self.process.pid]
        return child_pids(self.process.pid)

    def send_signal(self, number: int) -> None:
        """Send ``number`` to the server's process group (ours) if it is still running."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, number)

    def stop(self) -> None:
        """Stop the server's process group, politely then firmly; drop the log."""
        self.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log_file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log_file.name)


def start_all(
    specs: list[ServerSpec], probe: HttpCase, timeout: float
) -> tuple[list[RunningServer], dict[ServerSpec, str]]:
    """Start every server at once, wait for each; return the ready ones and why others failed.

    Servers that fail to become ready are stopped before returning.
    """
    started = [RunningServer(spec) for spec in specs]
    ready: list[RunningServer] = []
    failures: dict[ServerSpec, str] = {}
    for server in started:
        try:
            server.wait_ready(probe, timeout)
        except Unavailable as error:
            failures[server.spec] = str(error)
            server.stop()
        else:
            ready.append(server)
    return ready, failures


def stop_all(servers: list[RunningServer]) -> None:
    """Stop every server in ``servers``: all are asked at once, then each is waited for."""
    for server in servers:
        server.send_signal(signal.SIGTERM)
    for server in servers:
        server.stop()
