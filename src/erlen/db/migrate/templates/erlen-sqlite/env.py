"""Alembic's environment for an erlen app on SQLite, always in batch mode.

`erlen db` runs this file inside the app context; the engine and the model metadata
come from the app's `db` (registered by `Migrate(app, db)`).  SQLite alters tables by
copying them (batch mode), so foreign key enforcement is off while migrations run.
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
    """`Migrate(...)`'s arguments with batch mode forced on."""
    options = dict(migrate_state.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("compare_server_default", True)
    options["render_as_batch"] = True
    return options


def run_migrations_offline():
    """`--sql`: write the SQL to standard output instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations with foreign key enforcement off (SQLite only allows the
    switch outside a transaction), then restore the connection's setting."""
    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            enforced = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(
                connection=connection, target_metadata=get_metadata(), **configure_options()
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
