"""Run the newsbeam command line with a fault at a named point (for tests only).

    python -m tests.faultpoints POINT ACTION newsbeam-args...

POINT is where:
- `nlp`: the first batch of articles reaches spaCy;
- `append:TABLE`: an ingest's commit is about to append its files to TABLE;
- `replace:TABLE`: a reprocess's commit is about to replace TABLE's rows;
- `pointer`: every table has its snapshot, the pointer readers go by is not written;
- `after-pointer`: the pointer is written, the run's manifest still says "committing".
ACTION is what happens there:
- `kill`: SIGKILL of this process (no clean-up of any kind runs);
- `pause:FILE`: create FILE, then wait (at most 120 s) until FILE.go exists, and
  go on: the test does something meanwhile (kills the S3 server).

The points are reached by wrapping the real functions: newsbeam's own code has
no test hooks.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path


def act(action: str) -> None:
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("pause:"):
        marker = Path(action.removeprefix("pause:"))
        marker.write_text(str(os.getpid()))
        go = marker.with_name(marker.name + ".go")
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    else:
        raise SystemExit(f"unknown action {action!r}")


def install(point: str, action: str) -> None:
    from pyiceberg.table import Table

    from newsbeam.transforms import nlp
    from newsbeam.transforms.lake import commit, tables

    kind, _, name = point.partition(":")
    if kind == "nlp":
        original_analyse = nlp.AnalyzeBatchFn._analyse

        def analyse(self, pipeline, articles):  # type: ignore[no-untyped-def]
            act(action)
            return original_analyse(self, pipeline, articles)

        nlp.AnalyzeBatchFn._analyse = analyse
    elif kind == "append":
        original_add = Table.add_files

        def add_files(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if self.name()[-1] == name:
                act(action)
            return original_add(self, *args, **kwargs)

        Table.add_files = add_files
    elif kind == "replace":
        original_replace = commit.replace_rows

        def replace_rows(lake, table, table_name, *args, **kwargs):  # type: ignore[no-untyped-def]
            if table_name == name:
                act(action)
            return original_replace(lake, table, table_name, *args, **kwargs)

        commit.replace_rows = replace_rows
    elif kind in ("pointer", "after-pointer"):
        original_pointer = tables.write_pointer

        def write_pointer(*args, **kwargs):  # type: ignore[no-untyped-def]
            if kind == "pointer":
                act(action)
            original_pointer(*args, **kwargs)
            if kind == "after-pointer":
                act(action)

        tables.write_pointer = write_pointer
    else:
        raise SystemExit(f"unknown point {point!r}")


if __name__ == "__main__":
    point, action, *args = sys.argv[1:]
    install(point, action)
    from newsbeam.pipelines.cli import main

    sys.exit(main(args))
