"""Reasoning gives back the memory it took: the server's writer lives on after every write's
reasoning, and the C allocator would otherwise keep the peak of the largest one for good."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Reasons once over a generated world in a fresh process and prints how many KiB of resident
# memory the process kept; with "keep", as it was before reasoning handed freed pages back.
PROBE = """
import pathlib, sys
import pyoxigraph
import graph, graph.reasoning
from bench.generate import generate

def resident():
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

if sys.argv[1] == "keep":
    graph.reasoning.release_freed_memory = lambda: None
knowledge_graph = graph.open("memory:")
quads = pyoxigraph.parse(generate(20000, 1), pyoxigraph.RdfFormat.N_QUADS)
path = pathlib.Path(sys.argv[2])
path.write_bytes(
    pyoxigraph.serialize([quad.triple for quad in quads], format=pyoxigraph.RdfFormat.N_TRIPLES)
)
knowledge_graph.load_rdf(path)
before = resident()
knowledge_graph.reason()
print(resident() - before)
"""


def kept_after_reasoning(mode: str, tmp_path: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(tmp_path / f"world-{mode}.nt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return int(done.stdout.split()[-1])


def test_reasoning_hands_back_the_memory_it_freed(tmp_path: Path):
    kept = kept_after_reasoning("keep", tmp_path)
    released = kept_after_reasoning("release", tmp_path)
    assert kept > 15_000, "the probe should reason over enough to grow the heap"
    assert released < kept / 3, f"{released} KiB kept after reasoning, {kept} without release"
