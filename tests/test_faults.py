"""SIGKILL at every step of a run and of its commit: readers never see part of
a run, and running again leaves every article exactly once.

The kills are real (tests/faultpoints.py wraps the functions the commit calls
and sends SIGKILL to the process there); readers go through the documented
read path (read_lake: the pointer, then each table's snapshot).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter

import pytest

from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.replace import REPLACED_TABLES
from newsbeam.transforms.lake.tables import read_lake, read_pointer, table
from tests.conftest import jsonl_corpus

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "newsbeam.pipelines.cli"]
FAULTS = [sys.executable, "-m", "tests.faultpoints"]
# The commit appends the tables in this order (articles last); killing before
# the first, one in the middle and the last covers every kind of partial state.
POINTS = ["nlp", "append:entities", "append:timex", "append:articles", "pointer", "after-pointer"]


def counts(config: LakeConfig) -> dict[str, int]:
    return {name: t.num_rows for name, t in read_lake(config).items()}


def ingest(args: list[str], prefix=CLI) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, "ingest", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    first = jsonl_corpus(root / "first.jsonl", range(0, 6), seed=11, published="2025-08-26")
    second = jsonl_corpus(root / "second.jsonl", range(6, 14), seed=11, published="2025-08-27")
    return first, second


@pytest.fixture(scope="module")
def reference(corpora, tmp_path_factory):
    """Row counts of a lake that ingested both corpora without a fault."""
    lake = tmp_path_factory.mktemp("reference") / "lake"
    for corpus in corpora:
        assert ingest([str(corpus), "--output", str(lake)]).returncode == 0
    return counts(LakeConfig(str(lake)))


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_each_step_leaves_no_partial_run_and_a_rerun_completes_exactly_once(
    point, corpora, reference, tmp_path
):
    first, second = corpora
    lake = str(tmp_path / "lake")
    config = LakeConfig(lake)
    assert ingest([str(first), "--output", lake]).returncode == 0
    before = counts(config)

    killed = ingest([str(second), "--output", lake], prefix=[*FAULTS, point, "kill"])
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    seen = counts(config)
    if point == "after-pointer":
        assert seen == reference  # the pointer was written: the run is whole
    else:
        assert seen == before  # nothing of the killed run is visible

    rerun = ingest([str(second), "--output", lake])
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    after = read_lake(config)
    assert {name: t.num_rows for name, t in after.items()} == reference
    ids = Counter(after["articles"]["article_id"].to_pylist())
    assert len(ids) == 14 and max(ids.values()) == 1
    if point not in ("nlp",):
        assert "finished commits" in rerun.stdout, rerun.stdout
    assert not list((tmp_path / "lake" / "_staging").glob("*/*/*.parquet"))


@pytest.mark.parametrize("point", ["replace:entities", "replace:articles"])
def test_sigkill_during_a_reprocess_commit_is_finished_by_the_next_run(point, corpora, tmp_path):
    first, _ = corpora
    lake = str(tmp_path / "lake")
    config = LakeConfig(lake)
    assert ingest([str(first), "--output", lake]).returncode == 0
    before = counts(config)
    reprocess = [*FAULTS, point, "kill", "reprocess", lake, "--force"]
    killed = subprocess.run(reprocess, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert counts(config) == before
    run_id = [
        p.stem for p in (tmp_path / "lake" / "_runs").glob("*.json")
    ]  # the killed reprocess left its manifest in status "committing"
    rerun = subprocess.run([*CLI, "reprocess", lake], capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert counts(config) == before  # replaced, not added
    pointer = read_pointer(Lake(config))
    killed_run = [h["run_id"] for h in pointer["history"] if h["run_id"] in run_id][-1]
    # The finished reprocess made one snapshot per table that changed, no more.
    for name in REPLACED_TABLES:
        made = [
            s
            for s in table(config, name).snapshots()
            if s.summary is not None and s.summary.get("newsbeam.run_id") == killed_run
        ]
        assert len(made) <= 1, name
    rows = read_lake(config)["entities"]
    assert set(rows["run_id"].to_pylist()) == {killed_run}
