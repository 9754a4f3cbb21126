"""Clients that misbehave on real sockets, against uvicorn (``app.asgi``) and gunicorn's
gthread worker (the WSGI app).  After each one the next request must be served, and
every request that started must have been torn down (``apps.main`` counts both).
"""

from __future__ import annotations

import select
import socket
import time
import typing as t

import pytest

from .apps.main import LIMITED_BYTES
from .conftest import APPS, Server, ServerFactory, gunicorn_argv


@pytest.fixture(scope="module", params=["uvicorn", "gunicorn-gthread"])
def server(
    request: pytest.FixtureRequest, uvicorn_main: Server, session_servers: ServerFactory
) -> Server:
    if request.param == "uvicorn":
        server = uvicorn_main
        server.threads = None  # type: ignore[attr-defined]
    else:
        server = session_servers(
            "gunicorn-gthread-bad-clients",
            gunicorn_argv(f"{APPS}.main:app", "gthread", "--threads", "4", "--timeout", "30"),
        )
        server.threads = 4  # type: ignore[attr-defined]
    return server


@pytest.fixture(autouse=True)
def no_errors_logged(server: Server) -> t.Iterator[None]:
    """Whatever the client did, the server logged no unhandled error (checked once the
    requests it started have all been torn down)."""
    mark = server.log_mark()
    yield
    server.assert_no_leaks()
    server.assert_no_errors_logged_since(mark)


def served_normally(server: Server) -> None:
    reply = server.get("/")
    assert (reply.status, reply.body) == (200, b"Hello, server!")


def send_head(sock: socket.socket, head: str) -> None:
    sock.sendall(head.replace("\n", "\r\n").encode())


def test_client_disconnects_mid_body(server: Server, request: pytest.FixtureRequest) -> None:
    before = server.stats()
    with server.connect() as sock:
        send_head(
            sock,
            "POST /consume HTTP/1.1\nHost: bad.client\nContent-Length: 1048576\n"
            "Content-Type: application/octet-stream\n\n",
        )
        sock.sendall(b"x" * 10_240)
    # The request is torn down like any other; the view's read failed with
    # ClientDisconnected (a 400 nobody receives), not with a server error. (Wait for
    # the count: a threaded server may answer the stats request before it even starts
    # the abandoned one, and "nothing in flight" would then hold too early.)
    server.wait_for_stats(
        lambda s: s["client_disconnects"] == before["client_disconnects"] + 1,
        "the view saw the client leave mid-body",
    )
    server.assert_no_leaks()
    served_normally(server)


def test_client_disconnects_mid_stream(server: Server) -> None:
    before = server.stats()
    with server.connect() as sock:
        # About 1 GB if anyone read it all.
        send_head(sock, "GET /stream?count=1000000&size=1024 HTTP/1.1\nHost: bad.client\n\n")
        received = 0
        while received < 100_000:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the stream early"
            received += len(chunk)
    # The app's generator is closed (its ``finally`` runs) soon after, not run to the end.
    after = server.wait_for_stats(
        lambda s: s["streams_closed_early"] == before["streams_closed_early"] + 1,
        "the streaming generator was closed",
    )
    assert after["streams_finished"] == before["streams_finished"]
    served_normally(server)


def test_client_disconnects_mid_stream_after_an_unread_body(
    server: Server, request: pytest.FixtureRequest
) -> None:
    before = server.stats()
    with server.connect() as sock:
        # A POST whose body the view never reads, answered with a 50 MB stream.
        send_head(
            sock,
            "POST /stream-unread?count=50000&size=1024 HTTP/1.1\nHost: bad.client\n"
            "Content-Length: 5\n\nhello",
        )
        received = 0
        while received < 100_000:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the stream early"
            received += len(chunk)
    ended = before["streams_closed_early"] + before["streams_finished"] + 1
    after = server.wait_for_stats(
        lambda s: s["streams_closed_early"] + s["streams_finished"] == ended,
        "the streaming generator ended",
    )
    assert after["streams_closed_early"] == before["streams_closed_early"] + 1
    served_normally(server)


def read_response_head(sock: socket.socket, data: bytes, timeout: float = 10.0) -> bytes:
    """Read until the end of the response's head (the server may then close)."""
    sock.settimeout(timeout)
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize("path", ["/limited", "/limited-stream"])
def test_chunked_body_over_the_limit_is_refused_before_it_is_all_sent(
    server: Server, path: str
) -> None:
    before = server.stats()
    piece = 64 * 1024
    frame = b"%x\r\n" % piece + b"z" * piece + b"\r\n"
    total_frames = 64 * 1024 * 1024 // piece  # 64 MiB, 64 times the view's limit
    sent_frames = 0
    early = b""
    with server.connect() as sock:
        send_head(
            sock,
            f"POST {path} HTTP/1.1\nHost: bad.client\nTransfer-Encoding: chunked\n"
            "Content-Type: application/octet-stream\n\n",
        )
        sock.setblocking(False)
        pending = b""
        deadline = time.monotonic() + 30
        while sent_frames < total_frames or pending:
            readable, writable, _ = select.select([sock], [sock], [], 1.0)
            if readable:
                try:
                    early = sock.recv(65536)
                except ConnectionResetError:
                    pass
                break  # the server answered (or hung up) while we were still sending
            if writable:
                if not pending:
                    pending = frame
                    sent_frames += 1
                try:
                    pending = pending[sock.send(pending) :]
                except (BrokenPipeError, ConnectionResetError):
                    break
            assert time.monotonic() < deadline, "the server neither read nor answered"
        head = read_response_head(sock, early)
    assert head.startswith(b"HTTP/1.1 413 "), head[:200]
    assert sent_frames < total_frames, "413 came only after the whole body was sent"
    # The view stopped reading a little after its 1 MiB limit.
    assert sent_frames * piece < 40 * LIMITED_BYTES
    after = server.assert_no_leaks()
    assert after["too_large"] == before["too_large"] + 1
    served_normally(server)


def test_slow_partial_headers_do_not_block_other_clients(server: Server) -> None:
    # A slowloris client holds connections open with headers that never end.  uvicorn
    # multiplexes connections; a gthread worker blocks one thread per such connection,
    # so there it gets fewer than its threads.
    threads = server.threads  # type: ignore[attr-defined]
    count = 20 if threads is None else threads - 2
    slow = []
    try:
        for _ in range(count):
            sock = server.connect()
            send_head(sock, "GET / HTTP/1.1\nHost: slow.client\nX-Slow: aaa")
            slow.append(sock)
        for _ in range(3):
            served_normally(server)
    finally:
        for sock in slow:
            sock.close()


def test_malformed_request_lines_get_an_error_not_a_crash(server: Server) -> None:
    for garbage in (b"\x00\x01\x02 garbage\r\n\r\n", b"GET /\xff\xfe HTTP/9.9\r\n\r\n"):
        with server.connect() as sock:
            sock.sendall(garbage)
            head = read_response_head(sock, b"")
        assert head == b"" or head.startswith(b"HTTP/1.1 400 "), head[:100]
    served_normally(server)
