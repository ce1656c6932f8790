"""`newsbeam lake migrate`: a lake in the Hive layout of newsbeam 0.1 becomes Iceberg tables.

newsbeam 0.1 wrote each table as Parquet files in `<table>/date=D/` folders and
told readers which files were committed with `_runs/<run>.json` manifests. The
migration adds those files, where they are and as they are (no data file is
rewritten), to the Iceberg tables of the lake: each file's partition is the
day its folder names (0.1 files have no `date` column; Iceberg readers take an
identity partition's value from the metadata), columns added since read as
null. A 0.1 run whose commit was cut short is finished first, the 0.1 way
(its staged files moved into their folders). Then `_state/snapshots.json` is
written, and from then on the lake is an Iceberg lake.

Idempotent: files a table already holds are not added again, and a migrated
lake migrates to no change. It runs under the lake lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from newsbeam.schemas import PARTITION_COLUMN, PUBLIC_TABLES
from newsbeam.transforms.lake import lock, tables
from newsbeam.transforms.lake.commit import RUNS_DIR
from newsbeam.transforms.lake.filesystem import Lake, LakeConfig
from newsbeam.transforms.lake.staging import STAGING_DIR

HIVE_FILE = re.compile(r"^(?P<table>[a-z_]+)/date=(?P<day>\d{4}-\d{2}-\d{2})/[^/]+\.parquet$")
# A migration adds every file of the lake in one go: it may hold the lock longer
# than a run's commit does.
LOCK_TTL = timedelta(minutes=30)
LOCK_WAIT_S = 15 * 60.0
EPOCH = date(1970, 1, 1)


@dataclass
class Migration:
    files: dict[str, int] = field(default_factory=dict)  # table -> files added
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows they hold
    finished_runs: list[str] = field(default_factory=list)  # 0.1 commits rolled forward

    @property
    def changed(self) -> bool:
        return any(self.files.values()) or bool(self.finished_runs)

    def render(self, where: str) -> str:
        if not self.changed:
            return f"{where}: nothing to migrate (its tables are Iceberg tables already)"
        parts = ", ".join(f"{t}={n}" for t, n in sorted(self.rows.items()) if n) or "none"
        lines = [
            f"{where}: migrated {sum(self.files.values())} Parquet files into Iceberg tables "
            "(no data file rewritten)",
            f"  rows per table     {parts}",
        ]
        if self.finished_runs:
            lines.append(f"  finished 0.1 commits {', '.join(self.finished_runs)}")
        return "\n".join(lines)


def hive_files(lake: Lake) -> dict[str, list[tuple[str, date]]]:
    """table -> (lake-relative path, day) of every 0.1 data file."""
    found: dict[str, list[tuple[str, date]]] = {}
    for name in PUBLIC_TABLES:
        for rel in lake.list_files(name, ".parquet"):
            match = HIVE_FILE.match(rel)
            if match and match["table"] == name:
                found.setdefault(name, []).append((rel, date.fromisoformat(match["day"])))
    return found


def finish_old_commits(lake: Lake) -> list[str]:
    """0.1 manifests left in status "committing": move their staged files into
    their folders (what 0.1's own recovery did), then mark them committed."""
    finished = []
    for path in lake.list_files(RUNS_DIR, ".json"):
        manifest = lake.read_json(path)
        if manifest.get("status") != "committing" or "replaces" in manifest:
            continue
        if any("/data/" in f for f in manifest.get("files", [])):
            continue  # an Iceberg commit: the next run's recovery finishes it
        run_id = manifest["run_id"]
        for final in manifest.get("files", []):
            staged = f"{STAGING_DIR}/{run_id}/{final}"
            if lake.exists(staged) and not lake.exists(final):
                lake.move(staged, final)
        lake.write_json(path, {**manifest, "status": "committed", "migrated": True})
        finished.append(run_id)
    return finished


def data_file(table, uri: str, day: date):  # type: ignore[no-untyped-def]
    """An Iceberg DataFile for a 0.1 file: its statistics from the Parquet footer,
    its partition from the folder it is in (the file has no `date` column)."""
    import pyarrow.parquet as pq
    from pyiceberg.io.pyarrow import (
        compute_statistics_plan,
        data_file_statistics_from_parquet_metadata,
        parquet_path_to_id_mapping,
    )
    from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
    from pyiceberg.typedef import Record

    metadata = table.metadata
    schema = metadata.schema()
    source = table.io.new_input(uri)
    with source.open() as stream:
        footer = pq.read_metadata(stream)
    stats = data_file_statistics_from_parquet_metadata(
        parquet_metadata=footer,
        stats_columns=compute_statistics_plan(schema, metadata.properties),
        parquet_column_mapping=parquet_path_to_id_mapping(schema),
    )
    return DataFile.from_args(
        content=DataFileContent.DATA,
        file_path=uri,
        file_format=FileFormat.PARQUET,
        partition=Record((day - EPOCH).days),
        file_size_in_bytes=len(source),
        sort_order_id=None,
        spec_id=metadata.default_spec_id,
        equality_ids=None,
        key_metadata=None,
        **stats.to_serialized_dict(),
    )


def _date_from_partition(table) -> None:  # type: ignore[no-untyped-def]
    """0.1 files have no `date` column: readers must take it from the partition.
    pyiceberg (0.12) does that only for an optional column, so in a migrated
    table `date` is optional (every row still reads with its day)."""
    if table.schema().find_field(PARTITION_COLUMN).required:
        with table.update_schema() as update:
            update.make_column_optional(PARTITION_COLUMN)
        table.refresh()


def migrate(config: LakeConfig) -> Migration:
    lake = Lake(config)
    result = Migration()
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-migrate"
    with lock.held(lake, lock.process_owner(), LOCK_TTL, LOCK_WAIT_S):
        result.finished_runs = finish_old_commits(lake)
        snapshots = dict(tables.read_pointer(lake).get("snapshots", {}))
        found = hive_files(lake)
        for name in sorted(PUBLIC_TABLES, key=lambda n: (n == "articles", n)):
            table = tables.table(config, name)
            known = tables.current_files(table)
            new = [(lake.uri(rel), day) for rel, day in found.get(name, [])]
            new = [(uri, day) for uri, day in new if uri not in known]
            result.files[name] = len(new)
            if new:
                _date_from_partition(table)
                files = [data_file(table, uri, day) for uri, day in new]
                result.rows[name] = sum(f.record_count for f in files)
                with table.transaction() as txn:
                    props = {"newsbeam.run_id": run_id}
                    with txn.update_snapshot(snapshot_properties=props).fast_append() as append:
                        for data in files:
                            append.append_data_file(data)
                table.refresh()
            if table.current_snapshot() is not None:
                snapshots[name] = table.current_snapshot().snapshot_id
        if result.changed or not lake.exists(tables.POINTER):
            tables.write_pointer(lake, run_id, snapshots)
    return result
