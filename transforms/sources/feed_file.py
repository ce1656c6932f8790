"""Saved RSS/Atom/RDF feeds: one article per item, parsed with feedparser."""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
import lxml.html

from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.common import SourceError, error_from, excerpt, make_article


def html_to_text(fragment: str) -> str:
    """Feed content is often an HTML fragment: keep its text, one block a line.

    A fragment without a tag is still HTML: its entities ("AT&amp;T",
    "don&#x2019;t") are decoded."""
    if "<" not in fragment:
        return html.unescape(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return html.unescape(fragment)
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def detail_text(value: str, detail: dict | None) -> str:
    """Plain text of a feed field, decoded the way its content type says: feedparser
    hands `type="text"` content over as plain text, which must not be parsed as HTML
    ("If a <b and c> d" keeps every word)."""
    content_type = (detail or {}).get("type") or "text/html"
    return value if content_type == "text/plain" else html_to_text(value)


@dataclass(frozen=True)
class EntryFields:
    text: str  # plain text of the longest of content and summary
    title: str | None  # plain text
    language: str | None  # xml:lang of the text (or of the title), if the feed says


def entry_fields(entry: dict) -> EntryFields:
    """An entry's text, title and item-level language, as plain text."""
    candidates = [(c.get("value") or "", c) for c in entry.get("content") or []]
    candidates.append((entry.get("summary") or "", entry.get("summary_detail")))
    value, detail = max(candidates, key=lambda pair: len(pair[0]))
    title_detail = entry.get("title_detail")
    title = detail_text(entry["title"], title_detail).strip() if entry.get("title") else None
    language = (detail or {}).get("language") or (title_detail or {}).get("language")
    return EntryFields(detail_text(value, detail).strip(), title or None, language)


def entry_datetime(entry: dict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def parse_feed(source: str, data: bytes) -> Iterator[Article | ErrorRecord]:
    parsed = feedparser.parse(data)
    broken = _xml_problem(parsed)
    if not parsed.entries:
        if not parsed.get("version"):
            detail = f": {broken}" if broken else ""
            raise SourceError("bad_feed", f"not a parseable RSS/Atom feed{detail}")
        raise SourceError("empty_feed", "the feed has no items")
    encoding = encoding_problem(parsed, data)
    if encoding:
        yield ErrorRecord(source, "parse", "encoding_guessed", encoding, excerpt(data))
    feed_language = parsed.feed.get("language")
    for index, entry in enumerate(parsed.entries):
        item_source = f"{source}#item{index}"
        fields = entry_fields(entry)
        # A headline is an article's text of last resort.
        text, text_source = (fields.text, "file") if fields.text else (fields.title, "title")
        if not text:
            # Nothing at all in the item: broken XML is the likely cause, if any.
            reason = (
                SourceError(
                    "bad_feed", f"malformed feed ({broken}): the item has no title and no text"
                )
                if broken
                else SourceError("empty_item", "the item has no title and no text")
            )
            yield error_from(item_source, reason, "parse", repr(dict(entry)))
            continue
        article = make_article(
            item_source,
            text,
            title=fields.title,
            url=entry.get("link"),
            published=entry_datetime(entry),
            published_source="feed",
            language=fields.language or feed_language,
        )
        yield article.replace(text_source=text_source)


def _xml_problem(parsed: feedparser.FeedParserDict) -> str | None:
    """The XML error feedparser recovered from, if any (encoding overrides are fine)."""
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or exc is None:
        return None
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return None
    return str(exc) or type(exc).__name__


def encoding_problem(parsed: feedparser.FeedParserDict, data: bytes) -> str | None:
    """Why the text may be mojibake, or None: the feed declared one encoding, its
    bytes are not valid in it (nor in UTF-8), and feedparser read them as another,
    detected one."""
    exc = parsed.get("bozo_exception")
    if not isinstance(
        exc, feedparser.CharacterEncodingOverride | feedparser.CharacterEncodingUnknown
    ):
        return None
    declared = _declared_encoding(data)
    used = parsed.get("encoding") or "unknown"
    if _decodes(data, declared or "utf-8") or _decodes(data, "utf-8"):
        return None
    said = f"declares {declared}" if declared else "declares no encoding (so UTF-8)"
    return (
        f"the feed {said} but its bytes are not valid in it; it was read as {used} "
        "(detected), so its text may be garbled"
    )


_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._:-]+)["']""")


def _declared_encoding(data: bytes) -> str | None:
    match = _XML_DECLARATION.match(data[:500])
    return match.group(1).decode("ascii") if match else None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
