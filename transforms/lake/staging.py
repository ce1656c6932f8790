"""The sinks: rows -> Parquet files in the run's staging area.

WriteRunTables takes two kinds of rows, one layout
(`_staging/<run>/<table>/date=D/<file>.parquet`):
- the bulk (the NLP step's rows) is written by StageRowsFn on the worker that
  made them, fused with the NLP: rows are never shuffled, pickled between
  processes or held by the runner, so a run costs about the NLP and memory
  does not grow with the rows;
- the small tables (errors, duplicates, feeds) are grouped by WriteStagedTables
  into one file per table/date/shard.
Both yield the paths they wrote; the run lists them in `_files.json`, and only
listed files are committed, so a bundle that a runner retried cannot leave a
second copy behind.

Staging lives under `_staging/`, which table readers (pyarrow, DuckDB, Spark,
Trino with Hive partitions) never see; `commit.py` moves the files into the
tables only after the whole pipeline has succeeded.
"""

from __future__ import annotations

import datetime
import uuid
import zlib
from collections.abc import Iterable, Iterator

import apache_beam as beam
import pyarrow as pa
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from newsbeam.schemas import PARTITION_COLUMN, PUBLIC_TABLES, TABLES
from newsbeam.transforms.lake.filesystem import Lake, LakeConfig
from newsbeam.transforms.lake.iceberg import file_schema

# Rows per Parquet row group: big enough for good compression and fast scans,
# small enough that a writer holds only one group in memory.
ROW_GROUP_ROWS = 20_000
# Rows a bundle writer may hold before it writes its fullest partition early:
# bounds a worker's memory when one bundle spans many tables and dates.
MAX_BUFFERED_ROWS = 4 * ROW_GROUP_ROWS

STAGING_DIR = "_staging"


def staging_path(run_id: str, table: str, date: str, name: str) -> str:
    return f"{STAGING_DIR}/{run_id}/{table}/date={date}/{run_id}-{name}.parquet"


def staged_schema(table: str) -> pa.Schema:
    """The schema of a table's staged files: an Iceberg table's carries its `date`
    partition column; the internal tables (`_minhash`) keep their own."""
    return file_schema(table) if table in PUBLIC_TABLES else TABLES[table]


def files_list_path(run_id: str) -> str:
    return f"{STAGING_DIR}/{run_id}/_files.json"


def shard_of(row: dict, num_shards: int) -> int:
    key = row.get("article_id") or row.get("error_id") or ""
    return zlib.crc32(key.encode()) % num_shards


