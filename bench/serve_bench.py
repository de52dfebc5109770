"""The server benchmark: `comity serve` against `oxigraph serve` and rdflib-endpoint.

All servers get the same generated world (bench.generate, plus the vocabulary graphs Comity
installs in a new store), answer over loopback with the union of all graphs as the default
graph, and are asked the same query mix, written the way users write it (NOT EXISTS included,
not rewritten by hand). Before any timing, every server's answers to every query are compared,
as sets, with the first server's: figures of a server that answers differently are not taken.

Each cell (server x query x concurrency x texts) runs for `--duration` seconds: that many client
threads, each on its own keep-alive HTTP connection, send the query again and again, each time
as a new text (a numbered comment at its end: no cache can answer it) or as the same text. The
tables give requests per second, median and 99th-percentile latency, and Comity's throughput
ratio to each peer, per query and per mix. Servers run one at a time, so they never compete for
the machine's cores.

    pip install -e '.[bench]'     # rdflib-endpoint and uvicorn
    python -m bench.serve_bench --sizes 100k,1m --duration 10

Results go to bench/out/serve-SIZE.json (git-ignored).
"""

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

import graph
from bench.generate import generate
from graph.not_exists import rewrite_not_exists
from ontology import GRAPH_UNION

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SERVERS = ("oxigraph-memory", "oxigraph-disk", "comity", "rdflib-endpoint")
OUTPUT = Path(__file__).parent / "out"
TOKEN = "bench-token"
SELECT_TYPE = "application/sparql-results+json"
GRAPH_TYPE = "application/n-triples"

PREFIXES = """PREFIX comity: <https://w3id.org/comity/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
QUERIES = {
    "members": PREFIXES
    + """SELECT DISTINCT ?state ?name WHERE {
  ?organisation rdfs:label "Council of Europe"@en .
  ?state comity:memberOf ?organisation ;
         rdfs:label ?name .
}
ORDER BY ?name""",
    "signed-not-ratified": PREFIXES
    + """SELECT DISTINCT ?state ?treaty WHERE {
  ?signature a comity:Signature ;
             comity:actor ?state ;
             comity:treaty ?treaty .
  FILTER NOT EXISTS {
    ?ratification a comity:Ratification ;
                  comity:actor ?state ;
                  comity:treaty ?treaty .
  }
}""",
    "signed-not-ratified-minus": PREFIXES
    + """SELECT DISTINCT ?state ?treaty WHERE {
  ?signature a comity:Signature ;
             comity:actor ?state ;
             comity:treaty ?treaty .
  MINUS {
    ?ratification a comity:Ratification ;
                  comity:actor ?state ;
                  comity:treaty ?treaty .
  }
}""",
    "ratifications-per-treaty": PREFIXES
    + """SELECT ?treaty (COUNT(?ratification) AS ?ratifications) WHERE {
  ?ratification a comity:Ratification ;
                comity:treaty ?treaty .
}
GROUP BY ?treaty
ORDER BY DESC(?ratifications)""",
    "describe-treaty": PREFIXES
    + """CONSTRUCT { ?treaty ?property ?value } WHERE {
  ?treaty comity:treatyNumber "ETS 005" ;
          ?property ?value .
}""",
    "label-lookup": PREFIXES
    + """SELECT ?entity ?type WHERE {
  ?entity rdfs:label "France"@en ;
          a ?type .
}""",
}


MIXES = {
    "mix as users write it (NOT EXISTS)": [
        "members",
        "signed-not-ratified",
        "ratifications-per-treaty",
        "describe-treaty",
        "label-lookup",
    ],
    "mix with MINUS": [
        "members",
        "signed-not-ratified-minus",
        "ratifications-per-treaty",
        "describe-treaty",
        "label-lookup",
    ],
}
"""The mixes judged: one request of each query. The MINUS one is what a user who knows the
engines writes, where Oxigraph is fast; the first is what most users write."""

TEXTS = ("distinct", "repeated")
"""Distinct: each request ends with its own numbered comment, so no server can answer it from
a cache of earlier answers. Repeated: the same text again and again, as a dashboard sends."""


@dataclass
class Cell:
    """One server answering one query at one concurrency for a bounded time."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "requests_per_second": round(self.rate, 2),
            "p50_ms": _ms(self.percentile(0.5)),
            "p99_ms": _ms(self.percentile(0.99)),
            **({"first_error": self.first_error} if self.first_error else {}),
        }


