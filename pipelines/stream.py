"""`newsbeam stream FEEDS --output LAKE`: one long-running Beam pipeline for feeds.

    Impulse -> PollClock (a tick every --poll) -> each feed -> PollFeeds (keyed
    state: validators, items taken) -> FirstSight (keyed by canonical URL,
    started from the lake) -> pages per host -> DistinctStories (id, content,
    near-copies) -> AnalyzeArticles -> rows
    rows, polls, outcomes -> windows of --commit-every -> CommitWindow (one
    atomic lake commit per window, then _state/feeds.json)

The driver holds the lake's lock for its whole life (a second stream or
scheduler on the same lake is refused, exit status 3), renews it while the
pipeline runs, and on SIGTERM or SIGINT drains: the clock stops, the open
windows fire and commit, the pipeline ends, the command exits 0.

Exactly once across a crash (SIGKILL of the driver or of the runner): a
window's rows become visible in one commit or not at all; a commit cut short
is rolled forward at the next start; the next start re-reads the feeds with
the validators of the last committed window and skips every item the lake
has, so what was not committed is taken again and nothing twice.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import apache_beam as beam
import grpc
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.runner import PipelineResult, PipelineState
from apache_beam.transforms.window import FixedWindows

from newsbeam.pipelines.ingest import new_run_id
from newsbeam.pipelines.staged_run import open_for_run
from newsbeam.pipelines.tick import item_duplicate, item_id, load_feeds
from newsbeam.transforms.feeds.feedlist import FeedSpec
from newsbeam.transforms.feeds.http import HttpLimits
from newsbeam.transforms.feeds.pages import DEFAULT_DELAY_S, DEFAULT_PER_HOST, FetchPagesFn
from newsbeam.transforms.feeds.poll import ERRORS, ITEMS, POLLS
from newsbeam.transforms.feeds.state import read_feed_state
from newsbeam.transforms.lake import Lake, LakeConfig, lock
from newsbeam.transforms.lake.tables import lake_tables
from newsbeam.transforms.language import with_language
from newsbeam.transforms.nlp import AnalyzeArticles
from newsbeam.transforms.rows import duplicate_row, error_row
from newsbeam.transforms.split import SplitByKind
from newsbeam.transforms.stream.clock import PollClockFn
from newsbeam.transforms.stream.commit_window import OUTCOME, POLL, ROW, CommitWindowFn
from newsbeam.transforms.stream.dedupe import (
    DUPLICATES,
    KEPT,
    KNOWN,
    SIGNATURES,
    DistinctStoriesFn,
    FirstSightFn,
)
from newsbeam.transforms.stream.poll import DEFAULT_MAX_ITEMS, PollFeedsFn

ARTICLES = "articles"
EXIT_LOCKED = 3
# The driver renews its hold on the lake this often; a stream that stops
# renewing (hung, or its machine gone) loses the lock after LOCK_TTL.
RENEW_S = 30.0
LOCK_TTL = timedelta(minutes=5)
# Where the driver asks the clock to stop (SIGTERM): a file in the lake, seen by
# workers on any machine.
DRAIN_DIR = "_state/drain"


@dataclass
class StreamConfig:
    feed_lists: list[str]
    lake: LakeConfig
    poll_s: float = 60.0
    commit_s: float = 60.0
    models: dict[str, str] = field(default_factory=dict)
    max_items: int = DEFAULT_MAX_ITEMS
    per_host: int = DEFAULT_PER_HOST
    delay_s: float = DEFAULT_DELAY_S
    http: HttpLimits = field(default_factory=HttpLimits)
    beam_args: list[str] = field(default_factory=list)

    def commit_every(self) -> float:
        """The commit window: a whole number of polls (ticks never straddle two windows)."""
        return max(1, round(self.commit_s / self.poll_s)) * self.poll_s


def tagged(tag: str):  # type: ignore[no-untyped-def]
    return lambda value: (tag, value)


def build(
    p: beam.Pipeline,
    feeds: list[FeedSpec],
    seed: dict[str, dict],
    config: StreamConfig,
    stream_id: str,
    owner: str,
    drain_marker: str,
) -> None:
    cfg = config.lake
    polled = (
        p
        | "Start" >> beam.Impulse()
        | "Clock" >> beam.ParDo(PollClockFn(config.poll_s, cfg, drain_marker, owner))
        | "EachFeed" >> beam.FlatMap(lambda _tick: [(f.url, f) for f in feeds])
        | "PollFeeds" >> beam.ParDo(PollFeedsFn(seed, config.http, config.max_items))
        | "ItemsPollsErrors" >> SplitByKind(ITEMS, POLLS, ERRORS)
    )
    sighted = (
        polled[ITEMS]
        | "KeyByUrl" >> beam.Map(lambda i: (i.canonical, i))
        | "FirstSight" >> beam.ParDo(FirstSightFn(cfg, item_id))
        | "NewOrSeen" >> SplitByKind(KEPT, KNOWN, DUPLICATES)
    )
    pages = (
        sighted[KEPT]
        | "TickWindows" >> beam.WindowInto(FixedWindows(config.poll_s))
        | "KeyByHost" >> beam.Map(lambda i: (urlsplit(i.url).netloc, i))
        | "GroupByHost" >> beam.GroupByKey()
        | "FetchPages" >> beam.ParDo(FetchPagesFn(config.per_host, config.delay_s, config.http))
        | "ArticlesOrErrors" >> SplitByKind(ARTICLES, ERRORS)
    )
    stories = (
        pages[ARTICLES]
        | "DetectLanguage" >> beam.Map(with_language)
        | "OneKey" >> beam.Map(lambda a: (None, a))
        | "TickArticles" >> beam.GroupByKey()
        | "DistinctStories" >> beam.ParDo(DistinctStoriesFn(cfg))
        | "StoryOrCopy" >> SplitByKind(KEPT, KNOWN, DUPLICATES, SIGNATURES)
    )
    analysed = stories[KEPT] | "AnalyzeArticles" >> AnalyzeArticles(config.models)
    rows = (
        analysed,
        stories[SIGNATURES],
        sighted[DUPLICATES] | "UrlDuplicates" >> beam.MapTuple(item_duplicate),
        stories[DUPLICATES]
        | "StoryDuplicates" >> beam.MapTuple(lambda a, k, why, sim: duplicate_row(a, k, why, sim)),
        polled[ERRORS] | "FeedErrorRows" >> beam.Map(error_row),
        pages[ERRORS] | "PageErrorRows" >> beam.Map(error_row),
    )
    outcomes = (
        sighted[KNOWN] | "KnownUrl" >> beam.MapTuple(lambda i, _k: (i.feed_url, "known")),
        sighted[DUPLICATES]
        | "DuplicateUrl" >> beam.MapTuple(lambda i, _k: (i.feed_url, "duplicate")),
        stories[KNOWN] | "KnownStory" >> beam.MapTuple(lambda a, _k: (a.feed_url, "known")),
        stories[DUPLICATES] | "CopiedStory" >> beam.Map(lambda d: (d[0].feed_url, "duplicate")),
        stories[KEPT] | "NewStory" >> beam.Map(lambda a: (a.feed_url, "new")),
        pages[ERRORS]
        | "PageErrorsWithoutArticle" >> beam.Filter(lambda e: e.article_id is None)
        | "PageFailed" >> beam.Map(lambda e: (e.extra.get("feed_url"), "error")),
    )
    windows = FixedWindows(config.commit_every())
    parts = [(ROW, i, pc) for i, pc in enumerate(rows)]
    parts += [(OUTCOME, i, pc) for i, pc in enumerate(outcomes)]
    parts.append((POLL, 0, polled[POLLS]))
    windowed = [
        pc
        | f"CommitWindows_{tag}{i}" >> beam.WindowInto(windows)
        | f"Tag_{tag}{i}" >> beam.Map(tagged(tag))
        for tag, i, pc in parts
    ]
    (
        windowed
        | "EverythingOfAWindow" >> beam.Flatten()
        | "OneCommitKey" >> beam.Map(lambda t: (None, t))
        | "WindowContents" >> beam.GroupByKey()
        | "CommitWindow" >> beam.ParDo(CommitWindowFn(cfg, stream_id, owner))
    )


def follow(result: PipelineResult) -> None:
    """Wait for the job to end, however long it runs.

    A portable runner's job state stream has a deadline (`--job_server_timeout`,
    300 s by default): a stream outlives it. When it runs out, the job's state is
    asked for once a second instead."""
    try:
        with _quiet_deadline():
            result.wait_until_finish()
        return
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    while not PipelineState.is_terminal(result.state):
        time.sleep(1.0)
    if result.state != PipelineState.DONE:
        raise RuntimeError(f"the streaming job ended in state {result.state}")


@contextlib.contextmanager
def _quiet_deadline() -> Iterator[None]:
    """Beam's message-reading thread dies of the same deadline and would print
    its traceback: that one expected error is not shown."""
    shown = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if isinstance(args.exc_value, grpc.RpcError) and (
            args.exc_value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        ):
            return
        shown(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = shown


def request_drain(lake: Lake, marker: str, why: str) -> None:
    lake.write_json(marker, {"reason": why, "requested_at": datetime.now(UTC).isoformat()})


class LakeLocked(RuntimeError):
    """Another stream or scheduler holds the lake."""


def run_stream(config: StreamConfig, runner_args: list[str], log=print) -> int:  # type: ignore[no-untyped-def]
    """Run until drained (SIGTERM, SIGINT); 0 when drained, 3 when the lake is held."""
    config.lake = config.lake.with_env_defaults()
    owner = lock.process_owner()
    if not lock.acquire(Lake(config.lake), owner, LOCK_TTL):
        holder = (lock.holder(Lake(config.lake)) or {}).get("owner", "another run")
        raise LakeLocked(
            f"the lake {config.lake.display()} is held by {holder}: one stream or "
            "scheduler per lake (stop it first, or write to another lake)"
        )
    # Held from here on: recovering (rolling cut-short commits forward) is ours to do.
    config.lake, lake, recovered = open_for_run(config.lake)
    if recovered:
        log(f"rolled forward the commits of {', '.join(recovered)}")
    lake_tables(config.lake)  # created here, not by workers racing each other
    feeds = load_feeds(config.feed_lists)
    seed = read_feed_state(lake)
    stream_id = f"stream-{new_run_id()}"
    drain_marker = f"{DRAIN_DIR}/{stream_id}.json"  # in the lake: every worker sees it
    stopping = threading.Event()

    def drain(signum: int, _frame: object) -> None:
        if not stopping.is_set():
            log(
                f"received {signal.Signals(signum).name}: "
                "committing the open windows, then stopping"
            )
        stopping.set()
        request_drain(lake, drain_marker, signal.Signals(signum).name)

    previous = {s: signal.signal(s, drain) for s in (signal.SIGTERM, signal.SIGINT)}
    outcome: dict[str, BaseException] = {}

    def wait(result: PipelineResult) -> None:
        try:
            follow(result)
        except BaseException as exc:  # reported by the main thread
            outcome["error"] = exc

    log(
        f"stream {stream_id}: {len(feeds)} feeds, a poll every {config.poll_s:g} s, "
        f"a commit every {config.commit_every():g} s, into {config.lake.display()}"
    )
    renewed = time.monotonic()
    try:
        # Submitted from the main thread (a job server's launcher sets signal
        # handlers); waited for in another, so that signals reach drain() at once.
        options = PipelineOptions([*runner_args, "--streaming", *config.beam_args])
        pipeline = beam.Pipeline(options=options)
        build(pipeline, feeds, seed, config, stream_id, owner, drain_marker)
        result = pipeline.run()
        signal.signal(signal.SIGTERM, drain)
        signal.signal(signal.SIGINT, drain)
        worker = threading.Thread(target=wait, args=(result,), name="newsbeam-stream", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.5)  # wakes up for signals
            if time.monotonic() - renewed > RENEW_S:
                renewed = time.monotonic()
                if not lock.acquire(lake, owner, LOCK_TTL):
                    log("lost the lake's lock (it expired while the stream hung): draining")
                    request_drain(lake, drain_marker, "lost lock")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        lock.release(lake, owner)
        with contextlib.suppress(OSError):
            lake.delete_file(drain_marker)
    if "error" in outcome:
        raise outcome["error"]
    log(f"stream {stream_id}: drained and stopped")
    return 0
