"""The `comity` subcommands, one module per concern; each module exports its COMMANDS, and
server/cli.py imports a module when one of its commands is run. Nothing is imported here, so
that a process that needs one command's module (granian's worker imports the serve command's)
does not import every other's."""
