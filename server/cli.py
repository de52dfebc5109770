"""The `comity` command: a thin layer over the library, one subcommand per job."""

import sys

import click

from ontology.errors import ComityError
from server.commands import docs, load, serve, store, users

COMMANDS = [*store.COMMANDS, *load.COMMANDS, *serve.COMMANDS, *docs.COMMANDS, *users.COMMANDS]


class ComityGroup(click.Group):
    """Turns user errors into one clear line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ComityError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)


@click.group(cls=ComityGroup)
@click.version_option(package_name="comity")
def main() -> None:
    """Comity: a knowledge graph of international relations, served over SPARQL 1.1."""


for command in COMMANDS:
    main.add_command(command)
