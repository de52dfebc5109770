"""Kill sweeps: a process killed outright (SIGKILL, as `kill -9` or the kernel's OOM killer do)
at random points of four jobs, and what the store must look like after it.

The jobs: a load that bulk-loads a large file into an on-disk store, a load into a remote store
(a real `oxigraph serve`) written in several requests, `comity reason`, and `comity serve`
taking a stream of updates. After every kill:

* the store opens at once (no orphan holds its lock);
* every source is whole (the same triples as an uninterrupted run gives it) or listed as
  incomplete, and no source graph is left that no listed source claims;
* the inferred graph is marked current only when it is what reasoning over the store gives;
* no update the server acknowledged is lost;
* running `comity reason` and the job again repairs everything: every source whole, the
  inferred graph current.

    python -m fuzz.kills                            # each sweep at 20 random points
    python -m fuzz.kills updates --points 50 --seed 7

A sweep's points are drawn from its seed, so a failing point is run again by its seed and
number. The test suite runs a few points of each (tests/fuzz/test_fuzz_kills.py).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

import graph
from graph.embedded import ATOMIC_LIMIT_BYTES
from ontology.namespaces import COMITY, GRAPH_INFERRED, GRAPH_SOURCE_PREFIX

EX = "http://example.org/kills/"
UPDATES_GRAPH = EX + "updates"
TOKEN = "kill-sweep-token"
LARGE_FILES = 3
"""Files past the one-transaction size in a bulk-load run: the more of the run is bulk loading,
the more kills land in it."""
STREAM_SECONDS = 3.0
"""How long an uninterrupted update stream runs: the kills fall within it."""
_LOADED_AT = str(COMITY.loadedAt)
_CURRENT_MARK = f"<{GRAPH_INFERRED}> <{COMITY.current}>"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def comity(*arguments: str) -> list[str]:
    """The `comity` command of this Python environment."""
    return [str(Path(sys.executable).with_name("comity")), *arguments]


def write_source(path: Path, triples: int, tag: str, size: int = 0) -> Path:
    """An N-Triples file of `triples` statements, some of them links that reasoning reads, with
    literals long enough for the file to reach `size` bytes."""
    padding = "x" * max(size // max(triples, 1) - 60 - len(EX), 0)
    with path.open("w", encoding="utf-8") as out:
        for number in range(triples):
            subject = f"<{EX}{tag}/{number}>"
            out.write(f'{subject} <{EX}p{number % 7}> "{padding}{number}" .\n')
            if number % 50 == 0:
                out.write(f"{subject} <{SAME_AS}> <{EX}{tag}/alias{number}> .\n")
    return path


@dataclass(frozen=True)
class Snapshot:
    """What a store holds that a kill may break: sources, their content, the inferred graph."""

    content: dict[str, frozenset[str]]
    """Each source graph's triples but its loading time, as N-Triples lines."""
    complete: dict[str, bool]
    """Each listed source's graph, and whether its load finished."""
    inferred: frozenset[str]
    current: bool
    updates: frozenset[str]
    """The subjects of the graph the update stream writes."""


def snapshot(store_url: str) -> Snapshot:
    with graph.open(store_url, read_only=True) as store:
        content: dict[str, set[str]] = {}
        rows = store.query(
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_SOURCE_PREFIX}")) }}'
        )
        for row in rows:
            if row["p"].value != _LOADED_AT:
                content.setdefault(row["g"].value, set()).add(f"{row['s']} {row['p']} {row['o']}")
        inferred = {
            f"{row['s']} {row['p']} {row['o']}"
            for row in store.query(f"SELECT * WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}")
        }
        updates = {
            row["s"].value
            for row in store.query(f"SELECT ?s WHERE {{ GRAPH <{UPDATES_GRAPH}> {{ ?s ?p ?o }} }}")
        }
        return Snapshot(
            content={iri: frozenset(lines) for iri, lines in content.items()},
            complete={source.graph: source.complete for source in store.sources()},
            inferred=frozenset(line for line in inferred if not line.startswith(_CURRENT_MARK)),
            current=store.inferred_current(),
            updates=frozenset(updates),
        )


@dataclass
class PointResult:
    """One kill and what was found after it."""

    sweep: str
    point: int
    kill_after: float
    killed: bool
    """False when the job had finished before the kill came."""
    acknowledged: int = 0
    """Updates the server had acknowledged when it was killed."""
    incomplete: int = 0
    stale: bool = False
    problems: list[str] = field(default_factory=list)


