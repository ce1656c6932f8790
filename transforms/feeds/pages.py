"""Fetch article pages politely: robots.txt, at most N requests at once per host,
a delay between them, main text by trafilatura, the feed's summary as fallback."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import apache_beam as beam
import trafilatura

from newsbeam.transforms.feeds.canonical import canonical_url
from newsbeam.transforms.feeds.http import FetchError, HttpLimits
from newsbeam.transforms.feeds.poll import FeedItem
from newsbeam.transforms.feeds.robots import RobotsCache
from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.common import SourceError, make_article, parse_datetime
from newsbeam.transforms.sources.html_file import main_text, page_title
from newsbeam.transforms.sources.page_meta import page_meta

ERRORS = "errors"
ARTICLES = "articles"
DEFAULT_PER_HOST = 2
DEFAULT_DELAY_S = 0.5

_CANONICAL = re.compile(
    rb"""<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']|<link[^>]+href=["']([^"']+)["'][^>]*rel=["']canonical["']""",
    re.I,
)


def rel_canonical(html: bytes) -> str | None:
    match = _CANONICAL.search(html[:200_000])
    if not match:
        return None
    return (match.group(1) or match.group(2)).decode("utf-8", "replace")


def page_article(item: FeedItem, html: bytes, final_url: str, fetched_at: datetime) -> Article:
    extracted = trafilatura.bare_extraction(
        html, url=final_url, with_metadata=True, include_comments=False, include_tables=False
    )
    doc = extracted if extracted is None or isinstance(extracted, dict) else extracted.as_dict()
    if not doc or not (doc.get("text") or "").strip():
        raise SourceError("no_main_text", "trafilatura found no main text on the page")
    canonical = canonical_url(rel_canonical(html) or final_url)
    meta = page_meta(html, final_url)
    published, source = item.published, "feed"
    if published is None and (page_date := meta.published or parse_datetime(doc.get("date"))):
        published, source = page_date, "page"
    if published is None:
        published, source = fetched_at, "fetch_time"
    title = page_title(meta, doc, final_url) or item.title
    article = make_article(
        item.url, main_text(doc, title), title=title, url=canonical,
        published=published, published_source=source,
        language=item.language or meta.language or doc.get("language"),
    )  # fmt: skip
    return article.replace(
        canonical_url=canonical, authors=doc.get("author"), text_source="page",
        feed_url=item.feed_url, fetched_at=fetched_at,
    )  # fmt: skip


def summary_article(item: FeedItem, fetched_at: datetime) -> Article:
    """The feed's own text for an item whose page cannot be had: its summary, else
    its headline (the text of last resort)."""
    published, source = (item.published, "feed") if item.published else (fetched_at, "fetch_time")
    text, text_source = (item.summary, "feed_summary") if item.summary else (item.title, "title")
    article = make_article(
        item.url, text or "", title=item.title, url=item.canonical, published=published,
        published_source=source, language=item.language,
    )  # fmt: skip
    return article.replace(
        canonical_url=item.canonical, text_source=text_source, feed_url=item.feed_url,
        fetched_at=fetched_at,
    )  # fmt: skip


class FetchPagesFn(beam.DoFn):
    """(host, items) -> ("articles", Article) and ("errors", ErrorRecord) pairs; a page
    that cannot be had is an error row, and the feed's summary stands in when it can."""

    def __init__(
        self,
        per_host: int = DEFAULT_PER_HOST,
        delay_s: float = DEFAULT_DELAY_S,
        limits: HttpLimits | None = None,
    ) -> None:
        self._per_host = max(1, per_host)
        self._delay_s = delay_s
        self._limits = limits or HttpLimits()

    def setup(self) -> None:
        self._client = self._limits.client()
        self._robots = RobotsCache(self._client)
        self._robots_lock = threading.Lock()

    def teardown(self) -> None:
        self._client.close()

    def process(self, element: tuple[str, Iterable[FeedItem]]) -> Iterator[object]:
        _host, items = element
        with ThreadPoolExecutor(max_workers=self._per_host) as pool:
            for results in pool.map(self._fetch_one, list(items)):
                yield from results

    def _fetch_one(self, item: FeedItem) -> list[object]:
        now = datetime.now(UTC)
        with self._robots_lock:
            allowed = self._robots.allowed(item.url)
        problem: tuple[str, str] | None = None
        if not allowed:
            problem = ("robots_disallowed", "robots.txt disallows this page for newsbeam")
        else:
            time.sleep(self._delay_s)  # politeness: spread the requests to one host
            try:
                fetched = self._client.get(item.url)
                if fetched.status >= 400:
                    problem = (
                        f"http_{fetched.status}",
                        f"HTTP {fetched.status} for the article page",
                    )
                else:
                    return [(ARTICLES, page_article(item, fetched.body, fetched.url, now))]
            except (FetchError, SourceError) as exc:
                problem = (exc.kind, exc.message)
        return self._fallback(item, now, *problem)

    def _fallback(self, item: FeedItem, now: datetime, kind: str, message: str) -> list[object]:
        feed = {"feed_url": item.feed_url}
        try:
            article = summary_article(item, now)
        except SourceError:
            error = ErrorRecord(
                item.url, "page", kind, f"{message}; the feed has no summary or title to use"
            )
            return [(ERRORS, dataclasses.replace(error, extra=feed))]
        note = ErrorRecord(
            item.url,
            "page",
            kind,
            f"{message}; kept the feed's summary",
            article_id=article.article_id,
            extra=feed,
        )
        return [(ARTICLES, article), (ERRORS, note)]
