"""newsbeam on a real Apache Flink cluster: a JobManager, a TaskManager with 2
slots and Beam's job server, started by engines/flink/cluster.py (the script
the README documents), with the Python SDK workers in a Beam worker pool
(EXTERNAL environment). The lake is on a real S3 server (SeaweedFS).

The first run on a machine downloads Flink from PyPI and builds the job server
jar with Maven into the cache folder; later runs reuse them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pyarrow as pa
import pytest

from tests.conftest import SEEDS, jsonl_corpus, read_table, s3_filesystem
from tests.s3server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.s3, pytest.mark.flink]

ROOT = Path(__file__).resolve().parent.parent
# Columns that say which run wrote a row and when: they differ between any two runs.
RUN_COLUMNS = {"run_id", "ingested_at", "detected_at", "occurred_at", "polled_at"}
GENERATED = 200


def load_cluster_script():
    spec = importlib.util.spec_from_file_location(
        "flink_cluster", ROOT / "engines/flink/cluster.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def flink(s3_server):
    """A running cluster whose SDK workers hold the S3 server's credentials."""
    cluster = load_cluster_script()
    root = cluster.home()
    saved = dict(os.environ)
    os.environ.update(s3_server.env())
    try:
        state = cluster.start(root, rest_port=free_port(), worker_pool_port=free_port())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    state["module"], state["root"] = cluster, root
    yield state
    cluster.stop(root)


