"""`comity users add`: keep the users file that HTTP Basic writes are checked against."""

from pathlib import Path

import click

from server.credentials import ACCESS_LEVELS, write_account


@click.group("users")
def users() -> None:
    """Accounts that may use the server with HTTP Basic credentials."""


@users.command("add")
@click.argument("users_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("name")
@click.option(
    "--access",
    type=click.Choice(ACCESS_LEVELS),
    default="write",
    show_default=True,
    help="What the account may do: read, or also write.",
)
@click.password_option(
    help="The password (asked twice when not given; read from stdin in scripts)."
)
def add(users_file: Path, name: str, access: str, password: str) -> None:
    """Add NAME to USERS_FILE with a salted password hash, or replace its entry."""
    write_account(users_file, name, password, access)
    click.echo(f"{users_file}: {name} ({access})")


COMMANDS = [users]
