"""One window of the stream -> one commit of the lake (all tables or none).

The window's rows reach CommitWindowFn together (one key, one window). It
stages them as a run of its own (`_staging/<run>/...`, one file per table and
day), commits that run with the protocol every batch run uses (commit.py: the
manifest, the moves, one Iceberg snapshot per table, then the pointer readers
follow), and folds the window's polls into `_state/feeds.json`.

The run id is the stream's id and the window's start: a bundle the runner
retries after its commit went through finds the manifest and does nothing,
and a commit cut short is rolled forward by the next start (`recover`).
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator

import apache_beam as beam

from newsbeam.schemas import PARTITION_COLUMN
from newsbeam.transforms.feeds.poll import feed_row
from newsbeam.transforms.feeds.state import read_feed_state, updated_state, write_feed_state
from newsbeam.transforms.lake import Lake, LakeConfig, lock
from newsbeam.transforms.lake.commit import (
    claim_staging,
    commit_run,
    manifest_path,
    roll_forward,
)
from newsbeam.transforms.lake.staging import (
    files_list_path,
    record_batches,
    staged_schema,
    staging_path,
)

ROW = "row"
POLL = "poll"
OUTCOME = "outcome"

log = logging.getLogger(__name__)


def window_run_id(stream_id: str, start: datetime.datetime) -> str:
    return f"{stream_id}-w{start:%Y%m%dT%H%M%S}"


def feed_rows(polls: list[dict], outcomes: list[tuple[str, str]]) -> list[tuple]:
    """One `feeds` row per poll; a feed polled several times in a window has its
    outcomes counted on its last poll."""
    by_feed: dict[str, list[str]] = defaultdict(list)
    for feed, kind in outcomes:
        by_feed[feed].append(kind)
    last = {p["feed_url"]: i for i, p in enumerate(sorted(polls, key=lambda p: p["polled_at"]))}
    rows = []
    for i, poll in enumerate(sorted(polls, key=lambda p: p["polled_at"])):
        mine = by_feed.get(poll["feed_url"], []) if last[poll["feed_url"]] == i else []
        rows.append(feed_row((poll["feed_url"], {"poll": [poll], "outcomes": mine})))
    return rows


class CommitWindowFn(beam.DoFn):
    """(key, tagged elements of one window) -> a summary dict of the commit.

    A runner may process two windows at once (Prism does); their commits take
    turns (COMMITTING), since both hold the stream's lake lock and Iceberg
    would refuse the second of two concurrent appends to one table."""

    COMMITTING = threading.Lock()

    def __init__(self, lake: LakeConfig, stream_id: str, owner: str) -> None:
        self._lake_config = lake
        self._stream_id = stream_id
        self._owner = owner

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)

    def process(
        self,
        element: tuple[object, Iterable[tuple[str, object]]],
        window=beam.DoFn.WindowParam,  # type: ignore[no-untyped-def]
    ) -> Iterator[dict]:
        with self.COMMITTING:
            try:
                yield from self._commit(element, window)
            except lock.LockLost as exc:
                # The driver is gone (the clock stops too): the next stream on
                # the lake reads these items again, since neither the rows nor
                # the polls of this window were committed.
                start = window.start.to_utc_datetime()
                items = sum(tag == ROW and value[0] == "articles" for tag, value in element[1])  # type: ignore[index]
                message = f"window {start:%H:%M:%S} not committed ({items} articles): {exc}"
                log.warning(message)
                print(message, flush=True)
                yield {"run_id": None, "abandoned": items}

    def _commit(
        self, element: tuple[object, Iterable[tuple[str, object]]], window
    ) -> Iterator[dict]:  # type: ignore[no-untyped-def]
        start = window.start.to_utc_datetime().replace(tzinfo=datetime.UTC)
        run_id = window_run_id(self._stream_id, start)
        if not lock.holds(self._lake, self._owner):
            raise lock.LockLost(f"the stream's driver {self._owner} no longer holds the lake")
        if self._lake.exists(manifest_path(run_id)):
            # A retried bundle: its commit began; finish it if it was cut short.
            roll_forward(self._lake, run_id, self._owner)
            return
        rows: dict[tuple[str, str], list[dict]] = defaultdict(list)
        polls: list[dict] = []
        outcomes: list[tuple[str, str]] = []
        for tag, value in element[1]:
            if tag == ROW:
                triple: tuple[str, str, dict] = value  # type: ignore[assignment]
                rows[(triple[0], triple[1])].append(triple[2])
            elif tag == POLL:
                polls.append(value)  # type: ignore[arg-type]
            else:
                outcomes.append(value)  # type: ignore[arg-type]
        for table, date, row in feed_rows(polls, outcomes):
            rows[(table, date)].append(row)
        claim_staging(self._lake, run_id)
        paths = []
        for (table, date), found in sorted(rows.items()):
            schema = staged_schema(table)
            day = datetime.date.fromisoformat(date)
            stamped = ({**r, "run_id": run_id, PARTITION_COLUMN: day} for r in found)
            path = staging_path(run_id, table, date, "window")
            self._lake.write_parquet(path, record_batches(stamped, schema), schema)
            paths.append(path)
        self._lake.write_json(files_list_path(run_id), {"files": sorted(paths)})
        result = commit_run(self._lake, run_id, owner=self._owner)
        write_feed_state(self._lake, updated_state(read_feed_state(self._lake), polls))
        end = window.end.to_utc_datetime().replace(tzinfo=datetime.UTC)
        summary = {
            "run_id": run_id,
            "window": f"{start:%H:%M:%S}-{end:%H:%M:%S}",
            "polls": len(polls),
            "rows": result.rows,
        }
        log.info("committed %s", summary)
        print(
            f"window {summary['window']}: run {run_id}, {len(polls)} polls, "
            f"{result.rows.get('articles', 0)} articles, "
            f"{sum(result.rows.values())} rows",
            flush=True,
        )
        yield summary
