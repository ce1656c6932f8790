"""The NLP step: spaCy per language, loaded once per worker, run in batches with nlp.pipe.

Extractors run here on each Doc and emit plain rows, so Docs are never pickled
between stages. A language with no pipeline, or an extractor that fails on one
article, becomes an error row; the article itself is still written.
"""

from __future__ import annotations

import contextlib
import gc
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

from newsbeam import __version__
from newsbeam.schemas import missing_required
from newsbeam.transforms.language import UNDETERMINED
from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.rows import TableRow, article_row, error_row, table_rows

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from newsbeam.models.registry import ModelNotAvailable
# spaCy, the models and the extractors are imported where they run (on the
# workers): the driver only builds the graph and starts 0.6 s sooner without them.

# spaCy's memory grows with document length; longer texts are cut for the NLP
# (the full text still goes to `articles`, flagged nlp_status=truncated).
MAX_NLP_CHARS = 100_000
# spaCy's tokenizer is worse than quadratic in a run of prefix/suffix characters
# with no space in it ('"', '(', '“'): 2,500 of them took 0.9 s, 5,000 took 4 s,
# and an article of 100,000 about ten minutes. The NLP sees a space in place of
# every 201st character of such a run (same length, so offsets still match the
# stored text): 100,000 of them then take 0.02 s. A real token is never this long.
MAX_TOKEN_CHARS = 200
_LONG_RUN = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")


def nlp_text(text: str) -> str:
    """The part of an article the NLP sees: at most MAX_NLP_CHARS, no run over
    MAX_TOKEN_CHARS characters without a space; same length as the text it reads."""
    return _LONG_RUN.sub(_break_run, text[:MAX_NLP_CHARS])


def _break_run(match: re.Match[str]) -> str:
    chars = list(match.group(0))
    for i in range(MAX_TOKEN_CHARS, len(chars), MAX_TOKEN_CHARS + 1):
        chars[i] = " "
    return "".join(chars)


# A batch (one AnalyzeBatchFn call, one nlp.pipe) closes at MAX_BATCH articles
# or BATCH_CHARS of text (a bound on the Docs held at once). It must hold at
# least NLP_BATCH articles of news length: batches of 16,000 characters (2-3
# articles) made spaCy's batches that small, and the German pipeline took 5%
# more CPU (112 articles: 20.4-20.7 s against 19.4-19.9 s in batches of 16, 32
# or 64 articles, three runs each).
MAX_BATCH = 64
BATCH_CHARS = 400_000
# With one slot (runners that place keys by hash, e.g. Flink), a key holds about
# this much text, so that the keys spread over the runner's slots.
KEY_CHARS = 16_000
# Articles per spaCy batch inside that call. The German pipeline is ~20% slower
# per article at 64 than at 16 (CPU time, 64 news articles, best of three:
# 64 -> 22.1 s, 16 -> 17.8 s, 8 -> 20.4 s); sorting a batch by length did not help.
NLP_BATCH = 16


def pipeline_version(model_label: str) -> str:
    """What makes an article's rows: newsbeam's version (its rules and extractors)
    and the spaCy pipeline's name and version."""
    return f"newsbeam-{__version__} {model_label}"


def analyse_doc(
    doc: Doc, article: Article, pipeline: str | None = None
) -> tuple[list[TableRow], list[ErrorRecord]]:
    """Run every extractor on one Doc; a failing extractor costs only its own rows."""
    from newsbeam.transforms.extract import EXTRACTORS

    rows: list[TableRow] = []
    errors: list[ErrorRecord] = []
    for table, extractor in EXTRACTORS.items():
        try:
            produced = extractor(doc, article)
            for row in produced:
                missing = missing_required(table, row)
                if missing:
                    raise ValueError(f"row without required columns {missing}")
            rows.extend(table_rows(table, article, produced, pipeline))
        except Exception as exc:  # one bad article must not lose the batch
            errors.append(
                ErrorRecord(
                    source=article.source,
                    stage=f"extract:{table}",
                    kind=type(exc).__name__,
                    message=f"extractor {table!r} failed: {exc}"[:500],
                    input_excerpt=article.text[:4000],
                    article_id=article.article_id,
                )
            )
    return rows, errors


def undetermined_language(article: Article) -> ErrorRecord:
    return ErrorRecord(
        article.source,
        "language",
        "language_undetermined",
        "the language could not be told (too little text, or no clear guess); declare it "
        "(a `language:` header, the feed's <language>, the page's <html lang>)",
        article.text[:400],
        article.article_id,
    )


