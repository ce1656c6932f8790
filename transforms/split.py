"""Several outputs from one step, portable across runners.

Beam's tagged outputs (`with_outputs`) are the usual idiom, but the DaskRunner
(Beam 2.77) hands every element to every tag. So steps here emit (kind, value)
pairs, and SplitByKind fans them out with one cheap filter per kind; it runs
the same on every runner.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam


def _only(pair: tuple[str, Any], kind: str) -> Iterator[Any]:
    if pair[0] == kind:
        yield pair[1]


class SplitByKind(beam.PTransform):
    """(kind, value) pairs -> {kind: PCollection of values}."""

    def __init__(self, *kinds: str) -> None:
        super().__init__()
        self._kinds = kinds

    def expand(self, pairs):  # type: ignore[no-untyped-def]
        return {kind: pairs | f"Only_{kind}" >> beam.FlatMap(_only, kind) for kind in self._kinds}


class CountRun(beam.PTransform):
    """{name: PCollection} -> one dict {name: element count}, written as JSON by `write`.

    One combine for all the counts: a Count.Globally per name made 35 of the
    85 steps of an ingest, and every step costs the driver and each worker
    time to set up."""

    def __init__(self, write: beam.DoFn) -> None:
        super().__init__()
        self._write = write

    def expand(self, named):  # type: ignore[no-untyped-def]
        names = [
            pcoll | f"Name_{name}" >> beam.Map(lambda _element, name=name: name)
            for name, pcoll in named.items()
        ]
        return (
            names
            | "AllNames" >> beam.Flatten()
            | "Count" >> beam.CombineGlobally(CountNamesFn(list(named)))
            | "WriteCounts" >> beam.ParDo(self._write)
        )


class CountNamesFn(beam.CombineFn):
    """Names -> {name: how often it came}, every given name present (0 when none came)."""

    def __init__(self, names: list[str]) -> None:
        self._names = names

    def create_accumulator(self) -> dict[str, int]:
        return {}

    def add_input(self, counts: dict[str, int], name: str) -> dict[str, int]:
        counts[name] = counts.get(name, 0) + 1
        return counts

    def merge_accumulators(self, accumulators: Iterable[dict[str, int]]) -> dict[str, int]:
        merged: dict[str, int] = {}
        for counts in accumulators:
            for name, n in counts.items():
                merged[name] = merged.get(name, 0) + n
        return merged

    def extract_output(self, counts: dict[str, int]) -> dict[str, int]:
        return {name: counts.get(name, 0) for name in self._names}
