"""Commit a run's staged files into the tables, all of them or (visibly) none.

Protocol, run by the driver after the pipeline succeeded, holding the lake
lock (lock.py), so that two runs' commits never interleave:
0. take the staged files from `_staging/<run_id>/_files.json`, the list the
   pipeline's writers reported (a file a retried bundle left behind is not on
   it, so it is never committed), less the rows of articles and errors that
   runs committed since this one started (two ingests of the same inputs at
   once leave each article once);
1. write `_runs/<run_id>.json` with status "committing" and every staged file;
2. move each file from `_staging/<run_id>/...` into its Iceberg table's data
   folder and append them per table (`add_files`, one snapshot each, `articles`
   last), then write `_state/snapshots.json`, the moment readers see the run
   (tables.py);
3. rewrite the manifest with status "committed" and drop the staging folder.
A crash between 1 and 3 is rolled forward by the next run (`recover`): the
staged files are complete, so finishing the moves and appending the files no
table holds yet is always safe. A run that fails before 1 leaves only
`_staging/`, which no table references.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from newsbeam.schemas import PUBLIC_TABLES
from newsbeam.transforms.lake import lock, tables
from newsbeam.transforms.lake.filesystem import Lake
from newsbeam.transforms.lake.replace import REPLACED_TABLES, replace_rows
from newsbeam.transforms.lake.staging import STAGING_DIR, files_list_path

RUNS_DIR = "_runs"
OWNER_FILE = "_owner.json"
# A staging folder of another machine's run counts as abandoned after this long:
# no run of one chunk lasts a day (chunks keep jobs short; see ingest.chunk_inputs).
STALE_STAGING_AFTER = timedelta(hours=24)
# A commit holds the lake lock for seconds; a crashed committer's lock runs out
# after COMMIT_LOCK_TTL, and a run waits at most COMMIT_WAIT_S for its turn.
COMMIT_LOCK_TTL = timedelta(minutes=10)
COMMIT_WAIT_S = 15 * 60.0
# Tables whose rows are not about one article of this run: never filtered.
UNKEYED_TABLES = {"duplicates", "feeds"}
KEY_COLUMN = {"articles": "article_id", "errors": "error_id"}


@dataclass
class CommitResult:
    run_id: str
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    # Articles another run committed while this one ran: dropped from this
    # commit with all their rows, so that each article is in the lake once.
    dropped_articles: int = 0


class CommitInterrupted(RuntimeError):
    """The commit of a run failed after it began (the store went away, say).
    The message says what readers see: the lake as before the run unless the
    pointer to the run's snapshots was written; the next run finishes it."""

    def __init__(self, run_id: str, visible: bool, cause: BaseException) -> None:
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        if visible:
            what = "readers see the run whole; the next run on this lake tidies up after it"
        else:
            what = (
                "readers still see the lake as it was before this run, and the next run "
                "on this lake finishes the commit"
            )
        super().__init__(f"the commit of run {run_id} was cut short ({reason}): {what}")
        self.run_id = run_id
        self.visible = visible


def final_path(staged: str) -> str:
    """_staging/<run>/<table>/date=D/<file> -> <table>/date=D/<file>."""
    parts = staged.split("/")
    return posixpath.join(*parts[2:])


def manifest_path(run_id: str) -> str:
    return f"{RUNS_DIR}/{run_id}.json"


def committed_runs(lake: Lake) -> set[str]:
    """The commit manifests in the lake now: what a run saw when it started."""
    return set(lake.list_files(RUNS_DIR, ".json"))


