"""Where the quotations are: pairs of quote marks, from the language's speech lexicon."""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.extract.entities import doc_text
from newsbeam.transforms.lexicon import load_lexicon

# A "quote" longer than this is an unpaired mark, not a quotation.
MAX_QUOTE_CHARS = 3_000


@lru_cache(maxsize=8)
def _marks(language: str) -> dict[str, tuple[str, ...]]:
    marks = load_lexicon(language, "speech").get("quote_marks") or {'"': ['"']}
    return {opening: tuple(closers) for opening, closers in marks.items()}


@lru_cache(maxsize=8)
def _openings(language: str) -> re.Pattern[str]:
    """Any opening mark: the scan jumps from one to the next instead of walking each character."""
    return re.compile("|".join(re.escape(mark) for mark in _marks(language)))


def quote_spans(text: str, language: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each quotation's content, marks excluded.

    Scans left to right: an opening mark pairs with the nearest closing mark it
    allows; nested quotes (‚…‘ inside „…“) stay inside the outer one.
    """
    marks = _marks(language)
    openings = _openings(language)
    spans = []
    i = 0
    while (found := openings.search(text, i)) is not None:
        i = found.start()
        closers = marks[found.group()]
        ends = [j for c in closers if (j := text.find(c, i + 1)) != -1]
        end = min(ends, default=-1)
        if end == -1 or end - i > MAX_QUOTE_CHARS or "\n\n" in text[i:end]:
            i += 1
            continue
        if end > i + 1:
            spans.append((i + 1, end))
        i = end + 1
    return spans


def doc_quote_spans(doc: Doc, language: str) -> list[tuple[int, int]]:
    """quote_spans of a Doc's text, found once (people and quotes both need them)."""
    return per_doc(doc, "quote_spans", lambda: quote_spans(doc_text(doc), language))
