"""`comity docs`: write the ontology's HTML documentation page to a file."""

import os
import tempfile
from pathlib import Path

import click

from ontology.docs import render_documentation
from ontology.errors import ComityError

DEFAULT_OUTPUT = Path("docs") / "ontology.html"


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one step, so a failed write never leaves half a page behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise ComityError(
            f"{path}: cannot create the file ({error.strerror}); "
            "choose an --output path in a writable directory"
        ) from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ComityError(
            f"{path}: cannot write the file ({error.strerror}); "
            "choose an --output path that is not a directory and can be written"
        ) from error


@click.command("docs")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="Where to write the HTML page.",
)
def docs(output: Path) -> None:
    """Write the ontology documentation as one self-contained HTML page."""
    write_atomically(output, render_documentation())
    click.echo(f"wrote the ontology documentation to {output}")


COMMANDS = [docs]