def commit_run(
    lake: Lake,
    run_id: str,
    summary: dict | None = None,
    seen: set[str] | None = None,
    replaces: list[str] | None = None,
    owner: str | None = None,
) -> CommitResult:
    """Commit a run's staged files, holding the lake lock so that commits never
    interleave. Rows of articles that runs committed since this one started
    (`seen`: the manifests it saw then) are dropped first: two runs over the
    same inputs leave every article once. With `replaces` (a reprocess), the
    rows those articles have in the lake are replaced by the run's (replace.py).
    `owner`: whose lock it commits under (a stream's workers commit under the
    lock their driver holds, and never take it: lock.LockLost when their driver
    no longer holds it); by default this process's, taken for the commit."""
    with _commit_lock(lake, owner):
        staged = sorted(lake.read_json(files_list_path(run_id))["files"])
        result = CommitResult(run_id)
        if seen is not None:
            staged, result.dropped_articles = drop_committed_elsewhere(
                lake, staged, committed_runs(lake) - seen
            )
        for path in staged:
            table = path.split("/")[2]
            result.rows[table] = result.rows.get(table, 0) + lake.parquet_rows(path)
        finals = [final_path(p) for p in staged]
        result.files = [committed_path(lake, f) for f in finals]
        manifest = {
            "run_id": run_id,
            "status": "committing",
            "started_commit_at": datetime.now(UTC).isoformat(),
            "files": finals,
            "rows": result.rows,
            "summary": summary or {},
        }
        if replaces is not None:
            manifest["replaces"] = sorted(replaces)
        lake.write_json(manifest_path(run_id), manifest)
        progress: dict[str, bool] = {}
        try:
            _finish(lake, manifest, progress=progress)
        except Exception as exc:
            raise CommitInterrupted(run_id, progress.get("visible", False), exc) from exc
    return result


def drop_committed_elsewhere(
    lake: Lake, staged: list[str], new_manifests: set[str]
) -> tuple[list[str], int]:
    """Filter the staged files: no row of an article (or error) that the runs
    behind `new_manifests` committed. Returns the files left and the number of
    articles dropped."""
    committed: dict[str, set[str]] = {"articles": set(), "errors": set()}
    for manifest in sorted(new_manifests):
        for final in lake.read_json(manifest).get("files", []):
            table = final.split("/", 1)[0]
            data = committed_path(lake, final) if table in committed else ""
            if data and lake.exists(data):
                column = KEY_COLUMN[table]
                committed[table].update(lake.read_parquet_columns(data, [column])[column])
    if not committed["articles"] and not committed["errors"]:
        return staged, 0
    articles = pa.array(sorted(committed["articles"]), pa.string())
    errors = pa.array(sorted(committed["errors"]), pa.string())
    kept, dropped = [], 0
    for path in staged:
        table = path.split("/")[2]
        if table in UNKEYED_TABLES:
            kept.append(path)
            continue
        before = lake.read_parquet_table(path)
        mask = pc.invert(pc.is_in(before["article_id"], articles))
        if table == "errors":
            clash = pc.is_in(before["error_id"], errors)
            mask = pc.and_(mask, pc.invert(clash))
        mask = pc.fill_null(mask, True)
        after = before.filter(mask)
        if table == "articles":
            dropped += before.num_rows - after.num_rows
        if after.num_rows == before.num_rows:
            kept.append(path)
        elif after.num_rows:
            lake.write_parquet(path, after.to_batches(), after.schema)
            kept.append(path)
        else:
            lake.delete_file(path)
    return kept, dropped


def committed_path(lake: Lake, final: str) -> str:
    """Where a committed file lives: an Iceberg table's data folder (a URI), or
    the lake-relative path of an internal table (`_minhash/date=D/...`)."""
    name, rest = final.split("/", 1)
    if name in PUBLIC_TABLES:
        return f"{tables.data_location(lake.config, name)}/{rest}"
    return final


