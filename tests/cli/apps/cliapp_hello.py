"""An app bound to ``app``, with a command, a shell context processor and routes."""

import click

from erlen import Erlen, current_app

app = Erlen(__name__)


@app.route("/")
def index():
    return "hello from erlen"


@app.route("/debug")
def debug_state():
    return f"debug={current_app.debug}"


@app.cli.command("greet")
@click.option("--name", default="world")
def greet(name):
    """Say hello from inside the app context."""
    click.echo(f"hello {name} from {current_app.name}")


@app.cli.command("plain", with_appcontext=False)
def plain():
    from erlen import has_app_context

    click.echo(f"plain command, app context: {has_app_context()}")


@app.cli.command("state")
def state():
    import os

    click.echo(f"ERLEN_DEBUG={os.environ.get('ERLEN_DEBUG')} debug={current_app.debug}")


@app.shell_context_processor
def shell_names():
    return {"answer": 42}
