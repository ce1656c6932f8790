"""Commit a run's staged files into the tables, all of them or (visibly) none.

Protocol, run by the driver after the pipeline succeeded:
0. take the staged files from `_staging/<run_id>/_files.json`, the list the
   pipeline's writers reported (a file a retried bundle left behind is not on
   it, so it is never committed);
1. write `_runs/<run_id>.json` with status "committing" and every staged file;
2. move each file from `_staging/<run_id>/...` to its table partition;
3. rewrite the manifest with status "committed" and drop the staging folder.
A crash between 1 and 3 is rolled forward by the next run (`recover`): the
staged files are complete, so finishing the moves is always safe. A run that
fails before 1 leaves only `_staging/`, which readers never see.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from newsbeam.transforms.lake import Lake
from newsbeam.transforms.write_tables import STAGING_DIR, files_list_path

RUNS_DIR = "_runs"
OWNER_FILE = "_owner.json"
# A staging folder of another machine's run counts as abandoned after this long:
# no run of one chunk lasts a day (chunks keep jobs short; see ingest.chunk_inputs).
STALE_STAGING_AFTER = timedelta(hours=24)


@dataclass
class CommitResult:
    run_id: str
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def final_path(staged: str) -> str:
    """_staging/<run>/<table>/date=D/<file> -> <table>/date=D/<file>."""
    parts = staged.split("/")
    return posixpath.join(*parts[2:])


def manifest_path(run_id: str) -> str:
    return f"{RUNS_DIR}/{run_id}.json"


def commit_run(lake: Lake, run_id: str, summary: dict | None = None) -> CommitResult:
    staged = sorted(lake.read_json(files_list_path(run_id))["files"])
    result = CommitResult(run_id)
    for path in staged:
        table = path.split("/")[2]
        result.rows[table] = result.rows.get(table, 0) + lake.parquet_rows(path)
    result.files = [final_path(p) for p in staged]
    manifest = {
        "run_id": run_id,
        "status": "committing",
        "started_commit_at": datetime.now(UTC).isoformat(),
        "files": result.files,
        "rows": result.rows,
        "summary": summary or {},
    }
    lake.write_json(manifest_path(run_id), manifest)
    _finish(lake, manifest)
    return result


def _finish(lake: Lake, manifest: dict) -> None:
    run_id = manifest["run_id"]
    for final in manifest["files"]:
        staged = f"{STAGING_DIR}/{run_id}/{final}"
        if lake.exists(staged):
            lake.move(staged, final)
    manifest = {**manifest, "status": "committed", "committed_at": datetime.now(UTC).isoformat()}
    lake.write_json(manifest_path(run_id), manifest)
    lake.delete_dir(f"{STAGING_DIR}/{run_id}")


def recover(lake: Lake) -> list[str]:
    """Roll forward every run whose commit was interrupted, drop the staging
    folders no live run owns; return the ids of the runs rolled forward."""
    recovered = []
    for path in lake.list_files(RUNS_DIR, ".json"):
        manifest = lake.read_json(path)
        if manifest.get("status") == "committing":
            _finish(lake, manifest)
            recovered.append(manifest["run_id"])
    sweep_abandoned_staging(lake)
    return recovered


def claim_staging(lake: Lake, run_id: str) -> None:
    """Say which process owns a run's staging folder, before anything is staged."""
    owner = {"host": socket.gethostname(), "pid": os.getpid(), "started_at": datetime.now(UTC)}
    lake.write_json(f"{STAGING_DIR}/{run_id}/{OWNER_FILE}", owner)


def sweep_abandoned_staging(lake: Lake, now: datetime | None = None) -> list[str]:
    """Delete the staging folders of runs that were killed before they committed
    (readers never saw them); return their run ids."""
    swept = []
    for run_id in lake.list_dirs(STAGING_DIR):
        owner_path = f"{STAGING_DIR}/{run_id}/{OWNER_FILE}"
        owner = lake.read_json(owner_path) if lake.exists(owner_path) else None
        if owner is not None and _owner_alive(owner, now or datetime.now(UTC)):
            continue
        with contextlib.suppress(OSError):
            lake.delete_dir(f"{STAGING_DIR}/{run_id}")
            swept.append(run_id)
    return swept


def _owner_alive(owner: dict, now: datetime) -> bool:
    if owner.get("host") == socket.gethostname():
        try:
            os.kill(int(owner["pid"]), 0)  # signal 0: does the process exist?
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # it exists, under another user
        return True
    started = datetime.fromisoformat(str(owner["started_at"]))
    return now - started < STALE_STAGING_AFTER


def abort_run(lake: Lake, run_id: str) -> None:
    """A failed run: drop what it staged (best effort; readers never saw it)."""
    with contextlib.suppress(OSError):
        lake.delete_dir(f"{STAGING_DIR}/{run_id}")
