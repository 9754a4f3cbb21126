"""Task Manager: erlen's example application.

A multi-user to-do list with a blog, built the way a Flask project is built: an
application factory, blueprints (``auth``, ``tasks``, ``api``, ``blog``), SQLAlchemy
models with migrations, WTForms forms with CSRF protection, and Jinja templates.

Run it with ``make run`` (or see docs/example.md for the steps it takes).
"""

from __future__ import annotations

import os
import secrets
import typing as t

from erlen import Erlen

from .extensions import csrf, db, migrate

__all__ = ["create_app"]

HERE = os.path.dirname(os.path.abspath(__file__))

DEFAULTS: dict[str, t.Any] = {
    "TASKS_PER_PAGE": 10,
    "POSTS_PER_PAGE": 5,
    # Werkzeug's format and default; tests lower the cost (hashing is slow on purpose).
    "PASSWORD_HASH_METHOD": "scrypt",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}


def database_url(environ: t.Mapping[str, str] = os.environ) -> str:
    """``DATABASE_URL`` in SQLAlchemy's spelling, or the SQLite file in the instance folder.

    Hosting platforms hand out ``postgres://`` and ``postgresql://`` URLs; both mean
    PostgreSQL through psycopg 3 here (the driver ``erlen[db]`` installs).
    """
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///taskmanager.db"  # relative: inside app.instance_path
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret_key(instance_path: str) -> str:
    """A random key kept in ``instance/secret_key``, made on first use.

    Sessions then survive restarts without a secret in the source; set ``SECRET_KEY``
    in the environment to choose one (several processes must share it).
    """
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path, encoding="ascii") as file:
            key = file.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(instance_path, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def create_app(config: t.Mapping[str, t.Any] | None = None) -> Erlen:
    """Build the app; *config* (a mapping) overrides any setting, e.g. in tests.

    Settings come, last wins, from :data:`DEFAULTS`, the environment (``SECRET_KEY``,
    ``DATABASE_URL``) and *config*.
    """
    app = Erlen(__name__, instance_relative_config=True)
    app.config.update(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url()
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if config is not None:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    db.init_app(app)
    # An absolute directory: `erlen db ...` works from any working directory.
    migrate.init_app(app, db, directory=os.path.join(HERE, "migrations"))
    csrf.init_app(app)

    from . import api, auth, blog, tasks
    from .cli import seed_demo_command
    from .errors import register_error_handlers
    from .filters import dateformat

    app.register_blueprint(auth.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(blog.bp)
    register_error_handlers(app)
    app.add_template_filter(dateformat, "dateformat")
    app.cli.add_command(seed_demo_command)

    @app.after_request
    def security_headers(response: t.Any) -> t.Any:
        # Everything the pages load is local: no inline script or style is allowed,
        # so injected markup cannot run.
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; form-action 'self';"
            " frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app
