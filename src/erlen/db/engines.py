"""From ``app.config`` to engine arguments, one set per bind key.

The configuration keys (Flask-SQLAlchemy 3.1's):

``SQLALCHEMY_DATABASE_URI``
    The default bind's URL.
``SQLALCHEMY_ENGINE_OPTIONS``
    Arguments for the default bind's ``create_engine()`` (pool sizes, ``pool_pre_ping``...).
``SQLALCHEMY_BINDS``
    ``{bind_key: url_or_options}`` for further databases.
``SQLALCHEMY_ECHO``
    Log every statement and pool event (development only).

On top, the driver defaults: an in-memory SQLite database is one connection shared by
every thread (otherwise each connection would see its own empty database), and a
relative SQLite path is relative to the app's instance folder, which is created.

The pool keys of Flask-SQLAlchemy 2 (``SQLALCHEMY_POOL_SIZE`` and friends, still shown
in many tutorials) are honoured with a :class:`DeprecationWarning` instead of being
silently ignored; ``SQLALCHEMY_ENGINE_OPTIONS`` wins where both are set.
"""

from __future__ import annotations

import os
import typing as t
import warnings

import sqlalchemy as sa

if t.TYPE_CHECKING:
    from ..app import Erlen

__all__ = ["apply_driver_defaults", "collect_engine_options"]

#: Flask-SQLAlchemy 2 config keys and the engine option each one became.
LEGACY_POOL_KEYS = {
    "SQLALCHEMY_POOL_SIZE": "pool_size",
    "SQLALCHEMY_POOL_TIMEOUT": "pool_timeout",
    "SQLALCHEMY_POOL_RECYCLE": "pool_recycle",
    "SQLALCHEMY_MAX_OVERFLOW": "max_overflow",
}
#: Options only a queue pool accepts (not the single shared in-memory SQLite connection).
_QUEUE_POOL_ONLY = frozenset({"pool_size", "pool_timeout", "max_overflow"})


def collect_engine_options(
    app: Erlen, defaults: dict[str, t.Any]
) -> dict[str | None, dict[str, t.Any]]:
    """The ``create_engine`` arguments of every bind, keyed by bind key (``None``: default).

    *defaults* are the extension's ``engine_options``; config overrides them.
    """
    config = app.config
    uri = config.setdefault("SQLALCHEMY_DATABASE_URI", None)
    default_options = {**defaults, **config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})}
    echo = config.setdefault("SQLALCHEMY_ECHO", False)
    binds = config.setdefault("SQLALCHEMY_BINDS", {})

    per_bind: dict[str | None, dict[str, t.Any]] = {}
    for key, value in binds.items():
        options = dict(defaults)
        if isinstance(value, (str, sa.engine.URL)):
            options["url"] = value
        else:
            options.update(value)
        per_bind[key] = options
    if uri is not None:
        default_options["url"] = uri
    if "url" in default_options:
        per_bind.setdefault(None, {}).update(default_options)
    if not per_bind:
        raise RuntimeError(
            "Either 'SQLALCHEMY_DATABASE_URI' or 'SQLALCHEMY_BINDS' must be set before"
            " calling init_app(), e.g. app.config['SQLALCHEMY_DATABASE_URI'] ="
            " 'sqlite:///app.db'."
        )
    for options in per_bind.values():
        options.setdefault("echo", echo)
        options.setdefault("echo_pool", echo)
        apply_driver_defaults(options, app)
    if None in per_bind:
        _apply_legacy_pool_keys(config, per_bind[None])
    return per_bind


def _apply_legacy_pool_keys(config: t.Mapping[str, t.Any], options: dict[str, t.Any]) -> None:
    for key, option in LEGACY_POOL_KEYS.items():
        value = config.get(key)
        if value is None:
            continue
        shared_connection = options.get("poolclass") is sa.pool.StaticPool
        ignored = shared_connection and option in _QUEUE_POOL_ONLY
        warnings.warn(
            f"'{key}' is a Flask-SQLAlchemy 2 setting; use"
            f" SQLALCHEMY_ENGINE_OPTIONS = {{'{option}': {value!r}}} instead."
            + (" (Ignored: an in-memory SQLite database has no pool to size.)" if ignored else ""),
            DeprecationWarning,
            stacklevel=4,
        )
        if not ignored:
            options.setdefault(option, value)


def apply_driver_defaults(options: dict[str, t.Any], app: Erlen) -> None:
    """Adjust *options* for the driver: SQLite memory databases and relative paths."""
    url = sa.engine.make_url(options["url"])
    if url.drivername in {"sqlite", "sqlite+pysqlite"}:
        if url.database in {None, "", ":memory:"}:
            # One connection for all threads: each new one would be a new empty database.
            options["poolclass"] = sa.pool.StaticPool
            options["connect_args"] = {
                **options.get("connect_args", {}),
                "check_same_thread": False,
            }
            return
        is_uri = bool(url.query.get("uri", False))
        path = url.database[5:] if is_uri else url.database
        if not os.path.isabs(path):
            os.makedirs(app.instance_path, exist_ok=True)
            path = os.path.join(app.instance_path, path)
            options["url"] = url.set(database=f"file:{path}" if is_uri else path)
    elif url.drivername.startswith("mysql"):
        if options.get("poolclass", sa.pool.QueuePool) is sa.pool.QueuePool:
            options.setdefault("pool_recycle", 7200)
        if "charset" not in url.query:
            options["url"] = url.update_query_dict({"charset": "utf8mb4"})
