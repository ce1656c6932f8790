"""Replace the rows of some articles in a table: one Iceberg snapshot per table.

`newsbeam reprocess` analyses articles that are already in the lake again and
commits the new rows in place of the old ones. For each table that holds rows
about articles, the commit is one `overwrite` snapshot: the data files that hold
rows of the reprocessed articles leave the table, the rows of other articles in
them come back in a new file beside them (copy-on-write), and the new rows are
added. Readers see the old rows or the new ones, never both, never neither.
"""

from __future__ import annotations

import posixpath
import uuid
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from newsbeam.schemas import PARTITION_COLUMN
from newsbeam.transforms.lake.filesystem import Lake
from newsbeam.transforms.lake.iceberg import file_schema

# Tables whose rows are made by the NLP of one article: all of them are replaced.
NLP_TABLES = ("entities", "persons", "quotes", "timex", "places", "events")
# Error rows an analysis makes (the others, of reading and fetching, stay).
NLP_ERROR_STAGES = ("nlp", "language")
NLP_ERROR_PREFIX = "extract:"
# The order of a reprocess commit: `articles` last, as in an ingest's commit.
REPLACED_TABLES = (*NLP_TABLES, "errors", "articles")


def article_ids_filter(ids: list[str]):  # type: ignore[no-untyped-def]
    """`article_id IN ids` as a pyiceberg expression (its statistics prune the files)."""
    from pyiceberg import expressions

    build: Any = expressions.In  # pyiceberg's stubs describe the pydantic fields, not __init__
    return build("article_id", set(ids))


def replaced_mask(name: str, data: pa.Table, ids: pa.Array) -> pa.Array:
    """The rows of `data` that a reprocess of `ids` replaces."""
    mask = pc.fill_null(pc.is_in(data["article_id"], ids), False)
    if name == "errors":
        stage = data["stage"]
        made_by_nlp = pc.or_(
            pc.is_in(stage, pa.array(NLP_ERROR_STAGES)),
            pc.starts_with(stage, NLP_ERROR_PREFIX),
        )
        mask = pc.and_(mask, pc.fill_null(made_by_nlp, False))
    return mask


def replace_rows(
    lake: Lake, table, name: str, ids: list[str], new_files: list[str], run_id: str
) -> int:  # type: ignore[no-untyped-def]
    """Swap the rows of `ids` in `table` for the rows in `new_files` (URIs), in
    one overwrite snapshot tagged with the run id. Returns the rows removed."""
    from pyiceberg.io.pyarrow import parquet_file_to_data_file

    wanted = pa.array(sorted(ids), pa.string())
    deleted, added, removed = [], [], 0
    if table.current_snapshot() is not None and ids:
        for task in table.scan(row_filter=article_ids_filter(ids)).plan_files():
            data = lake.read_parquet_table(task.file.file_path)
            mask = replaced_mask(name, data, wanted)
            hits = pc.sum(mask).as_py() or 0
            if not hits:
                continue
            removed += hits
            deleted.append(task.file)
            kept = data.filter(pc.invert(mask))
            if kept.num_rows:
                added.append(_write_kept(lake, name, task, kept, run_id))
    added.extend(new_files)
    if not deleted and not added:
        return 0
    with table.transaction() as txn:
        snapshot = txn.update_snapshot(snapshot_properties={"newsbeam.run_id": run_id})
        with snapshot.overwrite() as overwrite:
            for data_file in deleted:
                overwrite.delete_data_file(data_file)
            for path in added:
                overwrite.append_data_file(
                    parquet_file_to_data_file(table.io, table.metadata, path)
                )
    return removed


def _write_kept(lake: Lake, name: str, task, kept: pa.Table, run_id: str) -> str:  # type: ignore[no-untyped-def]
    """The rows of other articles in a rewritten file, in a new file beside it,
    in today's schema (a migrated file may lack the `date` column: its partition
    value gives it)."""
    schema = file_schema(name)
    if PARTITION_COLUMN not in kept.column_names:
        day = task.file.partition[0]
        kept = kept.append_column(PARTITION_COLUMN, pa.array([day] * kept.num_rows, pa.date32()))
    for field in schema:
        if field.name not in kept.column_names:
            kept = kept.append_column(field.name, pa.nulls(kept.num_rows, field.type))
    kept = kept.select(schema.names).cast(schema)
    folder = posixpath.dirname(task.file.file_path)
    path = f"{folder}/{run_id}-kept-{uuid.uuid4().hex[:12]}.parquet"
    lake.write_parquet(path, kept.to_batches(), schema)
    return path
