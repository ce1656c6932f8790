"""Poll one feed: conditional GET, unchanged-body check, items out, one `feeds` row."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import apache_beam as beam
import feedparser

from newsbeam.transforms.feeds.canonical import canonical_url
from newsbeam.transforms.feeds.feedlist import FeedSpec
from newsbeam.transforms.feeds.http import FetchError, HttpLimits
from newsbeam.transforms.records import ErrorRecord
from newsbeam.transforms.sources.common import normalise_language
from newsbeam.transforms.sources.feed_file import entry_datetime, entry_fields

POLLS = "polls"
ITEMS = "items"
ERRORS = "errors"


@dataclass(frozen=True)
class FeedItem:
    feed_url: str
    url: str
    canonical: str
    title: str | None
    summary: str
    published: datetime | None
    language: str | None
    feed_language: str | None = None


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def poll_row(spec: FeedSpec, polled_at: datetime, status: str, **extra: object) -> dict:
    row = {
        "feed_url": spec.url, "feed_name": spec.name, "polled_at": polled_at, "status": status,
        "http_status": None, "items": 0, "latency_ms": None, "attempts": None, "etag": None,
        "last_modified": None, "body_hash": None, "message": None,
    }  # fmt: skip
    row.update(extra)
    return row


def feed_row(element: tuple[str, dict[str, list]]) -> tuple:
    """(feed, {"poll": [its poll row], "outcomes": what became of its items}) -> a `feeds` row."""
    _feed, groups = element
    (poll,) = groups["poll"]
    outcomes = Counter(groups["outcomes"])
    row = {
        **poll,
        "new": outcomes["new"],
        "duplicates": outcomes["duplicate"],
        "known": outcomes["known"],
        "errors": outcomes["error"],
    }
    return "feeds", poll["polled_at"].date().isoformat(), row


def parse_items(spec: FeedSpec, body: bytes) -> tuple[list[FeedItem], list[ErrorRecord]]:
    """The feed's items, and an error for each item that has no link to follow."""
    parsed = feedparser.parse(body)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        raise FetchError(
            "bad_feed", f"not a parseable RSS/Atom/RDF feed: {parsed.get('bozo_exception')}"
        )
    language = normalise_language(spec.language) or normalise_language(parsed.feed.get("language"))
    items, problems = [], []
    for index, entry in enumerate(parsed.entries):
        link = entry.get("link")
        fields = entry_fields(entry)
        if not link:
            problems.append(
                ErrorRecord(
                    f"{spec.url}#item{index}", "feed", "no_link",
                    "feed item has no link to an article page", repr(dict(entry))[:4000],
                )
            )  # fmt: skip
            continue
        items.append(
            FeedItem(
                feed_url=spec.url,
                url=link,
                canonical=canonical_url(link),
                title=fields.title,
                summary=fields.text,
                published=entry_datetime(entry),
                language=normalise_language(fields.language) or language,
            )
        )
    return items, problems


class PollFeedFn(beam.DoFn):
    """(FeedSpec, validators) -> ("items", FeedItem), ("polls", row), ("errors", record)."""

    def __init__(self, limits: HttpLimits | None = None) -> None:
        self._limits = limits or HttpLimits()

    def setup(self) -> None:
        self._client = self._limits.client()

    def teardown(self) -> None:
        self._client.close()

    def process(self, element: tuple[FeedSpec, dict]) -> Iterator[object]:
        spec, state = element
        now = datetime.now(UTC)
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        try:
            fetched = self._client.get(spec.url, headers)
        except FetchError as exc:
            yield (
                POLLS,
                poll_row(
                    spec, now, f"error:{exc.kind}", http_status=exc.status, message=exc.message
                ),
            )
            yield (ERRORS, ErrorRecord(spec.url, "feed", exc.kind, exc.message))
            return
        timing = {
            "http_status": fetched.status,
            "latency_ms": int((fetched.elapsed_s + fetched.waited_s) * 1000),
            "attempts": fetched.attempts,
        }
        if fetched.status == 304:
            yield (POLLS, poll_row(spec, now, "not_modified", **timing))
            return
        if fetched.status >= 400:
            message = f"HTTP {fetched.status} for the feed"
            yield (
                POLLS,
                poll_row(spec, now, f"error:http_{fetched.status}", message=message, **timing),
            )
            yield (ERRORS, ErrorRecord(spec.url, "feed", f"http_{fetched.status}", message))
            return
        digest = body_hash(fetched.body)
        validators = {
            "etag": fetched.headers.get("etag"),
            "last_modified": fetched.headers.get("last-modified"),
            "body_hash": digest,
        }
        if digest == state.get("body_hash"):
            # Stale validators: the server sent the same body again. Nothing is new.
            yield (POLLS, poll_row(spec, now, "unchanged", **timing, **validators))
            return
        try:
            items, problems = parse_items(spec, fetched.body)
        except FetchError as exc:
            yield (POLLS, poll_row(spec, now, f"error:{exc.kind}", message=exc.message, **timing))
            yield (
                ERRORS,
                ErrorRecord(
                    spec.url,
                    "feed",
                    exc.kind,
                    exc.message,
                    fetched.body[:4000].decode("utf-8", "replace"),
                ),
            )
            return
        total = len(items) + len(problems)
        yield (POLLS, poll_row(spec, now, "ok", items=total, **timing, **validators))
        for problem in problems:
            yield (ERRORS, problem)
        yield from ((ITEMS, i) for i in items)
