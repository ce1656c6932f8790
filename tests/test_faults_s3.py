"""An S3 lake (SeaweedFS's S3 API and Iceberg REST catalog): a reader polling
during a run sees whole runs only; the server killed during the commit leaves
nothing partial visible, the message says so, and a rerun completes exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from newsbeam.transforms.lake import LakeConfig
from newsbeam.transforms.lake.tables import read_lake
from tests.conftest import jsonl_corpus, s3_filesystem

pytestmark = [pytest.mark.s3, pytest.mark.slow]

CLI = [sys.executable, "-m", "newsbeam.pipelines.cli"]


def counts(config: LakeConfig) -> tuple[int, ...]:
    return tuple(t.num_rows for t in read_lake(config).values())


def test_a_reader_polling_an_s3_lake_during_a_run_sees_only_whole_runs(s3_server, s3_env, tmp_path):
    s3_filesystem(s3_server).create_dir("polled")
    target = "s3://polled/lake"
    config = s3_server.lake_config(target)
    env = {**os.environ, **s3_server.env()}
    runs = [jsonl_corpus(tmp_path / f"part{i}.jsonl", range(i * 12, i * 12 + 12), seed=6)
            for i in range(2)]  # fmt: skip
    first = subprocess.run([*CLI, "ingest", str(runs[0]), "--output", target], env=env)
    assert first.returncode == 0
    committed = [counts(config)]
    seen: list[tuple[int, ...]] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            seen.append(counts(config))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        second = subprocess.run([*CLI, "ingest", str(runs[1]), "--output", target], env=env)
    finally:
        stop.set()
        reader.join()
    assert second.returncode == 0
    committed.append(counts(config))
    assert committed[0] != committed[1] and len(seen) > 5
    assert set(seen) <= set(committed), set(seen) - set(committed)


def test_the_s3_server_killed_during_the_commit_leaves_nothing_partial_and_says_so(
    own_server, tmp_path
):
    s3_filesystem(own_server).create_dir("faults")
    target = "s3://faults/lake"
    env = {**os.environ, **own_server.env()}
    first = jsonl_corpus(tmp_path / "first.jsonl", range(0, 5), seed=8, published="2025-08-26")
    second = jsonl_corpus(tmp_path / "second.jsonl", range(5, 12), seed=8, published="2025-08-27")
    ok = subprocess.run([*CLI, "ingest", str(first), "--output", target], env=env)
    assert ok.returncode == 0
    with pytest.MonkeyPatch.context() as mp:
        for key, value in own_server.env().items():
            mp.setenv(key, value)
        before = counts(own_server.lake_config(target))

    # The run stops where the commit has appended some tables (entities, ...)
    # and is about to append `timex`; then the server dies, and the run goes on.
    marker = tmp_path / "paused"
    fault = [sys.executable, "-m", "tests.faultpoints", "append:timex", f"pause:{marker}"]
    proc = subprocess.Popen(
        [*fault, "ingest", str(second), "--output", target],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), proc.communicate()[1][-2000:]
    own_server.process.kill()
    own_server.process.wait()
    (tmp_path / "paused.go").write_text("")
    out, err = proc.communicate(timeout=400)
    assert proc.returncode == 2, out + err
    # The truth: the commit began and was cut short; readers see the lake as before.
    assert "was cut short" in err and "as it was before this run" in err, err
    assert "committed nothing" not in err
    assert "Traceback" not in err and own_server.secret_key not in err

    again = own_server.restart()
    try:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in again.env().items():
                mp.setenv(key, value)
            config = again.lake_config(target)
            assert counts(config) == before  # nothing of the cut-short run is visible
            rerun = subprocess.run(
                [*CLI, "ingest", str(second), "--output", target],
                capture_output=True, text=True, env=env, timeout=600,
            )  # fmt: skip
            assert rerun.returncode == 0, rerun.stderr[-2000:]
            assert "finished commits" in rerun.stdout
            lake = read_lake(config)
            ids = Counter(lake["articles"]["article_id"].to_pylist())
            assert len(ids) == 12 and max(ids.values()) == 1
            entity_ids = set(lake["entities"]["article_id"].to_pylist())
            assert entity_ids <= set(ids) and len(entity_ids) == 12
            # Every entity row once: no article's rows appended twice by the recovery.
            per_article = Counter(
                zip(lake["entities"]["article_id"].to_pylist(),
                    lake["entities"]["mention_index"].to_pylist(), strict=True)
            )  # fmt: skip
            assert max(per_article.values()) == 1
    finally:
        again.stop()
