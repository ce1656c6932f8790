"""Polling a feed again and again: validators and the items already taken, per feed.

PollFeedsFn is keyed by feed URL. Its Beam state holds what the next poll
needs: the validators of the last answer (conditional GET) and the canonical
URLs of the items it has taken from the feed's current body, so a feed that
ignores If-None-Match still yields each item once. At most `max_items` new
items are taken per poll (a burst of 5,000 waits over several polls instead
of holding one window for an hour); while some are left, the validators are
not kept, so the next poll reads the whole feed again and takes the next ones.
State starts from the lake's `_state/feeds.json` (what committed windows
polled), so a restarted stream asks the server what it asked last.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from newsbeam.transforms.feeds.feedlist import FeedSpec
from newsbeam.transforms.feeds.http import HttpLimits
from newsbeam.transforms.feeds.poll import ERRORS, ITEMS, POLLS, FeedItem, PollFeedFn

DEFAULT_MAX_ITEMS = 500
VALIDATORS = ("etag", "last_modified", "body_hash")


class PollFeedsFn(beam.DoFn):
    """(feed URL, FeedSpec) per tick -> ("polls", row), ("items", FeedItem), ("errors", record)."""

    FEED = ReadModifyWriteStateSpec("feed", PickleCoder())

    def __init__(
        self,
        seed: dict[str, dict],
        limits: HttpLimits | None = None,
        max_items: int = DEFAULT_MAX_ITEMS,
    ) -> None:
        self._seed = seed
        self._poll = PollFeedFn(limits)
        self._max_items = max(1, max_items)

    def setup(self) -> None:
        self._poll.setup()

    def teardown(self) -> None:
        self._poll.teardown()

    def process(
        self,
        element: tuple[str, FeedSpec],
        feed=beam.DoFn.StateParam(FEED),  # type: ignore[no-untyped-def]  # noqa: B008
    ) -> Iterator[tuple[str, object]]:
        url, spec = element
        state = feed.read()
        if state is None:
            seed = self._seed.get(url, {})
            state = {"validators": {k: seed.get(k) for k in VALIDATORS}, "taken": set()}
        polls: list[dict] = []
        items: list[FeedItem] = []
        errors: list[object] = []
        for kind, value in self._poll.process((spec, state["validators"])):
            {POLLS: polls, ITEMS: items, ERRORS: errors}[kind].append(value)  # type: ignore[index]
        (poll,) = polls
        yield from ((ERRORS, e) for e in errors)
        if poll["status"] != "ok":  # 304, unchanged or failed: the state stays
            yield POLLS, poll
            return
        current = {i.canonical for i in items}
        taken = state["taken"] & current
        new = [i for i in _first_of_each(items) if i.canonical not in taken]
        now, later = new[: self._max_items], new[self._max_items :]
        taken |= {i.canonical for i in now}
        if later:  # read the whole feed again next time, here and after a restart
            message = f"{len(later)} new items left for the next poll"
            poll = {**poll, **dict.fromkeys(VALIDATORS), "message": message}
            validators = dict.fromkeys(VALIDATORS)
        else:
            validators = {k: poll[k] for k in VALIDATORS}
        feed.write({"validators": validators, "taken": taken})
        yield POLLS, poll
        yield from ((ITEMS, i) for i in now)


def _first_of_each(items: list[FeedItem]) -> list[FeedItem]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.canonical not in seen:
            seen.add(item.canonical)
            out.append(item)
    return out