class _Connection(http.client.HTTPConnection):
    """A client connection that resets on close instead of leaving a TIME_WAIT behind.

    Servers that stream an answer without a length close the connection after it; over a
    10-second cell that is thousands of sockets, and their TIME_WAITs would exhaust the
    loopback ports and turn later requests into errors that measure nothing but the client.
    """

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@dataclass
class Server:
    """A running server process and the URL of its SPARQL query endpoint."""

    name: str
    process: subprocess.Popen
    url: str
    log: Path

    def tail(self, lines: int = 3) -> str:
        """The last lines the server printed, to say why it stopped."""
        text = self.log.read_text(errors="replace").strip().splitlines()[-lines:]
        return " | ".join(text) or "no output"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", default="100k", help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated world")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per cell")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated client counts")
    parser.add_argument(
        "--servers", default=",".join(SERVERS), help="comma-separated: " + ", ".join(SERVERS)
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=120.0,
        help="longest wait for one whole answer, and for the in-process timing (s)",
    )
    parser.add_argument(
        "--texts",
        default=",".join(TEXTS),
        help="comma-separated: distinct (each request a new text, at every concurrency), "
        "repeated (the same text again, at the highest concurrency only)",
    )
    parser.add_argument("--serve-rdflib", nargs=2, metavar=("FILE", "PORT"), help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.serve_rdflib:
        return _serve_rdflib(Path(arguments.serve_rdflib[0]), int(arguments.serve_rdflib[1]))
    sizes = [name.strip().lower() for name in arguments.sizes.split(",") if name.strip()]
    servers = [name.strip() for name in arguments.servers.split(",") if name.strip()]
    texts = [name.strip() for name in arguments.texts.split(",") if name.strip()]
    bad = [name for name in sizes if name not in SIZES] + [n for n in servers if n not in SERVERS]
    bad += [name for name in texts if name not in TEXTS]
    if bad or not texts:
        parser.error(f"unknown size, server or texts: {', '.join(bad) or arguments.texts!r}")
    arguments.texts = [name for name in TEXTS if name in texts]
    try:
        concurrencies = [int(value) for value in arguments.concurrency.split(",")]
    except ValueError:
        parser.error(f"--concurrency takes whole numbers, e.g. 1,8; not {arguments.concurrency!r}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name in sizes:
        with tempfile.TemporaryDirectory(prefix="comity-serve-bench-") as directory:
            report = run_size(name, servers, concurrencies, arguments, Path(directory))
        path = OUTPUT / f"serve-{name}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\n   written: {path}")
    return 0


def run_size(
    name: str,
    servers: list[str],
    concurrencies: list[int],
    arguments: argparse.Namespace,
    work: Path,
) -> dict:
    print(f"\n== {name}: generating about {SIZES[name]:,} triples (seed {arguments.seed})")
    world = work / "world.nq"
    world.write_bytes(generate(SIZES[name], arguments.seed))
    comity_store = work / "comity-store"
    served = _prepare_comity_store(world, comity_store)
    quads = served.read_bytes().count(b"\n")
    print(f"   {quads:,} quads served (world, Comity's vocabulary and inferred graphs)", flush=True)
    report: dict = {
        "size": name,
        "quads": quads,
        "seed": arguments.seed,
        "duration_s": arguments.duration,
        "request_timeout_s": arguments.request_timeout,
        "texts": arguments.texts,
        "queries": QUERIES,
        "mixes": MIXES,
        "rewrite": _rewrite_speedup(comity_store, arguments.request_timeout),
        "servers": {},
    }
    reference: dict[str, frozenset] = {}
    for server_name in servers:
        print(f"\n-- {server_name}", flush=True)
        report["servers"][server_name] = _run_server(
            server_name, concurrencies, arguments, work, reference
        )
    _print_table(report, concurrencies)
    report["goals"] = _goals(report, concurrencies)
    return report


def _run_server(
    name: str,
    concurrencies: list[int],
    arguments: argparse.Namespace,
    work: Path,
    reference: dict[str, frozenset],
) -> dict:
    """Check one server's answers against the reference, then time it on every query."""
    try:
        server = _start(name, work)
    except RuntimeError as error:
        print(f"   not measured: {error}")
        return {"error": str(error)}
    result: dict = {"answers": {}, "cells": {}}
    result["memory_mb_loaded"] = round(_proportional_memory(server.process.pid) / 2**20, 1)
    print(
        f"   memory once loaded (PSS of the server and all its processes): "
        f"{result['memory_mb_loaded']} MB",
        flush=True,
    )
    try:
        answered = {}
        first_seconds = {}
        for query_name, query in QUERIES.items():
            began = time.perf_counter()
            try:
                answered[query_name] = _answer(server.url, query, arguments)
                first_seconds[query_name] = time.perf_counter() - began
            except TimeoutError:
                # The server may go on computing: start it afresh for the next queries.
                print(f"   {query_name}: no answer within {arguments.request_timeout:.0f} s")
                result["answers"][query_name] = "timeout"
                server.stop()
                server = _start(name, work)
                continue
            rows = answered[query_name]
            result["answers"][query_name] = len(rows)
            expected = reference.setdefault(query_name, rows)
            if rows != expected:
                message = f"answer to {query_name} differs from the first server's"
                print(f"   not measured: {message}")
                return {**result, "error": message}
        print(f"   answers agree with the first server's: {result['answers']}", flush=True)
        for texts, query_name, concurrency in _plan(arguments.texts, answered, concurrencies):
            key = _key(texts, query_name, concurrency)
            if first_seconds[query_name] > arguments.duration:
                # One request outlasts a cell: timing more would only queue requests.
                cell = Cell(1, 0, first_seconds[query_name], [first_seconds[query_name]])
                result["cells"][key] = {**cell.summary(), "from_one_request": True}
                print(
                    f"   {key:<40}: one request took {first_seconds[query_name]:.1f} s,"
                    " longer than a cell: not repeated"
                )
                continue
            cell = measure(server.url, QUERIES[query_name], concurrency, arguments, texts)
            if server.process.poll() is not None:
                raise RuntimeError(f"{name} exited during {query_name}: {server.tail()}")
            result["cells"][key] = cell.summary()
            print(
                f"   {key:<40}: {cell.rate:9.1f} req/s"
                f"  p50 {_ms(cell.percentile(0.5))} ms  errors {cell.errors}"
                + (f" (first: {cell.first_error})" if cell.errors else ""),
                flush=True,
            )
        result["memory_mb"] = round(_proportional_memory(server.process.pid) / 2**20, 1)
        print(f"   memory after the cells (PSS, all its processes): {result['memory_mb']} MB")
    except (OSError, RuntimeError, ValueError) as error:
        print(f"   not measured: {error}")
        return {**result, "error": str(error)}
    finally:
        server.stop()
    return result


def _plan(texts: list[str], queries: dict, concurrencies: list[int]) -> list[tuple[str, str, int]]:
    """The cells to time: distinct texts at every concurrency, repeated ones at the highest."""
    plan = []
    for kind in texts:
        plan += [
            (kind, query, level) for query in queries for level in _levels(kind, concurrencies)
        ]
    return plan


def _levels(texts: str, concurrencies: list[int]) -> list[int]:
    return concurrencies if texts == "distinct" else [max(concurrencies)]


def _key(texts: str, query: str, concurrency: int) -> str:
    return f"{texts}:{query}@{concurrency}"


def _proportional_memory(pid: int) -> int:
    """Bytes of memory a process and all its descendants use, each shared page counted in
    proportion to how many processes share it (the sum of their PSS, Linux)."""
    total = 0
    for current in process_tree(pid, children_by_parent()):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


def children_by_parent() -> dict[int, list[int]]:
    """Every running process's children, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return children


def process_tree(root: int, children: dict[int, list[int]]) -> list[int]:
    """A process and all its descendants."""
    found, pending = [], [root]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += children.get(current, [])
    return found


# --- data -----------------------------------------------------------------------------------


def _prepare_comity_store(world: Path, directory: Path) -> Path:
    """Bulk-load the world, let Comity install its graphs and reason, as a load would, and dump
    what the store then holds (a store left unreasoned would be reasoned by `comity serve`
    before serving, and the peers would hold less than Comity's clients see)."""
    store = ox.Store(str(directory))
    store.bulk_load(path=str(world), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    with graph.open(f"oxigraph:{directory}") as knowledge_graph:
        knowledge_graph.reason()
    served = directory.parent / "served.nq"
    store = ox.Store.read_only(str(directory))
    union = ox.NamedNode(GRAPH_UNION)
    with served.open("wb") as output:  # what clients see: Comity's hidden union graph aside
        ox.serialize(
            (quad for quad in store if quad.graph_name != union), output, ox.RdfFormat.N_QUADS
        )
    del store
    return served


def _rewrite_speedup(directory: Path, cap: float) -> dict:
    """Time each NOT EXISTS query of the mix as written (once, at most `cap` seconds) and
    rewritten (best of 3), in a child process each, on the same on-disk store."""
    found = {}
    for name, query in QUERIES.items():
        rewritten = rewrite_not_exists(query)
        if rewritten == query:
            continue
        original_s = _time_in_child(directory, query, 1, cap)
        rewritten_s = _time_in_child(directory, rewritten, 3, cap)
        if original_s is None or rewritten_s is None:
            found[name] = {"original_s": original_s, "rewritten_s": rewritten_s, "cap_s": cap}
            shown = "as written: stopped" if original_s is None else f"{original_s:.3f} s"
            print(f"   rewrite of {name}: {shown} after {cap:.0f} s; with MINUS {rewritten_s} s")
            continue
        found[name] = {
            "original_s": round(original_s, 4),
            "rewritten_s": round(rewritten_s, 4),
            "speedup": round(original_s / rewritten_s, 1) if rewritten_s else None,
        }
        print(
            f"   rewrite of {name}: {original_s:.3f} s as written, {rewritten_s:.4f} s with MINUS"
            f" ({found[name]['speedup']}x)",
            flush=True,
        )
    return found


def _time_in_child(directory: Path, query: str, runs: int, cap: float) -> float | None:
    """Best time of `runs` evaluations in a child process; None if it outlasts `cap` seconds.

    A child, because an Oxigraph query cannot be stopped from within the process running it.
    """
    times: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_time_query, args=(directory, query, runs, times))
    child.start()
    child.join(cap)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return times.get() if not times.empty() else None


def _time_query(directory: Path, query: str, runs: int, times: multiprocessing.Queue) -> None:
    store = ox.Store.read_only(str(directory))
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for _ in store.query(query, use_default_graph_as_union=True):
            pass
        best = min(best, time.perf_counter() - started)
    times.put(best)


# --- servers --------------------------------------------------------------------------------


def _start(name: str, work: Path) -> Server:
    """Start one server on the data prepared in ``work`` and wait until it answers."""
    comity_store = work / "comity-store"
    served = work / "served.nq"
    port = _free_port()
    log = work / f"{name}.log"
    bin_dir = Path(sys.executable).parent
    if name == "comity":
        command = [
            str(bin_dir / "comity"),
            "serve",
            "--store",
            f"oxigraph:{comity_store}",
            "--port",
            str(port),
            "--timeout",
            "30",
            "--token",
            TOKEN,
        ]
        url = f"http://127.0.0.1:{port}/sparql"
    elif name.startswith("oxigraph"):
        command = [str(bin_dir / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"]
        # No --timeout-s: in 0.5.13 it costs a thread per query that is never reclaimed, and
        # the server aborts after some ten thousand queries.
        command.append("--union-default-graph")
        if name == "oxigraph-disk":
            location = work / "oxigraph-store"
            if not location.exists():
                store = ox.Store(str(location))
                store.bulk_load(path=str(served), format=ox.RdfFormat.N_QUADS)
                store.flush()
                del store
            command += ["--location", str(location)]
        url = f"http://127.0.0.1:{port}/query"
    else:
        flat = work / "served.nt"
        if not flat.exists():
            _write_union(served, flat)
        command = [sys.executable, "-m", "bench.serve_bench", "--serve-rdflib", str(flat)]
        command.append(str(port))
        url = f"http://127.0.0.1:{port}/"
    if not Path(command[0]).exists():
        raise RuntimeError(f"{command[0]} is not installed")
    process = subprocess.Popen(
        command,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    server = Server(name, process, url, log)
    try:
        _wait_ready(server, timeout=900)
        if name == "oxigraph-memory":
            started = time.perf_counter()
            _post_data(f"http://127.0.0.1:{port}/store", served)
            print(f"   loaded over HTTP in {time.perf_counter() - started:.1f} s", flush=True)
    except RuntimeError:
        server.stop()
        raise
    return server


def _write_union(served: Path, flat: Path) -> None:
    """The union of all graphs as N-Triples: rdflib-endpoint's fastest way to hold it.

    An rdflib Dataset with a union default graph answers the same queries, only slower.
    """
    quads = ox.parse(path=str(served), format=ox.RdfFormat.N_QUADS)
    ox.serialize((quad.triple for quad in quads), str(flat), ox.RdfFormat.N_TRIPLES)


def _serve_rdflib(path: Path, port: int) -> int:
    """Child process: rdflib-endpoint over one rdflib Graph, served by uvicorn."""
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    union = rdflib.Graph()
    union.parse(str(path), format="nt")
    uvicorn.run(SparqlEndpoint(graph=union), host="127.0.0.1", port=port, log_level="warning")
    return 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    probe = server.url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.tail()}")
        try:
            status, _, _ = _get(probe, SELECT_TYPE, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


def _post_data(url: str, path: Path) -> None:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=900)
    with path.open("rb") as body:
        connection.request(
            "POST",
            parts.path,
            body=body,
            headers={
                "Content-Type": "application/n-quads",
                "Content-Length": str(path.stat().st_size),
            },
        )
        response = connection.getresponse()
        response.read()
    connection.close()
    if response.status >= 300:
        raise RuntimeError(f"loading {url} answered HTTP {response.status}")


# --- asking ---------------------------------------------------------------------------------


def _accept(query: str) -> str:
    return GRAPH_TYPE if "CONSTRUCT" in query or "DESCRIBE" in query else SELECT_TYPE


def _get(url: str, accept: str, timeout: float) -> tuple[int, str, bytes]:
    """One request, whole answer within `timeout` seconds (a streamed answer that trickles in
    would otherwise never trip the socket's own timeout), else TimeoutError."""
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + timeout
    connection = _Connection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers={"Accept": accept})
        response = connection.getresponse()
        chunks = []
        while chunk := response.read1(1 << 16):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no complete answer within {timeout:g} s")
        return response.status, response.getheader("Content-Type", ""), b"".join(chunks)
    finally:
        connection.close()


def _answer(url: str, query: str, arguments: argparse.Namespace) -> frozenset:
    """A query's answer from one server, as a set comparable across servers."""
    target = url + "?" + urllib.parse.urlencode({"query": query})
    status, content_type, body = _get(target, _accept(query), arguments.request_timeout)
    if status != 200:
        raise RuntimeError(f"HTTP {status} for a query of the mix: {body[:300]!r}")
    media = content_type.split(";")[0].strip()
    if media == SELECT_TYPE or media.endswith("json"):
        results = json.loads(body)
        return frozenset(
            tuple(sorted((name, _term(term)) for name, term in row.items()))
            for row in results["results"]["bindings"]
        )
    rdf_format = ox.RdfFormat.from_media_type(media)
    if rdf_format is None:
        raise RuntimeError(f"unexpected answer type {content_type!r}")
    return frozenset(str(triple) for triple in ox.parse(body, rdf_format))


def _term(term: dict) -> tuple:
    if term["type"] in ("literal", "typed-literal"):
        datatype = term.get("datatype", "")
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = ""
        return ("literal", term["value"], datatype, term.get("xml:lang", ""))
    return (term["type"], term["value"])


def measure(
    url: str, query: str, concurrency: int, arguments: argparse.Namespace, texts: str
) -> Cell:
    """Send the query from `concurrency` keep-alive clients for the cell's duration, as the
    same text every time or as a new text each time (`texts`)."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": _accept(query)}
    numbers = itertools.count()

    def path() -> str:
        text = query
        if texts == "distinct":
            text += f"\n# request {next(numbers)}"
        return f"{parts.path}?{urllib.parse.urlencode({'query': text})}"

    cell = Cell()
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def client() -> None:
        connection = _Connection(parts.hostname, parts.port, timeout=arguments.request_timeout)
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            error = ""
            try:
                connection.request("GET", path(), headers=headers)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    error = f"HTTP {response.status}: {body[:200]!r}"
            except (OSError, http.client.HTTPException) as failure:
                connection.close()
                error = f"{type(failure).__name__}: {failure}"
            elapsed = time.perf_counter() - began
            with lock:
                if not error:
                    cell.requests += 1
                    cell.latencies.append(elapsed)
                else:
                    cell.errors += 1
                    cell.first_error = cell.first_error or error
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + arguments.duration
    start.wait()
    for thread in threads:
        thread.join()
    cell.seconds = time.perf_counter() - began
    return cell


# --- reporting ------------------------------------------------------------------------------


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def _cells(report: dict, server: str) -> dict:
    return report["servers"].get(server, {}).get("cells", {})


def _print_table(report: dict, concurrencies: list[int]) -> None:
    servers = [name for name in report["servers"] if _cells(report, name)]
    if not servers:
        print("\n   no server measured")
        return
    peers = [name for name in servers if name != "comity"]
    for texts in report["texts"]:
        levels = _levels(texts, concurrencies)
        print(
            f"\n== {report['size']} ({report['quads']:,} quads), {texts} texts:"
            " req/s (p50 ms / p99 ms)"
        )
        header = f"   {'query':<36}{'c':>3}" + "".join(f"{name:>28}" for name in servers)
        if "comity" in servers:
            header += "".join(f"{'vs ' + name:>22}" for name in peers)
        print(header)
        for query in QUERIES:
            for concurrency in levels:
                key = _key(texts, query, concurrency)
                line = f"   {query:<36}{concurrency:>3}"
                for name in servers:
                    line += f"{_format_cell(_cells(report, name).get(key)):>28}"
                if "comity" in servers:
                    for peer in peers:
                        line += f"{_format_ratio(report, key, peer):>22}"
                print(line)
        for mix in MIXES:
            for concurrency in levels:
                line = f"   {mix:<36}{concurrency:>3}"
                for name in servers:
                    rate = _mix_rate(report, name, mix, texts, concurrency)
                    line += f"{_format_mix(rate, '', '<'):>28}"
                if "comity" in servers:
                    for peer in peers:
                        ratio = _mix_ratio(report, peer, mix, texts, concurrency)
                        line += f"{_format_mix(ratio, 'x', '>'):>22}"
                print(line)
    print("   * one request, slower than a cell's duration: its rate stands for every concurrency")
    print("   mix: one request of each of its queries, each served at its own rate (req/s);")
    print("   < at most (a query got no answer within --request-timeout), > at least")


def _mix_rate(
    report: dict, server: str, mix: str, texts: str, concurrency: int
) -> tuple[float, bool] | None:
    """Requests per second over a mix: the time to serve one request of each query, each at its
    measured rate, shared out over the mix's requests; and whether that is only an upper bound,
    because a query got no answer within the request timeout (its rate is then taken as one
    request per timeout, which the server did not reach)."""
    rates = []
    bound = False
    answers = report["servers"].get(server, {}).get("answers", {})
    for query in MIXES[mix]:
        cell = _cells(report, server).get(_key(texts, query, concurrency))
        if cell and cell["requests_per_second"]:
            rates.append(cell["requests_per_second"])
        elif answers.get(query) == "timeout":
            rates.append(1 / report["request_timeout_s"])
            bound = True
        else:
            return None
    return len(rates) / sum(1 / rate for rate in rates), bound


def _mix_ratio(
    report: dict, peer: str, mix: str, texts: str, concurrency: int
) -> tuple[float, bool] | None:
    """Comity's mix rate over a peer's, and whether it is a lower bound (the peer's rate was
    an upper bound)."""
    ours = _mix_rate(report, "comity", mix, texts, concurrency)
    theirs = _mix_rate(report, peer, mix, texts, concurrency)
    if ours is None or theirs is None or ours[1]:
        return None
    return ours[0] / theirs[0], theirs[1]


def _format_mix(figure: tuple[float, bool] | None, suffix: str, bound: str) -> str:
    return "-" if figure is None else f"{bound if figure[1] else ''}{figure[0]:.2f}{suffix}"


def _format_cell(cell: dict | None) -> str:
    if not cell:
        return "-"
    mark = "*" if cell.get("from_one_request") else ""
    return f"{mark}{cell['requests_per_second']:.2f} ({cell['p50_ms']} / {cell['p99_ms']})"


def _ratio(report: dict, key: str, peer: str) -> float | None:
    ours = _cells(report, "comity").get(key)
    theirs = _cells(report, peer).get(key)
    if not ours or not theirs or not theirs["requests_per_second"]:
        return None
    return ours["requests_per_second"] / theirs["requests_per_second"]


def _format_ratio(report: dict, key: str, peer: str) -> str:
    ratio = _ratio(report, key, peer)
    return "-" if ratio is None else f"{ratio:.2f}x"


GOALS = {
    ("mix with MINUS", "oxigraph-memory"): 1.0,
    ("mix with MINUS", "oxigraph-disk"): 2.5,
    ("mix as users write it (NOT EXISTS)", "oxigraph-memory"): 1.0,
    ("mix as users write it (NOT EXISTS)", "oxigraph-disk"): 1.0,
    ("mix as users write it (NOT EXISTS)", "rdflib-endpoint"): 40.0,
}
"""Throughput of Comity over each peer on a mix, with distinct texts at the highest
concurrency (the serving issue's goals; the rdflib one is the endpoint issue's)."""


def _goals(report: dict, concurrencies: list[int]) -> dict:
    """The goals, each with the figures that decide it: mix ratios with distinct texts at the
    highest concurrency, each query's p50 at the lowest against `oxigraph serve` on disk, and
    memory against `oxigraph serve` in memory."""
    top, low = max(concurrencies), min(concurrencies)
    goals: dict = {}
    if "distinct" in report["texts"]:
        for (mix, peer), target in GOALS.items():
            ratios = {
                query: _ratio(report, _key("distinct", query, top), peer) for query in MIXES[mix]
            }
            known = [ratio for ratio in ratios.values() if ratio]
            if not known:
                continue
            ratio = _mix_ratio(report, peer, mix, "distinct", top)
            figures = {
                "target": target,
                "mix": None if ratio is None else round(ratio[0], 2),
                "mix_is_a_lower_bound": ratio is not None and ratio[1],
                "worst_query": round(min(known), 2),
                "queries_below_target": [q for q, r in ratios.items() if r and r < target],
                "met": ratio is not None and ratio[0] >= target,
            }
            timed_out = [
                query
                for query, count in report["servers"].get(peer, {}).get("answers", {}).items()
                if count == "timeout" and query in MIXES[mix]
            ]
            if timed_out:
                figures["peer_gave_no_answer_in_time"] = timed_out
            goals[f"distinct texts, c={top}, {mix}: comity >= {target}x {peer}"] = figures
        slower = {}
        for query in QUERIES:
            key = _key("distinct", query, low)
            ours = _cells(report, "comity").get(key)
            theirs = _cells(report, "oxigraph-disk").get(key)
            if ours and theirs and ours["p50_ms"] is not None and theirs["p50_ms"] is not None:
                if ours["p50_ms"] > theirs["p50_ms"]:
                    slower[query] = {
                        "comity_p50_ms": ours["p50_ms"],
                        "peer_p50_ms": theirs["p50_ms"],
                    }
        if _cells(report, "comity") and _cells(report, "oxigraph-disk"):
            goals[f"distinct texts, c={low}: no query's p50 above oxigraph serve on disk"] = {
                "met": not slower,
                "slower": slower,
            }
    for key, when in (("memory_mb_loaded", "once loaded"), ("memory_mb", "after the cells")):
        ours_mb = report["servers"].get("comity", {}).get(key)
        theirs_mb = report["servers"].get("oxigraph-memory", {}).get(key)
        if ours_mb and theirs_mb:
            goals[f"memory {when} at most 2.5x oxigraph serve in memory"] = {
                "comity_mb": ours_mb,
                "oxigraph_memory_mb": theirs_mb,
                "ratio": round(ours_mb / theirs_mb, 2),
                "met": ours_mb <= 2.5 * theirs_mb,
            }
    print("\n   goals:")
    for goal, figures in goals.items():
        print(f"   {'met ' if figures['met'] else 'MISS'}  {goal}: {json.dumps(figures)}")
    return goals


__all__ = ["Cell", "main", "measure"]

if __name__ == "__main__":
    sys.exit(main())
