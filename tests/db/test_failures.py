"""Failures inside requests: constraint violations and lost database connections leave
the next request on the same worker with a clean session and a working pool."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from erlen import Erlen, jsonify, request
from erlen.db import SQLAlchemy


def make(database_url, tmp_path):
    app = Erlen("failures", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_size": 2}
    db = SQLAlchemy(app)

    class Account(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(100), unique=True, nullable=False)

    with app.app_context():
        db.create_all()

    @app.route("/accounts", methods=["POST"])
    def create():
        db.session.add(Account(email=request.form["email"]))
        db.session.commit()  # a duplicate raises IntegrityError: unhandled, a 500
        return "created", 201

    @app.route("/accounts-forgetful", methods=["POST"])
    def create_forgetful():
        # The tutorial's bug: swallow the error without rolling back.
        try:
            db.session.add(Account(email=request.form["email"]))
            db.session.commit()
        except IntegrityError:
            pass
        return "done"

    @app.route("/accounts")
    def listing():
        session = db.session()
        return jsonify(
            emails=sorted(db.session.scalars(db.select(Account.email))),
            pending=len(session.new) + len(session.dirty),
        )

    return app, db, Account


def test_unique_violation_rolls_back_and_the_next_request_is_clean(database_url, tmp_path):
    app, db, _ = make(database_url, tmp_path)
    client = app.test_client()
    assert client.post("/accounts", data={"email": "a@x"}).status_code == 201
    assert client.post("/accounts", data={"email": "a@x"}).status_code == 500
    after = client.get("/accounts")
    assert after.status_code == 200
    assert after.get_json() == {"emails": ["a@x"], "pending": 0}
    assert client.post("/accounts", data={"email": "b@x"}).status_code == 201
    # A view that swallows the error without rollback poisons only its own request.
    assert client.post("/accounts-forgetful", data={"email": "b@x"}).status_code == 200
    assert client.get("/accounts").get_json() == {"emails": ["a@x", "b@x"], "pending": 0}
    with app.app_context():
        assert db.engine.pool.checkedout() == 0


def test_lost_connection_mid_request_is_a_500_and_the_pool_recovers(postgres_database, tmp_path):
    app, db, _ = make(postgres_database, tmp_path)
    kill = sa.text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = current_setting('application_name')"
        " AND pid <> pg_backend_pid()"
    )
    admin = sa.create_engine(postgres_database, poolclass=sa.pool.NullPool)

    @app.route("/killed")
    def killed():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as connection:
            terminated = connection.execute(
                sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
            ).scalar()
        assert terminated
        db.session.execute(sa.text("SELECT 1"))  # the connection is gone
        return "unreachable"

    try:
        client = app.test_client()
        assert client.get("/accounts").status_code == 200
        assert client.get("/killed").status_code == 500
        assert client.get("/accounts").get_json() == {"emails": [], "pending": 0}
        # Idle pooled connections killed between requests: pre-ping replaces them.
        with admin.connect() as connection:
            connection.execute(kill)
        for _ in range(3):
            assert client.get("/accounts").status_code == 200
        assert client.post("/accounts", data={"email": "after@x"}).status_code == 201
        with app.app_context():
            assert db.engine.pool.checkedout() == 0
    finally:
        admin.dispose()