class Job:
    """A job to kill: how to make its starting store, run it, and run it again after a kill."""

    name = ""

    def __init__(self, root: Path, triples: int) -> None:
        self.root, self.triples = root, triples
        self.starting_store = root / "start"

    def prepare(self) -> None:
        """Write the data and the starting store, which every point starts from a copy of."""
        raise NotImplementedError

    @contextmanager
    def store(self, point: int) -> Iterator[str]:
        """A fresh copy of the starting store, as a store URL, for one point."""
        location = self.root / f"point-{point}"
        shutil.copytree(self.starting_store, location)
        try:
            with self._opened(location) as url:
                yield url
        finally:
            shutil.rmtree(location, ignore_errors=True)

    @contextmanager
    def _opened(self, location: Path) -> Iterator[str]:
        """The store URL of a store's directory: an embedded on-disk store by default."""
        yield f"oxigraph:{location}"

    def start(self, store_url: str) -> subprocess.Popen:
        """Start the job; the sweep kills it."""
        return _spawn(self.command(store_url))

    def rerun(self, store_url: str) -> None:
        """Run the job again to its end, as a user repairing the store would."""
        self._run(self.command(store_url))

    def command(self, store_url: str) -> list[str]:
        raise NotImplementedError

    def run_to_end(self, process: subprocess.Popen) -> float:
        """Let a started job run to its end; the seconds it ran."""
        started = time.monotonic()
        if process.wait(timeout=600) != 0:
            raise RuntimeError(f"the uninterrupted {self.name} run failed")
        return time.monotonic() - started

    def acknowledged(self) -> set[str]:
        """Writes the job was told had been made (none but for the update stream)."""
        return set()

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command[1:3])} failed: {done.stderr[-2000:]}")


class BulkLoad(Job):
    """`comity load` of files large enough to be bulk-loaded, after a small one, into a store
    already holding a source."""

    name = "bulk-load"

    def prepare(self) -> None:
        write_source(self.root / "first.nt", 300, "first")
        write_source(self.root / "second.nt", 300, "second")
        # Past the size up to which an on-disk store writes a file in one transaction.
        for number in range(LARGE_FILES):
            write_source(
                self.root / f"large-{number}.nt",
                self.triples,
                f"large{number}",
                ATOMIC_LIMIT_BYTES + 2**20,
            )
        first = str(self.root / "first.nt")
        self._run(comity("load", "--store", f"oxigraph:{self.starting_store}", first))

    def command(self, store_url: str) -> list[str]:
        names = ["second.nt", *(f"large-{number}.nt" for number in range(LARGE_FILES))]
        files = [str(self.root / name) for name in names]
        return comity("load", "--store", store_url, *files)


