"""Saved HTML pages: main text, title, date and language via trafilatura."""

from __future__ import annotations

from collections.abc import Iterator

from newsbeam.transforms.records import Article
from newsbeam.transforms.sources.common import SourceError, decode_text, make_article
from newsbeam.transforms.sources.page_meta import PageMeta, page_meta, strip_site_name


def extract_html(source: str, html: str, url: str | None = None) -> Article:
    # Imported here: 0.1 s that every worker (and the driver) would pay at start
    # for a library only HTML inputs use.
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    doc = extracted if extracted is None or isinstance(extracted, dict) else extracted.as_dict()
    if not isinstance(doc, dict) or not (doc.get("text") or "").strip():
        raise SourceError("no_main_text", "trafilatura found no main text in the HTML page")
    url = url or doc.get("url")
    meta = page_meta(html, url)
    title = page_title(meta, doc, url)
    return make_article(
        source,
        main_text(doc, title),
        title=title,
        url=url,
        published=meta.published or doc.get("date"),
        language=meta.language or doc.get("language"),
    )


def page_title(meta: PageMeta, doc: dict, url: str | None) -> str | None:
    """The page's headline (JSON-LD or <h1>), else trafilatura's title without the site name."""
    if meta.headline:
        return meta.headline
    title = doc.get("title")
    return strip_site_name(title, meta.site_name or doc.get("sitename"), url) if title else None


def main_text(doc: dict, title: str | None) -> str:
    """trafilatura's text, without the headline it repeats as the first line."""
    text: str = doc["text"]
    for head in (title, doc.get("title")):
        if head and text.startswith(head) and text[len(head) :].strip():
            return text[len(head) :].lstrip()
    return text


def parse_html_file(source: str, data: bytes) -> Iterator[Article]:
    yield extract_html(source, decode_text(data))