def _finish(
    lake: Lake, manifest: dict, recovering: bool = False, progress: dict | None = None
) -> None:
    """Move the staged files into place, add them to their Iceberg tables (one
    snapshot per table, `articles` last), then point readers at the new snapshots."""
    run_id = manifest["run_id"]
    added: dict[str, list[str]] = {}
    for final in manifest["files"]:
        staged, dest = f"{STAGING_DIR}/{run_id}/{final}", committed_path(lake, final)
        if lake.exists(staged):
            lake.move(staged, dest)
        name = final.split("/", 1)[0]
        if name in PUBLIC_TABLES:
            added.setdefault(name, []).append(dest)
    snapshots = dict(tables.read_pointer(lake).get("snapshots", {}))
    if manifest.get("replaces") is not None:
        _replace(lake, manifest, added, snapshots, recovering)
    else:
        _append(lake, run_id, added, snapshots, recovering)
    tables.write_pointer(lake, run_id, snapshots)
    if progress is not None:
        progress["visible"] = True  # from here on readers see the run
    manifest = {**manifest, "status": "committed", "committed_at": datetime.now(UTC).isoformat()}
    lake.write_json(manifest_path(run_id), manifest)
    lake.delete_dir(f"{STAGING_DIR}/{run_id}")


def _append(
    lake: Lake, run_id: str, added: dict[str, list[str]], snapshots: dict, recovering: bool
) -> None:
    """An ingest: each table gets one append snapshot, `articles` last."""
    for name in sorted(added, key=lambda n: (n == "articles", n)):
        table = tables.table(lake.config, name)
        files = added[name]
        if recovering:  # a crash may have come after some tables' appends
            known = tables.current_files(table)
            files = [f for f in files if f not in known]
        if files:
            table.add_files(
                files, snapshot_properties={"newsbeam.run_id": run_id}, check_duplicate_files=False
            )
        if table.current_snapshot() is not None:
            snapshots[name] = table.current_snapshot().snapshot_id


def _replace(
    lake: Lake, manifest: dict, added: dict[str, list[str]], snapshots: dict, recovering: bool
) -> None:
    """A reprocess: every table with rows about articles gets one overwrite
    snapshot (`articles` last); a table that already has the run's snapshot
    (a commit cut short) is not touched again."""
    run_id, ids = manifest["run_id"], manifest["replaces"]
    for name in REPLACED_TABLES:
        table = tables.table(lake.config, name)
        done = recovering and any(
            s.summary is not None and s.summary.get("newsbeam.run_id") == run_id
            for s in table.snapshots()
        )
        if not done:
            replace_rows(lake, table, name, ids, added.get(name, []), run_id)
            table.refresh()
        if table.current_snapshot() is not None:
            snapshots[name] = table.current_snapshot().snapshot_id


def recover(lake: Lake) -> list[str]:
    """Roll forward every run whose commit was interrupted, drop the staging
    folders no live run owns; return the ids of the runs rolled forward.
    Under the lake lock: a commit in progress is not an interrupted one."""
    with _commit_lock(lake, None):
        found = (_finish_if_cut_short(lake, p) for p in lake.list_files(RUNS_DIR, ".json"))
        recovered = [run_id for run_id in found if run_id is not None]
        sweep_abandoned_staging(lake)
    return recovered


def roll_forward(lake: Lake, run_id: str, owner: str | None = None) -> None:
    """Finish one run whose manifest exists (a bundle retried after its commit
    began): a commit cut short is completed, a finished one left alone."""
    with _commit_lock(lake, owner):
        _finish_if_cut_short(lake, manifest_path(run_id))


def _finish_if_cut_short(lake: Lake, manifest_file: str) -> str | None:
    """Complete a run whose commit began and did not end (under the lock); its id."""
    manifest = lake.read_json(manifest_file)
    if manifest.get("status") != "committing":
        return None
    _finish(lake, manifest, recovering=True)
    return str(manifest["run_id"])


def _commit_lock(lake: Lake, owner: str | None) -> contextlib.AbstractContextManager[None]:
    if owner is not None:
        return lock.held_by(lake, owner)
    return lock.held(lake, lock.process_owner(), COMMIT_LOCK_TTL, COMMIT_WAIT_S)


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
        return lock.process_alive(owner.get("pid"))
    started = datetime.fromisoformat(str(owner["started_at"]))
    return now - started < STALE_STAGING_AFTER


def abort_run(lake: Lake, run_id: str) -> None:
    """A failed run: drop what it staged (best effort; readers never saw it)."""
    with contextlib.suppress(OSError):
        lake.delete_dir(f"{STAGING_DIR}/{run_id}")
