"""The sinks and the commit, without Beam: files per bundle, and only listed files commit."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from newsbeam.transforms.lake import Lake, LakeConfig, staging
from newsbeam.transforms.lake.commit import commit_run
from newsbeam.transforms.lake.staging import StageRowsFn, files_list_path
from newsbeam.transforms.lake.tables import data_files


def entity(i: int) -> dict:
    return {
        "article_id": "a1",
        "mention_index": i,
        "text": f"Name {i}",
        "label": "PER",
        "start_char": i,
        "end_char": i + 1,
        "sentence_index": 0,
        "canonical": f"Name {i}",
        "entity_key": f"PER:name-{i}",
        "source_component": "ner",
    }


def run_bundle(fn: StageRowsFn, triples: list[tuple[str, str, dict]]) -> list[str]:
    fn.start_bundle()
    for triple in triples:
        fn.process(triple)
    return [wv.value for wv in fn.finish_bundle()]


def test_a_bundle_writes_full_row_groups_as_files_and_the_rest_at_its_end(tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "ROW_GROUP_ROWS", 4)
    monkeypatch.setattr(staging, "MAX_BUFFERED_ROWS", 100)
    config = LakeConfig(str(tmp_path))
    fn = StageRowsFn(config, "r1")
    fn.setup()
    triples = [("entities", "2025-08-26", entity(i)) for i in range(10)]
    triples.append(("entities", "2025-08-27", entity(99)))
    paths = run_bundle(fn, triples)

    sizes = sorted(pq.read_metadata(tmp_path / p).num_rows for p in paths)
    assert sizes == [1, 2, 4, 4]  # 10 rows in one partition, 1 in another
    assert all(p.startswith("_staging/r1/entities/date=2025-08-2") for p in paths)
    assert len(set(paths)) == len(paths)
    rows = [r for p in paths for r in pq.read_table(tmp_path / p).to_pylist()]
    assert sorted(r["mention_index"] for r in rows) == sorted(
        t[2]["mention_index"] for t in triples
    )
    assert {r["run_id"] for r in rows} == {"r1"}


def test_buffered_rows_are_bounded_across_partitions(tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "ROW_GROUP_ROWS", 1000)
    monkeypatch.setattr(staging, "MAX_BUFFERED_ROWS", 5)
    fn = StageRowsFn(LakeConfig(str(tmp_path)), "r1")
    fn.setup()
    fn.start_bundle()
    for day in range(20):
        fn.process(("entities", f"2025-08-{day + 1:02d}", entity(day)))
        assert fn._buffered < 5
    assert len([wv.value for wv in fn.finish_bundle()]) == 20


def test_only_files_on_the_list_are_committed(tmp_path):
    """A file a retried bundle left in staging is not on the writers' list: never committed."""
    config = LakeConfig(str(tmp_path))
    lake = Lake(config)
    fn = StageRowsFn(config, "r1")
    fn.setup()
    listed = run_bundle(fn, [("entities", "2025-08-26", entity(1))])
    orphan = run_bundle(fn, [("entities", "2025-08-26", entity(1))])  # the failed attempt
    lake.write_json(files_list_path("r1"), {"files": listed})

    result = commit_run(lake, "r1")

    assert result.rows == {"entities": 1}
    expected = [f"entities/data/{p.split('/', 3)[3]}" for p in listed]
    assert lake.list_files("entities", ".parquet") == expected
    assert data_files(config, "entities") == [lake.uri(p) for p in expected]
    assert not lake.exists(orphan[0]) and not lake.exists("_staging/r1")


def test_abandoned_staging_folders_are_swept_and_live_ones_kept(tmp_path):
    import os
    import subprocess

    from newsbeam.transforms.lake.commit import recover

    lake = Lake(LakeConfig(str(tmp_path)))
    dead = subprocess.Popen(["true"])
    dead.wait()
    owners = {
        "dead": {
            "host": os.uname().nodename,
            "pid": dead.pid,
            "started_at": "2026-01-01T00:00:00+00:00",
        },
        "live": {
            "host": os.uname().nodename,
            "pid": os.getpid(),
            "started_at": "2026-01-01T00:00:00+00:00",
        },
        "far-old": {"host": "elsewhere", "pid": 1, "started_at": "2020-01-01T00:00:00+00:00"},
        "far-new": {"host": "elsewhere", "pid": 1, "started_at": "2999-01-01T00:00:00+00:00"},
    }
    for run_id, owner in owners.items():
        lake.write_json(f"_staging/{run_id}/_owner.json", owner)
        lake.write_json(f"_staging/{run_id}/entities/date=2025-08-26/x.json", {})
    lake.write_json("_staging/no-owner/articles/date=2025-08-26/y.json", {})  # an older version's
    recover(lake)
    assert lake.list_dirs("_staging") == ["far-new", "live"]


@pytest.mark.slow
def test_a_run_killed_while_staging_leaves_no_staging_folder_after_the_next_run(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import jsonl_corpus

    corpus = jsonl_corpus(tmp_path / "corpus.jsonl", range(60), seed=3)
    lake = tmp_path / "lake"
    cmd = [sys.executable, "-m", "newsbeam.pipelines.cli", "ingest"]
    proc = subprocess.Popen([*cmd, str(corpus), "--output", str(lake)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    staged: list = []
    while time.monotonic() < deadline and not staged and proc.poll() is None:
        time.sleep(0.2)
        staged = list((lake / "_staging").glob("*/*/date=*/*.parquet"))
    assert staged, "the run never staged a file before it ended"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_run = staged[0].relative_to(lake / "_staging").parts[0]
    assert (lake / "_staging" / killed_run).is_dir()
    (tmp_path / "one.txt").write_text("date: 2025-08-26\nlanguage: de\n\nDie Minister trafen sich.")
    done = subprocess.run(
        [*cmd, str(tmp_path / "one.txt"), "--output", str(lake)], capture_output=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (lake / "_staging" / killed_run).exists()
    assert list((lake / "_staging").iterdir()) == []
