"""`newsbeam reprocess`: analyse articles already in the lake again, replace their rows.

After a model or extractor change, or for articles whose analysis failed
(`nlp_status = error`, e.g. a mistyped `--model`) once a pipeline is installed:

lake articles (selected) -> AnalyzeArticles -> WriteRunTables (staged)
the driver then replaces the selected articles' rows in every table that holds
rows about them, one overwrite snapshot per table, `articles` last (replace.py).

An article is selected when it matches the filters and its rows were made by
another pipeline than the one that serves its language now (the `pipeline`
column: newsbeam's version and the spaCy pipeline's); `force` selects it anyway.
So a second reprocess with the same pipeline finds nothing to do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc

from newsbeam.pipelines.ingest import new_run_id
from newsbeam.pipelines.staged_run import open_for_run, run_staged
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.commit import commit_run
from newsbeam.transforms.lake.replace import article_ids_filter
from newsbeam.transforms.lake.staging import WriteJsonFn, WriteRunTables, counts_path
from newsbeam.transforms.lake.tables import snapshot_of, table
from newsbeam.transforms.nlp import AnalyzeArticles, pipeline_version
from newsbeam.transforms.records import Article
from newsbeam.transforms.split import CountRun

# What the driver reads to select articles (their text is read by the workers).
SELECT_COLUMNS = ("article_id", "language", "pipeline", "nlp_status", "date")


class BadFilter(ValueError):
    """--where cannot be parsed as a row filter; the message says why."""


@dataclass
class ReprocessConfig:
    lake: LakeConfig
    models: dict[str, str] = field(default_factory=dict)
    where: str | None = None  # a row filter on `articles`, e.g. "nlp_status = 'error'"
    language: str | None = None
    since: date | None = None  # publication day (the `date` partition) on or after
    force: bool = False  # also articles the current pipeline already made
    num_shards: int = 2
    beam_args: list[str] = field(default_factory=list)


@dataclass
class ReprocessSummary:
    run_id: str
    lake: str
    matched: int = 0  # articles the filters selected
    current: int = 0  # of those, made by today's pipeline already (skipped)
    no_pipeline: dict[str, int] = field(default_factory=dict)  # language -> articles skipped
    reprocessed: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    wall_seconds: float = 0.0

    def render(self) -> str:
        lines = [
            f"reprocess {self.run_id} finished in {self.wall_seconds:.1f} s",
            f"  articles matched        {self.matched}",
            f"  already current         {self.current}",
            f"  reprocessed             {self.reprocessed}",
            "  rows per table          "
            + (", ".join(f"{t}={n}" for t, n in sorted(self.rows.items())) or "none"),
            f"  tables in               {self.lake}",
        ]
        for language, n in sorted(self.no_pipeline.items()):
            lines.append(
                f"  skipped {n} articles in {language!r}: no pipeline serves it "
                "(`newsbeam models` says how to install one)"
            )
        return "\n".join(lines)


def row_filter(config: ReprocessConfig):  # type: ignore[no-untyped-def]
    """The filters as one pyiceberg expression on `articles`."""
    from pyiceberg import expressions
    from pyiceberg.expressions.parser import parse

    # pyiceberg's stubs describe the pydantic fields, not the constructors.
    equal_to: Any = expressions.EqualTo
    at_least: Any = expressions.GreaterThanOrEqual
    found: Any = expressions.AlwaysTrue()
    if config.where:
        try:
            found = parse(config.where)
        except Exception as exc:  # pyparsing's errors name the position
            raise BadFilter(
                f"--where {config.where!r} is not a row filter ({exc}); write it like "
                "\"nlp_status = 'error' AND language = 'de'\""
            ) from exc
    if config.language:
        found = expressions.And(found, equal_to("language", config.language))
    if config.since:
        found = expressions.And(found, at_least("date", config.since.isoformat()))
    return found


def current_pipelines(languages: list[str], models: dict[str, str]) -> dict[str, str | None]:
    """language -> the `pipeline` value its rows get today (None: nothing serves it)."""
    from newsbeam.models import registry

    found = {}
    for language in languages:
        label = registry.resolved_label(language, models)
        found[language] = pipeline_version(label) if label else None
    return found


def select(config: ReprocessConfig, summary: ReprocessSummary) -> list[str]:
    """The ids of the articles to reprocess (filters, then pipeline not current)."""
    snapshot = snapshot_of(Lake(config.lake), "articles")
    if snapshot is None:
        return []
    articles = table(config.lake, "articles")
    schema_id = articles.snapshot_by_id(snapshot).schema_id
    columns = {f.name for f in articles.schemas()[schema_id].fields}
    try:
        scan = articles.scan(
            row_filter=row_filter(config),
            selected_fields=tuple(c for c in SELECT_COLUMNS if c in columns),
            snapshot_id=snapshot,
        )
        found = scan.to_arrow()
    except (ValueError, TypeError) as exc:  # an unknown column, a wrong type
        raise BadFilter(f"--where {config.where!r}: {exc}") from exc
    summary.matched = found.num_rows
    if "pipeline" not in found.column_names:  # snapshots from before the column
        found = found.append_column("pipeline", pa.nulls(found.num_rows, pa.string()))
    languages = [x for x in pc.unique(found["language"]).to_pylist() if x]
    today = current_pipelines(languages, config.models)
    selected = []
    for row in found.select(["article_id", "language", "pipeline"]).to_pylist():
        now = today.get(row["language"])
        if now is None:
            summary.no_pipeline[str(row["language"])] = (
                summary.no_pipeline.get(str(row["language"]), 0) + 1
            )
        elif config.force or row["pipeline"] != now:
            selected.append(row["article_id"])
        else:
            summary.current += 1
    return selected


def data_files_of(config: LakeConfig, ids: list[str]) -> list[str]:
    """The articles table's data files that may hold these ids (stats prune the rest)."""
    snapshot = snapshot_of(Lake(config), "articles")
    scan = table(config, "articles").scan(row_filter=article_ids_filter(ids), snapshot_id=snapshot)
    return sorted(t.file.file_path for t in scan.plan_files())


