"""Read inputs into Articles: one composite step, dead letters on a side output."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue

from newsbeam.transforms.language import with_language
from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources import read_source

ERRORS = "errors"
COUNTERS = "newsbeam"


class ReadSourceFn(beam.DoFn):
    """A file path -> its Articles (main output) and ErrorRecords (`errors`)."""

    def process(self, path: str) -> Iterator[Article | pvalue.TaggedOutput]:
        for record in read_source(path):
            if isinstance(record, ErrorRecord):
                beam.metrics.Metrics.counter(COUNTERS, "inputs_failed").inc()
                yield pvalue.TaggedOutput(ERRORS, record)
            else:
                beam.metrics.Metrics.counter(COUNTERS, "inputs_read").inc()
                yield record


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
            | "Parse" >> beam.ParDo(ReadSourceFn()).with_outputs(ERRORS, main="articles")
        )
        articles = read.articles | "DetectLanguage" >> beam.Map(with_language)
        return {"articles": articles, ERRORS: read[ERRORS]}
