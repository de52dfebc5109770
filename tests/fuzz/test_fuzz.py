"""Every fuzz target of fuzz/, run briefly and deterministically.

The targets live in the top-level fuzz/ folder, which is not an installed package (it is a tool
of the repository, like bench/), so the repository root goes on sys.path here to import it.
Longer, random runs: `python -m fuzz --seconds N` (see fuzz/README.md).
"""

import re
import sys
import time
from pathlib import Path

import pytest
from hypothesis import strategies as st

REPOSITORY = Path(__file__).resolve().parents[2]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

import fuzz.__main__ as fuzz_command  # noqa: E402
from fuzz import EXAMPLES_VARIABLE, Target, examples_from_environment, targets  # noqa: E402

TARGETS = targets()

# Targets that find a real fault of another engineer's module, until it is fixed there. Each
# stays strict: the day the fault is fixed, the xfail fails and must be removed from here.
KNOWN_FAULTS: dict[str, str] = {}


def _parameters() -> list:
    parameters = []
    for name, item in TARGETS.items():
        marks = []
        if name in KNOWN_FAULTS:
            marks.append(pytest.mark.xfail(strict=True, reason=f"bug: {KNOWN_FAULTS[name]}"))
        parameters.append(pytest.param(item, id=name, marks=marks))
    return parameters


@pytest.mark.parametrize("item", _parameters())
def test_target_holds(item: Target):
    assert item.available(), f"{item.name} needs {', '.join(item.requires)}, which is missing"
    item.run(max_examples=item.quick_examples, derandomize=True, print_blob=False)


def test_every_area_has_targets():
    groups = {name.split(".")[0] for name in TARGETS}
    assert groups >= {
        "iris",
        "reference",
        "dates",
        "numbers",
        "documents",
        "extraction",
        "charts",
        "not_exists",
        "sparql_text",
        "rdf_files",
        "graph",
        "negotiation",
        "federation",
        "update_protocol",
        "server",
    }


def test_known_faults_name_real_targets():
    assert set(KNOWN_FAULTS) <= set(TARGETS)


def _broken_target() -> Target:
    """A target whose check fails from 1000 on: the harness must find that and shrink to it."""

    def check(number: int) -> None:
        assert number < 1000, f"too large: {number}"

    return Target("demo.broken", lambda: st.integers(min_value=0), check, doc="fails from 1000")


def test_a_failing_check_is_found_and_shrunk():
    with pytest.raises(AssertionError, match=r"too large: 1000\b"):
        _broken_target().run(max_examples=200, derandomize=True, print_blob=False)


def test_command_line_reports_the_shrunk_input_and_fails(monkeypatch, capsys):
    monkeypatch.setattr(fuzz_command, "targets", lambda: {"demo.broken": _broken_target()})
    assert fuzz_command.main(["demo", "--examples", "200"]) == 1
    output = capsys.readouterr().out
    assert "FAIL demo.broken" in output
    assert "number=1000" in output


def test_command_line_runs_for_the_time_asked(capsys):
    started = time.monotonic()
    assert fuzz_command.main(["iris.treaty_number", "--seconds", "1", "--examples", "20"]) == 0
    assert time.monotonic() - started >= 1
    rounds = re.search(r"ok   iris\.treaty_number: (\d+) round\(s\)", capsys.readouterr().out)
    assert rounds and int(rounds.group(1)) >= 1


def test_command_line_lists_targets_and_refuses_unknown_ones(capsys):
    assert fuzz_command.main(["--list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in TARGETS)
    assert fuzz_command.main(["no_such_target"]) == 2


def test_examples_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(EXAMPLES_VARIABLE, "2500")
    assert examples_from_environment() == 2500
    monkeypatch.setenv(EXAMPLES_VARIABLE, "0")
    with pytest.raises(ValueError, match=EXAMPLES_VARIABLE):
        examples_from_environment()
