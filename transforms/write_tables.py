"""The sink: rows -> Parquet files in the run's staging area, one per table/date/shard.

Staging lives under `_staging/`, which table readers (pyarrow, DuckDB, Spark,
Trino with Hive partitions) never see; `commit.py` moves the files into the
tables only after the whole pipeline has succeeded.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import apache_beam as beam
import pyarrow as pa

from newsbeam.schemas import TABLES
from newsbeam.transforms.lake import Lake, LakeConfig

# Rows per Parquet row group: big enough for good compression and fast scans,
# small enough that a writer holds only one group in memory.
ROW_GROUP_ROWS = 20_000

STAGING_DIR = "_staging"


def staging_path(run_id: str, table: str, date: str, shard: int) -> str:
    return f"{STAGING_DIR}/{run_id}/{table}/date={date}/{run_id}-{shard:05d}.parquet"


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
        schema = TABLES[table]
        run_id = self._run_id
        stamped = ({**row, "run_id": run_id} for row in rows)
        path = staging_path(run_id, table, date, shard)
        self._lake.write_parquet(path, record_batches(stamped, schema), schema)
        yield path


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
