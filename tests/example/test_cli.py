"""Migrations, demo data and configuration: what `make run` relies on."""

from __future__ import annotations

import os
import stat
import typing as t

import pytest
from examples.taskmanager import create_app, database_url
from examples.taskmanager.cli import DEMO_PASSWORD, DEMO_TASKS
from examples.taskmanager.extensions import db
from examples.taskmanager.models import Post, Task, User

from erlen.db.migrate import upgrade
from tests.db.helpers import invoke

from .conftest import dispose, login, make_app


@pytest.fixture
def empty_app(database_url: str) -> t.Iterator[t.Any]:
    """The app on an empty database: no tables until the migrations run.

    The N+1 guard stays on, set to raise (as in every example test): the `erlen db`
    commands must not trip it, though Alembic reflects each table with the same query.
    """
    app = make_app(database_url)
    yield app
    dispose(app)


def test_migrations_build_the_schema_of_the_models(empty_app: t.Any) -> None:
    result = invoke(empty_app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"users", "tasks", "posts", "alembic_version"} <= tables
    # The committed migrations and the models agree: nothing left to autogenerate.
    result = invoke(empty_app, "db", "check")
    assert result.exit_code == 0, result.output
    assert "No new upgrade operations detected" in result.output


def test_seed_demo_and_log_in_as_demo(empty_app: t.Any) -> None:
    with empty_app.app_context():
        upgrade()
    result = invoke(empty_app, "seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "log in as demo / demo-password" in result.output
    with empty_app.app_context():
        demo = db.session.execute(db.select(User).filter_by(username="demo")).scalar_one()
        assert db.session.execute(
            db.select(db.func.count(Task.id)).filter_by(user_id=demo.id)
        ).scalar() == len(DEMO_TASKS)
        assert db.session.execute(db.select(db.func.count(Post.id))).scalar() == 3

    # `make run` runs it on every start: a database with users is left alone.
    result = invoke(empty_app, "seed-demo", "--if-empty")
    assert "already has users" in result.output
    result = invoke(empty_app, "seed-demo")
    assert "already exists" in result.output
    with empty_app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1

    client = empty_app.test_client()
    login(client, "demo", DEMO_PASSWORD)
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Showing 1–10 of 13" in " ".join(page.split())


def test_seed_demo_if_empty_skips_a_database_with_users(empty_app: t.Any) -> None:
    with empty_app.app_context():
        upgrade()
        db.session.add(User(username="someone", password_hash="x"))
        db.session.commit()
    result = invoke(empty_app, "seed-demo", "--if-empty")
    assert "no demo data added" in result.output
    with empty_app.app_context():
        assert db.session.execute(db.select(User).filter_by(username="demo")).first() is None


def test_passwords_use_werkzeugs_default_scrypt() -> None:
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        user = User(username="x")
        user.set_password("s3cret-password")
        assert user.password_hash.startswith("scrypt:32768:8:1$")
        assert user.check_password("s3cret-password")
        assert not user.check_password("wrong")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "sqlite:///taskmanager.db"),
        ({"DATABASE_URL": "  "}, "sqlite:///taskmanager.db"),
        (
            {"DATABASE_URL": "postgres://u:p@db:5432/tasks"},
            "postgresql+psycopg://u:p@db:5432/tasks",
        ),
        ({"DATABASE_URL": "postgresql://u@db/tasks"}, "postgresql+psycopg://u@db/tasks"),
        ({"DATABASE_URL": "postgresql+psycopg://u@db/t"}, "postgresql+psycopg://u@db/t"),
        ({"DATABASE_URL": "sqlite:////tmp/x.db"}, "sqlite:////tmp/x.db"),
    ],
)
def test_database_url(environ: dict[str, str], expected: str) -> None:
    assert database_url(environ) == expected


def test_default_database_lives_in_the_instance_folder(
    tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(
        "erlen.app.Erlen.auto_find_instance_path", lambda self: str(tmp_path / "instance")
    )
    app = create_app({"SECRET_KEY": "k"})
    with app.app_context():
        assert db.engine.url.database == os.path.join(app.instance_path, "taskmanager.db")
        db.engine.dispose()


def test_secret_key_is_made_once_and_kept_private(
    tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    # An app whose instance folder is a temporary directory.
    monkeypatch.setattr(
        "erlen.app.Erlen.auto_find_instance_path", lambda self: str(tmp_path / "instance")
    )
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "instance" / "secret_key"
    assert len(first.secret_key) == 64
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).secret_key == (
        "from-the-environment"
    )
