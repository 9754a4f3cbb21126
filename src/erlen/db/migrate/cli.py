"""``erlen db``: the migration commands on the command line.

``Migrate(app, db)`` adds this group to ``app.cli``; it can also be declared as an
``erlen.commands`` entry point (``db = "erlen.db.migrate.cli:db"``).  The commands
and options are Flask-Migrate's: ``erlen db init``, ``migrate -m``, ``upgrade``,
``downgrade``, ``current``, ``history``, ``heads``, ``show``, ``stamp``, ``revision``,
``check``, ``merge``, ``branches``, ``edit``, ``list-templates``.
"""

from __future__ import annotations

import typing as t

import click

from ...cli import with_appcontext
from . import commands

__all__ = ["db"]

_directory_option = click.option(
    "-d",
    "--directory",
    default=None,
    help="The migration repository (default: the directory given to Migrate, 'migrations').",
)
_x_arg_option = click.option(
    "-x",
    "--x-arg",
    multiple=True,
    help="A value for custom env.py scripts (context.get_x_argument()); repeatable.",
)
_sql_option = click.option(
    "--sql", is_flag=True, help="Print the SQL instead of running it (offline mode)."
)
_tag_option = click.option(
    "--tag", default=None, help="A tag for custom env.py scripts (context.get_tag_argument())."
)
_verbose_option = click.option("-v", "--verbose", is_flag=True, help="Show more detail.")
_rev_id_option = click.option(
    "--rev-id", default=None, help="Use this revision id instead of a generated one."
)
_branch_label_option = click.option(
    "--branch-label", default=None, help="Give the new revision this branch label."
)


