"""JSON Lines articles: one object per line with url/title/published/text/language keys."""

from __future__ import annotations

import json
from collections.abc import Iterator

from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.common import SourceError, decode_text, error_from, make_article

TEXT_KEYS = ("text", "content", "body")
DATE_KEYS = ("published", "published_at", "date")


def parse_jsonl_line(source: str, line: str) -> Article:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SourceError(
            "bad_json", f"not a JSON object: {exc.msg} at column {exc.colno}"
        ) from exc
    if not isinstance(obj, dict):
        raise SourceError("bad_json", f"expected a JSON object, got {type(obj).__name__}")
    text = next((obj[k] for k in TEXT_KEYS if isinstance(obj.get(k), str)), None)
    if text is None:
        raise SourceError("no_text", f"no text field (one of {', '.join(TEXT_KEYS)})")
    published = next((obj[k] for k in DATE_KEYS if obj.get(k)), None)
    return make_article(
        source,
        text,
        title=obj.get("title") if isinstance(obj.get("title"), str) else None,
        url=obj.get("url") if isinstance(obj.get("url"), str) else None,
        published=published,
        language=obj.get("language") or obj.get("lang"),
    )


def parse_jsonl_file(source: str, data: bytes) -> Iterator[Article | ErrorRecord]:
    """Each line is its own input: a bad line becomes an error row, the rest go on."""
    for number, line in enumerate(decode_text(data).split("\n"), start=1):
        if not line.strip():
            continue
        line_source = f"{source}#L{number}"
        try:
            yield parse_jsonl_line(line_source, line)
        except SourceError as exc:
            yield error_from(line_source, exc, "parse", line)