def record_batches(rows: Iterable[dict], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Rows -> record batches of at most ROW_GROUP_ROWS, converted column-wise by pyarrow."""
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= ROW_GROUP_ROWS:
            yield pa.RecordBatch.from_pylist(chunk, schema=schema)
            chunk = []
    if chunk:
        yield pa.RecordBatch.from_pylist(chunk, schema=schema)


class WritePartitionFn(beam.DoFn):
    def __init__(self, lake: LakeConfig, run_id: str) -> None:
        self._lake_config = lake
        self._run_id = run_id

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)

    def process(self, element: tuple[tuple[str, str, int], Iterable[dict]]) -> Iterator[str]:
        (table, date, shard), rows = element
        schema = staged_schema(table)
        run_id, day = self._run_id, datetime.date.fromisoformat(date)
        stamped = ({**row, "run_id": run_id, PARTITION_COLUMN: day} for row in rows)
        path = staging_path(run_id, table, date, f"{shard:05d}")
        self._lake.write_parquet(path, record_batches(stamped, schema), schema)
        yield path


class StageRowsFn(beam.DoFn):
    """(table, date, row) triples -> Parquet files of at most ROW_GROUP_ROWS rows, per bundle.

    Rows wait in a per-partition buffer; a full buffer becomes one file (one row
    group), the rest are written when the bundle finishes. Yields the paths.
    """

    def __init__(self, lake: LakeConfig, run_id: str) -> None:
        self._lake_config = lake
        self._run_id = run_id

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)

    def start_bundle(self) -> None:
        self._buffers: dict[tuple[str, str], list[dict]] = {}
        self._buffered = 0
        self._written: list[str] = []

    def process(self, triple: tuple[str, str, dict]) -> None:
        table, date, row = triple
        buffer = self._buffers.setdefault((table, date), [])
        buffer.append({**row, "run_id": self._run_id})
        self._buffered += 1
        if len(buffer) >= ROW_GROUP_ROWS:
            self._flush((table, date))
        elif self._buffered >= MAX_BUFFERED_ROWS:
            self._flush(max(self._buffers, key=lambda key: len(self._buffers[key])))

    def _flush(self, key: tuple[str, str]) -> None:
        rows = self._buffers.pop(key)
        self._buffered -= len(rows)
        table, date = key
        schema = staged_schema(table)
        day = datetime.date.fromisoformat(date)
        rows = [{**row, PARTITION_COLUMN: day} for row in rows]
        # Unique per file: bundles run concurrently and may be retried.
        path = staging_path(self._run_id, table, date, uuid.uuid4().hex[:12])
        self._lake.write_parquet(path, [pa.RecordBatch.from_pylist(rows, schema=schema)], schema)
        self._written.append(path)

    def finish_bundle(self) -> Iterator[WindowedValue]:
        for key in list(self._buffers):
            self._flush(key)
        for path in self._written:
            yield WindowedValue(path, MIN_TIMESTAMP, (GlobalWindow(),))


class WriteRunTables(beam.PTransform):
    """{"in_place": the NLP rows, "grouped": small-table rows} -> the run's staged files.

    Both are (table, date, row) triples. Ends with `_staging/<run>/_files.json`,
    the list of every staged file, which the commit reads.
    """

    def __init__(self, lake: LakeConfig, run_id: str, num_shards: int = 2) -> None:
        super().__init__()
        self._lake = lake
        self._run_id = run_id
        self._num_shards = num_shards

    def expand(self, rows):  # type: ignore[no-untyped-def]
        lake, run_id = self._lake, self._run_id
        in_place = rows["in_place"] | "StageInPlace" >> beam.ParDo(StageRowsFn(lake, run_id))
        grouped = rows["grouped"] | "WriteGrouped" >> WriteStagedTables(
            lake, run_id, self._num_shards
        )
        return (
            (in_place, grouped)
            | "StagedPaths" >> beam.Flatten()
            | "AllPaths" >> beam.combiners.ToList()
            | "AsDict" >> beam.Map(lambda found: {"files": sorted(found)})
            | "WriteList" >> beam.ParDo(WriteJsonFn(lake, files_list_path(run_id)))
        )


def counts_path(run_id: str) -> str:
    return f"{STAGING_DIR}/{run_id}/_counts.json"


class WriteJsonFn(beam.DoFn):
    """Write each element as one small JSON file in the lake (the run's counts)."""

    def __init__(self, lake: LakeConfig, path: str) -> None:
        self._lake_config = lake
        self._path = path

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)

    def process(self, element: dict) -> Iterator[str]:
        self._lake.write_json(self._path, element)
        yield self._path


class WriteStagedTables(beam.PTransform):
    """(table, date, row) triples -> staged Parquet files; yields their lake paths."""

    def __init__(self, lake: LakeConfig, run_id: str, num_shards: int = 2) -> None:
        super().__init__()
        self._lake = lake
        self._run_id = run_id
        self._num_shards = max(1, num_shards)

    def expand(self, rows):  # type: ignore[no-untyped-def]
        shards = self._num_shards
        return (
            rows
            | "KeyByPartition" >> beam.Map(lambda t: ((t[0], t[1], shard_of(t[2], shards)), t[2]))
            | "GroupByPartition" >> beam.GroupByKey()
            | "WriteParquet" >> beam.ParDo(WritePartitionFn(self._lake, self._run_id))
        )
