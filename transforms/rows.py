"""Turn records into table rows: (table, partition date, row dict) triples for the sink."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from newsbeam.transforms.records import Article, ErrorRecord

TableRow = tuple[str, str, dict]


def partition_date(article: Article) -> str:
    """Articles (and every row about them) partition by publication day, else ingest day."""
    when = article.published_at or article.fetched_at or datetime.now(UTC)
    return when.date().isoformat()


def article_row(
    article: Article, nlp_status: str, nlp_model: str | None, pipeline: str | None = None
) -> TableRow:
    row = {
        "article_id": article.article_id,
        "source": article.source,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "feed_url": article.feed_url,
        "title": article.title,
        "published_at": article.published_at,
        "published_source": article.published_source,
        "language": article.language,
        "language_source": article.language_source,
        "text": article.text,
        "text_source": article.text_source,
        "content_hash": article.content_hash,
        "authors": article.authors,
        "word_count": len(article.text.split()),
        "char_count": len(article.text),
        "nlp_model": nlp_model,
        "nlp_status": nlp_status,
        "pipeline": pipeline,
        "ingested_at": article.fetched_at or datetime.now(UTC),
    }
    return "articles", partition_date(article), row


def table_rows(
    table: str, article: Article, rows: Iterable[dict], pipeline: str | None = None
) -> Iterator[TableRow]:
    """An extractor's rows as (table, date, row) triples, each saying what made it."""
    date = partition_date(article)
    return ((table, date, {**row, "pipeline": pipeline}) for row in rows)


def error_row(error: ErrorRecord) -> TableRow:
    now = datetime.now(UTC)
    row = {
        "error_id": error.error_id,
        "source": error.source,
        "stage": error.stage,
        "kind": error.kind,
        "message": error.message,
        "input_excerpt": error.input_excerpt,
        "article_id": error.article_id,
        "occurred_at": now,
    }
    return "errors", now.date().isoformat(), row


def duplicate_row(
    article: Article, duplicate_of: str, reason: str, similarity: float | None = None
) -> TableRow:
    now = datetime.now(UTC)
    row = {
        "article_id": article.article_id,
        "duplicate_of": duplicate_of,
        "reason": reason,
        "similarity": similarity,
        "source": article.source,
        "title": article.title,
        "feed_url": article.feed_url,
        "detected_at": now,
    }
    return "duplicates", now.date().isoformat(), row
