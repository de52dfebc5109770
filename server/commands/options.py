"""Options shared by every `comity` subcommand."""

import click

DEFAULT_STORE = "oxigraph:./comity-data"

store_option = click.option(
    "--store",
    envvar="COMITY_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    help="Store URL: oxigraph:PATH, memory:, or sparql+http(s)://HOST/PATH "
    "(also read from COMITY_STORE).",
)
