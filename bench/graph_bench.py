"""The knowledge-graph benchmark: loading, reasoning and export on one generated world.

Every step runs on the same data, generated once per size by bench.generate, and is repeated
(`--repeat`, 3 by default); the table gives medians, so one slow run on a shared machine does
not decide the figure. The steps, each against its baseline:

* load: Comity's `KnowledgeGraph.load_rdf` into an on-disk store, against
  `pyoxigraph.Store(path).bulk_load` of the same N-Triples file into a named graph, as Comity
  does (goal: >= 0.8x its speed), and into the default graph, which Oxigraph indexes less;
* reasoning: `graph.reasoning.entailments` (the Rust `reasonable` reasoner) against owlrl
  (`entailments_owlrl`, run once, in a child process stopped at `--owlrl-cap` seconds), both
  over ontology + reference + data (goal: the OWL 2 RL closure of 1M triples in <= 60 s);
  and `KnowledgeGraph.reason()`, which adds reading from and writing to the store;
* export: the `comity export` command in a child process (when the CLI offers it), against
  `pyoxigraph.Store.dump` of the same store to N-Quads.

    python -m bench graph --sizes 100k,1m --repeat 3
"""

import argparse
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

import graph
from bench.generate import generate
from graph.reasoning import entailments, entailments_owlrl
from ontology import GRAPH_ONTOLOGY, GRAPH_REFERENCE, source_graph_iri
from ontology.reference import reference_ntriples
from ontology.vocabulary import read_ontology

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
EXPORT_COMMAND = ("comity", "export")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench graph", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes", "--size", default="100k", help="comma-separated: " + ", ".join(SIZES)
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (median kept)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated world")
    parser.add_argument(
        "--owlrl-cap", type=float, default=600, help="seconds after which owlrl is stopped"
    )
    parser.add_argument("--no-owlrl", action="store_true", help="skip the owlrl comparison")
    arguments = parser.parse_args(argv)
    sizes = [name.strip().lower() for name in arguments.sizes.split(",") if name.strip()]
    unknown = [name for name in sizes if name not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    for name in sizes:
        with tempfile.TemporaryDirectory(prefix="comity-bench-") as directory:
            run_size(name, SIZES[name], arguments, Path(directory))
    return 0


def run_size(name: str, triples: int, arguments: argparse.Namespace, work: Path) -> None:
    print(f"\n== {name}: generating about {triples:,} triples (seed {arguments.seed})", flush=True)
    world = work / "world.nq"
    world.write_bytes(generate(triples, arguments.seed))
    flat = work / "world.nt"
    flat.write_bytes(_as_triples(world))
    asserted = _reasoning_input(world)
    data_triples = flat.read_bytes().count(b"\n")
    reasoned = asserted.count(b"\n")
    print(f"   {data_triples:,} data triples; {reasoned:,} to reason over", flush=True)

    times: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    inferred = 0
    for run in range(arguments.repeat):
        print(f"   run {run + 1}/{arguments.repeat}", flush=True)
        raw = ox.Store(str(work / f"raw-{run}"))
        _timed(times, "load: pyoxigraph bulk_load", lambda s=raw: s.bulk_load(path=flat))
        _timed(
            times,
            "export: pyoxigraph dump (N-Quads)",
            lambda s=raw: s.dump(work / "raw-export.nq", ox.RdfFormat.N_QUADS),
        )
        del raw
        # Comity puts a file into its source's named graph, which Oxigraph indexes more
        # heavily than the default graph: this baseline does the same work.
        named = ox.Store(str(work / f"raw-named-{run}"))
        _timed(
            times,
            "load: pyoxigraph bulk_load, named graph",
            lambda s=named: s.bulk_load(
                path=flat, to_graph=ox.NamedNode(source_graph_iri("world"))
            ),
        )
        del named
        shutil.rmtree(work / f"raw-named-{run}", ignore_errors=True)

        store_dir = work / f"comity-{run}"
        with graph.open(f"oxigraph:{store_dir}") as knowledge_graph:
            _timed(times, "load: Comity load_rdf", lambda g=knowledge_graph: g.load_rdf(flat))
            summary = _timed(times, "reasoning: Comity reason()", knowledge_graph.reason)
            inferred = summary.inferred_triples
        notes["export: comity export (N-Quads)"] = _export(times, store_dir, work)
        shutil.rmtree(store_dir, ignore_errors=True)
        shutil.rmtree(work / f"raw-{run}", ignore_errors=True)

        _timed(times, "reasoning: reasonable", lambda: entailments(asserted))

    if not arguments.no_owlrl:
        seconds = _owlrl_seconds(asserted, arguments.owlrl_cap)
        if seconds is None:
            notes["reasoning: owlrl"] = f"> {arguments.owlrl_cap:.0f} s (stopped)"
        else:
            times["reasoning: owlrl"] = [seconds]
            notes["reasoning: owlrl"] = "1 run"
    _report(name, data_triples, inferred, times, notes)


def _timed(times: dict[str, list[float]], step: str, action: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = action()
    times.setdefault(step, []).append(time.perf_counter() - started)
    return result


def _export(times: dict[str, list[float]], store_dir: Path, work: Path) -> str:
    """Time `comity export` of the store, or say why it could not run."""
    executable = shutil.which(EXPORT_COMMAND[0], path=str(Path(sys.executable).parent))
    if executable is None:
        return "no comity command installed"
    command = [
        executable,
        *EXPORT_COMMAND[1:],
        "--store",
        f"oxigraph:{store_dir}",
        "--format",
        "nq",
        "--output",
        str(work / "comity-export.nq"),
    ]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        error = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        return f"not measured: {' '.join(command[1:3])} failed ({error})"
    times.setdefault("export: comity export (N-Quads)", []).append(time.perf_counter() - started)
    return ""


def _owlrl_seconds(asserted: bytes, cap: float) -> float | None:
    """owlrl's time in a child process, or None when it ran past the cap and was stopped."""
    context = multiprocessing.get_context("fork")
    result = context.Queue()
    child = context.Process(target=_owlrl_child, args=(asserted, result))
    child.start()
    child.join(cap)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return result.get()


def _owlrl_child(asserted: bytes, result: multiprocessing.Queue) -> None:
    started = time.perf_counter()
    entailments_owlrl(asserted)
    result.put(time.perf_counter() - started)


def _as_triples(world: Path) -> bytes:
    """The world's quads as one N-Triples document (a file that load_rdf takes as one source)."""
    store = ox.Store()
    store.bulk_load(path=world, format=ox.RdfFormat.N_QUADS)
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    return store.query(query).serialize(format=ox.RdfFormat.N_TRIPLES)


def _reasoning_input(world: Path) -> bytes:
    """What the knowledge graph reasons over: ontology, reference data and every source."""
    store = ox.Store()
    store.bulk_load(path=world, format=ox.RdfFormat.N_QUADS)
    store.bulk_load(read_ontology(), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    reference = reference_ntriples()
    store.bulk_load(reference, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_REFERENCE))
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    return store.query(query).serialize(format=ox.RdfFormat.N_TRIPLES)


def _report(
    name: str,
    triples: int,
    inferred: int,
    times: dict[str, list[float]],
    notes: dict[str, str],
) -> None:
    medians = {step: statistics.median(values) for step, values in times.items()}
    print(f"\n{name}: {triples:,} data triples, {inferred:,} inferred")
    print(f"{'step':<38} {'median s':>10} {'triples/s':>12}  runs")
    for step in sorted(set(medians) | set(notes)):
        if step in medians:
            rate = f"{triples / medians[step]:,.0f}" if medians[step] else "-"
            print(f"{step:<38} {medians[step]:>10.2f} {rate:>12}  {len(times[step])}", end="")
            print(f"  {notes[step]}" if notes.get(step) else "")
        else:
            print(f"{step:<38} {'-':>10} {'-':>12}  0  {notes[step]}")
    _ratio(
        medians,
        "load: pyoxigraph bulk_load, named graph",
        "load: Comity load_rdf",
        "load speed vs raw into a named graph (goal >= 0.8)",
    )
    _ratio(
        medians,
        "load: pyoxigraph bulk_load",
        "load: Comity load_rdf",
        "load speed vs raw into the default graph",
    )
    _ratio(medians, "reasoning: owlrl", "reasoning: reasonable", "reasonable speed-up over owlrl")
    _ratio(
        medians,
        "export: pyoxigraph dump (N-Quads)",
        "export: comity export (N-Quads)",
        "export speed vs raw dump",
    )
    closure = medians.get("reasoning: reasonable")
    if closure is not None and triples >= 1_000_000:
        verdict = "met" if closure <= 60 else "missed"
        print(f"OWL 2 RL closure of {triples:,} triples: {closure:.1f} s (goal <= 60 s: {verdict})")


def _ratio(medians: dict[str, float], baseline: str, measured: str, label: str) -> None:
    if baseline in medians and measured in medians and medians[measured]:
        print(f"{label}: {medians[baseline] / medians[measured]:.2f}x")
