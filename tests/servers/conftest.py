"""Real server processes for the server tests, and plain HTTP clients to talk to them.

:class:`Server` runs uvicorn or gunicorn in a subprocess on a free loopback port, waits
until it answers HTTP (polling with a deadline), and stops it with a signal, checking
that the process exited and with which code.  Whatever the server printed goes to a
log file that is shown when anything goes wrong, so a server that cannot start fails
the test with its own error message instead of being skipped.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
APPS = "tests.servers.apps"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
#: Exit codes of a graceful stop.  gunicorn exits 0; uvicorn exits 0 on SIGINT but, once
#: shut down, re-raises SIGTERM so that the process ends "killed by SIGTERM" (-15 here,
#: 143 in a shell), which is what service managers expect from a clean SIGTERM stop.
GRACEFUL_EXIT_CODES = {signal.SIGTERM: 0, signal.SIGINT: 0}
UVICORN_EXIT_CODES = {signal.SIGTERM: -signal.SIGTERM, signal.SIGINT: 0}
#: How long a poll for something the server does in the background may take.
POLL_TIMEOUT = 10.0


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # type: ignore[no-any-return]


def gunicorn_version() -> tuple[int, ...]:
    import gunicorn

    return tuple(gunicorn.version_info)


def uvicorn_argv(target: str, *options: str) -> t.Callable[[int], list[str]]:
    """``python -m uvicorn TARGET`` on 127.0.0.1 (one worker, lifespan on)."""

    def argv(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "on",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "10",
            *options,
        ]

    return argv


def gunicorn_argv(target: str, worker_class: str, *options: str) -> t.Callable[[int], list[str]]:
    """``python -m gunicorn`` with one worker of *worker_class* on 127.0.0.1."""
    # gunicorn >= 25.1 opens a control socket at a fixed per-user path: two servers
    # would fight over it.
    extra = ["--no-control-socket"] if gunicorn_version() >= (25, 1) else []

    def argv(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            worker_class,
            "--graceful-timeout",
            "10",
            *extra,
            *options,
            target,
        ]

    return argv


def server_env(extra: t.Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a server process: ours, unbuffered output, the repository on
    the import path (for ``tests.servers.apps``), plus *extra*."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
    )
    return env


class Reply:
    """An HTTP response as it came off the wire."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        values = self.header_list(name)
        return values[0] if values else None

    def header_list(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key.lower() == name]

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> t.Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.body[:80]!r}>"


