"""Comity's benchmarks: `python -m bench NAME [OPTIONS]`, one module per benchmark.

Each benchmark is a module with `main(argv) -> int`; add one by adding its module path to
BENCHMARKS. Modules are imported only when run, so a heavy benchmark costs nothing to the rest.
"""

import importlib
import sys

BENCHMARKS: dict[str, str] = {
    "extract": "bench.extract_bench",
    "graph": "bench.graph_bench",
    "serve": "bench.serve_bench",
    "soak": "bench.soak",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in BENCHMARKS:
        names = ", ".join(sorted(BENCHMARKS))
        print(f"usage: python -m bench {{{names}}} [OPTIONS]  (NAME --help for its options)")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(BENCHMARKS[argv[0]])
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
