"""The task pages through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import typing as t
from datetime import datetime, timedelta

import pytest
from examples.taskmanager.extensions import db
from examples.taskmanager.models import Task

from .conftest import add_task, add_user, csrf_token, get_task, login, post_form, text


def titles(page: str) -> list[str]:
    """The task titles of a list page, in order."""
    return re.findall(r'<h2 class="task-title">\s*<a href="[^"]+">([^<]+)</a>', page)


def task_count(app: t.Any) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Task.id))).scalar_one()


# -- home and list ------------------------------------------------------------------


def test_home_page_for_visitors(client: t.Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Stay on top of your work." in page
    assert "demo-password" not in page  # no demo account in this database


def test_home_mentions_the_demo_account_once_seeded(app: t.Any, client: t.Any) -> None:
    add_user(app, "demo")
    assert "demo-password" in client.get("/").get_data(as_text=True)


def test_home_sends_users_to_their_list(client: t.Any, alice: int) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/"


def test_empty_list_invites_a_first_task(client: t.Any, alice: int) -> None:
    page = client.get("/tasks/").get_data(as_text=True)
    assert "No tasks yet" in page
    assert "Create your first task" in page


def test_layout_is_accessible_and_local(client: t.Any, alice: int) -> None:
    page = client.get("/tasks/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert '<nav class="nav container" aria-label="Main">' in page
    assert "<footer" in page
    assert 'aria-current="page">Tasks</a>' in page
    # Every stylesheet and script is served by the app itself: no CDN.
    assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', page)
    assert assets and all(url.startswith("/static/") for url in assets)
    css = client.get("/static/css/app.css")
    assert css.status_code == 200
    assert ":focus-visible" in css.get_data(as_text=True)


def test_security_headers(client: t.Any) -> None:
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# -- create, detail, edit -------------------------------------------------------------


def test_create_task(app: t.Any, client: t.Any, alice: int) -> None:
    assert client.get("/tasks/create").status_code == 200
    response = post_form(
        client,
        "/tasks/create",
        {"title": "  Write docs  ", "description": "For newcomers", "priority": "high"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/"
    page = text(client.get("/tasks/"))
    assert 'Task "Write docs" created successfully!' in page
    assert titles(page) == ["Write docs"]
    with app.app_context():
        task = db.session.execute(db.select(Task)).scalar_one()
        assert (task.title, task.description, task.priority, task.done, task.user_id) == (
            "Write docs",
            "For newcomers",
            "high",
            False,
            alice,
        )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"title": "   ", "priority": "low"}, "Title is required."),
        ({"title": "x" * 201, "priority": "low"}, "Keep the title under 200 characters."),
        ({"title": "ok", "priority": "urgent"}, "Not a valid choice."),
        ({"title": "ok", "description": "d" * 2001}, "Keep it under 2000 characters."),
    ],
)
def test_create_task_validation(
    app: t.Any, client: t.Any, alice: int, form: dict[str, str], message: str
) -> None:
    response = post_form(client, "/tasks/create", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert task_count(app) == 0


def test_task_detail_uses_the_dateformat_filter(app: t.Any, client: t.Any, alice: int) -> None:
    task_id = add_task(
        app,
        alice,
        "Plan the launch",
        description="Line one\nLine two",
        created_at=datetime(2026, 2, 5, 9, 30),
        updated_at=datetime(2026, 2, 6, 14, 5),
    )
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "<h1>Plan the launch</h1>" in page
    assert "Line one\nLine two" in page
    assert '<time datetime="2026-02-05T09:30:00Z">February 05, 2026</time>' in page
    assert "February 06, 2026 at 14:05 UTC" in page
    assert "Mark complete" in page


def test_edit_task(app: t.Any, client: t.Any, alice: int) -> None:
    task_id = add_task(app, alice, "Old title", description="old", priority="low")
    page = client.get(f"/tasks/{task_id}/edit").get_data(as_text=True)
    assert 'value="Old title"' in page
    assert re.search(r'<option (selected value="low"|value="low" selected)', page)

    response = post_form(
        client,
        f"/tasks/{task_id}/edit",
        {"title": "New title", "description": "new", "priority": "high"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{task_id}"
    assert 'Task "New title" updated successfully!' in text(client.get(f"/tasks/{task_id}"))
    task = get_task(app, task_id)
    assert task is not None
    assert (task.title, task.description, task.priority) == ("New title", "new", "high")


def test_edit_task_validation_keeps_the_task(app: t.Any, client: t.Any, alice: int) -> None:
    task_id = add_task(app, alice, "Keep me")
    response = post_form(client, f"/tasks/{task_id}/edit", {"title": "", "priority": "low"})
    assert response.status_code == 422
    assert "Title is required." in response.get_data(as_text=True)
    task = get_task(app, task_id)
    assert task is not None and task.title == "Keep me"


# -- toggle and delete ---------------------------------------------------------------


def test_toggle_task_returns_to_the_list_it_came_from(
    app: t.Any, client: t.Any, alice: int
) -> None:
    task_id = add_task(app, alice, "Flip me")
    response = post_form(
        client, f"/tasks/{task_id}/toggle", {"next": "/tasks/?status=pending&sort=title"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/?status=pending&sort=title"
    assert get_task(app, task_id).done is True  # type: ignore[union-attr]
    assert 'Task "Flip me" completed.' in text(client.get("/tasks/"))

    post_form(client, f"/tasks/{task_id}/toggle")
    assert get_task(app, task_id).done is False  # type: ignore[union-attr]
    assert 'Task "Flip me" reopened.' in text(client.get("/tasks/"))


def test_toggle_ignores_an_off_site_next(app: t.Any, client: t.Any, alice: int) -> None:
    task_id = add_task(app, alice)
    response = post_form(client, f"/tasks/{task_id}/toggle", {"next": "https://evil.example/"})
    assert response.headers["Location"] == "/tasks/"


def test_delete_task(app: t.Any, client: t.Any, alice: int) -> None:
    task_id = add_task(app, alice, "Remove me")
    response = post_form(client, f"/tasks/{task_id}/delete")
    assert response.status_code == 302
    assert get_task(app, task_id) is None
    assert 'Task "Remove me" deleted.' in text(client.get("/tasks/"))
    # Gone is gone: a second delete is a 404.
    assert post_form(client, f"/tasks/{task_id}/delete").status_code == 404


@pytest.mark.parametrize("action", ["toggle", "delete"])
def test_actions_need_the_csrf_token(app: t.Any, client: t.Any, alice: int, action: str) -> None:
    task_id = add_task(app, alice)
    response = client.post(f"/tasks/{task_id}/{action}")
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    task = get_task(app, task_id)
    assert task is not None and task.done is False


def test_create_needs_the_csrf_token(app: t.Any, client: t.Any, alice: int) -> None:
    response = client.post("/tasks/create", data={"title": "sneaky", "priority": "low"})
    assert response.status_code == 400
    assert task_count(app) == 0


# -- filters, sort, pagination ----------------------------------------------------------


@pytest.fixture
def three_tasks(app: t.Any, alice: int) -> dict[str, int]:
    now = datetime(2026, 3, 1, 12, 0)
    return {
        "banana": add_task(app, alice, "banana", priority="low", created_at=now),
        "Apple": add_task(
            app, alice, "Apple", priority="medium", done=True, created_at=now + timedelta(hours=1)
        ),
        "cherry": add_task(
            app, alice, "cherry", priority="high", created_at=now + timedelta(hours=2)
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["cherry", "Apple", "banana"]),
        ("?sort=created_at", ["cherry", "Apple", "banana"]),
        ("?sort=priority", ["cherry", "Apple", "banana"]),
        ("?sort=title", ["Apple", "banana", "cherry"]),
        ("?status=pending", ["cherry", "banana"]),
        ("?status=pending&sort=title", ["banana", "cherry"]),
        ("?status=done", ["Apple"]),
        ("?status=bogus&sort=bogus", ["cherry", "Apple", "banana"]),
    ],
)
def test_filter_and_sort(
    client: t.Any, three_tasks: dict[str, int], query: str, expected: list[str]
) -> None:
    response = client.get("/tasks/" + query)
    assert response.status_code == 200
    assert titles(response.get_data(as_text=True)) == expected


def test_priority_sort_ranks_high_medium_low(client: t.Any, app: t.Any, alice: int) -> None:
    for title, priority in [("l", "low"), ("h", "high"), ("m", "medium")]:
        add_task(app, alice, title, priority=priority)
    assert titles(client.get("/tasks/?sort=priority").get_data(as_text=True)) == ["h", "m", "l"]


def test_filter_links_keep_the_sort_and_show_counts(
    client: t.Any, three_tasks: dict[str, int]
) -> None:
    page = client.get("/tasks/?status=done&sort=title").get_data(as_text=True)
    assert 'href="/tasks/?status=pending&amp;sort=title"' in page
    assert 'href="/tasks/?status=done&amp;sort=priority"' in page
    current = re.search(
        r'<a href="([^"]+)"\s+class="segment" data-status="done"\s+aria-current', page
    )
    assert current is not None
    counts = dict(
        re.findall(r'data-status="(\w+)"[^>]*>\s*\w+ <span class="count">(\d+)</span>', page)
    )
    assert counts == {"all": "3", "pending": "2", "done": "1"}
    assert "2 pending · 1 done" in page


def test_filter_with_no_match_has_an_empty_state(client: t.Any, app: t.Any, alice: int) -> None:
    add_task(app, alice, "not done yet")
    page = client.get("/tasks/?status=done").get_data(as_text=True)
    assert "No done tasks" in page
    assert "Show all tasks" in page


def test_pagination(app: t.Any, client: t.Any, alice: int) -> None:
    start = datetime(2026, 1, 1)
    with app.app_context():
        db.session.add_all(
            Task(user_id=alice, title=f"task {n:02}", created_at=start + timedelta(minutes=n))
            for n in range(23)
        )
        db.session.commit()

    first = client.get("/tasks/?sort=title").get_data(as_text=True)
    assert titles(first) == [f"task {n:02}" for n in range(10)]
    assert "Showing 1–10 of 23" in " ".join(first.split())
    assert 'href="/tasks/?page=2&amp;status=all&amp;sort=title" rel="next"' in first
    assert 'aria-label="Page 3"' in first

    last = client.get("/tasks/?sort=title&page=3").get_data(as_text=True)
    assert titles(last) == ["task 20", "task 21", "task 22"]
    assert "Showing 21–23 of 23" in " ".join(last.split())
    assert 'rel="prev"' in last

    # Past the end (say, the last task of the last page was just deleted): last page.
    response = client.get("/tasks/?status=all&sort=title&page=9")
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/?status=all&sort=title&page=3"
    # Garbage page numbers show the first page.
    assert titles(client.get("/tasks/?page=abc&sort=title").get_data(as_text=True))[0] == "task 00"


def test_page_past_the_end_of_a_single_page_goes_to_the_list(
    client: t.Any, app: t.Any, alice: int
) -> None:
    add_task(app, alice)
    response = client.get("/tasks/?page=2")
    assert response.headers["Location"] == "/tasks/?status=all&sort=created_at"


# -- authorization ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/tasks/{id}"),
        ("GET", "/tasks/{id}/edit"),
        ("POST", "/tasks/{id}/edit"),
        ("POST", "/tasks/{id}/toggle"),
        ("POST", "/tasks/{id}/delete"),
    ],
)
def test_users_cannot_touch_each_others_tasks(
    app: t.Any, client: t.Any, method: str, path: str
) -> None:
    alice = add_user(app, "alice")
    task_id = add_task(app, alice, "Alice's secret", priority="low")
    add_user(app, "bob")
    login(client, "bob")

    url = path.format(id=task_id)
    if method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, {"title": "hacked", "priority": "high"})
    assert response.status_code == 404
    page = text(response)
    assert "There is no such task in your list." in page
    assert "Alice's secret" not in page

    task = get_task(app, task_id)
    assert task is not None
    assert (task.title, task.priority, task.done) == ("Alice's secret", "low", False)
    # ... and Bob's list does not show it.
    assert titles(client.get("/tasks/").get_data(as_text=True)) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/tasks/"),
        ("GET", "/tasks/create"),
        ("GET", "/tasks/1"),
        ("GET", "/tasks/1/edit"),
        ("POST", "/tasks/1/toggle"),
        ("POST", "/tasks/1/delete"),
        ("GET", "/blog/new"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(
    app: t.Any, client: t.Any, method: str, path: str
) -> None:
    user_id = add_user(app, "alice")
    add_task(app, user_id)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert task_count(app) == 1


# -- error pages ----------------------------------------------------------------------------


def test_custom_404_page(client: t.Any) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page
    assert "The page you are looking for doesn't exist or has been moved." in text(response)
    assert '<main id="main"' in page  # inherits the layout


def test_custom_500_page(database_url: str) -> None:
    from .conftest import dispose, make_app

    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    try:
        response = app.test_client().get("/boom")
        assert response.status_code == 500
        page = response.get_data(as_text=True)
        assert "<h1>Something went wrong</h1>" in page
        assert "kaboom" not in page
    finally:
        dispose(app)


def test_oversized_bodies_are_refused(client: t.Any, alice: int) -> None:
    response = client.post("/tasks/create", data={"title": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "<h1>Request Entity Too Large</h1>" in response.get_data(as_text=True)


def test_dateformat_filter() -> None:
    from examples.taskmanager.filters import dateformat

    assert dateformat(datetime(2026, 2, 5)) == "February 05, 2026"
    assert dateformat(datetime(2026, 2, 5), "%Y-%m-%d") == "2026-02-05"
    assert dateformat(None) == ""


@pytest.mark.parametrize(
    "path", ["/auth/login", "/auth/register", "/tasks/create", "/tasks/{id}/edit", "/blog/new"]
)
def test_every_form_control_has_a_label(app: t.Any, path: str) -> None:
    client = app.test_client()
    task_id = add_task(app, add_user(app, "alice"))
    if not path.startswith("/auth/"):
        login(client, "alice")
    page = client.get(path.format(id=task_id)).get_data(as_text=True)
    form = page[page.index("<main") :]
    controls = re.findall(
        r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', form
    )
    assert controls
    for control in controls:
        assert f'<label class="field-label" for="{control}">' in form, control
