"""Alembic's environment for an erlen app: how `erlen db ...` reaches the database.

`erlen db` runs this file inside the app context.  The engine and the metadata that
autogenerate compares the database with come from the app's `db` (registered by
`Migrate(app, db)`); the options of `Migrate(...)` (compare_type, render_as_batch...)
are passed to `context.configure`.  Edit freely: e.g. add `include_object` to skip
tables, or point `target_metadata` at more than the models' metadata.
"""

import logging
from logging.config import fileConfig

from alembic import context

from erlen import current_app

config = context.config
if config.config_file_name is not None:
    # Configure logging from alembic.ini, leaving the app's own loggers enabled.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_state = current_app.extensions["migrate"]
db = migrate_state.db


def get_engine():
    """The engine of the default bind."""
    return db.engine


def get_metadata():
    """The metadata autogenerate compares with: the models of the default bind."""
    return db.metadatas[None] if hasattr(db, "metadatas") else db.metadata


# '%' is the interpolation character of the ini parser.
config.set_main_option(
    "sqlalchemy.url",
    get_engine().url.render_as_string(hide_password=False).replace("%", "%%"),
)


def skip_empty_autogenerate(context, revision, directives):
    """Write no revision file when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def configure_options():
    """The arguments of `Migrate(...)` for context.configure, plus the defaults here."""
    options = dict(migrate_state.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    return options


def run_migrations_offline():
    """`--sql`: write the SQL to standard output instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        render_as_batch=migrate_state.configure_args.get("render_as_batch", True),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a connection of the app's engine."""
    with get_engine().connect() as connection:
        context.configure(
            connection=connection, target_metadata=get_metadata(), **configure_options()
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
