"""The JSON API under /api/v1, on SQLite and PostgreSQL."""

from __future__ import annotations

import typing as t

import pytest

from .conftest import add_task, add_user, csrf_token, get_task, login


@pytest.fixture
def api(app: t.Any, client: t.Any, alice: int) -> t.Any:
    """*client* logged in as alice, sending the CSRF header the API requires."""
    token = client.get("/api/v1/me").get_json()["csrf_token"]

    class Api:
        user_id = alice

        def get(self, url: str, **kwargs: t.Any) -> t.Any:
            return client.get(url, **kwargs)

        def send(self, method: str, url: str, **kwargs: t.Any) -> t.Any:
            headers = kwargs.pop("headers", {"X-CSRFToken": token})
            return client.open(url, method=method, headers=headers, **kwargs)

    return Api()


def error_of(response: t.Any) -> dict[str, t.Any]:
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["status"] == response.status_code
    return t.cast(dict[str, t.Any], body["error"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/tasks"),
        ("POST", "/api/v1/tasks"),
        ("GET", "/api/v1/tasks/1"),
        ("PATCH", "/api/v1/tasks/1"),
        ("DELETE", "/api/v1/tasks/1"),
    ],
)
def test_anonymous_calls_get_401_json(client: t.Any, method: str, path: str) -> None:
    token = csrf_token(client)  # a session with a valid token, but nobody logged in
    response = client.open(path, method=method, json={"title": "x"}, headers={"X-CSRFToken": token})
    assert response.status_code == 401
    error = error_of(response)
    assert error["title"] == "Unauthorized"
    assert "Log in first" in error["detail"]


def test_me_returns_the_user_and_a_working_csrf_token(api: t.Any) -> None:
    body = api.get("/api/v1/me").get_json()
    assert body["user"] == {"id": api.user_id, "username": "alice"}
    assert api.send("POST", "/api/v1/tasks", json={"title": "t"}).status_code == 201


def test_create_and_read_a_task(app: t.Any, api: t.Any) -> None:
    response = api.send(
        "POST",
        "/api/v1/tasks",
        json={"title": " Ship it ", "description": "v1", "priority": "high"},
    )
    assert response.status_code == 201
    task = response.get_json()["task"]
    assert response.headers["Location"] == f"/api/v1/tasks/{task['id']}"
    assert task["title"] == "Ship it"
    assert (task["description"], task["priority"], task["done"]) == ("v1", "high", False)
    assert task["created_at"].endswith("Z")

    assert api.get(response.headers["Location"]).get_json() == {"task": task}
    stored = get_task(app, task["id"])
    assert stored is not None and stored.user_id == api.user_id


