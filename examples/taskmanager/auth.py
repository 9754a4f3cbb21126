"""Accounts: register, log in, log out, and who is logged in (``g.user``)."""

from __future__ import annotations

import functools
import typing as t
from urllib.parse import urlsplit

from erlen import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from .extensions import db
from .forms import LoginForm, RegisterForm
from .models import User

bp = Blueprint("auth", __name__, url_prefix="/auth")

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in user (or ``None``) in ``g.user`` for views and templates."""
    g.user = None
    if request.endpoint == "static":
        return  # stylesheets need no database round trip
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        g.user = db.session.get(User, user_id)


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page, and back here afterwards."""

    @functools.wraps(view)
    def wrapped(**kwargs: t.Any) -> t.Any:
        if g.user is None:
            flash("Please log in to continue.", "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return t.cast(F, wrapped)


def api_login_required(view: F) -> F:
    """401 for API calls without a logged-in session (no redirect: clients are scripts)."""

    @functools.wraps(view)
    def wrapped(**kwargs: t.Any) -> t.Any:
        if g.user is None:
            abort(401, description="Log in first: the API uses the session cookie.")
        return view(**kwargs)

    return t.cast(F, wrapped)


def safe_next(target: str | None, fallback: str) -> str:
    """*target* when it is a path on this site, else *fallback*.

    A ``next`` parameter comes from the URL, so anyone can craft it: only a local
    path is followed, never another host (``//evil.example``, ``https://...``,
    ``/\\evil.example``), which would turn the login page into an open redirect.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


@bp.route("/register", methods=["GET", "POST"])
def register() -> t.Any:
    if g.user is not None:
        return redirect(url_for("tasks.task_list"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = User(username=form.username.data)
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        flash("Welcome aboard! Your account is ready: log in to start.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
def login() -> t.Any:
    next_url = safe_next(request.args.get("next"), url_for("tasks.task_list"))
    if g.user is not None:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(
            db.select(User).filter_by(username=form.username.data)
        ).scalar_one_or_none()
        if user is None:
            User.spend_hash_time(form.password.data)
        if user is not None and user.check_password(form.password.data):
            # A fresh session: nothing from before the login (a planted session id,
            # an old CSRF token) carries over into the authenticated one.
            session.clear()
            session["user_id"] = user.id
            flash(f"Welcome back, {user.username}!", "success")
            return redirect(next_url)
        flash("Incorrect username or password.", "danger")
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> t.Any:
    session.clear()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
