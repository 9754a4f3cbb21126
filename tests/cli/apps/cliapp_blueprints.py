"""Blueprint commands: in their own group, merged into the app's, and renamed."""

import click

from erlen import Blueprint, Erlen, current_app

own_group = Blueprint("users", __name__)
merged = Blueprint("tools", __name__, cli_group=None)
renamed = Blueprint("reports", __name__, cli_group="stats")
silent = Blueprint("silent", __name__)


@own_group.cli.command("create")
@click.argument("name")
def create_user(name):
    click.echo(f"created {name} in {current_app.name}")


@merged.cli.command("cleanup")
def cleanup():
    click.echo("cleaned up")


@renamed.cli.command("daily")
def daily():
    click.echo("daily report")


app = Erlen(__name__)
app.register_blueprint(own_group)
app.register_blueprint(merged)
app.register_blueprint(renamed)
app.register_blueprint(silent)
