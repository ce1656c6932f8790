"""An S3 lake whose Iceberg catalog is pyiceberg's SQL catalog on a real
PostgreSQL server (PostgreSQL 16 from the pgserver wheel, on a Unix socket)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

from newsbeam.transforms.lake import LakeConfig
from newsbeam.transforms.lake.tables import read_lake
from tests.conftest import s3_filesystem

pytestmark = [pytest.mark.s3, pytest.mark.slow]

CLI = [sys.executable, "-m", "newsbeam.pipelines.cli"]


@pytest.fixture(scope="module")
def postgres():
    import pgserver

    # A short folder: the server's Unix socket lives in it (paths over 107 bytes fail).
    folder = tempfile.mkdtemp(prefix="nbpg", dir="/tmp")
    server = pgserver.get_server(folder, cleanup_mode="stop")
    try:
        yield server, folder
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def test_an_s3_lake_with_a_postgresql_catalog_ingests_reads_and_reruns_exactly_once(
    postgres, s3_server, seed_dir
):
    server, folder = postgres
    bucket = f"pg-{uuid.uuid4().hex[:8]}"
    s3_filesystem(s3_server).create_dir(bucket)
    catalog = f"postgresql://postgres@/postgres?host={folder}"
    target = f"s3://{bucket}/news"
    env = {**os.environ, **s3_server.env(), "NEWSBEAM_CATALOG": catalog}
    run = [*CLI, "ingest", str(seed_dir), "--output", target]
    first = subprocess.run(run, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    # The tables are in PostgreSQL, under a namespace named after the lake.
    listed = server.psql("SELECT table_namespace, table_name FROM iceberg_tables;")
    assert (
        f"{bucket.replace('-', '_')}_news" in listed
        and "entities" in listed
        and "articles" in listed
    )
    with pytest.MonkeyPatch.context() as mp:
        for key, value in s3_server.env().items():
            mp.setenv(key, value)
        config = LakeConfig(target, s3_server.endpoint, "us-east-1", catalog)
        lake = read_lake(config)
        assert lake["articles"].num_rows == 1 and lake["entities"].num_rows > 0
        again = subprocess.run(run, capture_output=True, text=True, env=env, timeout=600)
        assert again.returncode == 0 and "already in lake    1" in again.stdout
        assert {n: t.num_rows for n, t in read_lake(config).items()} == {
            n: t.num_rows for n, t in lake.items()
        }
