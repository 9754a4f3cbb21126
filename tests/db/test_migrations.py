"""Migrations: ``Migrate`` and ``erlen db ...`` on SQLite and PostgreSQL.

Each "version" of the app is a fresh ``SQLAlchemy`` whose models differ, pointed at
the same database and migrations directory, which is how a project evolves.
"""

from __future__ import annotations

import os
import sqlite3

import pytest
import sqlalchemy as sa

from erlen import Erlen
from erlen.db import Migrate, SQLAlchemy
from erlen.db.migrate import cli as migrate_cli
from erlen.db.migrate import downgrade, upgrade

from .helpers import invoke


def make_app(url, tmp_path, version=1, **migrate_options):
    """The app at model *version*: 1 = users; 2 = + users.phone, + tags."""
    app = Erlen("shopapp", instance_path=str(tmp_path / "instance"))
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db = SQLAlchemy(app)

    class User(db.Model):
        __tablename__ = "users"
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(80), unique=True, nullable=False)
        if version >= 2:
            phone = db.Column(db.String(20), nullable=True, index=True)

    if version >= 2:

        class Tag(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(50), unique=True, nullable=False)

    directory = migrate_options.pop("directory", str(tmp_path / "migrations"))
    Migrate(app, db, directory=directory, **migrate_options)
    return app, db


def columns(app, db, table):
    with app.app_context():
        inspector = sa.inspect(db.engine)
        if not inspector.has_table(table):
            return None
        return {column["name"] for column in inspector.get_columns(table)}


