"""The task manager: each user's own list, filtered, sorted and paginated."""

from __future__ import annotations

import typing as t

from erlen import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from .auth import login_required, safe_next
from .cli import DEMO_USERNAME
from .extensions import db
from .forms import TaskForm
from .models import Task, User

bp = Blueprint("tasks", __name__)

#: ``?status=`` values of the list, with their labels.
STATUSES = {"all": "All", "pending": "Pending", "done": "Done"}
#: ``?sort=`` values of the list, with their labels.
SORTS = {"created_at": "Newest", "priority": "Priority", "title": "A–Z"}


def task_query(status: str = "all", sort: str = "created_at") -> t.Any:
    """The SELECT of the logged-in user's tasks with *status*, in *sort* order.

    Every task lookup of the app goes through the owner's id, so another user's
    task is simply not found (404): there is no id to guess.
    """
    query = db.select(Task).where(Task.user_id == g.user.id)
    if status == "done":
        query = query.where(Task.done.is_(True))
    elif status == "pending":
        query = query.where(Task.done.is_(False))
    if sort == "priority":
        rank = db.case({"high": 0, "medium": 1, "low": 2}, value=Task.priority, else_=1)
        query = query.order_by(rank, Task.created_at.desc(), Task.id.desc())
    elif sort == "title":
        query = query.order_by(db.func.lower(Task.title), Task.id)
    else:
        query = query.order_by(Task.created_at.desc(), Task.id.desc())
    return query


def get_own_task(task_id: int) -> Task:
    """The logged-in user's task *task_id*, or a 404."""
    return t.cast(
        Task,
        db.one_or_404(
            db.select(Task).where(Task.id == task_id, Task.user_id == g.user.id),
            description="There is no such task in your list.",
        ),
    )


def status_counts() -> dict[str, int]:
    """How many of the user's tasks each filter shows, in one query."""
    rows = db.session.execute(
        db.select(Task.done, db.func.count()).where(Task.user_id == g.user.id).group_by(Task.done)
    ).all()
    done = sum(count for is_done, count in rows if is_done)
    pending = sum(count for is_done, count in rows if not is_done)
    return {"all": done + pending, "pending": pending, "done": done}


def _back_to_list() -> str:
    """Where a toggle or delete returns: the page it was made from, if ours."""
    return safe_next(request.form.get("next"), url_for("tasks.task_list"))


@bp.route("/")
def index() -> t.Any:
    if g.user is not None:
        return redirect(url_for("tasks.task_list"))
    demo = db.session.execute(db.select(User.id).filter_by(username=DEMO_USERNAME)).first()
    return render_template("home.html", demo_available=demo is not None)


@bp.route("/tasks/")
@login_required
def task_list() -> t.Any:
    status = request.args.get("status", "all")
    if status not in STATUSES:
        status = "all"
    sort = request.args.get("sort", "created_at")
    if sort not in SORTS:
        sort = "created_at"
    # error_out=False: a page number that is garbage shows page 1, and one past the
    # end (the last task of the last page was just deleted) goes to the last page.
    pagination = db.paginate(
        task_query(status, sort), per_page=current_app.config["TASKS_PER_PAGE"], error_out=False
    )
    if not pagination.items and pagination.page > 1:
        last_page = pagination.pages if pagination.pages > 1 else None
        return redirect(url_for("tasks.task_list", status=status, sort=sort, page=last_page))
    return render_template(
        "tasks/list.html",
        pagination=pagination,
        tasks=pagination.items,
        counts=status_counts(),
        statuses=STATUSES,
        sorts=SORTS,
        current_status=status,
        current_sort=sort,
    )


@bp.route("/tasks/create", methods=["GET", "POST"])
@login_required
def task_create() -> t.Any:
    form = TaskForm()
    if form.validate_on_submit():
        task = Task(owner=g.user)
        form.populate_obj(task)
        db.session.add(task)
        db.session.commit()
        flash(f'Task "{task.title}" created successfully!', "success")
        return redirect(url_for("tasks.task_list"))
    status = 422 if form.errors else 200
    return render_template("tasks/form.html", form=form, action="Create"), status


@bp.route("/tasks/<int:task_id>")
@login_required
def task_detail(task_id: int) -> t.Any:
    return render_template("tasks/detail.html", task=get_own_task(task_id))


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def task_edit(task_id: int) -> t.Any:
    task = get_own_task(task_id)
    form = TaskForm(obj=task)
    if form.validate_on_submit():
        form.populate_obj(task)
        db.session.commit()
        flash(f'Task "{task.title}" updated successfully!', "success")
        return redirect(url_for("tasks.task_detail", task_id=task.id))
    status = 422 if form.errors else 200
    return render_template("tasks/form.html", form=form, action="Edit", task=task), status


@bp.route("/tasks/<int:task_id>/toggle", methods=["POST"])
@login_required
def task_toggle(task_id: int) -> t.Any:
    task = get_own_task(task_id)
    task.done = not task.done
    db.session.commit()
    flash(f'Task "{task.title}" {"completed" if task.done else "reopened"}.', "info")
    return redirect(_back_to_list())


@bp.route("/tasks/<int:task_id>/delete", methods=["POST"])
@login_required
def task_delete(task_id: int) -> t.Any:
    task = get_own_task(task_id)
    db.session.delete(task)
    db.session.commit()
    flash(f'Task "{task.title}" deleted.', "warning")
    return redirect(_back_to_list())
