"""Read inputs into Articles: one composite step, dead letters on a side output."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam

from newsbeam.transforms.language import with_language
from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources import read_source
from newsbeam.transforms.split import SplitByKind

ERRORS = "errors"
ARTICLES = "articles"


class ReadSourceFn(beam.DoFn):
    """A file path -> ("articles", Article) and ("errors", ErrorRecord) pairs."""

    def process(self, path: str) -> Iterator[tuple[str, Article | ErrorRecord]]:
        for record in read_source(path):
            yield (ERRORS if isinstance(record, ErrorRecord) else ARTICLES), record


class ReadArticles(beam.PTransform):
    """File paths -> Articles with a language; unreadable inputs on the `errors` output."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__()
        self._paths = paths

    def expand(self, pbegin):  # type: ignore[no-untyped-def]
        read = (
            pbegin
            | "ListInputs" >> beam.Create(self._paths)
            # Reshuffle spreads files over workers instead of one worker reading all.
            | "Spread" >> beam.Reshuffle()
            | "Parse" >> beam.ParDo(ReadSourceFn())
            | "ArticlesOrErrors" >> SplitByKind(ARTICLES, ERRORS)
        )
        articles = read[ARTICLES] | "DetectLanguage" >> beam.Map(with_language)
        return {"articles": articles, ERRORS: read[ERRORS]}
