"""The soak benchmark: one `comity serve` under mixed load, query bombs and writes for minutes.

It answers the questions a short benchmark cannot: does the server lose a write it acknowledged
while queries run and query bombs are stopped around it, does anything but a bomb get a 5xx, do
small queries stay fast while the workers are busy, and does the server's memory stay flat.

One `comity serve` (default limits, a write token) runs over an on-disk store holding a generated
world (bench.generate, reasoned as a load would). For `--duration` seconds, each in a process of
its own so that the clients do not share an interpreter:

* `--clients` minus `--bombs` clients send queries back to back: one in three is a trivial
  `ASK {}` (its latency is the figure to watch), the rest the server benchmark's query mix with
  its constants varied (organisations, treaties, states) and a numbered comment on half of
  them, so that some answers come from the cache and most are evaluated;
* `--bombs` clients send query bombs back to back, in turn a cartesian product sorted with
  ORDER BY (it runs into the memory limit) and a COUNT of a triple cartesian product (it runs
  into the time limit): each must be answered 503;
* one writer sends an update every second, or as soon as the last one is answered when that
  took longer (one write at a time, as one application writing would): INSERT DATA of a triple
  of its own, and every fifth time a DELETE DATA of a triple an earlier insert wrote. The
  triples share their predicate and graph, as a user's own writes would.

A sampler reads the resident memory of the server and all its processes every 5 s. Afterwards
the triples the server holds are read back, through the server and, once it has stopped, from
the store on disk: every acknowledged insert must be there, every acknowledged delete and
refused insert not. The run fails (exit 1) on a lost or phantom write and on any answer that is
not the one expected of its kind (a 5xx other than a bomb's 503, a dropped connection).

    python -m bench soak --duration 600 --clients 8 --bombs 2 --size 100k

Results go to bench/out/soak-SIZE.json (git-ignored).
"""

import argparse
import http.client
import json
import math
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pycountry
import pyoxigraph as ox

from bench.generate import World, generate
from bench.serve_bench import (
    GRAPH_TYPE,
    MIXES,
    OUTPUT,
    QUERIES,
    SELECT_TYPE,
    SIZES,
    TOKEN,
    Server,
    _Connection,
    _prepare_comity_store,
    _start,
    children_by_parent,
    process_tree,
)

SOAK_GRAPH = "https://example.org/soak"
WRITTEN = "https://example.org/soak/write/"
SEQUENCE = "https://example.org/soak#sequence"
TRIVIAL_SHARE = 1 / 3
DELETE_EVERY = 5
WRITE_INTERVAL_S = 1.0
SAMPLE_INTERVAL_S = 5.0
REQUEST_TIMEOUT_S = 120.0
"""Longest wait for one answer: well past the server's 30 s limit, so a wait this long is a
fault of the server, not a query stopped at its limit."""
TRIVIAL_TARGET_MS = 100.0
FIRST_CLIENT_ADDRESS = 11
"""Query client N connects from 127.0.0.(11 + N) (see _Client)."""

BOMBS = {
    "bomb-memory": "SELECT ?a ?c ?d ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f ?a ?d",
    "bomb-time": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
}
EXPECTED_STATUS = {"bomb-memory": 503, "bomb-time": 503}
"""Kinds whose expected answer is not a 2xx."""

