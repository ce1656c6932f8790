"""The `duplicates` table: inputs not kept because they repeat an article, and which."""

import pyarrow as pa

from newsbeam.schemas._fields import TIMESTAMP, col

NAME = "duplicates"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "id the duplicate would have had", False),
        col("run_id", pa.string(), "the run that met it", False),
        col("duplicate_of", pa.string(), "article_id of the article that was kept", False),
        col("reason", pa.string(), "same_id, same_url, same_content or near_duplicate", False),
        col("similarity", pa.float32(), "estimated Jaccard similarity (near duplicates)"),
        col("source", pa.string(), "file or URL of the duplicate", False),
        col("title", pa.string(), "its title"),
        col("feed_url", pa.string(), "the feed that listed it"),
        col("detected_at", TIMESTAMP, "when, UTC", False),
    ]
)
