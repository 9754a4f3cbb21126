"""A small JSON API over the same tasks: ``/api/v1/tasks``.

Authentication is the browser session (log in through the web pages, or post the
login form from a script and keep the cookie).  Because a cookie authenticates the
calls, a page on another site could make a logged-in browser send them: the API is
therefore *not* exempt from CSRF protection.  POST, PATCH and DELETE must carry the
session's CSRF token in an ``X-CSRFToken`` header; pages expose it in
``<meta name="csrf-token">`` and ``GET /api/v1/me`` returns it (another origin cannot
read that response).  Failures are JSON (see :mod:`.errors`).
"""

from __future__ import annotations

import typing as t

from erlen import Blueprint, abort, g, jsonify, request, url_for
from erlen.exceptions import UnprocessableEntity
from erlen.forms import generate_csrf
from erlen.views import MethodView

from .auth import api_login_required
from .extensions import db
from .models import PRIORITIES, Task
from .tasks import SORTS, STATUSES, get_own_task, task_query

bp = Blueprint("api", __name__, url_prefix="/api/v1")

TITLE_MAX = 200
DESCRIPTION_MAX = 2000


class ValidationFailed(UnprocessableEntity):
    """422 with the message of each invalid field (``{"title": ["..."]}``)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(description="The task has invalid fields.")
        self.fields = fields


def _json_object() -> dict[str, t.Any]:
    """The request body, which must be a JSON object."""
    if not request.is_json:
        abort(415, description="Send the body as JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="The body must be a JSON object.")
    return body


def task_changes(body: dict[str, t.Any], *, partial: bool) -> dict[str, t.Any]:
    """The validated task fields of *body*; all required unless *partial* (PATCH).

    Raises :class:`ValidationFailed` listing every problem at once.
    """
    errors: dict[str, list[str]] = {}
    changes: dict[str, t.Any] = {}

    for name in body.keys() - {"title", "description", "priority", "done"}:
        errors[name] = ["Unknown field."]

    if "title" in body:
        title = body["title"]
        if not isinstance(title, str) or not title.strip():
            errors["title"] = ["Title is required."]
        elif len(title.strip()) > TITLE_MAX:
            errors["title"] = [f"Keep the title under {TITLE_MAX} characters."]
        else:
            changes["title"] = title.strip()
    elif not partial:
        errors["title"] = ["Title is required."]

    if "description" in body:
        description = body["description"]
        if description is None:
            changes["description"] = ""
        elif not isinstance(description, str):
            errors["description"] = ["Must be a string."]
        elif len(description) > DESCRIPTION_MAX:
            errors["description"] = [f"Keep it under {DESCRIPTION_MAX} characters."]
        else:
            changes["description"] = description.strip()

    if "priority" in body:
        if body["priority"] not in PRIORITIES:
            errors["priority"] = [f"Must be one of: {', '.join(PRIORITIES)}."]
        else:
            changes["priority"] = body["priority"]

    if "done" in body:
        if not isinstance(body["done"], bool):
            errors["done"] = ["Must be true or false."]
        else:
            changes["done"] = body["done"]

    if errors:
        raise ValidationFailed(errors)
    return changes


def _choice(name: str, allowed: t.Mapping[str, str], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise ValidationFailed({name: [f"Must be one of: {', '.join(allowed)}."]})
    return value


class TaskCollection(MethodView):
    """``GET`` a page of the user's tasks; ``POST`` a new one."""

    decorators = [api_login_required]

    def get(self) -> t.Any:
        status = _choice("status", STATUSES, "all")
        sort = _choice("sort", SORTS, "created_at")
        pagination = db.paginate(task_query(status, sort), max_per_page=100)

        def page_url(page: int | None) -> str | None:
            if page is None:
                return None
            return url_for(
                "api.tasks",
                status=status,
                sort=sort,
                page=page,
                per_page=pagination.per_page,
            )

        return jsonify(
            tasks=[task.to_dict() for task in pagination.items],
            meta={
                "page": pagination.page,
                "per_page": pagination.per_page,
                "total": pagination.total,
                "pages": pagination.pages,
            },
            links={"next": page_url(pagination.next_num), "prev": page_url(pagination.prev_num)},
        )

    def post(self) -> t.Any:
        changes = task_changes(_json_object(), partial=False)
        task = Task(owner=g.user, **changes)
        db.session.add(task)
        db.session.commit()
        response = jsonify(task=task.to_dict())
        response.status_code = 201
        response.headers["Location"] = url_for("api.task", task_id=task.id)
        return response


class TaskResource(MethodView):
    """``GET``, ``PATCH`` (any subset of the fields) or ``DELETE`` one task."""

    decorators = [api_login_required]

    def get(self, task_id: int) -> t.Any:
        return jsonify(task=get_own_task(task_id).to_dict())

    def patch(self, task_id: int) -> t.Any:
        task = get_own_task(task_id)
        for name, value in task_changes(_json_object(), partial=True).items():
            setattr(task, name, value)
        db.session.commit()
        return jsonify(task=task.to_dict())

    def delete(self, task_id: int) -> t.Any:
        db.session.delete(get_own_task(task_id))
        db.session.commit()
        return "", 204


@bp.route("/me")
@api_login_required
def me() -> t.Any:
    """Who is logged in, and the CSRF token that unsafe calls must send."""
    return jsonify(user={"id": g.user.id, "username": g.user.username}, csrf_token=generate_csrf())


bp.add_url_rule("/tasks", view_func=TaskCollection.as_view("tasks"))
bp.add_url_rule("/tasks/<int:task_id>", view_func=TaskResource.as_view("task"))
