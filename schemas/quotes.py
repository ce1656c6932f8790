"""The `quotes` table: direct quotations and reported (indirect) speech, with speakers."""

import pyarrow as pa

from newsbeam.schemas._fields import PIPELINE_DOC, col

NAME = "quotes"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "article the quote is in", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col("pipeline", pa.string(), PIPELINE_DOC),
        col(
            "kind",
            pa.string(),
            "direct (in quote marks), indirect (reported speech) or mention "
            "(a short quoted title or phrase nothing attributes; no speaker)",
            False,
        ),
        col("text", pa.string(), "the quotation, without quote marks", False),
        col("start_char", pa.int32(), "offset of the quotation in articles.text", False),
        col("end_char", pa.int32(), "offset after the quotation in articles.text", False),
        col("sentence_index", pa.int32(), "sentence where the quotation starts", False),
        col("speaker", pa.string(), "who said it: a person's canonical name, or the phrase"),
        col("speaker_key", pa.string(), "entity_key of the speaker when it is a known person"),
        col(
            "speaker_start",
            pa.int32(),
            "offset of the words naming the speaker (a name, she, a spokesman)",
        ),
        col("speaker_end", pa.int32(), "offset after them"),
        col("cue", pa.string(), "the speech verb as written (sagte, schrieb)"),
        col("cue_lemma", pa.string(), "its lemma (sagen, schreiben)"),
        col("cue_start", pa.int32(), "offset of the cue in articles.text"),
        col("cue_end", pa.int32(), "offset after the cue"),
    ]
)
