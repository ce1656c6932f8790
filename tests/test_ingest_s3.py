"""End to end against a real S3 server (SeaweedFS on 127.0.0.1), through the S3 API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pyarrow.fs as pafs
import pytest

from tests.conftest import read_table, s3_filesystem
from tests.s3server import TABLE_BUCKET

pytestmark = [pytest.mark.s3, pytest.mark.slow]


def cli(args, env):
    return subprocess.run(
        [sys.executable, "-m", "newsbeam.pipelines.cli", *args],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip


@pytest.fixture()
def bucket(s3_server):
    name = f"lake-{uuid.uuid4().hex[:8]}"
    s3_filesystem(s3_server).create_dir(name)  # CreateBucket through the S3 API
    return name


def test_ingest_writes_tables_into_the_bucket_and_reruns_add_nothing(
    s3_server, s3_env, bucket, seed_dir
):
    env = {**os.environ, **s3_server.env()}
    target = f"s3://{bucket}/news"
    first = cli(["ingest", str(seed_dir), "--output", target], env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"tables in          {target}" in first.stdout

    fs = s3_filesystem(s3_server)
    infos = fs.get_file_info(pafs.FileSelector(f"{bucket}/news", recursive=True))
    keys = [i.path for i in infos if i.type == pafs.FileType.File]
    assert not any("/_staging/" in k and k.endswith(".parquet") for k in keys)
    assert f"{bucket}/news/_state/snapshots.json" in keys  # what readers go by
    # The table data lives where the Iceberg REST catalog puts its tables.
    warehouse = fs.get_file_info(pafs.FileSelector(TABLE_BUCKET, recursive=True))
    data = [i.path for i in warehouse if i.path.endswith(".parquet")]
    assert any("/articles/data/date=2025-08-26/" in k for k in data)
    assert any("/entities/data/date=2025-08-26/" in k for k in data)

    lake = s3_server.lake_config(target)
    articles = read_table(lake, "articles")
    entities = read_table(lake, "entities")
    assert articles.num_rows == 1 and articles.column("language").to_pylist() == ["de"]
    assert entities.num_rows > 0

    second = cli(["ingest", str(seed_dir), "--output", target], env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "already in lake    1" in second.stdout
    assert read_table(lake, "articles").num_rows == 1
    assert read_table(lake, "entities").num_rows == entities.num_rows


def test_wrong_credentials_fail_clearly_without_leaking_the_secret(s3_server, bucket, seed_dir):
    env = {**os.environ, **s3_server.env(), "AWS_SECRET_ACCESS_KEY": "not-the-key-123"}
    proc = cli(["ingest", str(seed_dir), "--output", f"s3://{bucket}/news"], env)
    assert proc.returncode != 0
    assert "SIGNATURE" in proc.stderr.upper() or "ACCESS" in proc.stderr.upper()
    assert "not-the-key-123" not in proc.stderr + proc.stdout


def test_missing_credentials_are_named(s3_server, bucket, seed_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"NEWSBEAM_S3_ENDPOINT": s3_server.endpoint, "AWS_REGION": "us-east-1"}
    env["NEWSBEAM_CATALOG"] = s3_server.catalog_uri
    proc = cli(["ingest", str(seed_dir), "--output", f"s3://{bucket}/news"], env)
    assert proc.returncode == 2
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def lake_keys(server, bucket):
    fs = s3_filesystem(server)
    infos = fs.get_file_info(pafs.FileSelector(bucket, recursive=True, allow_not_found=True))
    return sorted(i.path for i in infos if i.type == pafs.FileType.File)


def test_a_stopped_server_fails_the_run_quickly_and_a_rerun_completes(
    own_server, tmp_path, seed_dir
):
    s3_filesystem(own_server).create_dir("faults")
    env = {**os.environ, **own_server.env()}
    own_server.stop()
    started = time.monotonic()
    failed = cli(["ingest", str(seed_dir), "--output", "s3://faults/lake"], env)
    assert failed.returncode == 2 and time.monotonic() - started < 180
    assert "the run failed and committed nothing" in failed.stderr
    assert own_server.secret_key not in failed.stderr + failed.stdout

    again = own_server.restart()
    try:
        ok = cli(["ingest", str(seed_dir), "--output", "s3://faults/lake"], env)
        assert ok.returncode == 0, ok.stderr[-2000:]
        rerun = cli(["ingest", str(seed_dir), "--output", "s3://faults/lake"], env)
        assert "already in lake    1" in rerun.stdout
        keys = lake_keys(again, "faults") + lake_keys(again, TABLE_BUCKET)
        with pytest.MonkeyPatch.context() as mp:
            for key, value in again.env().items():
                mp.setenv(key, value)
            assert read_table(again.lake_config("s3://faults/lake"), "articles").num_rows == 1
        # No secret in anything the runs wrote.
        fs = s3_filesystem(again)
        for key in keys:
            with fs.open_input_stream(key) as handle:
                assert own_server.secret_key.encode() not in handle.read()
    finally:
        again.stop()


def test_killing_the_server_mid_run_leaves_nothing_visible_and_a_rerun_completes(
    own_server, tmp_path
):
    from benchmarks.corpus import articles

    s3_filesystem(own_server).create_dir("faults")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(
        json.dumps({"url": f"https://x.example/{i}", "text": t, "language": "de", "published": "2025-08-26"}) + "\n"
        for i, t in enumerate(articles(40, seed=5))
    ))  # fmt: skip
    env = {**os.environ, **own_server.env()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsbeam.pipelines.cli", "ingest", str(corpus), "--output", "s3://faults/lake"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    time.sleep(8)  # the run is past its start (lake listed) and busy with the NLP
    assert proc.poll() is None, "the run finished before the server could be killed"
    own_server.process.kill()
    own_server.process.wait()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, out + err
    assert "the run failed and committed nothing" in err
    # The one-line message is what the user sees; Beam's traceback only with -v.
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2, err

    again = own_server.restart()
    try:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in again.env().items():
                mp.setenv(key, value)
            assert read_table(again.lake_config("s3://faults/lake"), "articles") is None
        ok = cli(["ingest", str(corpus), "--output", "s3://faults/lake"], env)
        assert ok.returncode == 0, ok.stderr[-2000:]
        assert "articles written   40" in ok.stdout
        rerun = cli(["ingest", str(corpus), "--output", "s3://faults/lake"], env)
        assert "already in lake    40" in rerun.stdout and "articles written   0" in rerun.stdout
    finally:
        again.stop()
