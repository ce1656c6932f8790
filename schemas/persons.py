"""The `persons` table: one row per person per article, with what the text says of them."""

import pyarrow as pa

from newsbeam.schemas._fields import PIPELINE_DOC, col

NAME = "persons"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "article the person appears in", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col("pipeline", pa.string(), PIPELINE_DOC),
        col(
            "entity_key",
            pa.string(),
            "per:<name-slug>; the same person in two articles shares it",
            False,
        ),
        col("name", pa.string(), "canonical name: the longest form in the article", False),
        col("role", pa.string(), "title or role the text gives, as written (US-Präsident)"),
        col("country", pa.string(), "ISO 3166 alpha-3 the role implies (US- -> USA), or EU"),
        col("party", pa.string(), "party in brackets after the name (CDU)"),
        col("mention_count", pa.int32(), "name mentions in the article", False),
        col("first_char", pa.int32(), "offset of the first mention in articles.text", False),
    ]
)
