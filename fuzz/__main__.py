"""Run fuzz targets from the command line: `python -m fuzz [TARGET ...] [--seconds N]`.

Without --seconds each target runs once with COMITY_FUZZ_EXAMPLES examples (or the default).
With --seconds it runs in rounds of fresh random examples until that much time has passed, so
an overnight run is `python -m fuzz --seconds 28800`. A name before the dot selects a group:
"dates" runs dates.any_text and dates.written_forms.
"""

from __future__ import annotations

import argparse
import sys
import time

from fuzz import Target, examples_from_environment, targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="target names or prefixes")
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    parser.add_argument(
        "--seconds", type=float, default=None, help="keep fuzzing each target this long"
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=None,
        help="examples per round (default: $COMITY_FUZZ_EXAMPLES or 150)",
    )
    arguments = parser.parse_args(argv)
    try:
        examples = arguments.examples or examples_from_environment()
    except ValueError as error:
        parser.error(str(error))
    if examples < 1:
        parser.error("--examples must be at least 1")

    known = targets()
    chosen = _choose(known, arguments.targets)
    if chosen is None:
        names = "\n  ".join(known)
        print(f"no target matches {' '.join(arguments.targets)}; targets:\n  {names}")
        return 2
    if arguments.list:
        for item in chosen:
            state = "" if item.available() else "  (unavailable: its module is missing)"
            print(f"{item.name:32} {item.doc}{state}")
        return 0

    failed = []
    for item in chosen:
        if not item.available():
            print(f"skip {item.name}: needs {', '.join(item.requires)}")
            continue
        if not _run(item, examples, arguments.seconds):
            failed.append(item.name)
    if failed:
        print(f"\n{len(failed)} target(s) failed: {', '.join(failed)}")
        return 1
    return 0


def _choose(known: dict[str, Target], wanted: list[str]) -> list[Target] | None:
    """The targets named or prefixed by `wanted` (every target when empty), None if unmatched."""
    if not wanted:
        return list(known.values())
    chosen = [
        item
        for name, item in known.items()
        if any(name == prefix or name.startswith(prefix.rstrip(".") + ".") for prefix in wanted)
    ]
    return chosen or None


def _run(item: Target, examples: int, seconds: float | None) -> bool:
    """Fuzz one target, in rounds until `seconds` have passed; report and say whether it held."""
    started = time.monotonic()
    rounds = 0
    while True:
        rounds += 1
        try:
            item.run(max_examples=examples)
        except Exception as error:  # the failure of a check, shrunk: show it and go on
            print(f"FAIL {item.name} (round {rounds}):\n{describe_failure(error)}")
            return False
        if seconds is None or time.monotonic() - started >= seconds:
            break
    elapsed = time.monotonic() - started
    # Up to: a target whose inputs are few (ordinals 1 to 99) runs out of new ones sooner.
    print(f"ok   {item.name}: {rounds} round(s) of up to {examples} examples in {elapsed:.1f} s")
    return True


def describe_failure(error: BaseException, indent: str = "  ") -> str:
    """A failure as Hypothesis reports it: each distinct error with the input it shrank to.

    Hypothesis attaches the falsifying input as a note on the exception, and gathers several
    distinct failures into an ExceptionGroup; both are spelled out here.
    """
    lines = [f"{indent}{type(error).__name__}: {error}"]
    lines += [
        f"{indent}  {line}"
        for note in getattr(error, "__notes__", [])
        for line in str(note).splitlines()
    ]
    for inner in getattr(error, "exceptions", ()):
        lines.append(describe_failure(inner, indent + "  "))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
