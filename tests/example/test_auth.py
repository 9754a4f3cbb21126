"""Accounts: register, log in, log out, and the login wall, on SQLite and PostgreSQL."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qs, urlsplit

import pytest
from examples.taskmanager.extensions import db
from examples.taskmanager.models import User
from werkzeug.security import check_password_hash as werkzeug_check
from werkzeug.security import generate_password_hash as werkzeug_generate

from .conftest import FAST_HASH, PASSWORD, add_user, csrf_token, login, post_form


def stored_user(app: t.Any, username: str) -> User | None:
    with app.app_context():
        return db.session.execute(db.select(User).filter_by(username=username)).scalar()


def test_register_page_has_labelled_fields(client: t.Any) -> None:
    page = client.get("/auth/register").get_data(as_text=True)
    for field in ("username", "password", "confirm"):
        assert f'<label class="field-label" for="{field}">' in page
        assert f'id="{field}"' in page
    assert 'name="csrf_token"' in page


def test_register_creates_a_user_with_a_werkzeug_format_hash(app: t.Any, client: t.Any) -> None:
    response = post_form(
        client,
        "/auth/register",
        {"username": "  Bob_Smith ", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Your account is ready" in page

    user = stored_user(app, "bob_smith")  # stripped and lower-cased
    assert user is not None
    assert user.password_hash.startswith(FAST_HASH + "$")
    # The oracle reads erlen's hash: a Flask app could use this users table as it is.
    assert werkzeug_check(user.password_hash, PASSWORD)
    assert not werkzeug_check(user.password_hash, "wrong")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "", "password": PASSWORD, "confirm": PASSWORD}, "Choose a username."),
        ({"username": "ab", "password": PASSWORD, "confirm": PASSWORD}, "Use 3 to 32 characters."),
        (
            {"username": "bad name!", "password": PASSWORD, "confirm": PASSWORD},
            "Use letters, digits, dots, dashes and underscores.",
        ),
        ({"username": "bob", "password": "short", "confirm": "short"}, "at least 8 characters"),
        (
            {"username": "bob", "password": PASSWORD, "confirm": PASSWORD + "x"},
            "The passwords do not match.",
        ),
    ],
)
def test_register_validation_errors(
    app: t.Any, client: t.Any, form: dict[str, str], message: str
) -> None:
    response = post_form(client, "/auth/register", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 0


def test_register_refuses_a_taken_username_whatever_its_case(app: t.Any, client: t.Any) -> None:
    add_user(app, "alice")
    response = post_form(
        client, "/auth/register", {"username": "ALICE", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 422
    assert "That username is taken." in response.get_data(as_text=True)


def test_login_and_logout(app: t.Any, client: t.Any) -> None:
    user_id = add_user(app, "alice")
    response = login(client, "Alice")  # usernames are case-insensitive
    assert response.headers["Location"] == "/tasks/"
    with client.session_transaction() as session:
        assert session["user_id"] == user_id
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Welcome back, alice!" in page
    assert "Signed in as <strong>alice</strong>" in page

    response = post_form(client, "/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    with client.session_transaction() as session:
        assert "user_id" not in session
    assert client.get("/tasks/").status_code == 302


@pytest.mark.parametrize(
    ("username", "password"), [("alice", "wrong password"), ("nobody", PASSWORD)]
)
def test_login_failure_says_the_same_for_unknown_users(
    app: t.Any, client: t.Any, username: str, password: str
) -> None:
    add_user(app, "alice")
    response = post_form(client, "/auth/login", {"username": username, "password": password})
    assert response.status_code == 401
    assert "Incorrect username or password." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_login_with_empty_fields_is_a_validation_error(client: t.Any) -> None:
    response = post_form(client, "/auth/login", {"username": "", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter your username." in page
    assert "Enter your password." in page


def test_a_user_hashed_by_werkzeug_can_log_in(app: t.Any, client: t.Any) -> None:
    """A users table ported from a Flask app keeps working (scrypt, Werkzeug's default)."""
    with app.app_context():
        db.session.add(User(username="ported", password_hash=werkzeug_generate(PASSWORD)))
        db.session.commit()
    login(client, "ported")
    assert client.get("/tasks/").status_code == 200


def test_login_clears_the_previous_session(app: t.Any, client: t.Any) -> None:
    add_user(app, "alice")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, "alice")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_login_wall_remembers_where_to_go(app: t.Any, client: t.Any) -> None:
    add_user(app, "alice")
    response = client.get("/tasks/?status=done&sort=title")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query) == {"next": ["/tasks/?status=done&sort=title"]}
    assert "Please log in to continue." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    response = client.post(
        response.headers["Location"],
        data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/tasks/?status=done&sort=title"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/path", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_login_never_redirects_off_site(app: t.Any, client: t.Any, target: str) -> None:
    add_user(app, "alice")
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/"


def test_logged_in_users_skip_the_login_and_register_pages(app: t.Any, client: t.Any) -> None:
    add_user(app, "alice")
    login(client, "alice")
    assert client.get("/auth/login").headers["Location"] == "/tasks/"
    assert client.get("/auth/register").headers["Location"] == "/tasks/"


def test_logout_only_by_post(app: t.Any, client: t.Any) -> None:
    add_user(app, "alice")
    login(client, "alice")
    response = client.get("/auth/logout")
    assert response.status_code == 405
    # The order of Allow follows a set, in Werkzeug as in erlen: compare as a set.
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert "Method Not Allowed" in response.get_data(as_text=True)
    assert client.get("/tasks/").status_code == 200


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_forms_without_a_valid_csrf_token_are_refused(
    app: t.Any, client: t.Any, token: str | None
) -> None:
    add_user(app, "alice")
    data = {"username": "alice", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form has expired" in page
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_a_token_from_another_session_is_refused(app: t.Any) -> None:
    add_user(app, "alice")
    other = app.test_client()
    token = csrf_token(other)
    client = app.test_client()
    csrf_token(client)  # this session has a token of its own
    response = client.post(
        "/auth/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "The CSRF tokens do not match." in response.get_data(as_text=True)


def test_logout_needs_the_csrf_token(app: t.Any, client: t.Any) -> None:
    add_user(app, "alice")
    login(client, "alice")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/tasks/").status_code == 200  # still logged in
