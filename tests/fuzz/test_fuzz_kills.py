"""Kill sweeps, one seeded point of each job, four in all (`python -m fuzz.kills` runs twenty
and more of each): a load into an on-disk store, a load into a real `oxigraph serve`,
reasoning, and `comity serve` taking updates, each killed outright; after the kill the store
opens, its sources are whole or listed as incomplete, its inferred graph is right or marked
stale, no acknowledged update is lost, and running the job again repairs it."""

import pytest

from fuzz.kills import JOBS, main, sweep

SEED = 7
"""Its first kill falls at 32% of the time an uninterrupted run takes: inside the job, even
when the run is faster than the one timed."""


@pytest.mark.parametrize("job", list(JOBS))
def test_a_killed_job_leaves_a_store_that_says_what_it_holds_and_a_rerun_repairs(job: str):
    [result] = sweep(job, 1, seed=SEED, timing_runs=1)
    assert result.problems == []
    assert result.killed


def test_the_sweep_command_refuses_an_unknown_job(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as stopped:
        main(["flood"])
    assert stopped.value.code == 2
    assert "no job flood" in capsys.readouterr().err
