"""The `entities` table: one row per named-entity mention."""

import pyarrow as pa

from newsbeam.schemas._fields import PIPELINE_DOC, col

NAME = "entities"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "article the mention is in", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col("pipeline", pa.string(), PIPELINE_DOC),
        col("mention_index", pa.int32(), "position of the mention in the article, from 0", False),
        col("text", pa.string(), "the mention as written", False),
        col(
            "label",
            pa.string(),
            "PER, LOC, ORG, MISC (German) or OntoNotes labels (English)",
            False,
        ),
        col("start_char", pa.int32(), "offset of the first character in articles.text", False),
        col("end_char", pa.int32(), "offset after the last character in articles.text", False),
        col("sentence_index", pa.int32(), "sentence of the mention, from 0", False),
        col("canonical", pa.string(), "longest name in the article this mention refers to", False),
        col(
            "entity_key",
            pa.string(),
            "label:canonical-slug; links 'Trump' to 'Donald Trump'",
            False,
        ),
        col("source_component", pa.string(), "ner (statistical) or a rule component", False),
    ]
)
