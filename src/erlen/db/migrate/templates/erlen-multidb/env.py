"""Alembic's environment for an erlen app with several databases (binds).

`erlen db` runs this file inside the app context.  Every bind of the app's `db` (the
default database as "", then each SQLALCHEMY_BINDS key) is migrated with the metadata
of its models; the revision functions are upgrade_<bind>() / downgrade_<bind>().
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


def bind_key(name):
    """The bind key of a revision function suffix ("" is the default bind)."""
    return name or None


# "" (the default bind) first, then the other binds.
bind_names = ([""] if None in db.engines else []) + sorted(
    key for key in db.engines if key is not None
)


def get_engine(name):
    return db.engines[bind_key(name)]


def get_metadata(name):
    """The metadata autogenerate compares the bind's database with."""
    return db.metadatas[bind_key(name)]


for name in bind_names:
    url = get_engine(name).url.render_as_string(hide_password=False).replace("%", "%%")
    if name:
        config.set_section_option(name, "sqlalchemy.url", url)
    else:
        config.set_main_option("sqlalchemy.url", url)


def skip_empty_autogenerate(context, revision, directives):
    """Write no revision file when autogenerate finds no change in any bind.

    Called once per bind; only the last call (all binds compared) decides.
    """
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if len(script.upgrade_ops_list) < len(bind_names):
            return
        if all(ops.is_empty() for ops in script.upgrade_ops_list):
            directives[:] = []
            logger.info("No changes in schema detected.")


def run_migrations_offline():
    """`--sql`: write each bind's SQL to <bind>.sql instead of running it."""
    for name in bind_names:
        url = (
            config.get_section_option(name, "sqlalchemy.url")
            if name
            else config.get_main_option("sqlalchemy.url")
        )
        logger.info("Writing the SQL of database %s to %s.sql", name or "<default>", name)
        with open(f"{name}.sql", "w") as buffer:
            context.configure(
                url=url,
                output_buffer=buffer,
                target_metadata=get_metadata(name),
                literal_binds=True,
                render_as_batch=migrate_state.configure_args.get("render_as_batch", True),
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


def run_migrations_online():
    """Migrate every bind, each in a transaction; commit all or roll all back."""
    options = dict(migrate_state.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    connections = {name: get_engine(name).connect() for name in bind_names}
    transactions = {name: conn.begin() for name, conn in connections.items()}
    try:
        for name in bind_names:
            logger.info("Migrating database %s", name or "<default>")
            context.configure(
                connection=connections[name],
                upgrade_token=f"{name}_upgrades",
                downgrade_token=f"{name}_downgrades",
                target_metadata=get_metadata(name),
                **options,
            )
            context.run_migrations(engine_name=name)
        for transaction in transactions.values():
            transaction.commit()
    except BaseException:
        for transaction in transactions.values():
            transaction.rollback()
        raise
    finally:
        for connection in connections.values():
            connection.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
