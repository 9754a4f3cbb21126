"""WebSocket routes over ASGI (in process) and their behaviour under WSGI."""

from __future__ import annotations

import asyncio
import typing as t

from erlen import Blueprint, Erlen, abort, request, url_for, websocket

Message = dict[str, t.Any]


def ws_scope(path: str, query: bytes = b"") -> dict:
    return {
        "type": "websocket",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [
            (b"host", b"chat.test"),
            (b"connection", b"Upgrade"),
            (b"upgrade", b"websocket"),
        ],
        "scheme": "ws",
        "server": ("chat.test", 80),
        "client": ("127.0.0.1", 4000),
        "subprotocols": ["chat.v1"],
    }


def converse(app: Erlen, path: str, incoming: list[Message], query: bytes = b"") -> list[Message]:
    inbox = [{"type": "websocket.connect"}, *incoming]
    sent: list[Message] = []

    async def receive() -> Message:
        if inbox:
            return inbox.pop(0)
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app.asgi(ws_scope(path, query), receive, send))
    return sent


def text(value: str) -> Message:
    return {"type": "websocket.receive", "text": value}


def make_app() -> Erlen:
    app = Erlen(__name__)

    @app.websocket("/ws/<room>")
    async def chat(room: str) -> None:
        await websocket.accept(subprotocol="chat.v1")
        async for message in websocket:
            await websocket.send(f"{room}|{message}|{request.args.get('user', '?')}")

    @app.websocket("/json")
    async def json_echo() -> None:
        data = await websocket.receive_json()
        await websocket.send_json({"got": data})
        await websocket.close(4001)

    @app.websocket("/binary")
    async def binary() -> None:
        await websocket.accept()
        data = await websocket.receive()
        await websocket.send(data[::-1])

    @app.websocket("/forbidden")
    async def forbidden() -> None:
        abort(403)

    @app.websocket("/boom")
    async def boom() -> None:
        await websocket.accept()
        raise RuntimeError("bug in the view")

    @app.route("/links")
    def links() -> str:
        return url_for("chat", room="lobby")

    return app


def test_accept_echo_and_query_args() -> None:
    sent = converse(
        make_app(),
        "/ws/lobby",
        [text("hi"), text("there"), {"type": "websocket.disconnect", "code": 1001}],
        query=b"user=ada",
    )
    assert sent[0] == {"type": "websocket.accept", "subprotocol": "chat.v1"}
    assert [m["text"] for m in sent[1:]] == ["lobby|hi|ada", "lobby|there|ada"]


def test_json_messages_and_explicit_close_code() -> None:
    sent = converse(make_app(), "/json", [text('{"a": 1}')])
    assert sent[-2] == {"type": "websocket.send", "text": '{"got": {"a": 1}}'}
    assert sent[-1]["type"] == "websocket.close" and sent[-1]["code"] == 4001


def test_binary_messages() -> None:
    sent = converse(make_app(), "/binary", [{"type": "websocket.receive", "bytes": b"abc"}])
    assert {"type": "websocket.send", "bytes": b"cba"} in sent


def test_unknown_route_and_abort_reject_the_handshake() -> None:
    for path in ("/nope", "/forbidden"):
        sent = converse(make_app(), path, [])
        assert sent == [{"type": "websocket.close", "code": 1008}]


def test_error_after_accept_closes_with_1011() -> None:
    sent = converse(make_app(), "/boom", [])
    assert sent[0]["type"] == "websocket.accept"
    assert sent[-1] == {"type": "websocket.close", "code": 1011, "reason": ""}


def test_early_client_close_is_clean_and_the_next_connection_works() -> None:
    app = make_app()
    sent = converse(app, "/ws/x", [{"type": "websocket.disconnect", "code": 1006}])
    assert sent == [{"type": "websocket.accept", "subprotocol": "chat.v1"}]
    again = converse(app, "/ws/y", [text("ok"), {"type": "websocket.disconnect", "code": 1000}])
    assert again[1]["text"] == "y|ok|?"


def test_url_for_builds_websocket_urls() -> None:
    app = make_app()
    with app.test_request_context(base_url="https://chat.test"):
        assert url_for("chat", room="r1") == "wss://chat.test/ws/r1"
    assert app.test_client().get("/links").text == "ws://localhost/ws/lobby"


def test_blueprint_websocket_routes() -> None:
    app = Erlen(__name__)
    rooms = Blueprint("rooms", __name__, url_prefix="/rooms")

    @rooms.websocket("/<name>")
    async def room(name: str) -> None:
        await websocket.send(f"{request.blueprint}:{name}")

    app.register_blueprint(rooms)
    sent = converse(app, "/rooms/kitchen", [])
    assert {"type": "websocket.send", "text": "rooms:kitchen"} in sent


def test_websocket_routes_under_wsgi_answer_with_a_clear_error() -> None:
    client = make_app().test_client()
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket"}
    response = client.get("/ws/lobby", headers=upgrade)
    assert response.status_code == 400
    assert b"ASGI" in response.data
    # A plain HTTP request to a WebSocket-only path is a 400 as well (a mismatch).
    assert client.get("/ws/lobby").status_code == 400
