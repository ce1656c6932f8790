"""Pattern scans sped up with a lookahead of their first characters find the same matches."""

from __future__ import annotations

import re
from datetime import date

import pytest

from newsbeam.transforms.extract import timex
from newsbeam.transforms.extract.first_chars import with_first_chars

TEXT = (
    "Am 3. März 2024 und am ٣. März (arabische Ziffern); letzte Woche, nächstes Jahr, "
    "LETZTE WOCHE, in der vergangenen Woche; Kelvin \u212a und k; 1990er-Jahre; "
    "-5 Grad; [Klammer] ^hoch; seit zwei Jahren, vor drei Tagen."
)

PATTERNS = [
    (r"\b(?:letzte woche|nächstes jahr|in der vergangenen woche)\b", re.IGNORECASE),
    (r"\b(?P<d>\d{1,2})\.\s*(?P<m>märz|april)(?:\s+(?P<y>\d{4}))?", re.IGNORECASE),
    (r"\b(?:(?:in )?der )?vergangenen\s+Woche", 0),
    (r"\bk\b", re.IGNORECASE),  # also the Kelvin sign under IGNORECASE
    (r"(?<![\w-])-?\d+ Grad", 0),
    (r"[\[\]^]\w+", 0),
    (r"\b(?P<c>1[89])?(?P<d>\d)0er", 0),
    (r"\b(?:seit|vor)\s+(?:zwei|drei)\s+\w+", 0),
]


@pytest.mark.parametrize(("source", "flags"), PATTERNS)
def test_the_prefixed_pattern_finds_what_the_pattern_finds(source, flags):
    pattern = re.compile(source, flags)
    fast = with_first_chars(pattern)
    assert fast.pattern.startswith("(?=[")
    assert [m.span() for m in fast.finditer(TEXT)] == [m.span() for m in pattern.finditer(TEXT)]
    assert [m.groupdict() for m in fast.finditer(TEXT)] == [
        m.groupdict() for m in pattern.finditer(TEXT)
    ]
    assert list(fast.finditer(TEXT)), "the text exercises every pattern"


@pytest.mark.parametrize(
    "source",
    [r"(?:woche)?", r"\b\S*jahr", r"[^a-z]+woche", r"(?!)", r".jahr"],
)
def test_patterns_that_may_start_anywhere_or_match_nothing_are_left_as_they_are(source):
    pattern = re.compile(source)
    assert with_first_chars(pattern) is pattern


def test_time_expressions_are_the_same_with_and_without_the_prefix(monkeypatch):
    """Both the lower-cased scan and the scan of a text whose lower case changes
    length ("İ" lower-cases to two characters)."""
    texts = [
        "Am 3. März 2024 sagte sie, letzte Woche sei es kälter gewesen als im vergangenen Jahr.",
        "İstanbul, 3. März 2024: In der kommenden Woche und seit zwei Jahren, um 14 Uhr.",
    ]
    anchor = date(2024, 3, 5)

    def found() -> list[str]:
        timex.rules.cache_clear()
        return [repr(t) for text in texts for t in timex.find_timexes(text, "de", anchor)]

    fast = found()
    monkeypatch.setattr(timex, "with_first_chars", lambda pattern: pattern)
    try:
        assert found() == fast
    finally:
        timex.rules.cache_clear()
    assert len(fast) >= 6
