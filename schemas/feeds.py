"""The `feeds` table: one row per feed poll, to see which feeds are healthy."""

import pyarrow as pa

from newsbeam.schemas._fields import TIMESTAMP, col

NAME = "feeds"

SCHEMA = pa.schema(
    [
        col("feed_url", pa.string(), "the feed polled", False),
        col("run_id", pa.string(), "the run (tick) that polled it", False),
        col("feed_name", pa.string(), "name from the feed list", False),
        col("polled_at", TIMESTAMP, "when, UTC", False),
        col(
            "status",
            pa.string(),
            "ok, not_modified (304), unchanged (same body), or error:<kind>",
            False,
        ),
        col("http_status", pa.int32(), "final HTTP status, when there was one"),
        col("items", pa.int32(), "items in the feed", False),
        col("new", pa.int32(), "items that became articles", False),
        col("duplicates", pa.int32(), "items recorded in `duplicates`", False),
        col("known", pa.int32(), "items already in the lake from earlier ticks", False),
        col("errors", pa.int32(), "items that ended in `errors`", False),
        col("latency_ms", pa.int32(), "time to fetch the feed, retries included"),
        col("attempts", pa.int32(), "HTTP attempts (retries on 429/5xx)"),
        col("etag", pa.string(), "ETag the server sent (kept for conditional GET)"),
        col("last_modified", pa.string(), "Last-Modified the server sent"),
        col("body_hash", pa.string(), "hash of the body: an unchanged body is unchanged"),
        col("message", pa.string(), "what went wrong, for errors"),
    ]
)
