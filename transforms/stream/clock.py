"""The stream's clock: an unbounded source of poll ticks that stops on request.

Beam's PeriodicImpulse stops only at a time fixed when the pipeline is built;
a stream must stop when it is told to (SIGTERM: drain). PollClockFn is a
splittable DoFn over tick numbers: tick n fires at n * poll seconds (UTC), so
ticks are aligned and a commit window of k polls holds k whole ticks. After
emitting tick n it sets its watermark to (n + 1) * poll: no later tick is
older, so the windows of that tick close as soon as its elements are through.

It looks for the drain marker (a file in the lake, so that workers on any
machine see it) about once a second. When the marker
exists it claims the rest of its range and returns: its watermark becomes
infinite, every open window fires (the last commit), and the pipeline ends.

It also stops when its driver no longer holds the lake's lock (looked at every
LOCK_CHECK_S). A driver killed with SIGKILL cannot drain, and on a cluster its
job would poll and commit on without it, beside the next stream on the lake.
A dead driver's lock is free at once on the driver's host (its pid is gone)
and after the lock's TTL elsewhere; the windows of such a job are not
committed (CommitWindowFn), and the next stream takes their items again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.transforms.core import RestrictionProvider, WatermarkEstimatorProvider
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp

from newsbeam.transforms.lake import Lake, LakeConfig, lock

LAST_TICK = 2**62
# How often a waiting clock looks at the drain marker.
CHECK_S = 1.0
# How often it looks whether its driver still holds the lake.
LOCK_CHECK_S = 5.0

log = logging.getLogger(__name__)


def tick_number(now: float, poll_s: float) -> int:
    return int(now // poll_s)


class _Ticks(RestrictionProvider):
    """Tick numbers from 0: the clock claims the current one first (claims may skip)."""

    def initial_restriction(self, element: object) -> OffsetRange:
        return OffsetRange(0, LAST_TICK)

    def create_tracker(self, restriction: OffsetRange) -> OffsetRestrictionTracker:
        return OffsetRestrictionTracker(restriction)

    def restriction_size(self, element: object, restriction: OffsetRange) -> int:
        return 1  # unbounded: never split by size


class _Watermark(WatermarkEstimatorProvider):
    def initial_estimator_state(self, element: object, restriction: OffsetRange) -> Timestamp:
        return Timestamp(0)

    def create_watermark_estimator(self, state: Timestamp) -> ManualWatermarkEstimator:
        return ManualWatermarkEstimator(state)


class PollClockFn(beam.DoFn):
    """Impulse -> one float (the tick's time, also its event time) every poll_s seconds."""

    def __init__(self, poll_s: float, lake: LakeConfig, drain_marker: str, owner: str) -> None:
        self._poll_s = poll_s
        self._lake_config = lake
        self._drain_marker = drain_marker
        self._owner = owner

    def setup(self) -> None:
        self._lake = Lake(self._lake_config)
        self._lock_checked = time.monotonic()

    def _stopping(self) -> bool:
        if self._lake.exists(self._drain_marker):
            return True
        if time.monotonic() - self._lock_checked < LOCK_CHECK_S:
            return False
        self._lock_checked = time.monotonic()
        if lock.holds(self._lake, self._owner):
            return False
        log.warning("the stream's driver %s no longer holds the lake: stopping", self._owner)
        print(f"the stream's driver {self._owner} no longer holds the lake: stopping", flush=True)
        return True

    def process(
        self,
        element: object,
        tracker=beam.DoFn.RestrictionParam(_Ticks()),  # type: ignore[no-untyped-def]  # noqa: B008
        watermark=beam.DoFn.WatermarkEstimatorParam(_Watermark()),  # noqa: B008
    ) -> Iterator[TimestampedValue]:
        rest = tracker.current_restriction()
        if self._stopping():
            tracker.try_claim(rest.stop)  # the whole rest is done: the watermark ends
            return
        now = time.time()
        due = max(rest.start, tick_number(now, self._poll_s))
        if due * self._poll_s > now:  # not yet: look at the marker again soon
            wait = min(CHECK_S, due * self._poll_s - now)
            tracker.defer_remainder(Duration(seconds=max(0.01, wait)))
            return
        if not tracker.try_claim(due):
            return
        at = due * self._poll_s
        yield TimestampedValue(at, Timestamp(at))
        watermark.set_watermark(Timestamp((due + 1) * self._poll_s))
        tracker.defer_remainder(Duration(seconds=min(CHECK_S, self._poll_s)))
