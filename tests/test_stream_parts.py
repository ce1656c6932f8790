"""The stream's pure parts: commit windows of whole polls, feed rows per window,
feed state that never goes back in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsbeam.pipelines.stream import StreamConfig
from newsbeam.transforms.feeds.state import updated_state
from newsbeam.transforms.lake import LakeConfig
from newsbeam.transforms.stream.clock import tick_number
from newsbeam.transforms.stream.commit_window import feed_rows, window_run_id

T0 = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


def poll(feed, at, status="ok", etag=None):
    return {
        "feed_url": feed, "feed_name": feed, "polled_at": at, "status": status,
        "http_status": 200 if status == "ok" else 304, "items": 1, "latency_ms": 3,
        "attempts": 1, "etag": etag, "last_modified": None, "body_hash": etag, "message": None,
    }  # fmt: skip


def test_a_commit_window_is_a_whole_number_of_polls():
    assert StreamConfig([], LakeConfig("x"), poll_s=20, commit_s=55).commit_every() == 60
    assert StreamConfig([], LakeConfig("x"), poll_s=60, commit_s=10).commit_every() == 60
    assert tick_number(119.9, 60) == 1 and tick_number(120.0, 60) == 2


def test_outcomes_are_counted_on_the_feeds_last_poll_of_the_window():
    polls = [poll("a", T0 + timedelta(seconds=20)), poll("a", T0), poll("b", T0)]
    outcomes = [("a", "new"), ("a", "new"), ("a", "duplicate"), ("b", "known")]
    rows = [r for _, _, r in feed_rows(polls, outcomes)]
    assert len(rows) == 3
    first, last = sorted((r for r in rows if r["feed_url"] == "a"), key=lambda r: r["polled_at"])
    assert (first["new"], first["duplicates"]) == (0, 0)
    assert (last["new"], last["duplicates"]) == (2, 1)
    (b,) = [r for r in rows if r["feed_url"] == "b"]
    assert b["known"] == 1 and b["new"] == 0


def test_feed_state_keeps_the_newest_poll_when_windows_commit_out_of_order():
    newer = updated_state({}, [poll("a", T0 + timedelta(seconds=10), etag='"2"')])
    both = updated_state(newer, [poll("a", T0, etag='"1"')])
    assert both["a"]["etag"] == '"2"'
    assert both["a"]["last_polled"] == (T0 + timedelta(seconds=10)).isoformat()


def test_a_windows_run_id_is_the_same_on_a_retry():
    assert window_run_id("stream-x", T0) == window_run_id("stream-x", T0)
    assert window_run_id("stream-x", T0) != window_run_id("stream-x", T0 + timedelta(seconds=5))


def test_a_stream_whose_driver_lost_the_lake_stops_its_clock_and_commits_nothing(
    tmp_path, monkeypatch
):
    """A driver killed on a cluster leaves its job running: the job must stop by
    itself and never commit beside the next stream that took the lake."""
    from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
    from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
    from apache_beam.runners.sdf_utils import RestrictionTrackerView, ThreadsafeRestrictionTracker
    from apache_beam.transforms.window import IntervalWindow
    from apache_beam.utils.timestamp import Timestamp

    from newsbeam.transforms.lake import Lake, lock
    from newsbeam.transforms.stream import clock
    from newsbeam.transforms.stream.commit_window import ROW, CommitWindowFn

    monkeypatch.setattr(clock, "LOCK_CHECK_S", 0.0)
    config = LakeConfig(str(tmp_path / "lake"))
    lake = Lake(config)
    driver = lock.process_owner()
    assert lock.acquire(lake, driver, timedelta(minutes=5))

    def ticks() -> tuple[list, OffsetRestrictionTracker]:
        fn = clock.PollClockFn(1.0, config, "_state/drain/s.json", driver)
        fn.setup()
        tracker = OffsetRestrictionTracker(OffsetRange(0, clock.LAST_TICK))
        view = RestrictionTrackerView(ThreadsafeRestrictionTracker(tracker))
        return list(fn.process(None, view, ManualWatermarkEstimator(Timestamp(0)))), tracker

    emitted, tracker = ticks()
    assert len(emitted) == 1  # its driver holds the lake: the clock ticks on
    lock.release(lake, driver)
    assert lock.acquire(lake, "elsewhere:1:next-stream", timedelta(minutes=5))
    emitted, tracker = ticks()
    assert emitted == []
    tracker.check_done()  # the whole rest is claimed: the watermark ends, the job stops

    fn = CommitWindowFn(config, "stream-x", driver)
    fn.setup()
    window = IntervalWindow(Timestamp(0), Timestamp(10))
    element = ("k", [(ROW, ("articles", "2026-11-29", {"url": "https://a.example/1"}))])
    assert list(fn.process(element, window)) == [{"run_id": None, "abandoned": 1}]
    assert not lake.exists("_staging") and not lake.exists("_runs")
