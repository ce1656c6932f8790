"""Idempotency and in-run dedup: keep the first record per key, skip keys the lake has.

Keys already in the lake are read from its Parquet files by the workers, then
joined to the run's records with one CoGroupByKey: no global set in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import apache_beam as beam

from newsbeam.transforms.lake.filesystem import Lake, LakeConfig
from newsbeam.transforms.split import SplitByKind

KEPT = "kept"
DUPLICATES = "duplicates"
KNOWN = "known"


class ReadKeysFn(beam.DoFn):
    """Parquet file path in the lake -> (key column, article_id) pairs, nulls skipped."""

    def __init__(self, lake: LakeConfig, column: str) -> None:
        self._lake_config = lake
        self._column = column

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)

    def process(self, rel_path: str) -> Iterator[tuple[str, str]]:
        columns = self._lake.read_parquet_columns(rel_path, [self._column, "article_id"])
        pairs = zip(columns[self._column], columns["article_id"], strict=True)
        yield from ((k, i) for k, i in pairs if k is not None)


class KeepFirstFn(beam.DoFn):
    """Per key: if the lake has it, every record goes to `known` (with the lake's
    article_id); else the first is kept and the rest go to `duplicates` (with the
    kept one's id)."""

    def __init__(self, id_of: Callable[[Any], str]) -> None:
        self._id_of = id_of

    def process(self, element: tuple[str, dict[str, list]]) -> Iterator[Any]:
        _key, groups = element
        records = sorted(groups["new"], key=_order)
        if not records:
            return
        if groups["known"]:
            for record in records:
                yield KNOWN, (record, min(groups["known"], key=str))
            return
        yield KEPT, records[0]
        kept_id = self._id_of(records[0])
        for record in records[1:]:
            yield DUPLICATES, (record, kept_id)


def _order(record: Any) -> str:
    # Deterministic choice of "the first": the smallest source name.
    return getattr(record, "source", None) or str(record)


class SplitKnown(beam.PTransform):
    """Records -> `kept`: the first new record per key; `duplicates` and `known`
    (already in the lake): (record, article_id it repeats) pairs.

    `known_files` are the lake's Parquet files whose `column` holds the keys that
    earlier runs wrote (listed by the driver, read by the workers).
    """

    def __init__(
        self,
        key: Callable[[Any], str],
        lake: LakeConfig,
        known_files: list[str],
        column: str,
        id_of: Callable[[Any], str] | None = None,
    ) -> None:
        super().__init__()
        self._key = key
        self._id_of = id_of or key
        self._lake = lake
        self._known_files = known_files
        self._column = column

    def expand(self, records):  # type: ignore[no-untyped-def]
        key = self._key
        new = records | "KeyNew" >> beam.Map(lambda r: (key(r), r))
        known = (
            records.pipeline
            | "ListKnownFiles" >> beam.Create(self._known_files)
            | "ReadKnownKeys" >> beam.ParDo(ReadKeysFn(self._lake, self._column))
        )
        return (
            {"new": new, "known": known}
            | "JoinWithLake" >> beam.CoGroupByKey()
            | "KeepFirst" >> beam.ParDo(KeepFirstFn(self._id_of))
            | "KeptOrNot" >> SplitByKind(KEPT, DUPLICATES, KNOWN)
        )
