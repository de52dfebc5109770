"""The `comity` group finds every subcommand in its module, and imports no other module."""

import importlib
import pkgutil
import subprocess
import sys

import click

import server.commands
from server.cli import COMMAND_MODULES, main


def test_every_subcommand_is_mapped_to_the_module_that_holds_it():
    held = {}
    for module in pkgutil.iter_modules(server.commands.__path__):
        name = f"server.commands.{module.name}"
        for command in getattr(importlib.import_module(name), "COMMANDS", []):
            held[command.name] = name
    assert held == COMMAND_MODULES


def test_an_unknown_subcommand_is_refused_in_one_line():
    context = click.Context(main)
    assert main.get_command(context, "serve").name == "serve"
    assert main.get_command(context, "sever") is None
    result = subprocess.run(
        [sys.executable, "-c", "from server.cli import main; main()", "sever"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "No such command 'sever'" in result.stderr


def test_a_command_imports_only_what_it_needs():
    """`comity query` does not load the extraction rules; `comity extract` does."""
    probe = (
        "import sys\n"
        "from server.cli import main\n"
        "try:\n"
        "    main([{args}], standalone_mode=False)\n"
        "finally:\n"
        "    print('loaders' in sys.modules)\n"
    )
    imported = {}
    for name, args in (("query", "'query', '--help'"), ("extract", "'extract', '--help'")):
        result = subprocess.run(
            [sys.executable, "-c", probe.format(args=args)],
            capture_output=True,
            text=True,
            check=True,
        )
        imported[name] = result.stdout.strip().splitlines()[-1]
    assert imported == {"query": "False", "extract": "True"}
