"""The README is the user's manual: its commands must be the ones that exist."""

import re
from pathlib import Path

import click
import pytest

from server.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_code_block() -> list[str]:
    block = re.search(r"```[a-z]*\n(.*?)```", README, re.DOTALL)
    assert block, "the README has no code block"
    commands = (line.split("#")[0].strip() for line in block.group(1).splitlines())
    return [command for command in commands if command]


def _section(command: str) -> str:
    match = re.search(rf"^### comity {command}\n(.*?)(?=^#)", README, re.DOTALL | re.MULTILINE)
    assert match, f"the README's command reference has no section for `comity {command}`"
    return match.group(1)


def test_the_readme_opens_with_the_two_commands():
    assert _first_code_block() == ["make run", "make test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    named = set(re.findall(r"`make ([a-z]+)`", README)) | {"run", "test"}
    assert named <= targets, named - targets


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command, a group's subcommands included, by the name the README uses."""
    found: list[tuple[str, click.Command]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, prefix + name + " "))
    return found


@pytest.mark.parametrize("name, command", _commands(main), ids=lambda item: str(item))
def test_every_command_and_option_is_documented(name, command):
    section = _section(name.split(" ")[0])
    if " " in name:
        assert f"comity {name}" in section, f"`comity {name}` is not in the README"
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            for flag in parameter.opts + parameter.secondary_opts:
                if flag.startswith("--"):
                    assert flag in section, f"`comity {name} {flag}` is not in the README"
        else:
            assert parameter.name.upper() in section.upper(), (name, parameter.name)
