"""One app with a view of every kind, plus counters the server tests read back.

``GET /_stats`` reports how many requests started and were torn down, how many
streamed generators were closed early, the peak number of async views in flight, and
the WebSocket connections opened and finished, so tests can check that nothing leaked
after a misbehaving client.  ``ERLEN_TEST_EVENTS`` names a file that the lifespan
handlers append ``startup``/``shutdown`` lines to.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import typing as t

from erlen import Erlen, abort, request, stream_with_context, url_for, websocket
from erlen.exceptions import ClientDisconnected, RequestEntityTooLarge

app = Erlen(__name__)
app.config["SECRET_KEY"] = "server-tests"
app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
asgi_app = app.asgi

#: Per-request limit of ``POST /limited`` (the 413 tests send more than this).
LIMITED_BYTES = 1024 * 1024


class Stats:
    """Counters shared by the loop thread and the sync-view threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.torn_down: set[int] = set()
        self.values: dict[str, int] = dict.fromkeys(
            (
                "started",
                "torn_down",
                "in_flight",
                "peak",
                "streams_started",
                "streams_closed_early",
                "streams_finished",
                "ws_opened",
                "ws_finished",
                "client_disconnects",
                "too_large",
            ),
            0,
        )

    def add(self, name: str, amount: int = 1) -> int:
        with self.lock:
            value = self.values[name] = self.values[name] + amount
            return value

    def enter_view(self) -> None:
        with self.lock:
            current = self.values["in_flight"] = self.values["in_flight"] + 1
            self.values["peak"] = max(self.values["peak"], current)

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.values)


stats = Stats()


def _record_event(event: str) -> None:
    path = os.environ.get("ERLEN_TEST_EVENTS")
    if path:
        with open(path, "a") as events:
            events.write(f"{event} {os.getpid()}\n")


@app.on_startup
async def started() -> None:
    await asyncio.sleep(0)
    if os.environ.get("ERLEN_TEST_FAIL_STARTUP"):
        raise RuntimeError("the database is unreachable")
    _record_event("startup")


@app.on_shutdown
def stopping() -> None:
    _record_event("shutdown")


@app.before_request
def count_start() -> None:
    request.environ["test.request_number"] = stats.add("started")


@app.teardown_request
def count_teardown(error: BaseException | None) -> None:
    # A request counts once even if torn down twice (``stream_with_context`` pushes
    # the context again, and Flask 3.1 then runs teardown twice too).
    # WebSocket routing errors are raised before the ``before_request`` hooks run:
    # only requests that were counted as started are counted here.
    number = request.environ.get("test.request_number")
    with stats.lock:
        if number is not None and number not in stats.torn_down:
            stats.torn_down.add(number)
            stats.values["torn_down"] += 1


@app.errorhandler(ClientDisconnected)
def client_left(error: ClientDisconnected) -> ClientDisconnected:
    stats.add("client_disconnects")
    return error


@app.errorhandler(413)
def too_large(error: RequestEntityTooLarge) -> RequestEntityTooLarge:
    stats.add("too_large")
    return error


@app.route("/_stats")
def read_stats() -> dict[str, t.Any]:
    return {**stats.snapshot(), "pid": os.getpid()}


@app.route("/")
def hello() -> str:
    return "Hello, server!"


@app.route("/users/<int:user_id>/posts/<slug>")
def user_post(user_id: int, slug: str) -> dict[str, t.Any]:
    return {"user_id": user_id, "slug": slug, "args": request.args.to_dict(flat=False)}


@app.post("/json")
def echo_json() -> dict[str, t.Any]:
    return {"received": request.get_json(), "mimetype": request.mimetype}


@app.post("/form")
def echo_form() -> dict[str, t.Any]:
    files = {
        name: {"filename": f.filename, "size": len(f.read())} for name, f in request.files.items()
    }
    return {"form": request.form.to_dict(flat=False), "files": files}


@app.post("/upload")
def upload() -> dict[str, t.Any]:
    """Read the raw body in pieces (never whole) and describe it."""
    digest = hashlib.sha256()
    length = 0
    stream = request.stream
    while chunk := stream.read(65536):
        digest.update(chunk)
        length += len(chunk)
    return {"length": length, "sha256": digest.hexdigest()}


@app.post("/upload-file")
def upload_file() -> dict[str, t.Any]:
    upload = request.files["file"]
    data = upload.read()
    return {
        "filename": upload.filename,
        "length": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "note": request.form.get("note"),
    }


