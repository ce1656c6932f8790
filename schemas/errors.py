"""The `errors` table: dead letters. Every input that did not become rows, and why."""

import pyarrow as pa

from newsbeam.schemas._fields import TIMESTAMP, col

NAME = "errors"

SCHEMA = pa.schema(
    [
        col("error_id", pa.string(), "hash of source, stage, kind and input: reruns dedupe", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col(
            "source",
            pa.string(),
            "file path (with #L12 for a JSONL line, #item3 for a feed item) or URL",
            False,
        ),
        col("stage", pa.string(), "read, parse, nlp or extract:<name>", False),
        col(
            "kind",
            pa.string(),
            "short reason: empty, binary, not_utf8, bad_json, no_model ...",
            False,
        ),
        col("message", pa.string(), "what went wrong and what to do about it", False),
        col(
            "input_excerpt",
            pa.string(),
            "the first 4,000 characters of the input, to replay it",
            False,
        ),
        col("article_id", pa.string(), "the article, when it was kept in `articles` all the same"),
        col("occurred_at", TIMESTAMP, "when the run met the error, UTC", False),
    ]
)
