"""Fuzz targets: property-based checks of every parser that reads untrusted input.

A target pairs a Hypothesis strategy (what inputs to try) with a check (what must hold for each
of them). Checks assert real invariants, not only "does not crash": the only exception a parser
may let out is the error it documents (ComityError, or ValueError where the function says so),
and where a round trip or a consistency rule exists, it must hold.

    from fuzz import targets
    targets()["iris.slug"].run(max_examples=200)

The test suite runs every target briefly and deterministically (tests/fuzz/test_fuzz.py); longer and
random runs go through `python -m fuzz` (see fuzz/README.md).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis.strategies import SearchStrategy

EXAMPLES_VARIABLE = "COMITY_FUZZ_EXAMPLES"
"""Environment variable that raises (or lowers) the number of examples each target tries."""

DEFAULT_EXAMPLES = 150
"""Examples per target when nothing else is asked: enough to catch the shallow faults quickly."""

# One module per area, imported only when targets are asked for. Each registers its targets
# with the `target` decorator below.
TARGET_MODULES = (
    "fuzz.identifiers",
    "fuzz.texts",
    "fuzz.sparql",
    "fuzz.sparql_text",
    "fuzz.rdf_files",
    "fuzz.updates",
    "fuzz.protocol",
)


@dataclass(frozen=True)
class Target:
    """One fuzz target: a strategy for inputs and a check that must hold for each input.

    `requires` names the project modules the target exercises; a target whose module is
    missing (another layer not written yet) is reported as unavailable rather than broken.
    `quick_examples` is how many examples the test suite's short run tries: fewer for targets
    whose every example costs a real parse or a store. `examples` are inputs always tried
    first, whatever the run: the faults found so far, kept so that they stay fixed.
    """

    name: str
    strategy: Callable[[], SearchStrategy]
    check: Callable[[object], None]
    requires: tuple[str, ...] = ()
    doc: str = ""
    quick_examples: int = 100
    examples: tuple[object, ...] = ()

    def available(self) -> bool:
        return all(_module_exists(module) for module in self.requires)

    def run(
        self,
        max_examples: int | None = None,
        derandomize: bool = False,
        print_blob: bool = True,
    ) -> None:
        """Try the check on generated inputs; raise the first (shrunk) failure found.

        Without `max_examples` the count comes from COMITY_FUZZ_EXAMPLES, or DEFAULT_EXAMPLES.
        `derandomize` makes the run repeat exactly (what CI wants); otherwise every run explores
        new inputs. No example database is kept: a failure prints the input it shrank to.
        """
        run_settings = settings(
            max_examples=max_examples or examples_from_environment(),
            derandomize=derandomize,
            deadline=None,
            database=None,
            print_blob=print_blob,
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
        )
        test = given(self.strategy())(self.check)
        for value in reversed(self.examples):
            test = example(value)(test)
        run_settings(test)()


_REGISTRY: dict[str, Target] = {}


def target(
    name: str,
    strategy: Callable[[], SearchStrategy],
    requires: tuple[str, ...] = (),
    quick_examples: int = 100,
    examples: tuple[object, ...] = (),
) -> Callable[[Callable[[object], None]], Callable[[object], None]]:
    """Register a check as the target `name`, fed by the strategy the factory builds.

    The strategy comes from a factory so that building it (which may read reference tables)
    waits until the target runs. The check's docstring is the target's description.
    """

    def register(check: Callable[[object], None]) -> Callable[[object], None]:
        if name in _REGISTRY:
            raise ValueError(f"fuzz target {name!r} is registered twice")
        doc = (check.__doc__ or "").strip().splitlines()
        summary = doc[0] if doc else ""
        _REGISTRY[name] = Target(
            name, strategy, check, requires, summary, quick_examples, tuple(examples)
        )
        return check

    return register


def targets() -> dict[str, Target]:
    """Every registered target by name, in registration order."""
    for module in TARGET_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def examples_from_environment() -> int:
    """Examples per target: COMITY_FUZZ_EXAMPLES when set to a positive integer."""
    value = os.environ.get(EXAMPLES_VARIABLE, "").strip()
    if not value:
        return DEFAULT_EXAMPLES
    if not value.isdecimal() or int(value) < 1:
        raise ValueError(f"{EXAMPLES_VARIABLE}={value!r}: give a positive whole number")
    return int(value)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
