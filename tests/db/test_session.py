"""``db.session``: scoped to the app context and removed at its teardown; the 404
helpers; recorded queries; modification tracking signals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from erlen import Erlen, g
from erlen.db import (
    SQLAlchemy,
    before_models_committed,
    get_recorded_queries,
    models_committed,
)
from erlen.exceptions import NotFound


def make(tmp_path, **config):
    app = Erlen("sessions", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'app.db'}"
    app.config.update(config)
    db = SQLAlchemy(app)

    class Note(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        text = db.Column(db.String(50), unique=True)

    with app.app_context():
        db.create_all()
    return app, db, Note


def test_one_session_per_app_context_removed_at_teardown(tmp_path):
    app, db, Note = make(tmp_path)
    with app.app_context():
        pool = db.engine.pool
        first = db.session()
        assert db.session() is first
        db.session.add(Note(text="uncommitted"))
        assert pool.checkedout() == 0
        db.session.flush()  # now holds a connection
        assert pool.checkedout() == 1
        with app.app_context():  # a new context: a new session
            assert db.session() is not first
        assert db.session() is first
    assert pool.checkedout() == 0  # returned at teardown
    with app.app_context():
        assert db.session() is not first
        assert Note.query.count() == 0  # the uncommitted flush was rolled back


def test_request_reuses_an_active_app_context_session(tmp_path):
    app, db, Note = make(tmp_path)
    seen = []

    @app.route("/")
    def index():
        seen.append(db.session())
        return "ok"

    with app.app_context():
        outer = db.session()
        app.test_client().get("/")  # the request joins the pushed app context
        assert seen == [outer]
    app.test_client().get("/")
    assert seen[1] is not outer


def test_session_outside_an_app_context_is_an_error(tmp_path):
    _, db, _ = make(tmp_path)
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        db.session.add(object())


def test_custom_scopefunc(tmp_path):
    app = Erlen("scoped", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy(app, session_options={"scopefunc": lambda: "everywhere"})
    with app.app_context():
        first = db.session()
    with app.app_context():
        assert db.session() is not first  # teardown removed it
        db.session.remove()


def test_404_helpers(tmp_path):
    app, db, Note = make(tmp_path)
    with app.app_context():
        db.session.add_all([Note(text="a"), Note(text="b")])
        db.session.commit()
        assert db.get_or_404(Note, 1).text == "a"
        assert Note.query.get_or_404(2).text == "b"
        assert Note.query.filter_by(text="a").first_or_404().id == 1
        assert Note.query.filter_by(text="b").one_or_404().id == 2
        assert db.first_or_404(db.select(Note).order_by(Note.id.desc())).text == "b"
        assert db.one_or_404(db.select(Note).filter_by(text="a")).id == 1
        with pytest.raises(NotFound) as info:
            db.get_or_404(Note, 3, description="No note 3")
        assert info.value.description == "No note 3"
        for call in (
            lambda: Note.query.get_or_404(3),
            lambda: Note.query.filter_by(text="z").first_or_404(),
            lambda: Note.query.one_or_404(),  # several rows
            lambda: Note.query.filter_by(text="z").one_or_404(),
            lambda: db.first_or_404(db.select(Note).where(Note.id > 5)),
            lambda: db.one_or_404(db.select(Note)),
        ):
            with pytest.raises(NotFound):
                call()

    @app.route("/notes/<int:note_id>")
    def show(note_id):
        return db.get_or_404(Note, note_id, description="That note does not exist.").text

    client = app.test_client()
    assert client.get("/notes/1").get_data(as_text=True) == "a"
    missing = client.get("/notes/9")
    assert missing.status_code == 404
    assert "That note does not exist." in missing.get_data(as_text=True)


def test_recorded_queries(tmp_path):
    app, db, Note = make(tmp_path, SQLALCHEMY_RECORD_QUERIES=True)
    with app.app_context():
        assert get_recorded_queries() == []
        db.session.execute(sa.text("SELECT :x"), {"x": 7})
        Note.query.filter_by(text="q").all()
        queries = get_recorded_queries()
        assert [q.statement for q in queries][0] == "SELECT ?"
        assert queries[0].parameters == [(7,)]
        assert "FROM note" in queries[1].statement
        assert all(q.duration >= 0 and q.end_time >= q.start_time for q in queries)
        assert queries[0].location == "<unknown>"  # no frame in the app's package "sessions"
        assert g._sqlalchemy_queries is queries
    with app.app_context():
        assert get_recorded_queries() == []  # per app context
    assert get_recorded_queries() == []  # and empty outside one


def test_recorded_query_location_points_into_the_app_package(tmp_path):
    app = Erlen("tests.db.test_session", instance_path=str(tmp_path))
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SQLALCHEMY_RECORD_QUERIES=True)
    db = SQLAlchemy(app)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        [query] = get_recorded_queries()
    assert __file__ in query.location and "test_recorded_query_location" in query.location


def test_queries_not_recorded_by_default(tmp_path):
    app, db, _ = make(tmp_path)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        assert get_recorded_queries() == []


def test_models_committed_signals(tmp_path):
    app, db, Note = make(tmp_path, SQLALCHEMY_TRACK_MODIFICATIONS=True)
    before, after = [], []

    def on_before(sender, changes):
        before.append((sender, [(type(obj).__name__, op) for obj, op in changes]))

    def on_after(sender, changes):
        after.append((sender, sorted(op for _, op in changes)))

    before_models_committed.connect(on_before, app)
    models_committed.connect(on_after, app)
    try:
        with app.app_context():
            note = Note(text="x")
            db.session.add(note)
            db.session.commit()
            note.text = "y"
            db.session.add(Note(text="z"))
            db.session.commit()
            db.session.delete(note)
            db.session.rollback()  # nothing tracked survives a rollback
            db.session.commit()
            db.session.delete(note)
            db.session.commit()
    finally:
        before_models_committed.disconnect(on_before, app)
        models_committed.disconnect(on_after, app)
    assert before[0] == (app, [("Note", "insert")])
    assert after == [(app, ["insert"]), (app, ["insert", "update"]), (app, ["delete"])]


def test_untracked_app_sends_no_signals(tmp_path):
    app, db, Note = make(tmp_path)
    received = []
    models_committed.connect(lambda sender, changes: received.append(changes), weak=False)
    try:
        with app.app_context():
            db.session.add(Note(text="x"))
            db.session.commit()
    finally:
        models_committed.receivers.clear()
    assert received == []
