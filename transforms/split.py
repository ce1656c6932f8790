"""Several outputs from one step, portable across runners.

Beam's tagged outputs (`with_outputs`) are the usual idiom, but the DaskRunner
(Beam 2.77) hands every element to every tag. So steps here emit (kind, value)
pairs, and SplitByKind fans them out with one cheap filter per kind; it runs
the same on every runner.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    """{name: PCollection} -> one dict {name: element count}, written as JSON by `write`."""

    def __init__(self, write: beam.DoFn) -> None:
        super().__init__()
        self._write = write

    def expand(self, named):  # type: ignore[no-untyped-def]
        counts = [
            pcoll
            | f"Count_{name}" >> beam.combiners.Count.Globally()
            | f"Name_{name}" >> beam.Map(lambda n, name=name: (name, n))
            for name, pcoll in named.items()
        ]
        return (
            counts
            | "AllCounts" >> beam.Flatten()
            | "OneDict" >> beam.combiners.ToDict()
            | "WriteCounts" >> beam.ParDo(self._write)
        )
