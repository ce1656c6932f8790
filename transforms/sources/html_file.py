"""Saved HTML pages: main text, title, date and language via trafilatura."""

from __future__ import annotations

from collections.abc import Iterator

import trafilatura

from newsbeam.transforms.records import Article
from newsbeam.transforms.sources.common import SourceError, decode_text, make_article


def extract_html(source: str, html: str, url: str | None = None) -> Article:
    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    doc = extracted if extracted is None or isinstance(extracted, dict) else extracted.as_dict()
    if not isinstance(doc, dict) or not (doc.get("text") or "").strip():
        raise SourceError("no_main_text", "trafilatura found no main text in the HTML page")
    text: str = doc["text"]
    title: str | None = doc.get("title")
    # trafilatura repeats the headline as the first line of the text.
    if title and text.startswith(title) and text[len(title) :].strip():
        text = text[len(title) :].lstrip()
    return make_article(
        source,
        text,
        title=title,
        url=url or doc.get("url"),
        published=doc.get("date"),
        language=doc.get("language"),
    )


def parse_html_file(source: str, data: bytes) -> Iterator[Article]:
    yield extract_html(source, decode_text(data))