# Languages whose first batch this process has settled the heap after: once per
# language and process, so a long-running process (`newsbeam schedule`, a test
# session) freezes a bounded amount, whatever it runs later.
SETTLED: set[str] = set()


def settle_heap() -> None:
    """Put what is in memory now (a pipeline and its lexicons and gazetteers,
    millions of objects that live as long as the worker) out of the cyclic GC's
    reach: full collections, and the one at exit, no longer walk them. A worker
    with the German pipeline took 0.8-0.9 s to exit without this, 0.1 s with it,
    and the runner stops its workers one after the other."""
    gc.collect()
    gc.freeze()


class AnalyzeBatchFn(beam.DoFn):
    """Batches of Articles in; article, entity (and other extractor) rows out."""

    def __init__(self, models: dict[str, str] | None = None) -> None:
        self._configured = dict(models or {})

    def setup(self) -> None:
        # Pipelines are loaded lazily, once per language per worker, and kept.
        self._pipelines: dict[str, Language | ModelNotAvailable] = {}

    def _pipeline(self, language: str) -> Language:
        from newsbeam.models import registry

        if language not in self._pipelines:
            try:
                self._pipelines[language] = registry.load(language, self._configured)
            except registry.ModelNotAvailable as exc:
                self._pipelines[language] = exc
        found = self._pipelines[language]
        if isinstance(found, Exception):
            raise found
        return found

    def process(self, batch: list[Article]) -> Iterator[TableRow]:
        from newsbeam.models import registry

        by_language: dict[str, list[Article]] = defaultdict(list)
        for article in batch:
            by_language[article.language or "und"].append(article)
        for language, articles in by_language.items():
            if language == UNDETERMINED:
                for article in articles:
                    yield article_row(article, "error", None)
                    yield error_row(undetermined_language(article))
                continue
            warm = language in self._pipelines  # not its first batch here
            try:
                nlp = self._pipeline(language)
            except registry.ModelNotAvailable as exc:
                for article in articles:
                    yield article_row(article, "error", None)
                    yield error_row(
                        ErrorRecord(
                            article.source, "nlp", "no_model", str(exc), "", article.article_id
                        )
                    )
                continue
            # spaCy keeps every new word it meets (StringStore, lexemes) for the
            # pipeline's life: a worker that runs for weeks (`newsbeam stream`)
            # grew with every article. In a memory zone they are freed with the
            # batch (no Doc outlives it: rows hold plain strings). A language's
            # first batch runs outside one: what the pipeline and the extractors
            # set up on first use must stay.
            with nlp.memory_zone() if warm else contextlib.nullcontext():
                yield from self._analyse(nlp, articles)
        fresh = self._pipelines.keys() - SETTLED
        if fresh:
            # After the first batch of a language, its pipeline and everything the
            # extractors load on first use (lexicons, gazetteers) are in memory.
            settle_heap()
            SETTLED.update(fresh)

    def _analyse(self, nlp: Language, articles: list[Article]) -> Iterator[TableRow]:
        from newsbeam.models import registry
        from newsbeam.transforms.extract.doc_cache import forget
        from newsbeam.transforms.extract.entities import remember_text

        label = registry.model_label(nlp)
        pipeline = pipeline_version(label)
        texts = [nlp_text(a.text) for a in articles]
        for article, text, doc in zip(articles, texts, self._pipe(nlp, texts), strict=True):
            if isinstance(doc, Exception):
                yield article_row(article, "error", label, pipeline)
                yield error_row(
                    ErrorRecord(
                        article.source,
                        "nlp",
                        type(doc).__name__,
                        f"spaCy failed on the article: {doc}"[:500],
                        article.text[:4000],
                        article.article_id,
                    )
                )
                continue
            status = "truncated" if len(article.text) > MAX_NLP_CHARS else "ok"
            yield article_row(article, status, label, pipeline)
            remember_text(doc, text)
            rows, errors = analyse_doc(doc, article, pipeline)
            # The extractors' per-Doc caches point back at the Doc: a cycle only
            # the cyclic GC frees, so workers held hundreds of Docs (~1 MB each
            # with the tensor) and grew by ~1 GB per 1,000 articles. Forgetting
            # them frees each Doc as soon as its batch is done.
            forget(doc)
            yield from rows
            yield from (error_row(e) for e in errors)

    @staticmethod
    def _pipe(nlp: Language, texts: list[str]) -> Iterator[Doc | Exception]:
        """A Doc (or the exception spaCy raised) per text, in order, as nlp.pipe
        makes them: only spaCy's current batch of Docs is held, not the call's."""
        done = 0
        try:
            for doc in nlp.pipe(texts, batch_size=NLP_BATCH):
                yield doc
                done += 1
            return
        except Exception:
            pass
        # A batch failed: the texts from there on one by one, so that the one
        # that broke it gets its error and the others their Docs.
        for text in texts[done:]:
            try:
                yield nlp(text)
            except Exception as exc:
                yield exc


