"""Fixtures of the example application's tests.

Every test that uses ``app`` runs twice: on SQLite (a file in ``tmp_path``) and on a
real PostgreSQL server.  The PostgreSQL fixtures are the suite's
(tests/postgres.py): one server for the session, and a missing server skips loudly
(never silently) exactly as it does in tests/db.
"""

from __future__ import annotations

import html
import re
import typing as t

import pytest
from examples.taskmanager import create_app
from examples.taskmanager.extensions import db
from examples.taskmanager.models import Task, User

from erlen.security import generate_password_hash
from tests.db import conftest as db_fixtures

# The PostgreSQL fixtures (`database_url` runs a test on SQLite and on PostgreSQL) are
# suite-wide (tests/postgres.py); the db battery's logging reset applies here too.
_restore_logging = db_fixtures._restore_logging

#: A cheap hash method: the format and functions are the real ones, the cost is not.
FAST_HASH = "pbkdf2:sha256:1000"
PASSWORD = "correct horse battery"

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def make_app(database_url: str, **config: t.Any) -> t.Any:
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        # A lazy load repeated in a list page fails the test (the N+1 guard), even on
        # a page of five rows.
        "SQLALCHEMY_N_PLUS_ONE": "raise",
        "SQLALCHEMY_N_PLUS_ONE_THRESHOLD": 2,
    }
    settings.update(config)
    return create_app(settings)


def dispose(app: t.Any) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app(database_url: str) -> t.Iterator[t.Any]:
    """The app on a fresh database (tables made from the models)."""
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
    yield app
    dispose(app)


@pytest.fixture
def client(app: t.Any) -> t.Any:
    return app.test_client()


def text(response: t.Any) -> str:
    """The response body with HTML entities decoded (``&#34;`` reads as ``"``)."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(client: t.Any) -> str:
    """The CSRF token of *client*'s session, as the pages embed it."""
    page = client.get("/blog/about").get_data(as_text=True)
    match = _CSRF_META.search(page)
    assert match, "every page carries the csrf-token meta tag"
    return match.group(1)


def add_user(app: t.Any, username: str = "alice", password: str = PASSWORD) -> int:
    with app.app_context():
        user = User(username=username, password_hash=generate_password_hash(password, FAST_HASH))
        db.session.add(user)
        db.session.commit()
        return t.cast(int, user.id)


def add_task(app: t.Any, user_id: int, title: str = "A task", **fields: t.Any) -> int:
    with app.app_context():
        task = Task(user_id=user_id, title=title, **fields)
        db.session.add(task)
        db.session.commit()
        return t.cast(int, task.id)


def get_task(app: t.Any, task_id: int) -> Task | None:
    with app.app_context():
        task = db.session.get(Task, task_id)
        if task is not None:
            db.session.expunge(task)
        return task


def login(client: t.Any, username: str = "alice", password: str = PASSWORD) -> t.Any:
    response = client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def alice(app: t.Any, client: t.Any) -> int:
    """A user ``alice``, logged in on ``client``; her id."""
    user_id = add_user(app, "alice")
    login(client, "alice")
    return user_id


def post_form(client: t.Any, url: str, data: dict[str, t.Any] | None = None, **kwargs: t.Any):
    """POST *data* to *url* with the session's CSRF token, as the page's form would."""
    form = dict(data or {})
    form.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=form, **kwargs)
