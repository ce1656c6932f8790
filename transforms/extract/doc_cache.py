"""Values computed once per Doc and shared by the extractors (text, sentences, people, ...).

They live in one dict in `doc.user_data`. Some hold the Doc itself (people),
a cycle only the cyclic GC would free: the NLP step calls `forget` once an
article's rows are made, so each Doc is freed as soon as its batch is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from spacy.tokens import Doc

T = TypeVar("T")

CACHE_KEY = "newsbeam"


def per_doc(doc: Doc, name: str, compute: Callable[[], T]) -> T:
    """compute(), run on the first call for this Doc and name only."""
    cache: dict[str, Any] = doc.user_data.setdefault(CACHE_KEY, {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def forget(doc: Doc) -> None:
    """Drop everything cached for this Doc."""
    doc.user_data.pop(CACHE_KEY, None)