def test_defaults_of_a_new_task(api: t.Any) -> None:
    task = api.send("POST", "/api/v1/tasks", json={"title": "Just a title"}).get_json()["task"]
    assert (task["description"], task["priority"], task["done"]) == ("", "medium", False)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"title": ["Title is required."]}),
        ({"title": "   "}, {"title": ["Title is required."]}),
        ({"title": 42}, {"title": ["Title is required."]}),
        ({"title": "x" * 201}, {"title": ["Keep the title under 200 characters."]}),
        (
            {"title": "ok", "priority": "urgent", "done": "yes"},
            {
                "priority": ["Must be one of: high, medium, low."],
                "done": ["Must be true or false."],
            },
        ),
        ({"title": "ok", "description": 7}, {"description": ["Must be a string."]}),
        ({"title": "ok", "owner": 2}, {"owner": ["Unknown field."]}),
    ],
)
def test_create_validation_is_422_with_every_field(
    api: t.Any, body: dict[str, t.Any], fields: dict[str, list[str]]
) -> None:
    response = api.send("POST", "/api/v1/tasks", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["title"] == "Unprocessable Entity"
    assert error["fields"] == fields
    assert api.get("/api/v1/tasks").get_json()["meta"]["total"] == 0


def test_body_must_be_a_json_object(api: t.Any) -> None:
    response = api.send("POST", "/api/v1/tasks", data="title=x")
    assert response.status_code == 415
    assert "application/json" in error_of(response)["detail"]

    response = api.send("POST", "/api/v1/tasks", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["detail"] == "The body must be a JSON object."

    response = api.send("POST", "/api/v1/tasks", json=["a", "list"])
    assert response.status_code == 400


def test_unsafe_calls_need_the_csrf_header(app: t.Any, api: t.Any) -> None:
    task_id = add_task(app, api.user_id, "keep")
    for method, url in [
        ("POST", "/api/v1/tasks"),
        ("PATCH", f"/api/v1/tasks/{task_id}"),
        ("DELETE", f"/api/v1/tasks/{task_id}"),
    ]:
        response = api.send(method, url, json={"title": "x"}, headers={})
        assert response.status_code == 400
        assert error_of(response)["detail"] == "The CSRF token is missing."
        response = api.send(method, url, json={"title": "x"}, headers={"X-CSRFToken": "forged"})
        assert error_of(response)["detail"] == "The CSRF token is invalid."
    task = get_task(app, task_id)
    assert task is not None and task.title == "keep"


def test_list_paginates_filters_and_sorts(app: t.Any, api: t.Any) -> None:
    for n in range(7):
        add_task(app, api.user_id, f"task {n}", done=n % 2 == 0)

    body = api.get("/api/v1/tasks?sort=title&per_page=3").get_json()
    assert [task["title"] for task in body["tasks"]] == ["task 0", "task 1", "task 2"]
    assert body["meta"] == {"page": 1, "per_page": 3, "total": 7, "pages": 3}
    assert body["links"] == {
        "next": "/api/v1/tasks?status=all&sort=title&page=2&per_page=3",
        "prev": None,
    }
    body = api.get(body["links"]["next"]).get_json()
    assert [task["title"] for task in body["tasks"]] == ["task 3", "task 4", "task 5"]

    pending = api.get("/api/v1/tasks?status=pending&sort=title").get_json()
    assert [task["title"] for task in pending["tasks"]] == ["task 1", "task 3", "task 5"]
    done = api.get("/api/v1/tasks?status=done").get_json()
    assert done["meta"]["total"] == 4


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?page=99", 404),
        ("?page=0", 404),
        ("?page=abc", 404),
        ("?status=archived", 422),
        ("?sort=random", 422),
    ],
)
def test_list_argument_errors_are_json(api: t.Any, query: str, status: int) -> None:
    add_task_count = api.get("/api/v1/tasks").get_json()["meta"]["total"]
    assert add_task_count == 0
    response = api.get("/api/v1/tasks" + query)
    assert response.status_code == status
    error_of(response)


def test_patch_updates_only_the_given_fields(app: t.Any, api: t.Any) -> None:
    task_id = add_task(app, api.user_id, "Title", description="desc", priority="low")
    response = api.send("PATCH", f"/api/v1/tasks/{task_id}", json={"done": True})
    assert response.status_code == 200
    task = response.get_json()["task"]
    assert (task["title"], task["description"], task["priority"], task["done"]) == (
        "Title",
        "desc",
        "low",
        True,
    )
    response = api.send(
        "PATCH", f"/api/v1/tasks/{task_id}", json={"title": "Renamed", "description": None}
    )
    assert response.get_json()["task"]["title"] == "Renamed"
    stored = get_task(app, task_id)
    assert stored is not None and (stored.title, stored.description) == ("Renamed", "")


def test_patch_validation(app: t.Any, api: t.Any) -> None:
    task_id = add_task(app, api.user_id, "Title")
    response = api.send("PATCH", f"/api/v1/tasks/{task_id}", json={"title": ""})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"title": ["Title is required."]}


def test_delete(app: t.Any, api: t.Any) -> None:
    task_id = add_task(app, api.user_id)
    response = api.send("DELETE", f"/api/v1/tasks/{task_id}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert get_task(app, task_id) is None
    assert api.get(f"/api/v1/tasks/{task_id}").status_code == 404


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_other_users_tasks_are_404(app: t.Any, api: t.Any, method: str) -> None:
    bob = add_user(app, "bob")
    task_id = add_task(app, bob, "Bob's")
    response = api.send(method, f"/api/v1/tasks/{task_id}", json={"title": "mine now"})
    assert response.status_code == 404
    assert error_of(response)["detail"] == "There is no such task in your list."
    task = get_task(app, task_id)
    assert task is not None and task.title == "Bob's"
    assert api.get("/api/v1/tasks").get_json()["meta"]["total"] == 0


def test_each_user_lists_only_their_own_tasks(app: t.Any, client: t.Any) -> None:
    alice = add_user(app, "alice")
    bob = add_user(app, "bob")
    add_task(app, alice, "a")
    add_task(app, bob, "b")
    login(client, "bob")
    body = client.get("/api/v1/tasks").get_json()
    assert [task["title"] for task in body["tasks"]] == ["b"]


def test_unknown_api_urls_and_methods_are_json(api: t.Any) -> None:
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["title"] == "Not Found"

    response = api.send("PUT", "/api/v1/tasks")
    assert response.status_code == 405
    assert error_of(response)["title"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