Outcome = tuple[str, int, float, float, str]
"""One request: kind, HTTP status (0 when no answer came), seconds taken, seconds since the
start, and why it failed (see _Client.send)."""
WriteOutcome = tuple[str, int, int, float, float, str]
"""One write: insert or delete, the sequence number of the triple, HTTP status (0: no answer),
seconds taken, seconds since the start, and why it failed."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=8, help="query clients, bombs included")
    parser.add_argument("--bombs", type=int, default=2, help="clients that send query bombs")
    parser.add_argument("--size", default="100k", help="data size: " + ", ".join(SIZES))
    parser.add_argument("--seed", type=int, default=1, help="seed of the world and the clients")
    arguments = parser.parse_args(argv)
    size = arguments.size.strip().lower()
    if size not in SIZES:
        parser.error(f"unknown size {arguments.size!r}: one of {', '.join(SIZES)}")
    if not 0 <= arguments.bombs < arguments.clients <= 200:
        parser.error("--clients takes 1 to 200, and --bombs must leave one of them ordinary")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="comity-soak-") as directory:
        report = soak(size, arguments, Path(directory))
    path = OUTPUT / f"soak-{size}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n   written: {path}")
    return 0 if report["passed"] else 1


def soak(size: str, arguments: argparse.Namespace, work: Path) -> dict:
    """Prepare the store, start the server, load it for the duration, then check and report."""
    print(f"== {size}: generating about {SIZES[size]:,} triples (seed {arguments.seed})")
    world = work / "world.nq"
    world.write_bytes(generate(SIZES[size], arguments.seed))
    _prepare_comity_store(world, work / "comity-store")
    server = _start("comity", work)
    print(f"   comity serve running (pid {server.process.pid}): {server.url}", flush=True)
    try:
        outcomes, writes, samples, seconds = _load(server, size, arguments)
        exited = server.process.poll() is not None
        served = None if exited else _written_sequences(server)
    finally:
        server.stop()
    on_disk = _sequences_on_disk(work / "comity-store")
    report = _report(size, arguments, seconds, outcomes, writes, samples, served, on_disk)
    log_text = (work / "comity.log").read_text(errors="replace")
    report["server_log"] = {
        "lines": log_text.count("\n"),
        "tracebacks": log_text.count("Traceback"),
        "exited_during_the_soak": exited,
    }
    if exited:
        report["server_log"]["tail"] = server.tail(20)
        report["passed"] = False
    _print_summary(report)
    return report


# --- load -----------------------------------------------------------------------------------


def _load(
    server: Server, size: str, arguments: argparse.Namespace
) -> tuple[list[Outcome], list[WriteOutcome], list[dict], float]:
    """Run the clients and the writer in processes of their own, sampling memory meanwhile."""
    context = multiprocessing.get_context("spawn")
    results: Queue = context.Queue()
    start = context.Barrier(arguments.clients + 2)
    processes = [
        context.Process(
            target=_query_client,
            args=(
                server.url,
                index,
                index < arguments.bombs,
                size,
                arguments.seed,
                arguments.duration,
                start,
                results,
            ),
            name=f"soak-client-{index}",
        )
        for index in range(arguments.clients)
    ]
    processes.append(
        context.Process(
            target=_writer,
            args=(server.url, arguments.duration, start, results),
            name="soak-writer",
        )
    )
    for process in processes:
        process.start()
    samples: list[dict] = []
    stop = threading.Event()
    sampler = threading.Thread(
        target=_sample_memory, args=(server.process.pid, stop, samples), daemon=True
    )
    start.wait()
    began = time.monotonic()
    sampler.start()
    print(
        f"   {arguments.clients} clients ({arguments.bombs} sending bombs) and a writer"
        f" for {arguments.duration:.0f} s",
        flush=True,
    )
    outcomes: list[Outcome] = []
    writes: list[WriteOutcome] = []
    for _ in processes:  # drain before joining: a child cannot exit with its results unread
        kind, records = results.get()
        (writes if kind == "writes" else outcomes).extend(records)
    seconds = time.monotonic() - began
    stop.set()
    sampler.join()
    for process in processes:
        process.join()
    return outcomes, writes, samples, seconds


class _Client:
    """One keep-alive connection to the server, reopened after a failure.

    Each query client connects from a loopback address of its own (127.0.0.N), as clients on
    different machines would: the server shares its workers out by client, and tells clients
    without credentials apart by address, so clients all on 127.0.0.1 would count as one, and
    the bombs of two of them would hold every worker the others could have had.
    """

    def __init__(self, url: str, source: str = "") -> None:
        parts = urllib.parse.urlsplit(url)
        self._host, self._port, self.path = parts.hostname, parts.port, parts.path
        self._source = (source, 0) if source else None
        self._connection: http.client.HTTPConnection | None = None

    def send(self, method: str, target: str, body: bytes | None, headers: dict) -> tuple[int, str]:
        """The status of one request, and why it failed: the start of the body of an answer
        other than 2xx, or what went wrong when no answer came (status 0)."""
        if self._connection is None:
            self._connection = _Connection(
                self._host, self._port, timeout=REQUEST_TIMEOUT_S, source_address=self._source
            )
        try:
            self._connection.request(method, target, body=body, headers=headers)
            response = self._connection.getresponse()
            answer = response.read()
            if 200 <= response.status < 300:
                return response.status, ""
            return response.status, answer[:300].decode(errors="replace")
        except (OSError, http.client.HTTPException) as failure:
            self._connection.close()
            self._connection = None
            return 0, f"{type(failure).__name__}: {failure}"

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def _query_client(
    url: str,
    index: int,
    bombs: bool,
    size: str,
    seed: int,
    duration: float,
    start: Barrier,
    results: Queue,
) -> None:
    """A client process: queries (or bombs) back to back until the duration is over."""
    rng = random.Random(seed * 1000 + index)
    world = World(SIZES[size], random.Random(seed))
    states = _state_names()
    client = _Client(url, source=f"127.0.0.{FIRST_CLIENT_ADDRESS + index}")
    outcomes: list[Outcome] = []
    start.wait()
    began = time.monotonic()
    number = 0
    while (now := time.monotonic()) < began + duration:
        number += 1
        tag = f"\n# client {index} request {number}"
        if bombs:
            kind = "bomb-memory" if number % 2 else "bomb-time"
            text = BOMBS[kind] + tag
        elif rng.random() < TRIVIAL_SHARE:
            kind, text = "trivial", "ASK {}" + tag
        else:
            kind, text = _mix_query(rng, world, states)
            if rng.random() < 0.5:
                text += tag
        accept = GRAPH_TYPE if "CONSTRUCT" in text else SELECT_TYPE
        target = f"{client.path}?{urllib.parse.urlencode({'query': text})}"
        status, error = client.send("GET", target, None, {"Accept": accept})
        outcomes.append((kind, status, time.monotonic() - now, now - began, error))
    client.close()
    results.put(("queries", outcomes))


def _state_names() -> list[str]:
    return sorted(country.name for country in pycountry.countries)


def _mix_query(rng: random.Random, world: World, states: list[str]) -> tuple[str, str]:
    """A query of the server benchmark's mix as users write it, about an entity drawn at
    random."""
    name = rng.choice(MIXES["mix as users write it (NOT EXISTS)"])
    text = QUERIES[name]
    if name == "members":
        text = text.replace('"Council of Europe"', f'"{rng.choice(world.organisations)}"')
    elif name == "describe-treaty":
        text = text.replace('"ETS 005"', f'"{rng.choice(world.treaties)}"')
    elif name == "label-lookup":
        text = text.replace('"France"', f'"{rng.choice(states)}"')
    return name, text


def _writer(url: str, duration: float, start: Barrier, results: Queue) -> None:
    """The writer process: an update every second (or at once when the last one took longer),
    each a triple of its own to insert or, every fifth time, one an acknowledged insert wrote
    to delete."""
    rng = random.Random(0)
    client = _Client(url)
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    writes: list[WriteOutcome] = []
    inserted: list[int] = []
    start.wait()
    began = time.monotonic()
    tick = 0
    while (now := time.monotonic()) < began + duration:
        tick += 1
        if tick % DELETE_EVERY == 0 and inserted:
            operation, number = "delete", inserted.pop(rng.randrange(len(inserted)))
            update = f"DELETE DATA {{ GRAPH <{SOAK_GRAPH}> {{ {_triple(number)} }} }}"
        else:
            operation, number = "insert", tick
            update = f"INSERT DATA {{ GRAPH <{SOAK_GRAPH}> {{ {_triple(number)} }} }}"
        status, failure = client.send("POST", client.path, update.encode(), headers)
        writes.append((operation, number, status, time.monotonic() - now, now - began, failure))
        if operation == "insert" and 200 <= status < 300:
            inserted.append(number)
        next_write = min(began + tick * WRITE_INTERVAL_S, began + duration)
        time.sleep(max(0.0, next_write - time.monotonic()))
    client.close()
    results.put(("writes", writes))


def _triple(number: int) -> str:
    return f"<{WRITTEN}{number}> <{SEQUENCE}> {number}"


# --- memory ---------------------------------------------------------------------------------


def _sample_memory(root: int, stop: threading.Event, samples: list[dict]) -> None:
    """Every few seconds, the resident memory of the server's process tree (Linux /proc)."""
    began = time.monotonic()
    while True:
        samples.append({"at_s": round(time.monotonic() - began, 1), **_tree_memory(root)})
        if stop.wait(SAMPLE_INTERVAL_S):
            return


