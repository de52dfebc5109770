"""`python -m conformance`: the W3C SPARQL 1.1 tests against a real server, one table per suite.

Exits 1 when a test fails that `expected_failures.toml` does not list, or passes although it
is listed: the list must stay exactly what the server fails.
"""

import argparse
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

from conformance.runner import Outcome, load_suites, run
from conformance.servers import start_comity, start_oxigraph

EXPECTED_FAILURES = Path(__file__).with_name("expected_failures.toml")
SERVERS = {"comity": start_comity, "oxigraph": start_oxigraph}


def expected_failures(server: str) -> dict[str, str]:
    """Test key -> reason: the engine's own failures plus those of this server."""
    listed = tomllib.loads(EXPECTED_FAILURES.read_text(encoding="utf-8"))
    return {**listed.get("engine", {}), **listed.get(server, {})}


def report(server: str, outcomes: list[Outcome], verbose: bool) -> bool:
    """Print the table and the surprises; True when nothing is unexpected."""
    known = expected_failures(server)
    rows: dict[str, Counter] = {}
    surprises = []
    for outcome in outcomes:
        counts = rows.setdefault(outcome.suite, Counter())
        counts["tests"] += 1
        listed = outcome.test in known
        if outcome.status == "skip":
            counts["skipped"] += 1
        elif outcome.status == "pass":
            counts["passed"] += 1
            if listed:
                counts["passed, listed"] += 1
                surprises.append(f"PASSED but listed: {outcome.test} ({known[outcome.test]})")
        else:
            counts["failed, listed" if listed else "failed"] += 1
            if not listed or verbose:
                label = "failed (listed)" if listed else "FAILED"
                surprises.append(f"{label}: {outcome.test}: {outcome.message}")
    columns = ["tests", "passed", "failed, listed", "failed", "passed, listed", "skipped"]
    print(f"\n{server}")
    print(f"  {'suite':<22}" + "".join(f"{c:>16}" for c in columns))
    for suite, counts in rows.items():
        print(f"  {suite:<22}" + "".join(f"{counts[c]:>16}" for c in columns))
    for line in surprises:
        print("  " + line)
    return not any(s.startswith(("FAILED", "PASSED")) for s in surprises)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    parser.add_argument(
        "--against",
        choices=["comity", "oxigraph", "both"],
        default="comity",
        help="the server to test (both: Comity and Oxigraph's own server, side by side)",
    )
    parser.add_argument(
        "--suite",
        action="append",
        help="run only this suite (repeatable): query, query syntax, update, update syntax, "
        "protocol, service description, graph store, http-rdf-update",
    )
    parser.add_argument("--match", help="run only tests whose key contains this text")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also print why each listed test fails"
    )
    arguments = parser.parse_args(argv)
    suites = [s for s in load_suites() if not arguments.suite or s.name in arguments.suite]
    servers = ["comity", "oxigraph"] if arguments.against == "both" else [arguments.against]
    match = arguments.match or ""
    ok = True
    for server in servers:
        with tempfile.TemporaryDirectory(prefix=f"conformance-{server}-") as directory:
            endpoint = SERVERS[server](Path(directory))
            try:
                outcomes = run(endpoint, suites, lambda key: match in key)
            finally:
                endpoint.stop()
        ok = report(server, outcomes, arguments.verbose) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