@app.post("/limited")
def limited() -> str:
    request.max_content_length = LIMITED_BYTES
    return f"{len(request.get_data())} bytes"


@app.post("/limited-stream")
def limited_stream() -> str:
    """Like ``/limited`` but reading ``request.stream`` directly, as ``/upload`` does."""
    request.max_content_length = LIMITED_BYTES
    length = 0
    while chunk := request.stream.read(65536):
        length += len(chunk)
    return f"{length} bytes"


@app.post("/consume")
def consume() -> str:
    return f"{len(request.get_data())} bytes"


@app.route("/stream")
def stream() -> t.Any:
    """``count`` chunks of ``size`` bytes; records whether the generator ran to the end
    or was closed early (a client that left)."""
    count = request.args.get("count", 10, type=int)
    size = request.args.get("size", 10, type=int)

    def generate() -> t.Iterator[bytes]:
        stats.add("streams_started")
        finished = False
        try:
            for index in range(count):
                yield f"{index:08d}".encode().ljust(size, b".")
            finished = True
        finally:
            stats.add("streams_finished" if finished else "streams_closed_early")

    return app.response_class(generate(), mimetype="text/plain")


@app.post("/stream-unread")
def stream_unread() -> t.Any:
    """A streamed answer to a POST whose body the view never reads."""
    return stream()


@app.route("/stream-context")
def stream_context() -> t.Any:
    def generate() -> t.Iterator[str]:
        for word in ("path", request.path, "args", request.args.get("q", "")):
            yield word + "\n"

    return app.response_class(stream_with_context(generate()), mimetype="text/plain")


@app.route("/slow")
async def slow() -> str:
    """An async view that waits 100 ms; the peak of concurrent ones is recorded."""
    stats.enter_view()
    try:
        await asyncio.sleep(0.1)
    finally:
        stats.add("in_flight", -1)
    return "slept"


_rendezvous: dict[int, tuple[asyncio.Event, list[int]]] = {}


@app.route("/gather/<int:parties>")
async def gather(parties: int) -> tuple[str, int]:
    """Wait until ``parties`` requests are in this view at once (or give up after 10 s):
    all of them answering 200 proves they were in flight together."""
    event, arrived = _rendezvous.setdefault(parties, (asyncio.Event(), [0]))
    arrived[0] += 1
    if arrived[0] >= parties:
        event.set()
        del _rendezvous[parties]
    try:
        await asyncio.wait_for(event.wait(), 10)
    except asyncio.TimeoutError:
        return "alone", 504
    return "met", 200


_barriers: dict[int, threading.Barrier] = {}
_barriers_lock = threading.Lock()


@app.route("/sync-gather/<int:parties>")
def sync_gather(parties: int) -> tuple[str, int]:
    """The sync counterpart of ``/gather``: blocks its thread until ``parties`` threads
    are here, so it only succeeds when sync views run in parallel threads."""
    with _barriers_lock:
        barrier = _barriers.setdefault(parties, threading.Barrier(parties))
    try:
        barrier.wait(timeout=10)
    except threading.BrokenBarrierError:
        return "alone", 504
    return threading.current_thread().name, 200


@app.route("/thread")
def thread_name() -> str:
    return threading.current_thread().name


@app.route("/async-thread")
async def async_thread_name() -> str:
    return threading.current_thread().name


@app.route("/links")
def links() -> dict[str, str]:
    return {
        "echo": url_for("ws_echo", _external=True),
        "room": url_for("ws_room", room="lobby"),
    }


@app.websocket("/ws/echo")
async def ws_echo() -> None:
    """Echo text and binary messages until the client leaves."""
    stats.add("ws_opened")
    try:
        await websocket.accept()
        async for message in websocket:
            await websocket.send(message)
    finally:
        stats.add("ws_finished")


@app.websocket("/ws/room/<room>")
async def ws_room(room: str) -> None:
    await websocket.accept()
    await websocket.send(
        f"{room}|{request.args.get('user', '?')}|{url_for('ws_room', room=room, _external=True)}"
    )
    await websocket.close()


@app.websocket("/ws/json")
async def ws_json() -> None:
    data = await websocket.receive_json()
    await websocket.send_json({"got": data, "keys": sorted(data)})


@app.websocket("/ws/close/<int:code>")
async def ws_close(code: int) -> None:
    await websocket.accept()
    await websocket.send("bye")
    await websocket.close(code, "closing on purpose")


@app.websocket("/ws/refuse")
async def ws_refuse() -> None:
    await websocket.close()


@app.websocket("/ws/forbidden")
async def ws_forbidden() -> None:
    abort(403)