def _tree_memory(root: int) -> dict:
    """RSS and PSS (shared pages shared out) summed over a process and all its descendants,
    the RSS of the process running the application (the root's child), and how many there
    are. The query workers are forked from the in-memory copy, so RSS counts its pages once
    per worker; PSS counts them once in all."""
    children = children_by_parent()
    totals = {"rss_mb": 0.0, "pss_mb": 0.0, "application_rss_mb": 0.0, "processes": 0}
    for pid in process_tree(root, children):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        totals["processes"] += 1
        for line in rollup.splitlines():
            field, _, value = line.partition(":")
            if field in ("Rss", "Pss"):
                megabytes = int(value.split()[0]) / 1024
                totals[f"{field.lower()}_mb"] += megabytes
                if field == "Rss" and pid in children.get(root, []):
                    # The root's children: multiprocessing's resource tracker (a few MB)
                    # and the application, by far the larger.
                    totals["application_rss_mb"] = max(totals["application_rss_mb"], megabytes)
    return {key: round(value, 1) for key, value in totals.items()}


# --- checking -------------------------------------------------------------------------------


def _written_sequences(server: Server) -> set[int]:
    """The sequence numbers of the soak's triples, as the server answers them."""
    query = f"SELECT ?s WHERE {{ GRAPH <{SOAK_GRAPH}> {{ ?s <{SEQUENCE}> ?n }} }}"
    parts = urllib.parse.urlsplit(server.url)
    connection = _Connection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT_S)
    try:
        target = f"{parts.path}?{urllib.parse.urlencode({'query': query})}"
        connection.request("GET", target, headers={"Accept": SELECT_TYPE})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"reading the writes back answered HTTP {response.status}: {body!r}")
    rows = json.loads(body)["results"]["bindings"]
    return {int(row["s"]["value"].removeprefix(WRITTEN)) for row in rows}


