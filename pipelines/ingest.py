"""`newsbeam ingest`: files in, partitioned Parquet tables out, as one Beam batch job.

inputs -> ReadArticles -> DropDuplicates -> AnalyzeArticles ----> WriteRunTables (in place)
errors (every stage) -> DropKnownErrors, duplicates ------------> WriteRunTables (grouped)
the driver then commits the files the run listed.

Large inputs run as several such jobs of at most `chunk_mb` of input files each,
one after the other, each committed on its own: the DirectRunner keeps a job's
collections in memory, so chunks keep memory flat however large the input, and
a crash costs at most the chunk in flight (a rerun skips what was committed).
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import apache_beam as beam

from newsbeam.pipelines.staged_run import open_for_run, run_staged
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.commit import commit_run, committed_runs
from newsbeam.transforms.lake.dedupe import SplitKnown
from newsbeam.transforms.lake.staging import WriteJsonFn, WriteRunTables, counts_path
from newsbeam.transforms.lake.tables import data_files
from newsbeam.transforms.nlp import AnalyzeArticles
from newsbeam.transforms.read import ReadArticles
from newsbeam.transforms.rows import duplicate_row, error_row
from newsbeam.transforms.sources import expand_sources
from newsbeam.transforms.split import CountRun


class NothingToRead(Exception):
    """The sources named no input at all: no Beam job is started."""


@dataclass
class IngestConfig:
    sources: list[str]
    lake: LakeConfig
    models: dict[str, str] = field(default_factory=dict)
    num_shards: int = 2
    beam_args: list[str] = field(default_factory=list)
    chunk_mb: float = 64.0


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
    chunk_runs: list[str] = field(default_factory=list)  # every job's run id, in order
    notes: list[str] = field(default_factory=list)  # sources that gave no input at all

    @property
    def nothing_read(self) -> bool:
        """Not one input could be read (all missing or broken, or none found)."""
        return self.inputs == self.input_errors

    @property
    def balanced(self) -> bool:
        """Every input is an article, an error, a duplicate or already in the lake."""
        accounted = self.articles_written + self.input_errors + self.duplicates
        return self.inputs == accounted + self.already_in_lake

    def add(self, other: RunSummary) -> None:
        """Fold one chunk's summary into the whole run's."""
        self.inputs += other.inputs
        self.articles_written += other.articles_written
        self.input_errors += other.input_errors
        self.duplicates += other.duplicates
        self.already_in_lake += other.already_in_lake
        for table, n in other.rows.items():
            self.rows[table] = self.rows.get(table, 0) + n
        self.chunk_runs.append(other.run_id)

    def render(self) -> str:
        runs = f"run {self.run_id}"
        if len(self.chunk_runs) > 1:
            runs = f"{len(self.chunk_runs)} runs ({self.chunk_runs[0]} ... {self.chunk_runs[-1]})"
        lines = [
            f"{runs} finished in {self.wall_seconds:.1f} s",
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
        data_files(config.lake, "articles"),
        "article_id",
    )
    analysed = articles["kept"] | "AnalyzeArticles" >> AnalyzeArticles(config.models)
    input_errors = read["errors"] | "ErrorRows" >> beam.Map(error_row)
    duplicates = articles["duplicates"] | "DuplicateRows" >> beam.MapTuple(
        lambda article, kept_id: duplicate_row(article, kept_id, "same_id")
    )
    # The NLP rows are written where they were made (fused with the NLP);
    # only the few error and duplicate rows are grouped.
    analysed_rows = analysed | "AnalysedRows" >> beam.Filter(lambda row: row[0] != "errors")
    analysis_errors = analysed | "AnalysisErrors" >> beam.Filter(lambda row: row[0] == "errors")
    errors = (analysis_errors, input_errors) | "AllErrors" >> beam.Flatten()
    new_errors = errors | "DropKnownErrors" >> SplitKnown(
        lambda row: row[2]["error_id"],
        config.lake,
        data_files(config.lake, "errors"),
        "error_id",
    )
    small = (new_errors["kept"], duplicates) | "SmallRows" >> beam.Flatten()
    {"in_place": analysed_rows, "grouped": small} | "WriteTables" >> WriteRunTables(
        config.lake, run_id, config.num_shards
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


def chunk_inputs(paths: list[str], max_bytes: int) -> list[list[str]]:
    """Consecutive groups of input files of at most max_bytes each (a bigger file is alone)."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for path in paths:
        try:
            n = os.path.getsize(path)
        except OSError:
            n = 0  # a missing file costs nothing; reading it gives its error row
        if current and size + n > max_bytes:
            chunks.append(current)
            current, size = [], 0
        current.append(path)
        size += n
    return [*chunks, current] if current or not chunks else chunks


def run(config: IngestConfig) -> RunSummary:
    started = time.monotonic()
    expanded = expand_sources(config.sources)
    if not expanded.paths:
        raise NothingToRead("; ".join(expanded.notes) or "no sources given")
    config.lake, lake, recovered = open_for_run(config.lake)
    total: RunSummary | None = None
    for chunk in chunk_inputs(expanded.paths, int(config.chunk_mb * 2**20)):
        part = run_chunk(config, lake, chunk)
        if total is None:
            total = RunSummary(run_id=part.run_id, lake=part.lake)
        total.add(part)
    assert total is not None  # chunk_inputs always gives at least one chunk
    total.recovered_runs = recovered
    total.notes = expanded.notes
    total.wall_seconds = time.monotonic() - started
    return total


def run_chunk(config: IngestConfig, lake: Lake, inputs: list[str]) -> RunSummary:
    """One Beam job over some input files, committed when it succeeds."""
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id, lake=config.lake.display())
    seen = committed_runs(lake)  # what "already in the lake" means for this run
    run_staged(lake, run_id, config.beam_args, lambda p: build(p, inputs, config, run_id, lake))
    counts = lake.read_json(counts_path(run_id))
    summary.inputs = counts["inputs_read"] + counts["inputs_failed"]
    summary.input_errors = counts["inputs_failed"]
    summary.duplicates = counts["duplicates"]
    summary.already_in_lake = counts["already_in_lake"]
    committed = commit_run(lake, run_id, {"inputs": summary.inputs}, seen)
    summary.rows = committed.rows
    summary.articles_written = committed.rows.get("articles", 0)
    # Committed by a run beside this one while it ran: in the lake once, not twice.
    summary.already_in_lake += committed.dropped_articles
    return summary
