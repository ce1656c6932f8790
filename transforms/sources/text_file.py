"""Plain-text articles: optional header lines (date, title, language, url), then the text.

The seed format puts the header inline: " date 2025-08-26 US-Präsident ...".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsbeam.transforms.records import Article
from newsbeam.transforms.sources.common import decode_text, make_article

_INLINE_DATE = re.compile(r"^\s*date:?\s+(\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]+)?)\s+", re.I)
_HEADER_LINE = re.compile(r"^\s*(date|title|language|lang|url):?\s+(.+?)\s*$", re.I)
HEADER_KEYS = {"lang": "language"}


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Return the header fields and the body of a plain-text article."""
    header: dict[str, str] = {}
    lines = text.lstrip("\ufeff").split("\n")
    body_start = 0
    for i, line in enumerate(lines):
        match = _HEADER_LINE.match(line)
        if not match or len(line) > 300:
            break
        key = HEADER_KEYS.get(match.group(1).lower(), match.group(1).lower())
        if key == "date" and not re.match(r"\d{4}-\d{2}-\d{2}", match.group(2)):
            break
        if key == "date" and _INLINE_DATE.match(line) and len(match.group(2).split()) > 1:
            break  # "date 2025-08-26 Article text..." is the inline form below
        header[key] = match.group(2)
        body_start = i + 1
    body = "\n".join(lines[body_start:])
    if "date" not in header:
        inline = _INLINE_DATE.match(body)
        if inline:
            header["date"] = inline.group(1)
            body = body[inline.end() :]
    return header, body


def parse_text_file(source: str, data: bytes) -> Iterator[Article]:
    header, body = split_header(decode_text(data))
    yield make_article(
        source,
        body,
        title=header.get("title"),
        url=header.get("url"),
        published=header.get("date"),
        published_source="header",
        language=header.get("language"),
        language_source="header",
    )