def _sequences_on_disk(store_path: Path) -> set[int]:
    """The sequence numbers of the soak's triples in the store on disk, the server stopped."""
    store = ox.Store.read_only(str(store_path))
    quads = store.quads_for_pattern(None, ox.NamedNode(SEQUENCE), None, ox.NamedNode(SOAK_GRAPH))
    found = {int(quad.subject.value.removeprefix(WRITTEN)) for quad in quads}
    del store
    return found


def _write_check(writes: list[WriteOutcome], found: set[int]) -> dict:
    """What the store should hold after the writes, against what it holds.

    Lost: acknowledged inserts not deleted since, missing. Phantom: triples an acknowledged
    delete removed, or an insert the server refused, that are there all the same. A write that
    got no answer may or may not have happened, and is left out of both."""
    present: set[int] = set()
    absent: set[int] = set()
    for operation, number, status, *_ in writes:
        if status == 0:
            present.discard(number)
            continue
        acknowledged = 200 <= status < 300
        if operation == "insert":
            (present if acknowledged else absent).add(number)
        elif acknowledged:
            present.discard(number)
            absent.add(number)
    return {
        "expected": len(present),
        "lost": sorted(present - found),
        "phantom": sorted(absent & found),
    }


# --- reporting ------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _latency(seconds: list[float]) -> dict:
    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 2)

    return {
        "p50_ms": ms(_percentile(seconds, 0.5)),
        "p99_ms": ms(_percentile(seconds, 0.99)),
        "max_ms": ms(max(seconds, default=None)),
    }


def _expected(kind: str, status: int) -> bool:
    if kind in EXPECTED_STATUS:
        return status == EXPECTED_STATUS[kind]
    return 200 <= status < 300