def _revision_options(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """The options ``revision`` and ``migrate`` share."""
    for option in reversed(
        [
            click.option(
                "-m",
                "--message",
                default=None,
                help="What the revision does (used in its file name).",
            ),
            _sql_option,
            click.option(
                "--head",
                default="head",
                help="The revision to build on: head or <branch>@head.",
            ),
            click.option(
                "--splice", is_flag=True, help="Allow --head to be a revision that is not a head."
            ),
            _branch_label_option,
            click.option(
                "--version-path",
                default=None,
                help="Write the revision into this version location.",
            ),
            _rev_id_option,
        ]
    ):
        f = option(f)
    return f


@click.group()
@_directory_option
@_x_arg_option
@click.pass_context
def db(ctx: click.Context, directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Database migrations (Alembic)."""
    ctx.meta[commands.GROUP_OPTIONS_KEY] = {"directory": directory, "x_arg": x_arg}


@db.command("list-templates")
@with_appcontext
def list_templates() -> None:
    """List the migration repository templates."""
    commands.list_templates()


@db.command()
@_directory_option
@click.option(
    "--multidb", is_flag=True, help="Use the template for several databases (SQLALCHEMY_BINDS)."
)
@click.option(
    "-t",
    "--template",
    default=None,
    help="The repository template: a name from list-templates or a directory (default: erlen).",
)
@click.option(
    "--package",
    is_flag=True,
    help="Also write __init__.py files into the repository and versions/.",
)
@with_appcontext
def init(directory: str | None, multidb: bool, template: str | None, package: bool) -> None:
    """Create the migration repository."""
    commands.init(directory, multidb, template, package)


@db.command()
@_directory_option
@_revision_options
@click.option(
    "--autogenerate",
    is_flag=True,
    help="Fill the revision with the operations that turn the database into the models.",
)
@with_appcontext
def revision(
    directory: str | None,
    message: str | None,
    sql: bool,
    head: str,
    splice: bool,
    branch_label: str | None,
    version_path: str | None,
    rev_id: str | None,
    autogenerate: bool,
) -> None:
    """Create a revision file (empty unless --autogenerate)."""
    commands.revision(
        directory, message, autogenerate, sql, head, splice, branch_label, version_path, rev_id
    )


@db.command()
@_directory_option
@_revision_options
@_x_arg_option
@with_appcontext
def migrate(
    directory: str | None,
    message: str | None,
    sql: bool,
    head: str,
    splice: bool,
    branch_label: str | None,
    version_path: str | None,
    rev_id: str | None,
    x_arg: tuple[str, ...],
) -> None:
    """Create a revision from the model changes (revision --autogenerate)."""
    commands.migrate(
        directory, message, sql, head, splice, branch_label, version_path, rev_id, list(x_arg)
    )


@db.command()
@_directory_option
@click.argument("revision", default="head")
@with_appcontext
def edit(directory: str | None, revision: str) -> None:
    """Open a revision file in $EDITOR."""
    commands.edit(directory, revision)


@db.command()
@_directory_option
@click.option("-m", "--message", default=None, help="What the merge is for.")
@_branch_label_option
@_rev_id_option
@click.argument("revisions", nargs=-1)
@with_appcontext
def merge(
    directory: str | None,
    message: str | None,
    branch_label: str | None,
    rev_id: str | None,
    revisions: tuple[str, ...],
) -> None:
    """Create a revision that joins two or more heads."""
    commands.merge(directory, revisions, message, branch_label, rev_id)


@db.command()
@_directory_option
@_sql_option
@_tag_option
@_x_arg_option
@click.argument("revision", default="head")
@with_appcontext
def upgrade(
    directory: str | None, sql: bool, tag: str | None, x_arg: tuple[str, ...], revision: str
) -> None:
    """Upgrade the database (to head by default)."""
    commands.upgrade(directory, revision, sql, tag, list(x_arg))


@db.command()
@_directory_option
@_sql_option
@_tag_option
@_x_arg_option
@click.argument("revision", default="-1")
@with_appcontext
def downgrade(
    directory: str | None, sql: bool, tag: str | None, x_arg: tuple[str, ...], revision: str
) -> None:
    """Downgrade the database (one revision by default)."""
    commands.downgrade(directory, revision, sql, tag, list(x_arg))


@db.command()
@_directory_option
@click.argument("revision", default="head")
@with_appcontext
def show(directory: str | None, revision: str) -> None:
    """Show one revision (head by default)."""
    commands.show(directory, revision)


@db.command()
@_directory_option
@click.option("-r", "--rev-range", default=None, help="Only revisions in [start]:[end].")
@_verbose_option
@click.option(
    "-i", "--indicate-current", is_flag=True, help="Mark the revision the database is at."
)
@with_appcontext
def history(
    directory: str | None, rev_range: str | None, verbose: bool, indicate_current: bool
) -> None:
    """List the revisions, newest first."""
    commands.history(directory, rev_range, verbose, indicate_current)


@db.command()
@_directory_option
@_verbose_option
@click.option(
    "--resolve-dependencies", is_flag=True, help="Count depends_on revisions as down revisions."
)
@with_appcontext
def heads(directory: str | None, verbose: bool, resolve_dependencies: bool) -> None:
    """Show the head revisions."""
    commands.heads(directory, verbose, resolve_dependencies)


@db.command()
@_directory_option
@_verbose_option
@with_appcontext
def branches(directory: str | None, verbose: bool) -> None:
    """Show the revisions where branches split."""
    commands.branches(directory, verbose)


@db.command()
@_directory_option
@_verbose_option
@with_appcontext
def current(directory: str | None, verbose: bool) -> None:
    """Show the revision the database is at."""
    commands.current(directory, verbose)


@db.command()
@_directory_option
@_sql_option
@_tag_option
@click.option("--purge", is_flag=True, help="Empty the alembic_version table first.")
@click.argument("revision", default="head")
@with_appcontext
def stamp(directory: str | None, sql: bool, tag: str | None, purge: bool, revision: str) -> None:
    """Record a revision as applied without running migrations."""
    commands.stamp(directory, revision, sql, tag, purge)


@db.command()
@_directory_option
@with_appcontext
def check(directory: str | None) -> None:
    """Fail if the models have changes no revision covers yet."""
    commands.check(directory)
