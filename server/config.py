"""The server's settings: one immutable object, built by `comity serve` or by a test."""

from dataclasses import dataclass, field

from ontology import ID
from server.credentials import Account

DEFAULT_SERVICE_ALLOW = ("https://query.wikidata.org/sparql", "https://dbpedia.org/sparql")


@dataclass(frozen=True)
class ServerConfig:
    """What the application factory needs; every limit has a safe default.

    With no `token` and no `accounts` the endpoint is read-only: SPARQL Update and Graph
    Store writes are refused. `service_allow` lists IRI prefixes that SERVICE may call and
    LOAD may read; an empty list turns both off.
    """

    store: str = "memory:"
    host: str = "127.0.0.1"
    port: int = 5000
    timeout: float = 30.0
    """Seconds a query may run before it is stopped and answered 503."""
    max_rows: int = 100_000
    """Largest result (solutions or triples) answered; past it the answer is an error."""
    max_body: int = 64 * 1024 * 1024
    """Largest request body in bytes; past it the answer is 413."""
    max_nesting: int = 200
    """Deepest nesting of a query or update (brackets, and clauses or operators chained in one
    group); past it the answer is 400, before any parser runs (graph/sparql_inspection.py)."""
    token: str | None = None
    accounts: tuple[Account, ...] = ()
    """Accounts of the users file (HTTP Basic); with neither these nor a token, read-only."""
    base: str = ID
    service_allow: tuple[str, ...] = field(default=DEFAULT_SERVICE_ALLOW)
    cors_writes: bool = False
    """Also send Access-Control-Allow-Origin on writes (they still need the token)."""
    workers: int = 2
    """Query worker processes (embedded on-disk store): at most this many queries run at once."""
    memory_limit: int | None = 2048 * 2**20
    """Bytes one query, or one update of an on-disk store, may allocate beyond what its process
    holds when it starts; past it the request is stopped and answered 503. None: no limit."""
    serve_from: str = "auto"
    """Where queries on an on-disk store are answered from: "memory" (a copy kept in step with
    every write), "disk", or "auto" (memory when the copy fits in half the free memory)."""
    threads: int = 8
    """Threads calling the application for HTTP requests (granian's blocking threads)."""