class Server:
    """One server subprocess: ``start()``, then requests, then ``stop()``."""

    def __init__(
        self,
        name: str,
        argv: t.Callable[[int], list[str]],
        log_dir: Path,
        env: dict[str, str] | None = None,
        probe: str = "/",
        exit_codes: t.Mapping[int, int] | None = None,
    ) -> None:
        self.name = name
        #: The exit code of a graceful stop by each signal.
        self.exit_codes = dict(exit_codes or GRACEFUL_EXIT_CODES)
        self.argv = argv
        self.log_path = log_dir / f"{name}.log"
        self.env = server_env(env)
        self.probe = probe
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.command: list[str] = []

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Server:
        """Start the server and wait until it answers; retry if the port got taken."""
        for _attempt in range(3):
            self.port = free_port()
            self.command = self.argv(self.port)
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    self.command,
                    cwd=REPO_ROOT,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_ready():
                return self
            if "Address already in use" not in self.log():
                break
        self.fail(f"{self.name} did not start (exit code {self.process.poll()})")  # type: ignore[union-attr]

    def _wait_ready(self) -> bool:
        """Poll until an HTTP request gets any answer; False if the process died."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                # gunicorn's arbiter listens before its worker is up: the connection is
                # accepted and the request waits, so allow it the rest of the deadline.
                self.request("GET", self.probe, timeout=max(deadline - time.monotonic(), 0.1))
            except OSError:
                time.sleep(0.05)
                continue
            return True
        self.process.kill()
        self.process.wait()
        self.fail(f"{self.name} did not answer within {START_TIMEOUT} s")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send *sig*, wait for the process to exit and return its exit code."""
        process = self.process
        assert process is not None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                self.fail(f"{self.name} did not exit within {STOP_TIMEOUT} s of {sig!r}")
        return process.returncode

    def stop_gracefully(self, sig: int = signal.SIGTERM) -> None:
        """Stop with *sig*; fail unless the process exited as a graceful stop does."""
        code = self.stop(sig)
        if code != self.exit_codes[sig]:
            self.fail(f"{self.name} exited with code {code} after {sig!r}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_mark(self) -> int:
        """A position in the log, for :meth:`assert_no_errors_logged_since`."""
        return len(self.log())

    def assert_no_errors_logged_since(self, mark: int) -> None:
        """The server logged no unhandled error (erlen's or its own) after *mark*."""
        new = self.log()[mark:]
        for sign in ("Traceback", "Exception in ASGI application", "ERROR in "):
            if sign in new:
                self.fail(f"{self.name} logged an error:\n{new}")

    def fail(self, message: str) -> t.NoReturn:
        pytest.fail(
            f"{message}\ncommand: {' '.join(self.command)}\n--- server output ---\n{self.log()}",
            pytrace=False,
        )

    # -- talking to it ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connect(self, timeout: float = 10.0) -> socket.socket:
        """A raw TCP connection to the server."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: t.Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Reply:
        """Send one request on a new connection and read the whole response."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            data = response.read()
            return Reply(response.status, response.reason, response.getheaders(), data)
        finally:
            connection.close()

    def get(self, path: str, **kwargs: t.Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def stats(self) -> dict[str, int]:
        """The counters of ``apps.main`` (``GET /_stats``)."""
        reply = self.get("/_stats")
        assert reply.status == 200, reply
        return reply.json()  # type: ignore[no-any-return]

    def wait_for_stats(
        self, condition: t.Callable[[dict[str, int]], bool], what: str
    ) -> dict[str, int]:
        """Poll ``/_stats`` until *condition* holds (the server works in the background
        after a client leaves); fail with the last counters after a deadline."""
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            current = self.stats()
            if condition(current):
                return current
            if time.monotonic() > deadline:
                self.fail(f"{what}: not true within {POLL_TIMEOUT} s; stats: {current}")
            time.sleep(0.02)

    def assert_no_leaks(self) -> dict[str, int]:
        """Every request but the stats request itself was torn down."""
        return self.wait_for_stats(
            lambda s: s["torn_down"] == s["started"] - 1 and s["in_flight"] == 0,
            "every request was torn down",
        )


def wait_for(condition: t.Callable[[], bool], what: str, timeout: float = POLL_TIMEOUT) -> None:
    """Poll *condition* until it holds; fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not true within {timeout} s", pytrace=False)
        time.sleep(0.02)


def closed_by_peer(sock: socket.socket, timeout: float = POLL_TIMEOUT) -> bytes:
    """Read until the server closes *sock*; returns what it sent."""
    sock.settimeout(timeout)
    data = bytearray()
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    return bytes(data)


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-logs")


class ServerFactory:
    """Starts servers for a test scope and stops each gracefully at its end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[Server] = []

    def __call__(
        self,
        name: str,
        argv: t.Callable[[int], list[str]],
        env: dict[str, str] | None = None,
        probe: str = "/",
        exit_codes: t.Mapping[int, int] | None = None,
    ) -> Server:
        if exit_codes is None and argv(0)[2] == "uvicorn":
            exit_codes = UVICORN_EXIT_CODES
        server = Server(name, argv, self.log_dir, env, probe, exit_codes)
        self.started.append(server)
        return server.start()

    def stop_all(self) -> None:
        errors = []
        for server in self.started:
            if server.running:
                code = server.stop(signal.SIGTERM)
                if code != server.exit_codes[signal.SIGTERM]:
                    errors.append(f"{server.name} exited with {code}:\n{server.log()}")
        if errors:
            pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def session_servers(server_logs: Path) -> t.Iterator[ServerFactory]:
    factory = ServerFactory(server_logs)
    yield factory
    factory.stop_all()


@pytest.fixture
def servers(server_logs: Path) -> t.Iterator[ServerFactory]:
    """Servers that live for one test."""
    factory = ServerFactory(server_logs)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="session")
def uvicorn_main(session_servers: ServerFactory, server_logs: Path) -> Server:
    """``apps.main`` over uvicorn (shared by the uvicorn, WebSocket and bad-client tests)."""
    return session_servers(
        "uvicorn-main",
        uvicorn_argv(f"{APPS}.main:app.asgi"),
        env={"ERLEN_TEST_EVENTS": str(server_logs / "uvicorn-main.events")},
    )


# -- the differential check: a real server against the in-process test client -----------

#: Headers that say something about the server or the connection, not the app.
SERVER_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding"})


def _normalised(status: int, headers: t.Iterable[tuple[str, str]], body: bytes) -> t.Any:
    """What must be equal: the status, the app's headers (in any order, names in any
    case, methods in ``Allow`` in any order, the value of the signed session cookie,
    which embeds a timestamp, blanked) and the body."""
    kept = []
    for name, value in headers:
        name = name.lower()
        if name in SERVER_HEADERS:
            continue
        if (
            name == "set-cookie"
            and value.startswith("session=")
            and not value.startswith("session=;")
        ):
            value = "session=<signed>;" + value.partition(";")[2]
        elif name == "allow":
            # Built from a set, as in Werkzeug: the order varies between processes.
            value = ", ".join(sorted(value.split(", ")))
        kept.append((name, value))
    return status, sorted(kept), body


class CookieJar:
    """Just enough of a browser's cookie jar for one host."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def update(self, reply: Reply) -> None:
        for line in reply.header_list("set-cookie"):
            pair, _, attributes = line.partition(";")
            name, _, value = pair.strip().partition("=")
            lowered = attributes.lower()
            if not value or "max-age=0" in lowered or "1970" in lowered:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def assert_same_as_in_process(server: Server, app_module: t.Any) -> None:
    """Send ``app_module.PROBES`` to *server* and to the app in process; each response
    must match (see :func:`_normalised`)."""
    client = app_module.app.test_client()
    jar = CookieJar()
    host = app_module.HOST
    mismatches = []
    for probe in app_module.PROBES:
        expected = client.open(
            probe.path,
            method=probe.method,
            headers=probe.headers,
            data=probe.body or None,
            base_url=f"http://{host}",
        )
        wanted = _normalised(expected.status_code, expected.headers.items(), expected.data)
        reply = server.request(
            probe.method,
            probe.path,
            body=probe.body or None,
            headers={"Host": host, **probe.headers, **jar.header()},
        )
        jar.update(reply)
        got = _normalised(reply.status, reply.headers, reply.body)
        if got != wanted:
            mismatches.append(
                f"{probe.method} {probe.path}:\n  in process {wanted}\n  served     {got}"
            )
        # Framing may differ, but a length the app set must reach the client intact.
        if expected.headers.get("Content-Length") is not None:
            assert reply.header("content-length") == expected.headers["Content-Length"], probe
    if mismatches:
        server.fail("responses differ from the in-process ones:\n" + "\n".join(mismatches))