class KeyBySlotFn(beam.DoFn):
    """Article -> (slot, article).

    On the DirectRunner (`ways` = its worker processes, 1 when it runs in the
    driver) there are `ways` slots that get equal shares of the text (each
    article goes to the slot with the least so far; within a bundle the slots
    never differ by more than one article). For runners that place keys by hash
    (`ways` None: Flink, Prism) the key is a part of the bundle instead
    ((bundle, n): KEY_CHARS each), so that the keys spread over their slots."""

    def __init__(self, ways: int | None) -> None:
        self._ways = ways

    def start_bundle(self) -> None:
        self._bundle = uuid.uuid4().hex[:8]  # keys of other bundles never collide
        self._totals = [0] * (self._ways or 1)
        self._batch = 0

    def process(self, article: Article) -> Iterator[tuple[object, Article]]:
        if self._ways is not None:
            slot = min(range(self._ways), key=self._totals.__getitem__)
            self._totals[slot] += len(article.text)
            yield slot, article
            return
        yield (self._bundle, self._batch), article
        self._totals[0] += len(article.text)
        if self._totals[0] >= KEY_CHARS:
            self._batch += 1
            self._totals[0] = 0


def into_batches(articles: Iterable[Article]) -> Iterator[list[Article]]:
    """Consecutive articles in batches of MAX_BATCH articles or BATCH_CHARS of text."""
    batch: list[Article] = []
    chars = 0
    for article in articles:
        batch.append(article)
        chars += len(article.text)
        if chars >= BATCH_CHARS or len(batch) >= MAX_BATCH:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


class SpreadOverWorkers(beam.PTransform):
    """Articles -> batches (lists), spread so that the workers get equal text.

    The DirectRunner with N worker processes groups a stage's input and deals
    the keys out in turn (key k to worker k % N) up front: no worker takes work
    from another at the end. With exactly N keys of equal text, each worker
    gets one, and so the same amount of text within an article per input
    bundle. Earlier schemes left one worker idle at the end: equal article
    counts (a Reshuffle) for seconds; groups of 8,000 characters dealt out in
    turn for 5-8 s of an 80 s run (7% more text on one worker, 600 articles).
    """

    def __init__(self, ways: int | None) -> None:
        super().__init__()
        self._ways = ways

    def expand(self, articles):  # type: ignore[no-untyped-def]
        return (
            articles
            | "KeyBySlot" >> beam.ParDo(KeyBySlotFn(self._ways))
            | "GroupSlots" >> beam.GroupByKey()
            | "Batches" >> beam.FlatMapTuple(lambda _key, group: into_batches(group))
        )


def worker_processes(options: PipelineOptions) -> int | None:
    """The DirectRunner's worker processes (1 when it runs in the driver); None
    for other runners, which place keys by hash."""
    runner = options.view_as(StandardOptions).runner
    if runner is not None and "direct" not in str(runner).lower():
        return None
    direct = options.view_as(DirectOptions)
    if direct.direct_running_mode != "multi_processing":
        return 1
    return max(1, direct.direct_num_workers or 1)


class AnalyzeArticles(beam.PTransform):
    """Articles -> (table, row) pairs for `articles`, `entities` and error rows."""

    def __init__(self, models: dict[str, str] | None = None) -> None:
        super().__init__()
        self._models = models

    def expand(self, articles):  # type: ignore[no-untyped-def]
        return (
            articles
            # Spread articles over the workers: one input file can hold thousands.
            | "Spread" >> SpreadOverWorkers(worker_processes(articles.pipeline.options))
            | "SpacyAndExtract" >> beam.ParDo(AnalyzeBatchFn(self._models))
        )