def run_ok(app, *args):
    result = invoke(app, *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_round_trip_init_migrate_upgrade_downgrade_upgrade(database_url, tmp_path):
    v1, db1 = make_app(database_url, tmp_path, 1)
    run_ok(v1, "db", "init")
    migrations = tmp_path / "migrations"
    assert {"env.py", "script.py.mako", "alembic.ini", "README", "versions"} <= set(
        os.listdir(migrations)
    )
    run_ok(v1, "db", "migrate", "-m", "create users")
    run_ok(v1, "db", "upgrade")
    assert columns(v1, db1, "users") == {"id", "username"}
    with v1.app_context():
        db1.session.execute(sa.text("INSERT INTO users (username) VALUES ('kept')"))
        db1.session.commit()

    v2, db2 = make_app(database_url, tmp_path, 2)
    assert "Target database is not up to date" not in run_ok(v2, "db", "current")
    check = invoke(v2, "db", "check")
    assert check.exit_code == 1 and "New upgrade operations detected" in check.output
    run_ok(v2, "db", "migrate", "-m", "add phone and tags")
    [revision_file] = [name for name in os.listdir(migrations / "versions") if "phone" in name]
    source = (migrations / "versions" / revision_file).read_text()
    assert "add_column" in source and "create_table('tag'" in source
    assert "batch_alter_table" in source  # render_as_batch=True by default

    run_ok(v2, "db", "upgrade")
    assert columns(v2, db2, "users") == {"id", "username", "phone"}
    assert columns(v2, db2, "tag") == {"id", "name"}
    run_ok(v2, "db", "check")

    run_ok(v2, "db", "downgrade")
    assert columns(v2, db2, "users") == {"id", "username"}
    assert columns(v2, db2, "tag") is None

    run_ok(v2, "db", "upgrade")
    assert columns(v2, db2, "users") == {"id", "username", "phone"}
    with v2.app_context():
        assert db2.session.execute(sa.text("SELECT username FROM users")).scalars().all() == [
            "kept"
        ]
    history = run_ok(v2, "db", "history")
    assert "add phone and tags" in history and "create users" in history
    heads = run_ok(v2, "db", "heads")
    assert "(head)" in heads
    assert "add phone and tags" in run_ok(v2, "db", "show")


def test_migrate_without_changes_writes_no_revision(tmp_path):
    app, _ = make_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    run_ok(app, "db", "init")
    run_ok(app, "db", "migrate", "-m", "first")
    run_ok(app, "db", "upgrade")
    run_ok(app, "db", "migrate", "-m", "nothing")
    assert (
        len([n for n in os.listdir(tmp_path / "migrations" / "versions") if n.endswith(".py")]) == 1
    )


def test_functions_work_in_an_app_context(tmp_path):
    """Deploy scripts and tests call the commands as functions."""
    app, db = make_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    run_ok(app, "db", "init")
    run_ok(app, "db", "revision", "--autogenerate", "-m", "users", "--rev-id", "0001")
    with app.app_context():
        upgrade()
        assert sa.inspect(db.engine).has_table("users")
        downgrade(revision="base")
        assert not sa.inspect(db.engine).has_table("users")


def test_revision_stamp_current_and_offline_sql(tmp_path):
    app, db = make_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    run_ok(app, "db", "init")
    run_ok(app, "db", "migrate", "-m", "users", "--rev-id", "aaa111")
    empty = run_ok(app, "db", "revision", "-m", "data fix", "--rev-id", "bbb222")
    assert "bbb222_data_fix.py" in empty
    sql = run_ok(app, "db", "upgrade", "--sql")
    assert "CREATE TABLE users" in sql
    assert not columns(app, db, "users")  # --sql ran nothing
    run_ok(app, "db", "stamp", "head")
    assert "bbb222 (head)" in run_ok(app, "db", "current")
    run_ok(app, "db", "stamp", "--purge", "aaa111")
    assert "aaa111" in run_ok(app, "db", "current")


def test_errors_exit_with_status_1_and_say_why(tmp_path):
    app, _ = make_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    missing = invoke(app, "db", "upgrade")
    assert missing.exit_code == 1
    assert "Error:" in missing.output and "'init' command" in missing.output
    run_ok(app, "db", "init")
    again = invoke(app, "db", "init")
    assert again.exit_code == 1 and "already exists and is not empty" in again.output
    bad = invoke(app, "db", "init", "-d", str(tmp_path / "other"), "-t", "no-such-template")
    assert bad.exit_code == 1 and "No such template" in bad.output


def test_without_migrate_the_error_names_the_fix(tmp_path, capsys):
    app = Erlen("plain", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    SQLAlchemy(app)
    with app.app_context(), pytest.raises(SystemExit) as info:
        upgrade()
    assert info.value.code == 1
    assert "Migrate(app, db)" in capsys.readouterr().err
    # The group declared as an entry point, on an app without Migrate:
    result = app.test_cli_runner().invoke(migrate_cli.db, ["current"])
    assert result.exit_code == 1 and "Migrate(app, db)" in result.output
    listing = app.test_cli_runner().invoke(migrate_cli.db, ["list-templates"])
    assert listing.exit_code == 0 and "erlen-sqlite" in listing.output


def test_registration_on_app_cli_and_custom_command_name(tmp_path):
    app, _ = make_app("sqlite://", tmp_path)
    assert app.cli.commands["db"] is migrate_cli.db
    assert app.extensions["migrate"].configure_args == {
        "compare_type": True,
        "render_as_batch": True,
    }
    other, _ = make_app("sqlite://", tmp_path, command="database", render_as_batch=False)
    assert "database" in other.cli.commands
    assert other.extensions["migrate"].configure_args["render_as_batch"] is False
    assert {"init", "migrate", "upgrade", "downgrade", "current", "history", "heads"} <= set(
        migrate_cli.db.commands
    )
    assert {"show", "stamp", "revision", "check", "merge", "branches", "edit"} <= set(
        migrate_cli.db.commands
    )
    assert "list-templates" in migrate_cli.db.commands


def test_deferred_init_app_and_configure_callbacks(tmp_path):
    app = Erlen("factory", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'app.db'}"
    db = SQLAlchemy()
    migrate = Migrate(directory=str(tmp_path / "m"), include_schemas=False)
    seen = []

    @migrate.configure
    def add_option(config):
        seen.append(config)
        config.set_main_option("erlen_test_option", "yes")
        return config

    db.init_app(app)
    migrate.init_app(app, db)
    assert app.extensions["migrate"].configure_args["include_schemas"] is False
    with app.app_context():
        config = migrate.get_config(x_arg=["a=1", "b=2"], opts=["autogenerate"])
    assert config.get_main_option("erlen_test_option") == "yes"
    assert config.get_main_option("script_location") == str(tmp_path / "m")
    assert config.cmd_opts.x == ["a=1", "b=2"] and config.cmd_opts.autogenerate is True
    assert seen == [config]


def test_group_options_directory_and_x_arg_reach_env(tmp_path):
    app, _ = make_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    target = tmp_path / "elsewhere"
    run_ok(app, "db", "-d", str(target), "init")
    assert (target / "env.py").exists()
    env = target / "env.py"
    env.write_text(
        env.read_text().replace(
            "def run_migrations_online():",
            "print('X-ARGS', context.get_x_argument(as_dictionary=True))\n\n\n"
            "def run_migrations_online():",
        )
    )
    output = run_ok(app, "db", "-d", str(target), "-x", "tenant=acme", "current")
    assert "X-ARGS {'tenant': 'acme'}" in output


def test_list_templates_and_flask_alias(tmp_path):
    app, _ = make_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    listing = run_ok(app, "db", "list-templates")
    for name in ("erlen ", "erlen-multidb", "erlen-sqlite"):
        assert name in listing
    run_ok(app, "db", "init", "-t", "flask")  # Flask-Migrate's name still works
    env = (tmp_path / "migrations" / "env.py").read_text()
    assert "from erlen import current_app" in env and "flask" not in env


def test_custom_template_directory(tmp_path):
    app, _ = make_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    source = os.path.join(os.path.dirname(migrate_cli.__file__), "templates", "erlen")
    custom_root = tmp_path / "my-templates"
    custom = custom_root / "house"
    custom.mkdir(parents=True)
    for name in os.listdir(source):
        if os.path.isfile(os.path.join(source, name)):
            with open(os.path.join(source, name), encoding="utf-8") as f:
                text = f.read()
            (custom / name).write_text(
                text.replace("def upgrade():", "# house style\ndef upgrade():")
            )
    run_ok(app, "db", "init", "-t", str(custom))
    assert "# house style" in (tmp_path / "migrations" / "script.py.mako").read_text()


def test_sqlite_template_alters_columns_by_copying_tables(tmp_path):
    """erlen-sqlite: batch mode even when Migrate says otherwise, FKs off meanwhile."""
    url = f"sqlite:///{tmp_path / 'app.db'}"

    def versioned(version):
        app = Erlen("sqliteapp", instance_path=str(tmp_path))
        app.config["SQLALCHEMY_DATABASE_URI"] = url
        db = SQLAlchemy(app)

        class Author(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(40 if version == 1 else 200), nullable=False)

        class Book(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            author_id = db.Column(db.ForeignKey("author.id", ondelete="CASCADE"))

        Migrate(app, db, directory=str(tmp_path / "migrations"), render_as_batch=False)
        return app, db

    v1, db1 = versioned(1)
    run_ok(v1, "db", "init", "--template", "erlen-sqlite")
    run_ok(v1, "db", "migrate", "-m", "initial")
    run_ok(v1, "db", "upgrade")
    with v1.app_context():
        db1.session.execute(sa.text("INSERT INTO author (id, name) VALUES (1, 'Ann')"))
        db1.session.execute(sa.text("INSERT INTO book (id, author_id) VALUES (7, 1)"))
        db1.session.commit()

    v2, db2 = versioned(2)
    run_ok(v2, "db", "migrate", "-m", "longer names")
    [name] = [n for n in os.listdir(tmp_path / "migrations" / "versions") if "longer" in n]
    source = (tmp_path / "migrations" / "versions" / name).read_text()
    assert "batch_alter_table('author'" in source and "alter_column('name'" in source
    run_ok(v2, "db", "upgrade")
    raw = sqlite3.connect(tmp_path / "app.db")
    try:
        schema = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'author'").fetchone()[0]
        assert "VARCHAR(200)" in schema
        # Copying the author table did not cascade into the books.
        assert raw.execute("SELECT id, author_id FROM book").fetchall() == [(7, 1)]
    finally:
        raw.close()
    run_ok(v2, "db", "downgrade")
    with v2.app_context(), db2.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0


def test_multiple_binds(tmp_path):
    """--multidb: one alembic_version per database, upgrade_<bind>() functions."""

    def versioned(version):
        app = Erlen("multi", instance_path=str(tmp_path))
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'main.db'}"
        app.config["SQLALCHEMY_BINDS"] = {"analytics": f"sqlite:///{tmp_path / 'analytics.db'}"}
        db = SQLAlchemy(app)

        class Account(db.Model):
            id = db.Column(db.Integer, primary_key=True)

        class Event(db.Model):
            __bind_key__ = "analytics"
            id = db.Column(db.Integer, primary_key=True)
            if version >= 2:
                kind = db.Column(db.String(20))

        Migrate(app, db, directory=str(tmp_path / "migrations"))
        return app, db

    v1, _ = versioned(1)
    run_ok(v1, "db", "init", "--multidb")
    run_ok(v1, "db", "migrate", "-m", "initial")
    run_ok(v1, "db", "upgrade")
    main = sa.create_engine(f"sqlite:///{tmp_path / 'main.db'}")
    analytics = sa.create_engine(f"sqlite:///{tmp_path / 'analytics.db'}")
    try:
        assert set(sa.inspect(main).get_table_names()) == {"account", "alembic_version"}
        assert set(sa.inspect(analytics).get_table_names()) == {"event", "alembic_version"}

        v2, _ = versioned(2)
        run_ok(v2, "db", "migrate", "-m", "event kind")
        [name] = [n for n in os.listdir(tmp_path / "migrations" / "versions") if "kind" in n]
        source = (tmp_path / "migrations" / "versions" / name).read_text()
        assert "def upgrade_analytics():" in source and "def upgrade_():" in source
        run_ok(v2, "db", "upgrade")
        assert "kind" in {c["name"] for c in sa.inspect(analytics).get_columns("event")}
        run_ok(v2, "db", "migrate", "-m", "nothing new")  # every bind unchanged: no file
        versions = os.listdir(tmp_path / "migrations" / "versions")
        assert len([n for n in versions if n.endswith(".py")]) == 2
        run_ok(v2, "db", "downgrade", "base")
        assert sa.inspect(main).get_table_names() == ["alembic_version"]
        assert sa.inspect(analytics).get_table_names() == ["alembic_version"]
    finally:
        main.dispose()
        analytics.dispose()
