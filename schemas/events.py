"""The `events` table: who did what to whom, when and where (PLOVER event types)."""

import pyarrow as pa

from newsbeam.schemas._fields import PIPELINE_DOC, col

NAME = "events"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "article the event is in", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col("pipeline", pa.string(), PIPELINE_DOC),
        col("event_index", pa.int32(), "position among the article's event rows", False),
        col("type", pa.string(), "PLOVER type: CONSULT, AGREE, REJECT, COOPERATE ...", False),
        col(
            "mode",
            pa.string(),
            "PLOVER mode where the text tells: phone, visit (CONSULT), firearms, aerial "
            "(ASSAULT), demo, strike (PROTEST), arrest, curfew (COERCE), yield, meet (REQUEST) ...",
        ),
        col(
            "context",
            pa.string(),
            "PLOVER contexts the sentence names, comma-separated: military, economic, "
            "diplomatic, legal, election, health, migration ...",
        ),
        col("trigger", pa.string(), "the verb or noun as written (telefonierte)", False),
        col(
            "trigger_lemma",
            pa.string(),
            "the lexicon entry it matched: lemma, separable particle joined (zustimmen), "
            "phrasal verbs with their particle (call for)",
            False,
        ),
        col(
            "actor",
            pa.string(),
            "who acts: canonical name, or the phrase; empty when the text "
            'names none ("Protests erupted")',
        ),
        col("actor_key", pa.string(), "entity_key of the actor when it is a known entity"),
        col("target", pa.string(), "whom it is done to (one row per target)"),
        col("target_key", pa.string(), "entity_key of the target when it is a known entity"),
        col("event_date", pa.string(), "TIMEX3 value of the event's date", False),
        col("date_modifier", pa.string(), "START, MID, END"),
        col(
            "date_source",
            pa.string(),
            "timex (in the event's clause) or published (fallback)",
            False,
        ),
        col("place", pa.string(), "place named in the event's clause (in Alaska)"),
        col("place_key", pa.string(), "entity_key of the place"),
        col("negated", pa.bool_(), "the trigger is negated (nicht, kein)", False),
        col("reported", pa.bool_(), "inside a quotation or reported speech", False),
        col("claimed_by", pa.string(), "who reported or claimed it"),
        col(
            "confidence",
            pa.float32(),
            "0-1: resolved actor and target, verb over noun, not claimed",
            False,
        ),
        col("sentence", pa.string(), "the sentence of the trigger", False),
        col("start_char", pa.int32(), "offset of the trigger in articles.text", False),
        col("end_char", pa.int32(), "offset after the trigger", False),
    ]
)
