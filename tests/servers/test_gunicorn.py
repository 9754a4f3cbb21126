"""The app under gunicorn: sync and gthread workers on the WSGI app (``module:app``),
and ASGI workers on ``app.asgi`` (uvicorn's worker class and gunicorn's own).

gunicorn imports a plain name only (``module:asgi_app``, not ``module:app.asgi``), so
the ASGI workers are given the ``asgi_app = app.asgi`` alias of each app module.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import signal
import typing as t
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .apps import diff
from .conftest import (
    APPS,
    Server,
    ServerFactory,
    assert_same_as_in_process,
    gunicorn_argv,
    gunicorn_version,
)


class Worker(t.NamedTuple):
    """A gunicorn worker class and the app object it is given."""

    worker_class: str
    app_name: str
    options: tuple[str, ...] = ()

    @property
    def is_asgi(self) -> bool:
        return self.app_name == "asgi_app"


WORKERS = {
    "sync": Worker("sync", "app"),
    "gthread": Worker("gthread", "app", ("--threads", "4")),
    # uvicorn 0.54 still ships its worker class (deprecated in favour of the separate
    # ``uvicorn-worker`` package, which contains the same class).
    "uvicorn-worker": Worker("uvicorn.workers.UvicornWorker", "asgi_app"),
    "gunicorn-asgi": Worker("asgi", "asgi_app"),
}


def _require_worker(name: str) -> None:
    if name == "gunicorn-asgi" and gunicorn_version() < (25,):
        pytest.skip(f"gunicorn {gunicorn_version()} has no native ASGI worker (25+ has)")


@pytest.fixture(scope="module", params=list(WORKERS))
def gunicorn_main(
    request: pytest.FixtureRequest, session_servers: ServerFactory, server_logs: Path
) -> t.Iterator[Server]:
    _require_worker(request.param)
    worker = WORKERS[request.param]
    events = server_logs / f"gunicorn-{request.param}.events"
    server = session_servers(
        f"gunicorn-{request.param}",
        gunicorn_argv(f"{APPS}.main:{worker.app_name}", worker.worker_class, *worker.options),
        env={"ERLEN_TEST_EVENTS": str(events)},
    )
    server.worker = worker  # type: ignore[attr-defined]
    server.events = events  # type: ignore[attr-defined]
    yield server
    # Stop it here rather than at the end of the session, and check it went cleanly.
    server.stop_gracefully(signal.SIGTERM)
    if worker.is_asgi:
        assert [line.split()[0] for line in events.read_text().splitlines()] == [
            "startup",
            "shutdown",
        ]


def test_hello(gunicorn_main: Server) -> None:
    reply = gunicorn_main.get("/")
    assert (reply.status, reply.body) == (200, b"Hello, server!")
    assert reply.header("content-length") == "14"


def test_path_params_json_and_form(gunicorn_main: Server) -> None:
    assert gunicorn_main.get("/users/7/posts/a-b?x=1").json() == {
        "user_id": 7,
        "slug": "a-b",
        "args": {"x": ["1"]},
    }
    payload = {"a": [1, 2], "b": "ü"}
    reply = gunicorn_main.request(
        "POST", "/json", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    assert reply.json() == {"received": payload, "mimetype": "application/json"}
    reply = gunicorn_main.request(
        "POST", "/form", b"k=v&k=w", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.json() == {"form": {"k": ["v", "w"]}, "files": {}}


def test_streamed_response(gunicorn_main: Server) -> None:
    reply = gunicorn_main.get("/stream?count=20&size=50")
    assert reply.status == 200
    assert reply.header("transfer-encoding") == "chunked"
    assert reply.body == b"".join(f"{i:08d}".encode().ljust(50, b".") for i in range(20))


def test_large_upload(gunicorn_main: Server) -> None:
    data = bytes(range(256)) * (16 * 1024)  # 4 MiB
    reply = gunicorn_main.request("POST", "/upload", data)
    assert reply.json() == {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_chunked_upload(gunicorn_main: Server) -> None:
    pieces = [bytes([i]) * 50_000 for i in range(20)]
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_main.port, timeout=30)
    try:
        connection.request("POST", "/upload", body=iter(pieces), encode_chunked=True)
        reply = connection.getresponse()
        data = b"".join(pieces)
        assert reply.status == 200
        assert json.loads(reply.read()) == {
            "length": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    finally:
        connection.close()


def test_where_views_run(gunicorn_main: Server) -> None:
    worker = gunicorn_main.worker  # type: ignore[attr-defined]
    sync_thread = gunicorn_main.get("/thread").text
    async_thread = gunicorn_main.get("/async-thread").text
    if worker.is_asgi:
        # Sync views in erlen's pool, async views on the worker's event loop.
        assert sync_thread.startswith("erlen-sync")
        assert async_thread == "MainThread"
        paths = ["/gather/20"] * 20  # twenty async views suspended together
    else:
        assert not sync_thread.startswith("erlen-sync")
        assert gunicorn_main.get("/slow").text == "slept"  # async view under WSGI
        if worker.worker_class != "gthread":
            return
        paths = ["/sync-gather/4"] * 4  # one view per gthread thread, all at once
    with ThreadPoolExecutor(len(paths)) as pool:
        replies = list(pool.map(lambda path: gunicorn_main.get(path), paths))
    assert [r.status for r in replies] == [200] * len(paths), replies


def test_nothing_leaked(gunicorn_main: Server) -> None:
    gunicorn_main.assert_no_leaks()


@pytest.mark.parametrize("worker_name", list(WORKERS))
def test_same_responses_as_in_process(servers: ServerFactory, worker_name: str) -> None:
    _require_worker(worker_name)
    worker = WORKERS[worker_name]
    server = servers(
        f"gunicorn-diff-{worker_name}",
        gunicorn_argv(f"{APPS}.diff:{worker.app_name}", worker.worker_class, *worker.options),
    )
    assert_same_as_in_process(server, diff)
