"""Kill sweeps, a few seeded points of each (`python -m fuzz.kills` runs twenty and more): a load
into an on-disk store, a load into a real `oxigraph serve`, reasoning, and `comity serve` taking
updates, each killed outright; after each kill the store opens, its sources are whole or
listed as incomplete, its inferred graph is right or marked stale, no acknowledged update is
lost, and running the job again repairs it."""

import pytest

from fuzz.kills import JOBS, main, sweep

POINTS = 3
SEED = 7
"""Its three kills fall at 32%, 15% and 65% of the time an uninterrupted run takes."""


@pytest.mark.parametrize("job", list(JOBS))
def test_a_killed_job_leaves_a_store_that_says_what_it_holds_and_a_rerun_repairs(job: str):
    results = sweep(job, POINTS, seed=SEED)
    assert len(results) == POINTS
    assert [result.problems for result in results] == [[]] * POINTS
    # A run slower than the uninterrupted one still meets the earliest kill.
    assert any(result.killed for result in results)


def test_the_sweep_command_refuses_an_unknown_job(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as stopped:
        main(["flood"])
    assert stopped.value.code == 2
    assert "no job flood" in capsys.readouterr().err
