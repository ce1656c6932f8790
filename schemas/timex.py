"""The `timex` table: time expressions normalised against the publication date."""

import pyarrow as pa

from newsbeam.schemas._fields import PIPELINE_DOC, col

NAME = "timex"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "article the expression is in", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col("pipeline", pa.string(), PIPELINE_DOC),
        col("text", pa.string(), "the expression as written (am Montag)", False),
        col("type", pa.string(), "TIMEX3 type: DATE, TIME or DURATION", False),
        col(
            "value",
            pa.string(),
            "ISO 8601 / TIMEX3 value: 2025-08-25, 2025-W34, 2025-08, P3Y",
            False,
        ),
        col("modifier", pa.string(), "TIMEX3 mod: START, MID, END"),
        col(
            "anchor",
            pa.date32(),
            "the date the value was resolved against: the publication date, or a date the "
            "text mentioned before (narrative text, 'two days later')",
            False,
        ),
        col(
            "anchor_source",
            pa.string(),
            "published, fetched or run_date (the article's date), or text (a date it mentioned)",
            False,
        ),
        col("start_char", pa.int32(), "offset in articles.text", False),
        col("end_char", pa.int32(), "offset after the expression", False),
        col("sentence_index", pa.int32(), "sentence of the expression", False),
    ]
)
