"""The lake's tables: one module per table, each with NAME and an explicit pyarrow SCHEMA."""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from newsbeam.schemas import (
    articles,
    duplicates,
    entities,
    errors,
    events,
    feeds,
    minhash,
    persons,
    places,
    quotes,
    timex,
)

TABLES: dict[str, pa.Schema] = {
    m.NAME: m.SCHEMA
    for m in (
        articles, entities, persons, quotes, timex, places, events, errors, duplicates, feeds,
        minhash,
    )
}  # fmt: skip
# Tables whose names start with "_" are internal state: readers skip them.
PUBLIC_TABLES = [name for name in TABLES if not name.startswith("_")]

# Rows partition by the article's publication date; errors by the day they occurred.
PARTITION_COLUMN = "date"

# Filled in by the sink, not by the code that makes rows.
SINK_COLUMNS = {"run_id"}


@cache
def _required(table: str) -> tuple[str, ...]:
    """A table's non-nullable columns that row makers fill (every row is checked)."""
    return tuple(f.name for f in TABLES[table] if not f.nullable and f.name not in SINK_COLUMNS)


def missing_required(table: str, row: dict) -> list[str]:
    """Non-nullable columns a row leaves empty (the sink would write bad data)."""
    return [name for name in _required(table) if row.get(name) is None]
