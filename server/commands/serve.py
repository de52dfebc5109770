"""`comity serve`: the SPARQL endpoint and linked-data pages on granian.

Granian parses HTTP in Rust and calls the WSGI application from a pool of threads, so a request
whose answer is ready costs the server a few tens of microseconds of Python; waitress and
gunicorn spend several times that on their own HTTP handling (bench/SERVE.md). Granian runs the
application in one worker process: the store is opened there, read-write, by that process only.
"""

import functools
import logging
import multiprocessing
import multiprocessing.util
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import graph
from ontology.errors import ComityError
from server.commands.options import store_option
from server.config import DEFAULT_SERVICE_ALLOW, ServerConfig
from server.credentials import read_accounts

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
    "--max-nesting",
    default=DEFAULTS.max_nesting,
    show_default=True,
    type=click.IntRange(min=1),
    help="Deepest nesting of a query or update (brackets, and clauses or operators chained in "
    "one group); a deeper one is answered 400 before anything parses it.",
)
@click.option(
    "--token",
    envvar="COMITY_TOKEN",
    default=None,
    help="Token that SPARQL Update and Graph Store writes need (also COMITY_TOKEN), as a bearer "
    "credential or as the HTTP Basic password of any user; without it or --users the endpoint "
    "is read-only.",
)
@click.option(
    "--users",
    "users_file",
    envvar="COMITY_USERS",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Users file for HTTP Basic (one 'NAME ACCESS HASH' per line, made by comity users "
    "add); accounts with write access may write (also COMITY_USERS).",
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
    help="IRI prefix of an endpoint SERVICE may call and of documents LOAD may read "
    "(repeatable; default: Wikidata and DBpedia). Loopback and private addresses need a prefix "
    "naming the address itself. Give --service-allow '' to turn both off.",
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
@click.option(
    "--memory-limit",
    default=DEFAULTS.memory_limit // 2**20 if DEFAULTS.memory_limit else 0,
    show_default=True,
    type=click.IntRange(min=0),
    help="MiB of memory one query, or one update of an oxigraph: store, may take; past it the "
    "request is stopped and answered 503 (0: no limit).",
)
@click.option(
    "--serve-from",
    type=click.Choice(["auto", "memory", "disk"]),
    default=DEFAULTS.serve_from,
    show_default=True,
    help="Answer queries on an oxigraph: store from an in-memory copy kept in step with every "
    "write, or from the disk; auto takes memory when the copy fits in half the free memory.",
)
@click.option("--cors-writes", is_flag=True, help="Allow writes from other origins (browsers).")
def serve(
    store: str,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_body: int,
    max_nesting: int,
    token: str | None,
    users_file: Path | None,
    base: str,
    service_allow: tuple[str, ...],
    threads: int,
    workers: int,
    memory_limit: int,
    serve_from: str,
    cors_writes: bool,
) -> None:
    """Serve the store over SPARQL 1.1 (query, update, graph store) and as linked data."""
    from granian.constants import HTTPModes, Interfaces, RuntimeModes
    from granian.log import LogLevels
    from granian.server import Server

    allow = tuple(prefix for prefix in service_allow if prefix) if service_allow else None
    config = ServerConfig(
        store=store,
        host=host,
        port=port,
        timeout=timeout,
        max_rows=max_rows,
        max_body=max_body,
        max_nesting=max_nesting,
        token=token or None,
        accounts=read_accounts(users_file) if users_file is not None else (),
        base=base,
        service_allow=DEFAULT_SERVICE_ALLOW if allow is None else allow,
        cors_writes=cors_writes,
        workers=workers,
        memory_limit=memory_limit * 2**20 if memory_limit else None,
        threads=threads,
        serve_from=serve_from,
    )
    _check_can_listen(host, port)
    # Fail here, with one clear line, rather than in granian's worker with a traceback. The
    # worker is then spawned, not forked: a fork would inherit the state of the storage
    # engine's background threads without the threads themselves.
    with graph.open(store) as knowledge_graph:
        if knowledge_graph.restore_unfinished():
            raise ComityError(
                f"{store}: a restore into this store did not finish, so it holds part of a "
                f"dump; run `comity restore --replace DUMP` again before serving it"
            )
        if not store.startswith("memory:") and not knowledge_graph.inferred_current():
            # A write that no reasoning followed (a killed process, a load cut short, a
            # new release's vocabulary): never serve that inferred graph as whole.
            click.echo(
                f"{store}: the inferred graph is stale (a write was not followed by reasoning); "
                "reasoning again before serving",
                err=True,
            )
            summary = knowledge_graph.reason()
            click.echo(f"{store}: {summary.inferred_triples:,} triples inferred", err=True)
    multiprocessing.set_start_method("spawn", force=True)
    server = Server(
        "comity",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=threads,
        http=HTTPModes.http1,
        runtime_mode=RuntimeModes.st,  # one Rust thread for I/O: measured faster here
        log_level=LogLevels.error,  # one line per request is ours to write
        workers_kill_timeout=STOP_GRACE_SECONDS,
    )
    server.serve(target_loader=functools.partial(load_application, config), wrap_loader=False)


STOP_GRACE_SECONDS = 60
"""How long a stop (SIGTERM, Ctrl-C) waits for the application to close the store cleanly
before its process is killed. Every write is committed before it is acknowledged, so a kill
loses none; it only skips the tidy close, which the next start does not need."""


def _check_can_listen(host: str, port: int) -> None:
    """Refuse at once, in one line, an address this process cannot listen on (a port another
    server holds, a host that is not this machine's), before the store is opened or reasoned
    over; granian would report it later, with a traceback."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise ComityError(f"cannot listen on {host}:{port}: {error.strerror}") from error


def load_application(config: ServerConfig) -> Callable[..., Any]:
    """Build the application inside granian's worker process, where it runs.

    The store is opened here, not in the command's process, so that exactly one process holds
    it. The worker ends through multiprocessing, which skips atexit but runs its finalizers:
    one of them stops the query workers and releases the store. When the command's process
    dies without that (`kill -9`), the kernel kills this worker, and its own children die with
    it, so no orphan keeps answering or holds the store a restart needs.
    """
    from graph.query_execution import die_with_server
    from server.app import create_app
    from server.state import EXTENSION

    die_with_server()

    # The few other messages (start, faults) go through logging; requests have their own log.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    app = create_app(config, request_log=sys.stderr)
    state = app.extensions[EXTENSION]
    multiprocessing.util.Finalize(state, state.close, exitpriority=100)
    logging.getLogger("comity.server").info(
        "serving %s at http://%s:%d/sparql (%s)",
        state.graph.location,
        config.host,
        config.port,
        "writes need credentials" if config.token or config.accounts else "read-only",
    )
    return app


COMMANDS = [serve]
