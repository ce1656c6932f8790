"""Saved HTML pages: main text, title, date and language via trafilatura."""

from __future__ import annotations

from collections.abc import Iterator

import trafilatura

from newsbeam.transforms.records import Article
from newsbeam.transforms.sources.common import SourceError, decode_text, make_article


def extract_html(source: str, html: str, url: str | None = None) -> Article:
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    if doc is None or not (doc.text or "").strip():
        raise SourceError("no_main_text", "trafilatura found no main text in the HTML page")
    text = doc.text
    # trafilatura repeats the headline as the first line of the text.
    if doc.title and text.startswith(doc.title):
        text = text[len(doc.title) :].lstrip()
    return make_article(
        source,
        text or doc.text,
        title=doc.title,
        url=url or doc.url,
        published=doc.date,
        language=doc.language,
    )


def parse_html_file(source: str, data: bytes) -> Iterator[Article]:
    yield extract_html(source, decode_text(data))
