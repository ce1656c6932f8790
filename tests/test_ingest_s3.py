"""End to end against a real S3 server (SeaweedFS on 127.0.0.1), through the S3 API."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pyarrow.fs as pafs
import pytest

from tests.conftest import read_table, s3_filesystem

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


def test_ingest_writes_tables_into_the_bucket_and_reruns_add_nothing(s3_server, bucket, seed_dir):
    env = {**os.environ, **s3_server.env()}
    target = f"s3://{bucket}/news"
    first = cli(["ingest", str(seed_dir), "--output", target], env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"tables in          {target}" in first.stdout

    fs = s3_filesystem(s3_server)
    keys = [
        i.path
        for i in fs.get_file_info(pafs.FileSelector(f"{bucket}/news", recursive=True))
        if i.type == pafs.FileType.File
    ]
    assert any(k.startswith(f"{bucket}/news/articles/date=2025-08-26/") for k in keys)
    assert any(k.startswith(f"{bucket}/news/entities/date=2025-08-26/") for k in keys)
    assert not any("/_staging/" in k and k.endswith(".parquet") for k in keys)

    articles = read_table(f"{bucket}/news", "articles", fs)
    entities = read_table(f"{bucket}/news", "entities", fs)
    assert articles.num_rows == 1 and articles.column("language").to_pylist() == ["de"]
    assert entities.num_rows > 0

    second = cli(["ingest", str(seed_dir), "--output", target], env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "already in lake    1" in second.stdout
    assert read_table(f"{bucket}/news", "articles", fs).num_rows == 1
    assert read_table(f"{bucket}/news", "entities", fs).num_rows == entities.num_rows


def test_wrong_credentials_fail_clearly_without_leaking_the_secret(s3_server, bucket, seed_dir):
    env = {**os.environ, **s3_server.env(), "AWS_SECRET_ACCESS_KEY": "not-the-key-123"}
    proc = cli(["ingest", str(seed_dir), "--output", f"s3://{bucket}/news"], env)
    assert proc.returncode != 0
    assert "SIGNATURE" in proc.stderr.upper() or "ACCESS" in proc.stderr.upper()
    assert "not-the-key-123" not in proc.stderr + proc.stdout
