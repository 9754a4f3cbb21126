"""``erlen seed-demo``: a demo account with tasks and the seed's blog posts."""

from __future__ import annotations

from datetime import timedelta

import click

from erlen.cli import with_appcontext

from .extensions import db
from .models import Post, Task, User, utcnow

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"

# (title, description, priority, done, age in days): enough tasks for two pages.
DEMO_TASKS = [
    ("Learn erlen routing", "Study URL rules, methods, and variables", "high", True, 30),
    ("Master Jinja2 templates", "Learn inheritance, macros, and filters", "high", True, 26),
    ("Build a CRUD app", "Apply routing and templates in a real project", "medium", True, 21),
    ("Add user accounts", "Register, log in, log out; hash the passwords", "high", False, 14),
    ("Write the JSON API", "MethodView under /api/v1 with JSON errors", "medium", False, 11),
    ("Paginate the task list", "Ten tasks a page, keep the filters in the links", "low", False, 9),
    (
        "Protect every form with CSRF",
        "A token in each form, a header for the API",
        "high",
        False,
        7,
    ),
    ("Run the tests on PostgreSQL", "Set DATABASE_URL and run make test", "medium", False, 6),
    ("Review accessibility", "Labels, landmarks, focus styles, contrast", "medium", False, 5),
    ("Plan the next sprint", "", "low", False, 4),
    ("Write release notes", "What changed, what to upgrade, what broke", "low", False, 3),
    ("Deploy behind a reverse proxy", "Gunicorn or uvicorn workers behind Nginx", "high", False, 2),
    ("Tidy the backlog", "Close what is done, split what is too big", "low", True, 1),
]

# The seed tutorial's three posts.
DEMO_POSTS = [
    (
        "Getting Started with erlen",
        "Learn the basics of erlen, Flask's API rebuilt for speed.",
        "erlen gives you the essentials for building web applications without imposing"
        " unnecessary complexity: routes, templates, sessions and a test client. In this"
        " post, we explore the core concepts that make the Flask style a favorite among"
        " Python developers, and why erlen keeps every name you already know.",
        20,
    ),
    (
        "Understanding Jinja2 Templates",
        "Deep dive into Jinja2 template engine features and best practices.",
        "Jinja2 is the template engine that renders erlen's HTML. It supports template"
        " inheritance, filters, macros, and more. Mastering Jinja2 is essential for"
        " building maintainable web applications: this very page extends a base layout"
        " and formats its date with a custom filter.",
        18,
    ),
    (
        "Routing and URL Building",
        "Master routing, variable rules, and URL generation.",
        "Routing is the backbone of any web application. erlen makes it intuitive with"
        " decorators and supports variable rules, multiple HTTP methods, and dynamic URL"
        " building with url_for(): the filter and sort links of the task list are built"
        " that way.",
        15,
    ),
]


def create_demo_data() -> User:
    """Add the demo user with its tasks and posts (the caller commits)."""
    now = utcnow()
    user = User(username=DEMO_USERNAME, created_at=now - timedelta(days=31))
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    for title, description, priority, done, age in DEMO_TASKS:
        created = now - timedelta(days=age, hours=age % 5)
        user.tasks.append(
            Task(
                title=title,
                description=description,
                priority=priority,
                done=done,
                created_at=created,
                updated_at=created,
            )
        )
    for title, summary, content, age in DEMO_POSTS:
        db.session.add(
            Post(
                author=user,
                title=title,
                summary=summary,
                content=content,
                created_at=now - timedelta(days=age),
            )
        )
    return user


@click.command("seed-demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing unless the database has no users (what `make run` uses).",
)
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Create the demo account (demo / demo-password) with tasks and blog posts."""
    if if_empty and db.session.execute(db.select(User.id).limit(1)).first() is not None:
        click.echo("The database already has users: no demo data added.")
        return
    existing = db.session.execute(db.select(User.id).filter_by(username=DEMO_USERNAME)).first()
    if existing is not None:
        click.echo(f"The user {DEMO_USERNAME!r} already exists: no demo data added.")
        return
    user = create_demo_data()
    db.session.commit()
    click.echo(
        f"Demo data added: log in as {DEMO_USERNAME} / {DEMO_PASSWORD}"
        f" ({len(user.tasks)} tasks, {len(DEMO_POSTS)} posts)."
    )
