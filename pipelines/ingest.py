"""`newsbeam ingest`: files in, partitioned Parquet tables out, as one Beam batch job.

inputs -> ReadArticles -> DropDuplicates -> AnalyzeArticles -> rows
errors (every stage) ---------------------------------------> rows
rows -> DropKnownErrors -> WriteStagedTables; the driver then commits the run.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import apache_beam as beam

from newsbeam.pipelines.staged_run import run_staged
from newsbeam.transforms.commit import commit_run, recover
from newsbeam.transforms.dedupe import SplitKnown
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.nlp import AnalyzeArticles
from newsbeam.transforms.read import ReadArticles
from newsbeam.transforms.rows import duplicate_row, error_row
from newsbeam.transforms.sources import expand_sources
from newsbeam.transforms.split import CountRun
from newsbeam.transforms.write_tables import WriteJsonFn, WriteStagedTables, counts_path


@dataclass
class IngestConfig:
    sources: list[str]
    lake: LakeConfig
    models: dict[str, str] = field(default_factory=dict)
    num_shards: int = 2
    beam_args: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    run_id: str
    lake: str
    inputs: int = 0
    articles_written: int = 0
    input_errors: int = 0
    duplicates: int = 0
    already_in_lake: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    wall_seconds: float = 0.0
    recovered_runs: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """Every input is an article, an error, a duplicate or already in the lake."""
        accounted = self.articles_written + self.input_errors + self.duplicates
        return self.inputs == accounted + self.already_in_lake

    def render(self) -> str:
        lines = [
            f"run {self.run_id} finished in {self.wall_seconds:.1f} s",
            f"  inputs read        {self.inputs}",
            f"  articles written   {self.articles_written}",
            f"  inputs in errors   {self.input_errors}",
            f"  duplicates in run  {self.duplicates}",
            f"  already in lake    {self.already_in_lake}",
            "  rows per table     "
            + (", ".join(f"{t}={n}" for t, n in sorted(self.rows.items())) or "none"),
            f"  tables in          {self.lake}",
        ]
        if self.recovered_runs:
            lines.append(f"  finished commits   {', '.join(self.recovered_runs)}")
        if not self.balanced:
            lines.append("  WARNING: inputs do not add up; see the errors table")
        return "\n".join(lines)


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def build(
    p: beam.Pipeline, inputs: list[str], config: IngestConfig, run_id: str, lake: Lake
) -> None:
    """The ingest graph, top to bottom."""
    read = p | "ReadArticles" >> ReadArticles(inputs)
    articles = read["articles"] | "DropDuplicateArticles" >> SplitKnown(
        lambda a: a.article_id,
        config.lake,
        lake.list_files("articles", ".parquet"),
        "article_id",
    )
    analysed = articles["kept"] | "AnalyzeArticles" >> AnalyzeArticles(config.models)
    input_errors = read["errors"] | "ErrorRows" >> beam.Map(error_row)
    duplicates = articles["duplicates"] | "DuplicateRows" >> beam.MapTuple(
        lambda article, kept_id: duplicate_row(article, kept_id, "same_id")
    )
    rows = (analysed, input_errors, duplicates) | "AllRows" >> beam.Flatten()
    errors = rows | "OnlyErrors" >> beam.Filter(lambda row: row[0] == "errors")
    others = rows | "AllButErrors" >> beam.Filter(lambda row: row[0] != "errors")
    new_errors = errors | "DropKnownErrors" >> SplitKnown(
        lambda row: row[2]["error_id"],
        config.lake,
        lake.list_files("errors", ".parquet"),
        "error_id",
    )
    (
        (new_errors["kept"], others)
        | "RowsToWrite" >> beam.Flatten()
        | "WriteTables" >> WriteStagedTables(config.lake, run_id, config.num_shards)
    )
    # Counts for the summary, written beside the staged files: Beam's metrics are
    # not available on every runner, a file is.
    counted = {
        "inputs_read": read["articles"],
        "inputs_failed": read["errors"],
        "duplicates": articles["duplicates"],
        "already_in_lake": articles["known"],
    }
    counted | "CountRun" >> CountRun(WriteJsonFn(config.lake, counts_path(run_id)))


def run(config: IngestConfig) -> RunSummary:
    started = time.monotonic()
    lake_config = config.lake.with_env_defaults()
    config.lake = lake_config
    lake = Lake(lake_config)
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id, lake=lake_config.display())
    summary.recovered_runs = recover(lake)
    inputs = expand_sources(config.sources)
    run_staged(lake, run_id, config.beam_args, lambda p: build(p, inputs, config, run_id, lake))
    counts = lake.read_json(counts_path(run_id))
    summary.inputs = counts["inputs_read"] + counts["inputs_failed"]
    summary.input_errors = counts["inputs_failed"]
    summary.duplicates = counts["duplicates"]
    summary.already_in_lake = counts["already_in_lake"]
    committed = commit_run(lake, run_id, {"inputs": summary.inputs})
    summary.rows = committed.rows
    summary.articles_written = committed.rows.get("articles", 0)
    summary.wall_seconds = time.monotonic() - started
    return summary
