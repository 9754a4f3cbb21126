"""``app.asgi`` served by a real uvicorn process: views, streaming, concurrency, lifespan."""

from __future__ import annotations

import hashlib
import http.client
import json
import signal
import subprocess
import typing as t
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .apps import diff
from .conftest import (
    APPS,
    REPO_ROOT,
    Server,
    ServerFactory,
    assert_same_as_in_process,
    free_port,
    server_env,
    uvicorn_argv,
)


def test_hello(uvicorn_main: Server) -> None:
    reply = uvicorn_main.get("/")
    assert (reply.status, reply.body) == (200, b"Hello, server!")
    assert reply.header("content-type") == "text/html; charset=utf-8"
    assert reply.header("content-length") == "14"


def test_path_params_and_query(uvicorn_main: Server) -> None:
    reply = uvicorn_main.get("/users/42/posts/hello-world?tag=a&tag=b")
    assert reply.status == 200
    assert reply.json() == {"user_id": 42, "slug": "hello-world", "args": {"tag": ["a", "b"]}}
    assert uvicorn_main.get("/users/x/posts/y").status == 404


def test_json_body(uvicorn_main: Server) -> None:
    payload = {"name": "Ada", "tags": ["x", "y"], "n": 1.5, "none": None}
    reply = uvicorn_main.request(
        "POST", "/json", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    assert reply.status == 200
    assert reply.json() == {"received": payload, "mimetype": "application/json"}
    assert reply.header("content-type") == "application/json"


def test_form_post(uvicorn_main: Server) -> None:
    body = b"name=Ada+Lovelace&lang=py&lang=rs&city=Z%C3%BCrich"
    reply = uvicorn_main.request(
        "POST", "/form", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.json() == {
        "form": {"name": ["Ada Lovelace"], "lang": ["py", "rs"], "city": ["Zürich"]},
        "files": {},
    }


def test_streamed_response_is_chunked(uvicorn_main: Server) -> None:
    reply = uvicorn_main.get("/stream?count=50&size=100")
    assert reply.status == 200
    assert reply.header("transfer-encoding") == "chunked"
    assert reply.header("content-length") is None
    assert reply.body == b"".join(f"{i:08d}".encode().ljust(100, b".") for i in range(50))


def test_stream_with_context_sees_the_request(uvicorn_main: Server) -> None:
    reply = uvicorn_main.get("/stream-context?q=ctx")
    assert reply.text == "path\n/stream-context\nargs\nctx\n"


def test_large_raw_upload_is_streamed_to_the_view(uvicorn_main: Server) -> None:
    data = bytes(range(256)) * (24 * 1024)  # 6 MiB
    reply = uvicorn_main.request(
        "POST", "/upload", data, {"Content-Type": "application/octet-stream"}
    )
    assert reply.status == 200
    assert reply.json() == {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_large_chunked_upload(uvicorn_main: Server) -> None:
    pieces = [bytes([i]) * 100_000 for i in range(30)]
    connection = http.client.HTTPConnection("127.0.0.1", uvicorn_main.port, timeout=30)
    try:
        connection.request("POST", "/upload", body=iter(pieces), encode_chunked=True)
        reply = connection.getresponse()
        assert reply.status == 200
        data = b"".join(pieces)
        assert json.loads(reply.read()) == {
            "length": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    finally:
        connection.close()


def test_large_multipart_file_upload(uvicorn_main: Server) -> None:
    content = bytes(range(256)) * 12 * 1024  # 3 MiB
    boundary = "----erlen-boundary-7d1"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nbig one\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file";'
            f' filename="blob.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    reply = uvicorn_main.request(
        "POST", "/upload-file", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert reply.status == 200, reply
    assert reply.json() == {
        "filename": "blob.bin",
        "length": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "note": "big one",
    }


def concurrently(server: Server, paths: list[str]) -> list[t.Any]:
    """Send each request from its own thread, all at once."""
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(lambda path: server.get(path, timeout=30), paths))


def test_async_views_run_concurrently(uvicorn_main: Server) -> None:
    before = uvicorn_main.stats()
    replies = concurrently(uvicorn_main, ["/slow"] * 50)
    assert [r.status for r in replies] == [200] * 50
    assert {r.body for r in replies} == {b"slept"}
    after = uvicorn_main.stats()
    # Each view waits 100 ms; a server running them one at a time never has two in
    # flight. (How many overlap depends on how fast the clients connect.)
    assert after["peak"] > 1
    assert after["in_flight"] == 0
    assert after["started"] - before["started"] == 51


def test_fifty_async_views_are_in_flight_at_once(uvicorn_main: Server) -> None:
    # Each request waits until all 50 are inside the view: every one answering 200
    # proves the event loop held 50 views suspended together.
    replies = concurrently(uvicorn_main, ["/gather/50"] * 50)
    assert [(r.status, r.body) for r in replies] == [(200, b"met")] * 50


def test_sync_views_run_in_the_thread_pool(uvicorn_main: Server) -> None:
    assert uvicorn_main.get("/thread").text.startswith("erlen-sync")
    assert uvicorn_main.get("/async-thread").text == "MainThread"
    # Eight sync views blocking their threads until all eight are there at once.
    replies = concurrently(uvicorn_main, ["/sync-gather/8"] * 8)
    assert all(r.status == 200 for r in replies), replies
    names = {r.text for r in replies}
    assert len(names) == 8 and all(name.startswith("erlen-sync") for name in names)


def test_the_server_stays_clean(uvicorn_main: Server) -> None:
    uvicorn_main.assert_no_leaks()


def read_events(path: Path) -> list[str]:
    return [line.split()[0] for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_lifespan_handlers_run_and_shutdown_is_graceful(
    servers: ServerFactory, server_logs: Path, sig: int
) -> None:
    events = server_logs / f"lifespan-{sig}.events"
    server = servers(
        f"uvicorn-lifespan-{sig}",
        uvicorn_argv(f"{APPS}.main:app.asgi"),
        env={"ERLEN_TEST_EVENTS": str(events)},
    )
    # uvicorn only listens once the startup handlers are done.
    assert read_events(events) == ["startup"]
    assert server.get("/").status == 200
    server.stop_gracefully(sig)
    assert read_events(events) == ["startup", "shutdown"]
    pid = server.process.pid  # type: ignore[union-attr]
    assert {int(line.split()[1]) for line in events.read_text().splitlines()} == {pid}
    assert "Application shutdown complete" in server.log()


def test_failing_startup_handler_stops_the_server(server_logs: Path) -> None:
    events = server_logs / "failing-startup.events"
    result = subprocess.run(
        uvicorn_argv(f"{APPS}.main:app.asgi")(free_port()),
        cwd=REPO_ROOT,
        env=server_env({"ERLEN_TEST_FAIL_STARTUP": "1", "ERLEN_TEST_EVENTS": str(events)}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 3, output  # uvicorn's "startup failed" status
    assert "RuntimeError: the database is unreachable" in output
    assert read_events(events) == []


def test_same_responses_as_in_process(servers: ServerFactory) -> None:
    server = servers("uvicorn-diff", uvicorn_argv(f"{APPS}.diff:app.asgi"))
    assert_same_as_in_process(server, diff)
