"""Sessions under concurrency: threads (WSGI) and tasks (ASGI) never share a session,
and every request gives its connection back (no leaks after 10,000 requests)."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from erlen import Erlen, request
from erlen.db import SQLAlchemy

CONCURRENT = 50


def make(database_url, tmp_path, pre_ping=True):
    app = Erlen("concurrent", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": 5,
        "max_overflow": CONCURRENT + 10,
        "pool_timeout": 30,
        "pool_pre_ping": pre_ping,
    }
    db = SQLAlchemy(app)

    class Visit(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        worker = db.Column(db.String(20), nullable=False)

    with app.app_context():
        db.create_all()
    barrier = threading.Barrier(CONCURRENT, timeout=20)

    @app.route("/together")
    def together():
        session = db.session()
        session.info["mine"] = request.args["n"]
        db.session.execute(sa.text("SELECT 1"))  # holds a connection from here on
        barrier.wait()  # all CONCURRENT requests are inside their views now
        assert db.session() is session
        return {"session": id(session), "mine": session.info["mine"]}

    @app.route("/visit/<worker>")
    def visit(worker):
        db.session.add(Visit(worker=worker))
        db.session.commit()
        mine = db.session.scalars(db.select(Visit.worker).filter_by(worker=worker)).all()
        assert set(mine) == {worker}
        return str(len(mine))

    @app.route("/ping")
    def ping():
        return str(db.session.execute(sa.text("SELECT 1")).scalar())

    @app.route("/boom")
    def boom():
        db.session.execute(sa.text("SELECT 1"))
        raise RuntimeError("view failed while holding a connection")

    return app, db, Visit


def checked_out(app, db):
    with app.app_context():
        return db.engine.pool.checkedout()


def live_sessions(db):
    return len(db.session.registry.registry)


def test_concurrent_requests_have_their_own_sessions(database_url, tmp_path):
    app, db, _ = make(database_url, tmp_path)

    def call(n):
        response = app.test_client().get(f"/together?n={n}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        results = list(pool.map(call, range(CONCURRENT)))
    assert [r["mine"] for r in results] == [str(n) for n in range(CONCURRENT)]
    # All sessions were alive at once (the barrier), so distinct ids mean distinct sessions.
    assert len({r["session"] for r in results}) == CONCURRENT
    assert checked_out(app, db) == 0
    assert live_sessions(db) == 0


def test_eight_threads_of_sequential_requests(database_url, tmp_path):
    app, db, Visit = make(database_url, tmp_path)
    per_thread = 25

    def worker(name):
        client = app.test_client()
        for i in range(1, per_thread + 1):
            response = client.get(f"/visit/{name}")
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.get_data(as_text=True) == str(i)

    threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in range(8)]
    errors = []
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        errors.append(thread.is_alive())
    assert not any(errors)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 8 * per_thread
    assert checked_out(app, db) == 0
    assert live_sessions(db) == 0


def test_no_connection_leak_after_ten_thousand_requests(database_url, tmp_path):
    app, db, _ = make(database_url, tmp_path, pre_ping=False)  # fewer round trips
    client = app.test_client()
    for i in range(10_000):
        if i % 500 == 0:  # the error path gives its connection back too
            assert client.get("/boom").status_code == 500
        else:
            assert client.get("/ping").data == b"1"
    assert checked_out(app, db) == 0
    assert live_sessions(db) == 0
    with app.app_context():
        assert db.engine.pool.checkedin() <= 1  # one connection served them all


# -- ASGI -----------------------------------------------------------------------------------


async def asgi_get(app, path):
    """Send one GET through ``app.asgi`` and return (status, body)."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"test")],
        "server": ("test", 80),
        "client": ("127.0.0.1", 1234),
    }
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app.asgi(scope, receive, send)
    status = messages[0]["status"]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return status, body


def test_asgi_tasks_have_their_own_sessions(database_url, tmp_path):
    pytest.importorskip(
        "erlen.asgi", reason="erlen.asgi (app.asgi) cannot be imported yet; nothing to test"
    )
    app, db, _ = make(database_url, tmp_path)
    arrived = {"count": 0}
    everyone = asyncio.Event()

    @app.route("/async-together")
    async def async_together():
        session = db.session()
        session.info["mine"] = request.args["n"]
        db.session.execute(sa.text("SELECT 1"))
        arrived["count"] += 1
        if arrived["count"] == CONCURRENT:
            everyone.set()
        await asyncio.wait_for(everyone.wait(), 20)  # all tasks inside their views
        assert db.session() is session
        return {"session": id(session), "mine": session.info["mine"]}

    @app.route("/sync-in-pool")
    def sync_in_pool():
        session = db.session()
        db.session.execute(sa.text("SELECT 1"))
        return {"session": id(session), "mine": request.args["n"]}

    async def main():
        together = await asyncio.gather(
            *(asgi_get(app, f"/async-together?n={n}") for n in range(CONCURRENT))
        )
        pooled = await asyncio.gather(
            *(asgi_get(app, f"/sync-in-pool?n={n}") for n in range(CONCURRENT))
        )
        return together, pooled

    together, pooled = asyncio.run(main())
    assert all(status == 200 for status, _ in together), together[0]
    bodies = [json.loads(body) for _, body in together]
    assert [b["mine"] for b in bodies] == [str(n) for n in range(CONCURRENT)]
    assert len({b["session"] for b in bodies}) == CONCURRENT
    assert all(status == 200 for status, _ in pooled), pooled[0]
    assert [json.loads(body)["mine"] for _, body in pooled] == [str(n) for n in range(CONCURRENT)]
    assert checked_out(app, db) == 0
    assert live_sessions(db) == 0
