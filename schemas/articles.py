"""The `articles` table: one row per article, the hub every other table joins to."""

import pyarrow as pa

from newsbeam.schemas._fields import PIPELINE_DOC, TIMESTAMP, col

NAME = "articles"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "stable id: hash of the URL, else of title and text", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col(
            "source",
            pa.string(),
            "file path (with #L12 for a JSONL line, #item3 for a feed item) or URL",
            False,
        ),
        col("url", pa.string(), "article URL when known"),
        col("canonical_url", pa.string(), "URL without tracking parameters, rel=canonical applied"),
        col("feed_url", pa.string(), "the feed that listed it (feed ingestion)"),
        col("title", pa.string(), "headline when known"),
        col("published_at", TIMESTAMP, "publication time, UTC"),
        col(
            "published_source",
            pa.string(),
            "where published_at came from: header, metadata, feed, page, fetch_time, none",
            False,
        ),
        col("language", pa.string(), "ISO 639-1 code, or und when it could not be told"),
        col(
            "language_source",
            pa.string(),
            "header, metadata, detected, undetermined (text too short or unsure) or none",
            False,
        ),
        col("text", pa.string(), "normalised article text (NFC, unified whitespace)", False),
        col(
            "text_source",
            pa.string(),
            "file, page (fetched article page), feed_summary (page unavailable) or title "
            "(the item had only a headline)",
            False,
        ),
        col(
            "content_hash",
            pa.string(),
            "hash of the text (case and spacing ignored): exact duplicates",
            False,
        ),
        col("authors", pa.string(), "authors, as the page's metadata gives them"),
        col("word_count", pa.int32(), "whitespace-separated words in text", False),
        col("char_count", pa.int32(), "characters in text", False),
        col("nlp_model", pa.string(), "spaCy pipeline that analysed it (name and version)"),
        col(
            "nlp_status",
            pa.string(),
            "ok, truncated (text longer than the NLP limit), or error",
            False,
        ),
        col("pipeline", pa.string(), PIPELINE_DOC),
        col("ingested_at", TIMESTAMP, "when the run read it, UTC", False),
    ]
)
