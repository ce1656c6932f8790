"""Drop near-duplicates (syndicated copies) of articles kept this tick or earlier."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam

from newsbeam.transforms.feeds.minhash_index import NearDuplicateIndex, signature
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.records import Article
from newsbeam.transforms.rows import partition_date
from newsbeam.transforms.split import SplitByKind

KEPT = "kept"
DUPLICATES = "duplicates"
SIGNATURES = "signatures"


class ReadSignaturesFn(beam.DoFn):
    def __init__(self, lake: LakeConfig) -> None:
        self._lake_config = lake

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)

    def process(self, rel_path: str) -> Iterator[tuple[str, list[int]]]:
        columns = self._lake.read_parquet_columns(rel_path, ["article_id", "signature"])
        yield from zip(columns["article_id"], columns["signature"], strict=True)


class KeepDistinctFn(beam.DoFn):
    """All of a tick's articles at once (a tick is small): keep the first of each story."""

    def process(
        self, element: tuple[None, Iterable[Article]], known: Iterable[tuple[str, list[int]]]
    ) -> Iterator[object]:
        index = NearDuplicateIndex()
        for article_id, values in known:
            index.add(article_id, list(values))
        for article in sorted(
            element[1], key=lambda a: (a.published_at is None, a.published_at, a.source)
        ):
            values = signature(article.text)
            match = index.match(values)
            if match:
                yield DUPLICATES, (article, match[0], match[1])
                continue
            index.add(article.article_id, values)
            row = {"article_id": article.article_id, "signature": values}
            yield SIGNATURES, ("_minhash", partition_date(article), row)
            yield KEPT, article


class DropNearDuplicates(beam.PTransform):
    """Articles -> main (distinct), `duplicates` (article, kept id, similarity), and
    `signatures`: rows for the hidden `_minhash` table that later ticks compare with."""

    def __init__(self, lake: LakeConfig, signature_files: list[str]) -> None:
        super().__init__()
        self._lake = lake
        self._files = signature_files

    def expand(self, articles):  # type: ignore[no-untyped-def]
        known = (
            articles.pipeline
            | "ListSignatureFiles" >> beam.Create(self._files)
            | "ReadSignatures" >> beam.ParDo(ReadSignaturesFn(self._lake))
        )
        return (
            articles
            | "AllTogether" >> beam.Map(lambda a: (None, a))
            | "Group" >> beam.GroupByKey()
            | "KeepDistinct" >> beam.ParDo(KeepDistinctFn(), beam.pvalue.AsList(known))
            | "KeptOrNot" >> SplitByKind(KEPT, DUPLICATES, SIGNATURES)
        )
