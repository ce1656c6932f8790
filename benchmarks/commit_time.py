"""Commit time per run as the lake's history grows: does it stay flat?

    python -m benchmarks.commit_time --runs 100 [--lake DIR]

Commits `--runs` runs one after the other into one local lake, each with one
staged file per table (20 articles' worth of rows), through the real commit
(`commit_run`: the lock, the check against runs committed meanwhile, the
Iceberg appends and the snapshot pointer) and the real start-of-run `recover`;
with `--expire-every N`, `lake expire --keep-runs 10` runs every N runs.
Prints the time of both for the 1st, 10th and every 10th run, and appends
the table to RESULTS.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime

from benchmarks.results import machine, publish
from newsbeam.schemas import TABLES
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.commit import commit_run, committed_runs, recover
from newsbeam.transforms.lake.staging import (
    files_list_path,
    record_batches,
    staged_schema,
    staging_path,
)
from newsbeam.transforms.lake.tables import expire

ARTICLES_PER_RUN = 20
ROWS_PER_ARTICLE = {"articles": 1, "entities": 30, "timex": 5, "errors": 1}


def row(table: str, run: int, article: int, index: int) -> dict:
    """A row with every required column filled (strings for strings, and so on)."""
    values: dict = {}
    for field in TABLES[table]:
        kind = str(field.type)
        if field.name == "article_id":
            values[field.name] = f"a{run}-{article}"
        elif field.name == "error_id":
            values[field.name] = f"e{run}-{article}-{index}"
        elif kind.startswith("timestamp"):
            values[field.name] = datetime(2025, 8, 26, tzinfo=UTC)
        elif kind == "date32[day]":
            values[field.name] = date(2025, 8, 26)
        elif kind in ("int32", "int64"):
            values[field.name] = index
        elif kind in ("float", "double"):
            values[field.name] = 0.5
        elif kind == "bool":
            values[field.name] = False
        elif kind == "string":
            values[field.name] = f"{field.name}-{index}"
        else:
            values[field.name] = None
    return values


def stage_run(lake: Lake, run: int) -> str:
    run_id = f"bench-{run:05d}"
    staged = []
    for table, per_article in ROWS_PER_ARTICLE.items():
        rows = [
            {**row(table, run, a, i), "run_id": run_id, "date": date(2025, 8, 26)}
            for a in range(ARTICLES_PER_RUN)
            for i in range(per_article)
        ]
        path = staging_path(run_id, table, "2025-08-26", "00000")
        schema = staged_schema(table)
        lake.write_parquet(path, record_batches(rows, schema), schema)
        staged.append(path)
    lake.write_json(files_list_path(run_id), {"files": staged})
    return run_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--lake", help="lake folder (default: a temporary one)")
    parser.add_argument(
        "--expire-every",
        type=int,
        default=0,
        help="run `newsbeam lake expire --keep-runs 10` after every N runs (0: never)",
    )
    args = parser.parse_args()
    lake = Lake(LakeConfig(args.lake or tempfile.mkdtemp(prefix="commit-bench-")))
    marks = {1, 10, *range(20, args.runs + 1, 10)}
    lines = [
        f"### {machine()}; {args.runs} runs of {ARTICLES_PER_RUN} articles into one lake "
        f"(`python -m benchmarks.commit_time --runs {args.runs} "
        f"--expire-every {args.expire_every}`)",
        "",
        "| run | recover (ms) | commit (ms) |",
        "|---:|---:|---:|",
    ]
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        recover(lake)
        recovered = time.perf_counter()
        seen = committed_runs(lake)
        run_id = stage_run(lake, run)
        before_commit = time.perf_counter()
        commit_run(lake, run_id, seen=seen)
        done = time.perf_counter()
        if args.expire_every and run % args.expire_every == 0:
            expire(lake.config, keep_runs=10)
        if run in marks:
            recover_ms = (recovered - started) * 1000
            commit_ms = (done - before_commit) * 1000
            lines.append(f"| {run} | {recover_ms:.1f} | {commit_ms:.1f} |")
    publish([*lines, ""])


if __name__ == "__main__":
    main()