def _memory_summary(samples: list[dict], seconds: float) -> dict:
    """First minute against last minute of the load (medians and maxima), and the maximum of
    the whole run, the bombs' last answers included."""
    window = min(60.0, seconds / 2)
    first = [sample for sample in samples if sample["at_s"] < window]
    last = [sample for sample in samples if sample["at_s"] >= seconds - window]
    summary = {}
    for key in ("rss_mb", "pss_mb", "application_rss_mb"):

        def figures(part: list[dict], key: str = key) -> dict:
            values = [sample[key] for sample in part]
            return {
                "median": round(statistics.median(values), 1) if values else None,
                "max": max(values, default=None),
            }

        summary[key] = {
            "first_window": figures(first),
            "last_window": figures(last),
            "max": max((sample[key] for sample in samples), default=None),
        }
    summary["window_s"] = window
    return summary


def _minutes(
    outcomes: list[Outcome], writes: list[WriteOutcome], samples: list[dict], seconds: float
) -> list[dict]:
    """Minute by minute: what a trend over the run (slower answers, growing memory) shows."""
    minutes = []
    for minute in range(max(1, math.ceil(seconds / 60))):
        begins, ends = minute * 60.0, (minute + 1) * 60.0

        def within(at: float, begins: float = begins, ends: float = ends) -> bool:
            return begins <= at < ends

        trivial = [taken for kind, _, taken, at, _ in outcomes if kind == "trivial" and within(at)]
        pss = [sample["pss_mb"] for sample in samples if within(sample["at_s"])]
        application = [sample["application_rss_mb"] for sample in samples if within(sample["at_s"])]
        minutes.append(
            {
                "minute": minute + 1,
                "requests": sum(1 for outcome in outcomes if within(outcome[3])),
                "trivial": len(trivial),
                **{f"trivial_{key}": value for key, value in _latency(trivial).items()},
                "writes_acknowledged": sum(
                    1 for write in writes if within(write[4]) and 200 <= write[2] < 300
                ),
                "pss_mb_median": round(statistics.median(pss), 1) if pss else None,
                "application_rss_mb_median": (
                    round(statistics.median(application), 1) if application else None
                ),
            }
        )
    return minutes


def _report(
    size: str,
    arguments: argparse.Namespace,
    seconds: float,
    outcomes: list[Outcome],
    writes: list[WriteOutcome],
    samples: list[dict],
    served: set[int] | None,
    on_disk: set[int],
) -> dict:
    """Everything the run showed; `served` is None when the server did not live to answer."""
    statuses: dict[str, Counter] = {}
    latencies: dict[str, list[float]] = {}
    unexpected: Counter = Counter()
    first_failures: dict[str, str] = {}
    every = [*outcomes, *((f"write-{w[0]}", *w[2:]) for w in writes)]
    for kind, status, taken, _, failure in every:
        statuses.setdefault(kind, Counter())[status] += 1
        latencies.setdefault(kind, []).append(taken)
        outcome = f"{kind} {status or 'no answer'}"
        if not _expected(kind, status):
            unexpected[outcome] += 1
        if failure:
            first_failures.setdefault(outcome, failure)
    trivial = latencies.get("trivial", [])
    slow = [
        (o[3], o[3] + o[2])
        for o in outcomes
        if o[0] == "trivial" and o[2] * 1000 >= TRIVIAL_TARGET_MS
    ]
    spans = [(w[4], w[4] + w[3]) for w in writes]
    slow_beside_writes = sum(
        1 for begun, ended in slow if any(w0 < ended and begun < w1 for w0, w1 in spans)
    )
    checks = {} if served is None else {"through the server": _write_check(writes, served)}
    checks["on disk, server stopped"] = _write_check(writes, on_disk)
    trivial_p99 = _percentile(trivial, 0.99)
    passed = not unexpected and not any(c["lost"] or c["phantom"] for c in checks.values())
    return {
        "size": size,
        "seed": arguments.seed,
        "clients": arguments.clients,
        "bombs": arguments.bombs,
        "duration_s": arguments.duration,
        "ended_after_s": round(seconds, 1),
        "kinds": {
            kind: {
                "requests": sum(statuses[kind].values()),
                "statuses": {str(status): count for status, count in statuses[kind].items()},
                **_latency(latencies[kind]),
            }
            for kind in sorted(statuses)
        },
        "unexpected": dict(unexpected),
        "first_failures": first_failures,
        "writes": checks,
        "trivial_over_target": sum(1 for taken in trivial if taken * 1000 >= TRIVIAL_TARGET_MS),
        "trivial_over_target_beside_a_write": slow_beside_writes,
        "trivial_p99_met": trivial_p99 is not None and trivial_p99 * 1000 < TRIVIAL_TARGET_MS,
        "memory": _memory_summary(samples, arguments.duration),
        "minutes": _minutes(outcomes, writes, samples, arguments.duration),
        "memory_samples": samples,
        "passed": passed,
    }


