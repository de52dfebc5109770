"""The `comity` command: a thin layer over the library, one subcommand per job.

Each subcommand's module is imported when that subcommand runs, not before: `comity serve`
or `comity query` need not import the extraction rules (most of a second of start-up).
"""

import importlib
import sys

import click

from ontology.errors import ComityError

COMMAND_MODULES = {
    **dict.fromkeys(
        [
            "query",
            "update",
            "reason",
            "validate",
            "export",
            "restore",
            "stats",
            "sources",
            "remove",
        ],
        "server.commands.store",
    ),
    **dict.fromkeys(["load", "extract", "eval"], "server.commands.load"),
    "serve": "server.commands.serve",
    "docs": "server.commands.docs",
    "users": "server.commands.users",
}
"""Each subcommand's name and the module whose COMMANDS hold it."""


class ComityGroup(click.Group):
    """Finds a subcommand in its module when it is asked for, and turns user errors into one
    clear line on stderr and a non-zero exit, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        commands = importlib.import_module(module_name).COMMANDS
        return next(command for command in commands if command.name == cmd_name)

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
