"""Small helpers to declare documented pyarrow fields."""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")


PIPELINE_DOC = (
    "what made the row: newsbeam's version and the spaCy pipeline "
    "(newsbeam-0.5.0 en_core_web_sm-3.8.0); `newsbeam reprocess` replaces rows of another"
)


def col(name: str, type_: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    """A field whose description travels with the schema (and into the README)."""
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


def docs(schema: pa.Schema) -> list[tuple[str, str, str]]:
    """(column, type, description) for every field, for docs and tests."""
    return [(f.name, str(f.type), (f.metadata or {}).get(b"doc", b"").decode()) for f in schema]
