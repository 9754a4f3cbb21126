"""A command an installed package would offer through the ``erlen.commands`` group."""

import click


@click.command("plugged")
def plugged():
    click.echo("plugin command ran")
