"""Extractors: pure functions `(doc, article) -> rows`, one module each.

EXTRACTORS maps a table name to its extractor; the NLP step runs every one of
them on each Doc, so Docs never leave the worker that made them.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from newsbeam.transforms.extract.entities import extract_entities
from newsbeam.transforms.records import Article

Extractor = Callable[[Doc, Article], list[dict]]

EXTRACTORS: dict[str, Extractor] = {
    "entities": extract_entities,
}
