"""WebSocket routes over real uvicorn processes, driven by the ``websockets`` client.

uvicorn has two WebSocket implementations that erlen must both work with: the
``websockets`` library's (its default when that is installed) and ``wsproto``.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import typing as t
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from .conftest import APPS, Server, ServerFactory, closed_by_peer, uvicorn_argv


@pytest.fixture(scope="module", params=["websockets-sansio", "wsproto"])
def ws_server(
    request: pytest.FixtureRequest, uvicorn_main: Server, session_servers: ServerFactory
) -> Server:
    if request.param == "websockets-sansio":
        server = uvicorn_main  # uvicorn's default with the websockets library installed
    else:
        server = session_servers(
            f"uvicorn-ws-{request.param}",
            uvicorn_argv(f"{APPS}.main:app.asgi", "--ws", request.param),
        )
    server.ws_impl = request.param  # type: ignore[attr-defined]
    return server


def ws_url(server: Server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def test_echo_text_and_binary(ws_server: Server) -> None:
    with connect(ws_url(ws_server, "/ws/echo")) as ws:
        for message in ["hello", "ünïcödé", "x" * 70_000, b"\x00\x01\xff", bytes(100_000)]:
            ws.send(message)
            assert ws.recv(timeout=10) == message


def test_json_messages(ws_server: Server) -> None:
    with connect(ws_url(ws_server, "/ws/json")) as ws:
        ws.send(json.dumps({"b": 2, "a": [1, None]}))
        assert json.loads(ws.recv(timeout=10)) == {
            "got": {"b": 2, "a": [1, None]},
            "keys": ["a", "b"],
        }


def test_server_close_code_and_reason(ws_server: Server) -> None:
    with connect(ws_url(ws_server, "/ws/close/4001")) as ws:
        assert ws.recv(timeout=10) == "bye"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4001, "closing on purpose")


def test_route_arguments_query_and_url_for(ws_server: Server) -> None:
    with connect(ws_url(ws_server, "/ws/room/lobby?user=ada")) as ws:
        assert ws.recv(timeout=10) == f"lobby|ada|{ws_url(ws_server, '/ws/room/lobby')}"
    # An HTTP view builds ws:// URLs for WebSocket routes.
    assert ws_server.get("/links").json() == {
        "echo": ws_url(ws_server, "/ws/echo"),
        "room": ws_url(ws_server, "/ws/room/lobby"),
    }


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # uvicorn supports the ASGI denial-response extension, so an HTTP error raised
        # before accepting reaches the client with its own status...
        ("/ws/no-such-route", 404),
        ("/ws/forbidden", 403),
        # ...and a view that closes without accepting is refused with 403.
        ("/ws/refuse", 403),
    ],
)
def test_rejected_handshakes(ws_server: Server, path: str, status: int) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(ws_server, path), open_timeout=10)
    assert refused.value.response.status_code == status


def test_many_connections_at_once(ws_server: Server) -> None:
    def talk(number: int) -> list[str | bytes]:
        with connect(ws_url(ws_server, "/ws/echo")) as ws:
            replies = []
            for turn in range(5):
                ws.send(f"{number}:{turn}")
                replies.append(ws.recv(timeout=10))
            return replies

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(talk, range(20)))
    assert results == [[f"{n}:{turn}" for turn in range(5)] for n in range(20)]


def all_websockets_finished(server: Server) -> dict[str, int]:
    return server.wait_for_stats(
        lambda s: s["ws_finished"] == s["ws_opened"], "every WebSocket view finished"
    )


def open_raw_websocket(server: Server, path: str) -> socket.socket:
    """A hand-made handshake, leaving a socket to send arbitrary bytes on."""
    sock = server.connect()
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed during the handshake: {response!r}"
        response += chunk
    assert response.startswith(b"HTTP/1.1 101 "), response
    return sock


def masked_text_frame(text: str) -> bytes:
    payload = text.encode()
    assert len(payload) < 126
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


def test_client_leaving_early_ends_the_view(ws_server: Server) -> None:
    before = ws_server.stats()
    # A polite close right after the handshake...
    with connect(ws_url(ws_server, "/ws/echo")):
        pass
    # ...and a client that just drops the TCP connection.
    sock = open_raw_websocket(ws_server, "/ws/echo")
    sock.sendall(masked_text_frame("ping"))
    assert sock.recv(64) == b"\x81\x04ping"  # the echo, unmasked from the server
    sock.close()
    after = all_websockets_finished(ws_server)
    assert after["ws_opened"] - before["ws_opened"] == 2
    with connect(ws_url(ws_server, "/ws/echo")) as ws:
        ws.send("still here")
        assert ws.recv(timeout=10) == "still here"


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xff" * 64,  # reserved bits and opcode
        b"\x81\x05hello",  # an unmasked client frame
        b"\x81\xff" + b"\x7f" * 8 + b"\x00" * 4,  # announces an absurd 9 EB payload
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # HTTP after the upgrade
    ],
    ids=["reserved-bits", "unmasked", "huge-length", "http"],
)
def test_malformed_frames_close_the_connection_only(ws_server: Server, garbage: bytes) -> None:
    before = ws_server.stats()
    sock = open_raw_websocket(ws_server, "/ws/echo")
    try:
        sock.sendall(garbage)
        if garbage.startswith(b"\x81\xff") and ws_server.ws_impl == "wsproto":  # type: ignore[attr-defined]
            # wsproto does not check an announced length up front: it waits for the
            # payload, so this client gives up and leaves instead.
            sock.shutdown(socket.SHUT_WR)
        sent_back = closed_by_peer(sock)
    finally:
        sock.close()
    # Whatever came back is a close frame with a protocol-level error code.
    if sent_back:
        assert sent_back[0] == 0x88, sent_back
        (code,) = struct.unpack("!H", sent_back[2:4])
        assert code in (1002, 1007, 1009), code
    after = all_websockets_finished(ws_server)
    assert after["ws_opened"] - before["ws_opened"] == 1
    with connect(ws_url(ws_server, "/ws/echo")) as ws:
        ws.send("next")
        assert ws.recv(timeout=10) == "next"
    assert ws_server.get("/").status == 200


def test_nothing_leaked(ws_server: Server) -> None:
    stats: dict[str, t.Any] = all_websockets_finished(ws_server)
    assert stats["ws_opened"] > 0
    ws_server.assert_no_leaks()