def cli(args, env, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "newsbeam.pipelines.cli", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds plus 200 generated German articles, in one folder."""
    folder = tmp_path_factory.mktemp("flink-corpus")
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    jsonl_corpus(folder / "generated.jsonl", range(GENERATED), seed=19, published="2025-08-26")
    return folder


def new_bucket(server) -> str:
    name = f"flink-{uuid.uuid4().hex[:8]}"
    s3_filesystem(server).create_dir(name)
    return name


def comparable(table: pa.Table | None) -> list[tuple]:
    """A table's rows without the run's own columns, sorted, as plain tuples."""
    if table is None:
        return []
    keep = [name for name in table.column_names if name not in RUN_COLUMNS]
    rows = table.select(keep).to_pylist()
    return sorted(
        tuple((k, json.dumps(r[k], sort_keys=True, default=str)) for k in keep) for r in rows
    )


def lake_rows(server, target: str) -> dict[str, list[tuple]]:
    from newsbeam.schemas import PUBLIC_TABLES

    lake = server.lake_config(target)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in server.env().items():
            mp.setenv(key, value)
        return {name: comparable(read_table(lake, name)) for name in PUBLIC_TABLES}


@pytest.fixture(scope="module")
def direct_lake(s3_server, corpus):
    """The DirectRunner's lake for the corpus: what Flink must reproduce."""
    bucket = new_bucket(s3_server)
    env = {**os.environ, **s3_server.env()}
    done = cli(["ingest", str(corpus), "--output", f"s3://{bucket}/lake"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    return lake_rows(s3_server, f"s3://{bucket}/lake"), done.stdout


def flink_options(state) -> list[str]:
    return state["module"].beam_options(state)


def test_flink_writes_exactly_the_rows_the_direct_runner_writes(
    s3_server, flink, corpus, direct_lake
):
    expected, direct_out = direct_lake
    bucket = new_bucket(s3_server)
    target = f"s3://{bucket}/lake"
    env = {**os.environ, **s3_server.env()}
    run = cli(["ingest", str(corpus), "--output", target, *flink_options(flink)], env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"articles written   {GENERATED + len(list(SEEDS.glob('*.txt')))}" in run.stdout
    got = lake_rows(s3_server, target)
    assert got["articles"] and got["entities"] and got["quotes"]
    for table in expected:
        assert len(got[table]) == len(expected[table]), table
        assert got[table] == expected[table], table
    # The run really went through the cluster: Flink's REST API lists the job as finished.
    with urllib.request.urlopen(f"http://127.0.0.1:{flink['rest_port']}/jobs/overview") as r:
        jobs = json.loads(r.read())["jobs"]
    assert any(job["state"] == "FINISHED" for job in jobs)


def running_jobs(state) -> list[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{state['rest_port']}/jobs/overview") as r:
        return [j["jid"] for j in json.loads(r.read())["jobs"] if j["state"] == "RUNNING"]


def test_a_killed_taskmanager_fails_the_run_cleanly_and_a_rerun_is_exactly_once(
    s3_server, flink, corpus, direct_lake
):
    expected, _ = direct_lake
    cluster, root = flink["module"], flink["root"]
    bucket = new_bucket(s3_server)
    target = f"s3://{bucket}/lake"
    env = {**os.environ, **s3_server.env()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsbeam.pipelines.cli", "ingest", str(corpus), "--output", target,
         *flink_options(flink)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not running_jobs(flink) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
    assert running_jobs(flink), "the job never ran on the cluster"
    time.sleep(10)  # the SDK workers are busy with the NLP
    pid = int((root / "run" / "taskmanager.pid").read_text())
    os.killpg(pid, 9)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode != 0, out
    assert "the run failed and committed nothing" in err, err[-3000:]
    assert all(not rows for rows in lake_rows(s3_server, target).values())

    cluster.start_taskmanager(root)
    deadline = time.monotonic() + 120
    while cluster.taskmanagers(flink["rest_port"]) < 1 and time.monotonic() < deadline:
        time.sleep(1)
    rerun = cli(["ingest", str(corpus), "--output", target, *flink_options(flink)], env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    got = lake_rows(s3_server, target)
    for table in expected:
        assert got[table] == expected[table], table


def test_a_scheduled_tick_runs_on_flink(s3_server, flink, tmp_path):
    from tests.feedserver import FeedServer, Route, rss
    from tests.test_feeds import item, serve_story

    stories = ["/de/gipfel.html", "/de/bahn.html"]
    with FeedServer() as server:
        server.routes["/robots.txt"] = Route(b"", "text/plain")
        for path in stories:
            serve_story(server, path)
        server.routes["/de/rss"] = Route(rss(server.base, [item(p) for p in stories]))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{server.base}/de/rss\n")
        target = f"s3://{new_bucket(s3_server)}/lake"
        env = {**os.environ, **s3_server.env()}
        args = ["schedule", str(feeds), "--every", "1s", "--max-ticks", "1", "--output", target,
                "--delay", "0", "--allow-private-addresses", *flink_options(flink)]  # fmt: skip
        tick = cli(args, env)
    assert tick.returncode == 0, tick.stdout[-2000:] + tick.stderr[-3000:]
    rows = lake_rows(s3_server, target)
    assert len(rows["articles"]) == len(stories)
    assert rows["feeds"] and rows["entities"]


def test_a_stream_runs_on_flink_commits_windows_survives_a_killed_driver_and_drains(
    s3_server, flink, tmp_path
):
    """`newsbeam stream` as a Flink streaming job: the workers (in the pool) commit
    each window under the lock the driver holds. A SIGKILL of the driver cannot
    drain: its job stops by itself once the driver no longer holds the lake, the
    job server it started dies with it, and the next stream takes the feed on,
    exactly once. SIGTERM drains the job."""
    import signal

    import psutil

    from tests.feedserver import FeedServer, Route, rss
    from tests.test_feeds import item, serve_story

    stories = ["/de/gipfel.html", "/de/bahn.html", "/de/haushalt.html"]
    with FeedServer() as server:
        server.routes["/robots.txt"] = Route(b"", "text/plain")
        for path in stories:
            serve_story(server, path)
        server.routes["/de/rss"] = Route(rss(server.base, [item(stories[0])]))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{server.base}/de/rss\n")
        target = f"s3://{new_bucket(s3_server)}/lake"
        env = {**os.environ, **s3_server.env()}
        args = ["stream", str(feeds), "--poll", "3s", "--commit-every", "6s", "--output", target,
                "--delay", "0", "--allow-private-addresses", *flink_options(flink)]  # fmt: skip

        def start() -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, "-m", "newsbeam.pipelines.cli", *args],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            )  # fmt: skip

        def articles() -> int:
            return len(lake_rows(s3_server, target)["articles"])

        proc = start()
        try:
            deadline = time.monotonic() + 300
            while articles() < 1 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(2)
            assert articles() == 1, proc.stderr.read()[-3000:] if proc.poll() is not None else ""
            assert running_jobs(flink)
            children = psutil.Process(proc.pid).children(recursive=True)
            assert any("job-server" in " ".join(c.cmdline()) for c in children)
            proc.kill()
            proc.communicate(timeout=60)
            _gone, alive = psutil.wait_procs(children, timeout=30)
            assert not alive, f"the killed command left {[c.cmdline()[:3] for c in alive]}"
            deadline = time.monotonic() + 120
            while running_jobs(flink) and time.monotonic() < deadline:
                time.sleep(1)
            assert not running_jobs(flink), "the killed driver's job runs on without it"

            # Items published later arrive in later windows of the next stream's job.
            server.routes["/de/rss"] = Route(rss(server.base, [item(p) for p in stories]))
            proc = start()
            deadline = time.monotonic() + 300
            while articles() < len(stories) and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(2)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, out[-2000:] + err[-3000:]
    assert "drained and stopped" in out
    rows = lake_rows(s3_server, target)
    urls = [dict(r)["url"] for r in rows["articles"]]
    assert len(urls) == len(set(urls)) == len(stories)
    assert len(rows["feeds"]) >= 2 and rows["entities"]
