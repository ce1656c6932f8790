"""Saved RSS/Atom/RDF feeds: one article per item, parsed with feedparser."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime

import feedparser
import lxml.html

from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.common import SourceError, error_from, make_article


def html_to_text(fragment: str) -> str:
    """Feed content is often an HTML fragment: keep its text, one block a line."""
    if "<" not in fragment:
        return fragment
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return fragment
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def entry_datetime(entry: dict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def entry_text(entry: dict) -> str:
    contents = entry.get("content") or []
    best = max((c.get("value", "") for c in contents), key=len, default="")
    summary = entry.get("summary", "") or ""
    return html_to_text(best if len(best) >= len(summary) else summary)


def parse_feed(source: str, data: bytes) -> Iterator[Article | ErrorRecord]:
    parsed = feedparser.parse(data)
    if not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        if parsed.get("bozo") or not parsed.get("version"):
            raise SourceError("bad_feed", f"not a parseable RSS/Atom feed{detail}")
        raise SourceError("empty_feed", "the feed has no items")
    feed_language = parsed.feed.get("language")
    broken = _xml_problem(parsed)
    for index, entry in enumerate(parsed.entries):
        link = entry.get("link")
        item_source = f"{source}#item{index}"
        try:
            yield make_article(
                item_source,
                entry_text(entry),
                title=entry.get("title"),
                url=link,
                published=entry_datetime(entry),
                published_source="feed",
                language=entry.get("language") or feed_language,
            )
        except SourceError as exc:
            # An item left empty by broken XML: name the real cause.
            reason = SourceError("bad_feed", f"malformed feed ({broken}); item has no text")
            yield error_from(item_source, reason if broken else exc, "parse", repr(dict(entry)))


def _xml_problem(parsed: feedparser.FeedParserDict) -> str | None:
    """The XML error feedparser recovered from, if any (encoding overrides are fine)."""
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or exc is None:
        return None
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return None
    return str(exc) or type(exc).__name__
