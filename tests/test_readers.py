"""Readers through the documented read path never see part of a run."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.tables import read_lake, read_pointer
from tests.conftest import jsonl_corpus

pytestmark = pytest.mark.slow


def counts(config: LakeConfig) -> tuple[int, ...]:
    return tuple(t.num_rows for t in read_lake(config).values())


def test_a_reader_polling_every_table_during_runs_sees_only_whole_runs(tmp_path):
    config = LakeConfig(str(tmp_path / "lake"))
    runs = [jsonl_corpus(tmp_path / f"part{i}.jsonl", range(i * 15, i * 15 + 15), seed=4)
            for i in range(2)]  # fmt: skip
    seen: list[tuple[int, ...]] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            seen.append(counts(config))

    cli = [sys.executable, "-m", "newsbeam.pipelines.cli", "ingest"]
    subprocess.run([*cli, str(runs[0]), "--output", str(tmp_path / "lake")], check=True)
    committed = [counts(config)]
    reader = threading.Thread(target=poll)
    reader.start()
    try:
        subprocess.run([*cli, str(runs[1]), "--output", str(tmp_path / "lake")], check=True)
    finally:
        stop.set()
        reader.join()
    committed.append(counts(config))
    assert committed[0] != committed[1] and len(seen) > 5
    assert set(seen) <= set(committed), set(seen) - set(committed)
    # Time travel: the lake as of the first run, by its run id.
    first_run = read_pointer(Lake(config))["history"][0]["run_id"]
    as_of = read_lake(config, as_of_run=first_run)
    assert tuple(t.num_rows for t in as_of.values()) == committed[0]


def test_a_lake_in_the_old_hive_layout_is_refused_not_silently_ignored(tmp_path, capsys):
    from newsbeam.pipelines.cli import main

    old = tmp_path / "lake" / "articles" / "date=2025-08-26"
    old.mkdir(parents=True)
    (old / "r0-00000.parquet").write_bytes(b"PAR1")
    (tmp_path / "a.txt").write_text("date: 2025-08-26\nlanguage: de\n\nDie Minister trafen sich.")
    code = main(["ingest", str(tmp_path / "a.txt"), "--output", str(tmp_path / "lake")])
    err = capsys.readouterr().err
    assert code == 2 and "Hive-layout tables from an older newsbeam" in err


def test_expiring_old_runs_keeps_the_last_ones_readable_and_forgets_the_rest(tmp_path, capsys):
    from newsbeam.pipelines.cli import main
    from newsbeam.transforms.lake.tables import table

    config = LakeConfig(str(tmp_path / "lake"))
    lake = Lake(config)
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(
            f"date: 2025-08-26\nlanguage: de\n\nDie Minister trafen sich in Berlin, Teil {i}."
        )
        assert main(["ingest", str(tmp_path / f"{i}.txt"), "--output", str(tmp_path / "lake")]) == 0
    runs = [h["run_id"] for h in read_pointer(lake)["history"]]
    before = {name: t.num_rows for name, t in read_lake(config).items()}
    assert len(table(config, "articles").snapshots()) == 3
    assert main(["lake", "expire", str(tmp_path / "lake"), "--keep-runs", "1"]) == 0
    assert "expired" in capsys.readouterr().out
    assert {name: t.num_rows for name, t in read_lake(config).items()} == before
    assert len(table(config, "articles").snapshots()) == 1
    assert read_lake(config, as_of_run=runs[-1])["articles"].num_rows == 3
    with pytest.raises(KeyError):
        read_lake(config, as_of_run=runs[0])


def test_duckdb_and_polars_read_the_same_committed_state_as_pyiceberg(tmp_path):
    from newsbeam.pipelines.cli import main
    from newsbeam.transforms.lake.readers import duckdb_connect, duckdb_views, polars_frame

    lake = str(tmp_path / "lake")
    config = LakeConfig(lake)
    assert main(["ingest", "seeds", "--output", lake]) == 0
    assert main(["reprocess", lake, "--language", "en", "--force"]) == 0
    first = read_pointer(Lake(config))["history"][0]["run_id"]
    con = duckdb_connect()  # the extensions come from PyPI packages: no download
    for as_of in (None, first):
        want = read_lake(config, as_of_run=as_of)
        duckdb_views(con, config, as_of_run=as_of)
        for name, rows in want.items():
            got = con.sql(f'SELECT count(*), count(DISTINCT run_id) FROM "{name}"').fetchone()
            assert got[0] == rows.num_rows, (name, as_of)
            assert got[1] == len(set(rows["run_id"].to_pylist())), (name, as_of)
            frame = polars_frame(config, name, as_of_run=as_of).collect()
            assert frame.height == rows.num_rows, (name, as_of)
            assert set(frame.columns) >= set(rows.column_names) - {"pipeline"}
    # The empty tables exist with their columns: a query on them works.
    assert con.sql("SELECT count(*) FROM feeds WHERE status = 'ok'").fetchone() == (0,)
    assert "error_id" in [c[0] for c in con.sql("DESCRIBE errors").fetchall()]
    # As of the ingest, one run made every entity; now the reprocess made the English ones.
    assert len(con.sql("SELECT DISTINCT run_id FROM entities").fetchall()) == 1
    duckdb_views(con, config)
    assert len(con.sql("SELECT DISTINCT run_id FROM entities").fetchall()) == 2


@pytest.mark.s3
def test_duckdb_reads_an_s3_lake_through_its_catalog(s3_server, s3_env, tmp_path):
    from newsbeam.pipelines.cli import main
    from newsbeam.transforms.lake.readers import duckdb_connect, duckdb_views
    from tests.conftest import s3_filesystem

    s3_filesystem(s3_server).create_dir("duck")
    target = "s3://duck/lake"
    assert main(["ingest", "seeds", "--output", target]) == 0
    config = s3_server.lake_config(target)
    con = duckdb_connect()
    duckdb_views(con, config)
    want = read_lake(config)
    for name in ("articles", "entities", "timex", "errors"):
        got = con.sql(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        assert got == want[name].num_rows, name
