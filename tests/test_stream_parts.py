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
