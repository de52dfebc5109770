"""`comity serve`: the SPARQL endpoint and linked-data pages on waitress."""

import logging
import queue
import signal
import sys
from logging.handlers import QueueHandler, QueueListener

import click

from server.commands.options import store_option
from server.config import DEFAULT_SERVICE_ALLOW, ServerConfig

# The options' defaults are the configuration's own, so the two cannot drift apart.
DEFAULTS = ServerConfig()


@click.command()
@store_option
@click.option("--host", default=DEFAULTS.host, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULTS.port, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--timeout",
    default=DEFAULTS.timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a query may run before it is stopped and answered 503.",
)
@click.option(
    "--max-rows",
    default=DEFAULTS.max_rows,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest result answered (solutions or triples); a larger one is an error.",
)
@click.option(
    "--max-body",
    default=DEFAULTS.max_body,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest request body in bytes; a larger one is answered 413.",
)
@click.option(
    "--token",
    envvar="COMITY_TOKEN",
    default=None,
    help="Bearer token that SPARQL Update and Graph Store writes need (also COMITY_TOKEN); "
    "without it the endpoint is read-only.",
)
@click.option(
    "--base",
    default=DEFAULTS.base,
    show_default=True,
    help="The IRI base of the resources the server dereferences.",
)
@click.option(
    "--service-allow",
    multiple=True,
    help="IRI prefix of an endpoint SERVICE may call (repeatable; default: Wikidata and "
    "DBpedia). Give --service-allow '' to turn federation off.",
)
@click.option(
    "--threads",
    default=DEFAULTS.threads,
    show_default=True,
    type=click.IntRange(min=1),
    help="Threads answering HTTP requests.",
)
@click.option(
    "--workers",
    default=DEFAULTS.workers,
    show_default=True,
    type=click.IntRange(min=1),
    help="Query worker processes: at most this many queries run at once.",
)
@click.option("--cors-writes", is_flag=True, help="Allow writes from other origins (browsers).")
def serve(
    store: str,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_body: int,
    token: str | None,
    base: str,
    service_allow: tuple[str, ...],
    threads: int,
    workers: int,
    cors_writes: bool,
) -> None:
    """Serve the store over SPARQL 1.1 (query, update, graph store) and as linked data."""
    import waitress

    from server.app import create_app

    log_writer = _log_in_background()
    allow = tuple(prefix for prefix in service_allow if prefix) if service_allow else None
    config = ServerConfig(
        store=store,
        host=host,
        port=port,
        timeout=timeout,
        max_rows=max_rows,
        max_body=max_body,
        token=token or None,
        base=base,
        service_allow=DEFAULT_SERVICE_ALLOW if allow is None else allow,
        cors_writes=cors_writes,
        workers=workers,
        threads=threads,
    )
    app = create_app(config)
    state = app.extensions["comity"]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(
        f"comity: serving {state.graph.location} at http://{host}:{port}/sparql "
        f"({'writes need the token' if token else 'read-only'})",
        err=True,
    )
    try:
        waitress.serve(
            app,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=max_body,
            ident="comity",
        )
    finally:
        state.close()
        log_writer.stop()


def _log_in_background() -> QueueListener:
    """Request threads only queue their log lines and one thread writes them to stderr, so
    that answering threads never wait on each other (or on a slow terminal) to log."""
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    writer = logging.StreamHandler()
    writer.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    queued = QueueHandler(records)
    queued.setFormatter(logging.Formatter("%(message)s"))  # the writer adds time and name
    logging.basicConfig(level=logging.INFO, handlers=[queued])
    listener = QueueListener(records, writer)
    listener.start()
    return listener


COMMANDS = [serve]