class Reasoning(Job):
    """`comity reason` over a store whose inferred graph a load left stale."""

    name = "reasoning"

    def prepare(self) -> None:
        write_source(self.root / "data.nt", self.triples // 4, "data")
        location = f"oxigraph:{self.starting_store}"
        self._run(comity("load", "--store", location, str(self.root / "data.nt")))
        with graph.open(location) as store:  # as a load cut off from its reasoning leaves it
            store.update(f"INSERT DATA {{ <{EX}new> a <{EX}Class> }}")

    def command(self, store_url: str) -> list[str]:
        return comity("reason", "--store", store_url)


class RemoteLoad(Job):
    """`comity load` of several sources into a real `oxigraph serve`, each too large for one
    request, so that each is written in several (a Graph Store PUT, then its hash)."""

    name = "remote-load"

    def prepare(self) -> None:
        self.files = [
            str(write_source(self.root / f"part-{number}.nt", self.triples // 2, f"part{number}"))
            for number in range(4)
        ]
        write_source(self.root / "first.nt", 300, "first")
        with self._opened(self.starting_store) as url:
            self._run(comity("load", "--store", url, str(self.root / "first.nt")))

    @contextmanager
    def _opened(self, location: Path) -> Iterator[str]:
        """A real `oxigraph serve` over the directory, for as long as the block runs."""
        beside = Path(sys.executable).with_name("oxigraph")
        program = str(beside) if beside.exists() else shutil.which("oxigraph") or "oxigraph"
        port = _free_port()
        process = subprocess.Popen(
            [program, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/query", process, data={"query": "ASK {}"})
            yield f"sparql+http://127.0.0.1:{port}/query?batch=1000"
        finally:
            process.terminate()
            process.wait(timeout=30)

    def command(self, store_url: str) -> list[str]:
        return comity("load", "--store", store_url, *self.files)


class Updates(Job):
    """`comity serve` taking an update every few milliseconds, each reasoned over after it
    commits; the server is killed, and with it every process it started."""

    name = "updates"

    def prepare(self) -> None:
        write_source(self.root / "first.nt", 300, "first")
        location = f"oxigraph:{self.starting_store}"
        self._run(comity("load", "--store", location, str(self.root / "first.nt")))
        self._acknowledged: set[str] = set()

    def command(self, store_url: str) -> list[str]:
        return comity("reason", "--store", store_url)  # what repairs after a killed server

    def start(self, store_url: str) -> subprocess.Popen:
        port = _free_port()
        environment = {key: value for key, value in os.environ.items() if key != "COMITY_TOKEN"}
        server = subprocess.Popen(
            comity("serve", "--store", store_url, "--port", str(port), "--token", TOKEN),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
        )
        url = f"http://127.0.0.1:{port}/sparql"
        _wait_for(url, server, params={"query": "ASK {}"})
        self._acknowledged = set()
        # A first write, before the stream is timed: the writer process starts with it and
        # reasons over the whole store once, after which writes that touch nothing reasoning
        # reads skip reasoning.
        self._send_update(url, 0)
        threading.Thread(target=self._send_updates, args=(url, server), daemon=True).start()
        return server

    def _send_updates(self, url: str, server: subprocess.Popen) -> None:
        number = 1
        while server.poll() is None:
            self._send_update(url, number)
            number += 1

    def _send_update(self, url: str, number: int) -> None:
        """One INSERT DATA; its subject is kept if the server acknowledges it."""
        subject = f"{EX}update/{time.monotonic_ns()}-{number}"
        # Most writes share no term with the store, so reasoning skips them; every fifth gives
        # reasoning something to do, so that kills also fall between a commit and its reasoning.
        statements = (
            f"<{subject}> a <{EX}Class{number % 3}> ; <{SAME_AS}> <{subject}/alias>"
            if number % 5 == 0
            else f'<{subject}> <{subject}/value> "{number}"'
        )
        body = f"INSERT DATA {{ GRAPH <{UPDATES_GRAPH}> {{ {statements} }} }}"
        try:
            answer = requests.post(
                url,
                data=body.encode(),
                headers={
                    "Content-Type": "application/sparql-update",
                    "Authorization": f"Bearer {TOKEN}",
                },
                timeout=30,
            )
        except requests.RequestException:
            return
        if answer.status_code // 100 == 2:
            self._acknowledged.add(subject)

    def run_to_end(self, process: subprocess.Popen) -> float:
        """The stream runs for a few seconds; then the server is killed too, after the last
        acknowledged write: what a whole run leaves is the sources, which updates leave alone.
        (A stop by SIGTERM is not what this sweeps, and can hang: see the README.)"""
        time.sleep(STREAM_SECONDS)
        process.kill()
        process.wait(timeout=60)
        return STREAM_SECONDS

    def acknowledged(self) -> set[str]:
        return set(self._acknowledged)


JOBS: dict[str, type[Job]] = {job.name: job for job in (BulkLoad, RemoteLoad, Reasoning, Updates)}


def sweep(
    name: str,
    points: int,
    seed: int,
    triples: int = 4_000,
    report: Callable[[PointResult], None] | None = None,
    timing_runs: int = 2,
) -> list[PointResult]:
    """Kill the job `name` at `points` random points drawn from `seed`; one result per point.

    Uninterrupted runs first give what a whole run leaves, and how long the job takes (the
    faster of two, the first paying for cold caches): the points fall uniformly over that
    time."""
    with tempfile.TemporaryDirectory(prefix=f"comity-kills-{name}-") as scratch:
        job = JOBS[name](Path(scratch), triples)
        job.prepare()
        with job.store(0) as store_url:
            duration = job.run_to_end(job.start(store_url))
            whole = snapshot(store_url)
        for _ in range(timing_runs - 1):  # the first run pays for cold caches: time more
            with job.store(0) as store_url:
                duration = min(duration, job.run_to_end(job.start(store_url)))
        chances = random.Random(seed)
        results = []
        for point in range(1, points + 1):
            kill_after = chances.uniform(0, duration)
            result = kill_once(job, point, kill_after, whole)
            results.append(result)
            if report is not None:
                report(result)
        return results


def kill_once(job: Job, point: int, kill_after: float, whole: Snapshot) -> PointResult:
    """Start the job on a fresh store, kill it after `kill_after` seconds, check the store,
    repair it and check again."""
    with job.store(point) as store_url:
        process = job.start(store_url)
        finished = _wait_or_kill(process, kill_after)
        result = PointResult(job.name, point, round(kill_after, 3), killed=not finished)
        problems = result.problems
        acknowledged = job.acknowledged()
        result.acknowledged = len(acknowledged)
        try:
            after = _open_at_once(store_url)
        except Exception as error:  # noqa: BLE001 - any failure to open is the finding
            problems.append(f"the store did not open after the kill: {error}")
            return result
        result.incomplete = sum(1 for complete in after.complete.values() if not complete)
        result.stale = not after.current
        problems += _source_problems(after, whole, repaired=False)
        problems += _lost(acknowledged, after)
        try:
            if after.current:  # then it must be what reasoning gives
                job._run(comity("reason", "--store", store_url))
                reasoned = snapshot(store_url)
                if after.inferred != reasoned.inferred:
                    problems.append(
                        "the inferred graph was marked current but is not what reasoning "
                        f"gives: {len(reasoned.inferred - after.inferred)} missing, "
                        f"{len(after.inferred - reasoned.inferred)} extra"
                    )
            job.rerun(store_url)
        except RuntimeError as error:
            problems.append(f"the repair failed: {error}")
            return result
        repaired = snapshot(store_url)
        problems += _source_problems(repaired, whole, repaired=True)
        problems += _lost(acknowledged, repaired)
        if not repaired.current:
            problems.append("after the repair the inferred graph is still marked stale")
        return result


def _source_problems(found: Snapshot, whole: Snapshot, repaired: bool) -> list[str]:
    problems = []
    for iri in sorted(set(found.content) - set(found.complete)):
        problems.append(f"graph <{iri}> holds triples but no source claims it")
    for iri, complete in sorted(found.complete.items()):
        if not complete:
            if repaired:
                problems.append(f"source graph <{iri}> is still incomplete after the repair")
            continue
        if found.content.get(iri, frozenset()) != whole.content.get(iri, frozenset()):
            held, expected = found.content.get(iri, frozenset()), whole.content.get(iri)
            problems.append(
                f"source graph <{iri}> is listed as complete but holds {len(held)} triples "
                f"where a whole run holds {len(expected or ())}"
            )
    if repaired and set(found.complete) != set(whole.complete):
        problems.append("after the repair the store lists other sources than a whole run")
    return problems


def _lost(acknowledged: set[str], found: Snapshot) -> list[str]:
    lost = acknowledged - found.updates
    return [f"{len(lost)} acknowledged update(s) lost, e.g. <{min(lost)}>"] if lost else []


def _open_at_once(store_url: str, patience: float = 5) -> Snapshot:
    """The store's snapshot as soon as it opens for writing: a killed process's children may
    take a moment to die with it, but no longer than `patience` seconds."""
    deadline = time.monotonic() + patience
    while True:
        try:
            with graph.open(store_url):
                pass
            return snapshot(store_url)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling the lock: no event says the last child has exited


def _spawn(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_or_kill(process: subprocess.Popen, seconds: float) -> bool:
    """Kill the process after `seconds` unless it ended before; True when it had ended."""
    try:
        process.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return False


def _wait_for(url: str, process: subprocess.Popen, **request: object) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            requests.post(url, timeout=5, **request)  # type: ignore[arg-type]
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling a port: no event says a server has started listening


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fuzz.kills", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("jobs", nargs="*", metavar="JOB", help=f"{', '.join(JOBS)} (default: all)")
    parser.add_argument("--points", type=int, default=20, help="kills per job (default 20)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill times")
    parser.add_argument(
        "--triples", type=int, default=4_000, help="statements of each large file (default 4000)"
    )
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.jobs if name not in JOBS]
    if unknown:
        parser.error(f"no job {', '.join(unknown)}; the jobs are {', '.join(JOBS)}")
    if arguments.points < 1:
        parser.error("--points must be at least 1")
    seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 32)
    failed = 0
    for name in arguments.jobs or list(JOBS):
        print(f"{name}: {arguments.points} kills, seed {seed}", flush=True)

        def show(result: PointResult) -> None:
            state = "killed" if result.killed else "had finished"
            print(
                f"  point {result.point:3} at {result.kill_after:6.2f} s ({state}): "
                f"{result.incomplete} incomplete source(s), inferred graph "
                f"{'stale' if result.stale else 'current'}"
                + (
                    f", {result.acknowledged} update(s) acknowledged"
                    if result.sweep == "updates"
                    else ""
                )
                + "".join(f"\n    PROBLEM: {problem}" for problem in result.problems),
                flush=True,
            )

        results = sweep(name, arguments.points, seed, arguments.triples, show)
        failed += sum(1 for result in results if result.problems)
    print(
        "every kill left a store that holds" if not failed else f"{failed} kill(s) broke the store"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
