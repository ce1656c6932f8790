"""The lake's Iceberg tables as a run and a reader meet them.

Each table's append is one Iceberg snapshot. A run spans several tables, so
the commit ends by writing `_state/snapshots.json` (atomically: a rename
locally, one PUT on S3): the snapshot of every table as of that run, plus the
same for every earlier run. Readers that go through it (`read_table`, the
README's recipes) see the lake as of the last committed run, whole; with
`as_of_run` as of any earlier one (time travel).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from functools import lru_cache

import pyarrow as pa

from newsbeam.schemas import PUBLIC_TABLES
from newsbeam.transforms.lake.filesystem import Lake, LakeConfig
from newsbeam.transforms.lake.iceberg import (
    catalog_config,
    ensure_tables,
    file_schema,
    open_catalog,
)

POINTER = "_state/snapshots.json"
# Runs kept in the pointer's history, for time travel by run id.
MAX_HISTORY = 10_000


_OPENING = threading.Lock()


def lake_tables(config: LakeConfig) -> dict:
    """name -> pyiceberg Table, every table created where missing (once per process;
    DoFns of one worker opening the lake at once wait for the first)."""
    with _OPENING:
        return _lake_tables(config)


@lru_cache(maxsize=8)
def _lake_tables(config: LakeConfig) -> dict:
    catalog = catalog_config(config)
    return ensure_tables(open_catalog(catalog), config, catalog.kind, catalog.namespace)


def table(config: LakeConfig, name: str):  # type: ignore[no-untyped-def]
    found = lake_tables(config)[name]
    found.refresh()  # another process may have committed since
    return found


def data_location(config: LakeConfig, name: str) -> str:
    return f"{lake_tables(config)[name].location().rstrip('/')}/data"


class OldLayout(RuntimeError):
    """A lake written before the tables were Iceberg tables (Hive folders)."""


def check_layout(lake: Lake) -> None:
    """Refuse a lake in the old Hive layout instead of ignoring its rows: Iceberg
    readers and the dedupe would not see them, and a run would write them again."""
    if lake.exists(POINTER):
        return
    old = [p for p in lake.list_files("articles", ".parquet") if "/data/" not in p]
    if old:
        raise OldLayout(
            f"{lake.config.display()} holds Hive-layout tables from an older newsbeam "
            f"({old[0]}, ...): newsbeam now writes Iceberg tables; run `newsbeam lake "
            "migrate` on it once (the data files stay where they are)"
        )


def read_pointer(lake: Lake) -> dict:
    return lake.read_json(POINTER) if lake.exists(POINTER) else {"snapshots": {}, "history": []}


def write_pointer(lake: Lake, run_id: str, snapshots: dict[str, int]) -> None:
    old = read_pointer(lake)
    entry = {
        "run_id": run_id,
        "committed_at": datetime.now(UTC).isoformat(),
        "snapshots": snapshots,
    }
    history = [*old.get("history", []), entry][-MAX_HISTORY:]
    lake.write_json(POINTER, {**entry, "history": history})


def snapshots_as_of(lake: Lake, as_of_run: str | None = None) -> dict[str, int]:
    """Each table's snapshot as of the last committed run (or `as_of_run`)."""
    pointer = read_pointer(lake)
    if as_of_run is not None:
        matches = [h for h in pointer.get("history", []) if h["run_id"] == as_of_run]
        if not matches:
            raise KeyError(f"no committed run {as_of_run} in this lake")
        pointer = matches[-1]
    return dict(pointer.get("snapshots", {}))


def snapshot_of(lake: Lake, name: str, as_of_run: str | None = None) -> int | None:
    return snapshots_as_of(lake, as_of_run).get(name)


def read_table(config: LakeConfig, name: str, as_of_run: str | None = None) -> pa.Table:
    """A table as of the last committed run (or `as_of_run`): never part of a run."""
    return _scan(config, name, snapshot_of(Lake(config), name, as_of_run))


def read_lake(config: LakeConfig, as_of_run: str | None = None) -> dict[str, pa.Table]:
    """Every table as of one committed run: the pointer is read once, so the
    tables agree with each other (a run is in all of them or in none)."""
    snapshots = snapshots_as_of(Lake(config), as_of_run)
    return {name: _scan(config, name, snapshots.get(name)) for name in PUBLIC_TABLES}


def _scan(config: LakeConfig, name: str, snapshot: int | None) -> pa.Table:
    if snapshot is None:
        return file_schema(name).empty_table()
    found = table(config, name).scan(snapshot_id=snapshot).to_arrow()
    return conform(found, file_schema(name))


def conform(found: pa.Table, schema: pa.Schema) -> pa.Table:
    """A snapshot made before a column was added reads with that column as nulls,
    so every read of a table has the columns of today's schema."""
    missing = [f for f in schema if f.name not in found.column_names]
    for field in missing:
        found = found.append_column(field.name, pa.nulls(found.num_rows, field.type))
    return found.select([f.name for f in schema if f.name in found.column_names])


def data_files(config: LakeConfig, name: str) -> list[str]:
    """The data files of a table as of the last committed run (URIs)."""
    snapshot = snapshot_of(Lake(config), name)
    if snapshot is None:
        return []
    return sorted(
        t.file.file_path for t in table(config, name).scan(snapshot_id=snapshot).plan_files()
    )


def current_files(found) -> set[str]:  # type: ignore[no-untyped-def]
    """The data files (URIs) of a table's current snapshot: what a commit that
    was cut short, or a migration run again, must not add a second time."""
    if found.current_snapshot() is None:
        return set()
    return {t.file.file_path for t in found.scan().plan_files()}


def expire(config: LakeConfig, keep_runs: int) -> dict[str, int]:
    """Forget all but the last `keep_runs` runs: their snapshots are expired in
    every table and their entries leave the pointer's history (no time travel to
    them any more). Returns the snapshots expired per table."""
    lake = Lake(config)
    pointer = read_pointer(lake)
    history = pointer.get("history", [])[-max(1, keep_runs) :]
    keep: dict[str, set[int]] = {}
    for entry in [*history, pointer]:
        for name, snapshot in entry.get("snapshots", {}).items():
            keep.setdefault(name, set()).add(snapshot)
    expired = {}
    for name in PUBLIC_TABLES:
        found = table(config, name)
        old = [
            s.snapshot_id for s in found.snapshots() if s.snapshot_id not in keep.get(name, set())
        ]
        current = found.current_snapshot()
        old = [s for s in old if current is None or s != current.snapshot_id]
        if old:
            found.maintenance.expire_snapshots().by_ids(old).commit()
        expired[name] = len(old)
    lake.write_json(POINTER, {**pointer, "history": history})
    return expired