def article_from_row(row: dict) -> Article:
    """An `articles` row back into the Article the NLP saw (ingested_at stays)."""
    return Article(
        article_id=row["article_id"],
        source=row["source"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        published_at=row["published_at"],
        published_source=row["published_source"],
        language=row["language"],
        language_source=row["language_source"],
        fetched_at=row["ingested_at"],
        canonical_url=row["canonical_url"],
        authors=row["authors"],
        text_source=row["text_source"],
        feed_url=row["feed_url"],
    )


class ReadLakeArticlesFn(beam.DoFn):
    """A data file of `articles` -> the Articles in it whose ids were selected."""

    def __init__(self, lake: LakeConfig, ids: list[str]) -> None:
        self._lake_config = lake
        self._ids = ids

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)
        self._wanted = pa.array(self._ids, pa.string())

    def process(self, uri: str) -> Iterator[Article]:
        data = self._lake.read_parquet_table(uri)
        data = data.filter(pc.is_in(data["article_id"], self._wanted))
        for row in data.to_pylist():
            yield article_from_row(row)


def build(
    p: beam.Pipeline, config: ReprocessConfig, run_id: str, ids: list[str], files: list[str]
) -> None:
    articles = (
        p
        | "ArticleFiles" >> beam.Create(files)
        | "ReadArticles" >> beam.ParDo(ReadLakeArticlesFn(config.lake, ids))
    )
    analysed = articles | "AnalyzeArticles" >> AnalyzeArticles(config.models)
    rows = analysed | "Rows" >> beam.Filter(lambda row: row[0] != "errors")
    errors = analysed | "Errors" >> beam.Filter(lambda row: row[0] == "errors")
    {"in_place": rows, "grouped": errors} | "WriteTables" >> WriteRunTables(
        config.lake, run_id, config.num_shards
    )
    {"articles_read": articles} | "CountRun" >> CountRun(
        WriteJsonFn(config.lake, counts_path(run_id))
    )


def run(config: ReprocessConfig) -> ReprocessSummary:
    started = time.monotonic()
    config.lake, lake, _ = open_for_run(config.lake)
    run_id = new_run_id()
    summary = ReprocessSummary(run_id=run_id, lake=config.lake.display())
    ids = select(config, summary)
    if ids:
        files = data_files_of(config.lake, ids)
        run_staged(lake, run_id, config.beam_args, lambda p: build(p, config, run_id, ids, files))
        counts = lake.read_json(counts_path(run_id))
        committed = commit_run(lake, run_id, {"reprocessed": counts["articles_read"]}, replaces=ids)
        summary.rows = committed.rows
        summary.reprocessed = committed.rows.get("articles", 0)
    summary.wall_seconds = time.monotonic() - started
    return summary