def _print_summary(report: dict) -> None:
    print(
        f"\n== soak, {report['size']}: {report['duration_s']:.0f} s, {report['clients']}"
        f" clients ({report['bombs']} bombs) and a writer; the last answer came after"
        f" {report['ended_after_s']:.0f} s"
    )
    print(f"   {'kind':<26}{'requests':>9}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>11}  statuses")
    for kind, figures in report["kinds"].items():
        statuses = ", ".join(
            f"{'no answer' if status == '0' else status}: {count:,}"
            for status, count in sorted(figures["statuses"].items())
        )
        print(
            f"   {kind:<26}{figures['requests']:>9,}{_shown(figures['p50_ms']):>10}"
            f"{_shown(figures['p99_ms']):>10}{_shown(figures['max_ms']):>11}  {statuses}"
        )
    trivial = report["kinds"].get("trivial", {})
    print(
        f"\n   trivial-query p99: {_shown(trivial.get('p99_ms'))} ms (target < "
        f"{TRIVIAL_TARGET_MS:.0f} ms: {'met' if report['trivial_p99_met'] else 'MISSED'});"
        f" {report['trivial_over_target']:,} of {trivial.get('requests', 0):,} took"
        f" {TRIVIAL_TARGET_MS:.0f} ms or more,"
        f" {report['trivial_over_target_beside_a_write']:,} of them while a write was running"
    )
    for where, check in report["writes"].items():
        print(
            f"   writes {where}: {check['expected']:,} expected, {len(check['lost'])} lost"
            f" {check['lost'][:10]}, {len(check['phantom'])} phantom {check['phantom'][:10]}"
        )
    print(
        f"\n   {'minute':>6}{'requests':>10}{'trivial':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'writes':>8}{'PSS MB':>9}{'app RSS MB':>12}"
    )
    for row in report["minutes"]:
        print(
            f"   {row['minute']:>6}{row['requests']:>10,}{row['trivial']:>9,}"
            f"{_shown(row['trivial_p50_ms']):>9}{_shown(row['trivial_p99_ms']):>9}"
            f"{row['writes_acknowledged']:>8}{_shown(row['pss_mb_median']):>9}"
            f"{_shown(row['application_rss_mb_median']):>12}"
        )
    print("   (writes: acknowledged; PSS of all the server's processes and RSS of the")
    print("   application process: medians of the samples taken every 5 s)\n")
    unexpected = report["unexpected"]
    print(f"   unexpected answers: {unexpected or 'none'}")
    for outcome, failure in report["first_failures"].items():
        print(f"   first {outcome}: {' '.join(failure.split())[:200]}")
    memory = report["memory"]
    print(f"   memory of the server's processes, MB (first / last {memory['window_s']:.0f} s):")
    for key, label in (
        ("rss_mb", "RSS, all processes"),
        ("pss_mb", "PSS, all processes"),
        ("application_rss_mb", "RSS, application process"),
    ):
        part = memory[key]
        print(
            f"     {label:<26} median {_shown(part['first_window']['median'])} /"
            f" {_shown(part['last_window']['median'])}, max {_shown(part['first_window']['max'])}"
            f" / {_shown(part['last_window']['max'])}; run max {_shown(part['max'])}"
        )
    log = report["server_log"]
    print(f"   server log: {log['lines']:,} lines, {log['tracebacks']} tracebacks")
    if log["exited_during_the_soak"]:
        print(f"   comity serve EXITED during the soak: {log['tail']}")
    print(f"\n   {'PASSED' if report['passed'] else 'FAILED'}")


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


__all__ = ["main", "soak"]

if __name__ == "__main__":
    sys.exit(main())
