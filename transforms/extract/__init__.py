"""Extractors: pure functions `(doc, article) -> rows`, one module each.

EXTRACTORS maps a table name to its extractor; the NLP step runs every one of
them on each Doc, so Docs never leave the worker that made them.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from newsbeam.transforms.extract.entities import extract_entities
from newsbeam.transforms.extract.events import extract_events
from newsbeam.transforms.extract.people import extract_persons
from newsbeam.transforms.extract.places import extract_places
from newsbeam.transforms.extract.quotes import extract_quotes
from newsbeam.transforms.extract.timex import extract_timex
from newsbeam.transforms.records import Article

Extractor = Callable[[Doc, Article], list[dict]]

EXTRACTORS: dict[str, Extractor] = {
    "entities": extract_entities,
    "persons": extract_persons,
    "quotes": extract_quotes,
    "timex": extract_timex,
    "places": extract_places,
    "events": extract_events,
}
