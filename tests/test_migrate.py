"""`newsbeam lake migrate`: a lake newsbeam 0.1.0 wrote becomes Iceberg tables, in place."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsbeam.pipelines.cli import main
from newsbeam.schemas import PUBLIC_TABLES
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.tables import read_lake, read_pointer, table

pytestmark = pytest.mark.slow

OLD_LAKE = Path(__file__).parent / "data" / "lake-0.1.0"


def data_files(root: Path) -> dict[str, str]:
    """Every Parquet data file under the lake (not Iceberg metadata) -> its sha256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.parquet"))
    }


def hive_rows(root: Path) -> dict[str, list[dict]]:
    """The rows of each table as 0.1 readers saw them (every file in the folders)."""
    rows: dict[str, list[dict]] = {}
    for path in sorted(root.glob("*/date=*/*.parquet")):
        day = date.fromisoformat(path.parent.name.removeprefix("date="))
        found = [{**r, "date": day} for r in pq.read_table(path).to_pylist()]
        rows.setdefault(path.parts[-3], []).extend(found)
    return rows


@pytest.fixture()
def old_lake(tmp_path) -> Path:
    lake = tmp_path / "lake"
    shutil.copytree(OLD_LAKE, lake, ignore=shutil.ignore_patterns("README.md"))
    return lake


# Columns newer than the 0.1 files: they read as null in a migrated lake.
COLUMNS_SINCE_0_1 = {
    "pipeline", "speaker_start", "speaker_end", "cue_start", "cue_end", "form", "region",
    "context",
}  # fmt: skip


def strip(row: dict, dropped: set[str]) -> str:
    """A row as comparable text, without the columns named."""
    return json.dumps({k: row[k] for k in sorted(row) if k not in dropped}, default=str)


def test_a_0_1_lake_migrates_in_place_without_rewriting_a_file_and_only_once(
    old_lake, tmp_path, capsys
):
    before_files = data_files(old_lake)
    expected = hive_rows(old_lake)
    assert set(expected) >= {"articles", "entities", "errors", "timex"}
    # Refused before the migration, with the command that fixes it.
    assert main(["ingest", "seeds", "--output", str(old_lake)]) == 2
    assert "newsbeam lake migrate" in capsys.readouterr().err

    assert main(["lake", "migrate", str(old_lake)]) == 0
    out = capsys.readouterr().out
    assert f"migrated {len(before_files)} Parquet files" in out
    # Not one data file was rewritten, moved or added.
    assert data_files(old_lake) == before_files
    config = LakeConfig(str(old_lake))
    lake = read_lake(config)
    for name in PUBLIC_TABLES:
        got = lake[name].to_pylist()
        want = expected.get(name, [])
        assert len(got) == len(want), name
        # Same rows: columns 0.1 had keep their values, `date` is the folder's day,
        # the columns added since (`pipeline`; the quotes' speaker and cue offsets)
        # read as null.
        added = set(got[0]) - set(want[0]) if got else set()
        assert added <= COLUMNS_SINCE_0_1, name
        for row in got:
            assert all(row[column] is None for column in added), name
        assert sorted(strip(r, added) for r in got) == sorted(strip(r, added) for r in want), name

    # Idempotent: a second migration changes nothing.
    snapshots = {name: len(table(config, name).snapshots()) for name in PUBLIC_TABLES}
    assert main(["lake", "migrate", str(old_lake)]) == 0
    assert "nothing to migrate" in capsys.readouterr().out
    assert {name: len(table(config, name).snapshots()) for name in PUBLIC_TABLES} == snapshots

    # The migrated lake is a lake like any other: the seed is already in it...
    assert main(["ingest", "seeds", "--output", str(old_lake)]) == 0
    assert "already in lake    2" in capsys.readouterr().out
    assert read_lake(config)["articles"].num_rows == len(expected["articles"])
    # ...and reprocessing its German articles rewrites the 0.1 files that also hold
    # English rows (copy-on-write), keeping those rows as they were.
    english = [r for r in expected["entities"] if r["article_id"] in
               {a["article_id"] for a in expected["articles"] if a["language"] == "en"}]  # fmt: skip
    assert main(["reprocess", str(old_lake), "--language", "de"]) == 0
    after = read_lake(config)
    german = {a["article_id"] for a in after["articles"].to_pylist() if a["language"] == "de"}
    assert german and all(
        r["pipeline"] for r in after["entities"].to_pylist() if r["article_id"] in german
    )
    kept = [r for r in after["entities"].to_pylist() if r["article_id"] not in german]
    assert sorted(strip(r, {"pipeline"}) for r in kept) == sorted(
        strip(r, {"pipeline"}) for r in english
    )
    assert Counter(after["articles"]["article_id"].to_pylist()).most_common(1)[0][1] == 1


def test_a_0_1_commit_cut_short_is_finished_by_the_migration(old_lake, capsys):
    expected = hive_rows(old_lake)
    # The state 0.1 left when killed during its commit: the manifest says
    # "committing", some files are still in the run's staging folder.
    manifest_path = sorted((old_lake / "_runs").glob("*.json"))[-1]
    manifest = json.loads(manifest_path.read_text())
    run_id = manifest["run_id"]
    moved = [f for f in manifest["files"] if f.startswith(("articles/", "entities/"))]
    assert moved
    for final in moved:
        staged = old_lake / "_staging" / run_id / final
        staged.parent.mkdir(parents=True, exist_ok=True)
        (old_lake / final).rename(staged)
    manifest_path.write_text(json.dumps({**manifest, "status": "committing"}))

    assert main(["lake", "migrate", str(old_lake)]) == 0
    assert f"finished 0.1 commits {run_id}" in capsys.readouterr().out
    lake = read_lake(LakeConfig(str(old_lake)))
    for name in ("articles", "entities"):
        assert lake[name].num_rows == len(expected[name])
    assert read_pointer(Lake(LakeConfig(str(old_lake))))["run_id"].endswith("-migrate")
