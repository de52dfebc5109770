"""The `comity` subcommands, one module per concern; each module exports its COMMANDS."""

from server.commands import docs, load, serve, store, users

COMMANDS = [*store.COMMANDS, *load.COMMANDS, *serve.COMMANDS, *docs.COMMANDS, *users.COMMANDS]
