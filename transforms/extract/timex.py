"""Time expressions, normalised TIMEX3-style against the publication date.

Rules per language come from transforms/lexicons/<lang>/timex.yaml (weekday and
month names, modifiers, relative words). News is mostly about the past, so a
bare weekday is the latest such day on or before the anchor ("am Montag" in a
Tuesday paper is the day before), a date without a year is the one nearest the
anchor, and "kommenden"/"next" moves them forward.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from spacy.tokens import Doc

from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.extract.entities import doc_text, sentence_of
from newsbeam.transforms.lexicon import load_lexicon
from newsbeam.transforms.records import Article


@dataclass(frozen=True)
class Timex:
    text: str
    type: str  # DATE | TIME | DURATION
    value: str  # 2025-08-25, 2025-W34, 2025-08, 2025-08-26T14:00, P3Y
    modifier: str | None
    start: int
    end: int


def _alternation(words: Iterable[object]) -> str:
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


@dataclass(frozen=True)
class Rules:
    weekday: re.Pattern[str]
    day_month: re.Pattern[str]
    month: re.Pattern[str]
    relative_day: re.Pattern[str]
    week: list[tuple[re.Pattern[str], int]]
    year: list[tuple[re.Pattern[str], int]]
    ago: re.Pattern[str] | None
    duration: re.Pattern[str] | None
    time_of_day: re.Pattern[str] | None
    lexicon: dict


@lru_cache(maxsize=8)
def rules(language: str) -> Rules | None:
    lex = load_lexicon(language, "timex")
    if not lex:
        return None
    days, months = _alternation(lex["weekdays"]), _alternation(lex["months"])
    mods = _alternation(lex.get("month_modifiers", {}))
    shift = _alternation([*lex.get("future_words", []), *lex.get("past_words", [])])
    notes = _alternation(lex.get("trailing_notes", []))
    note = rf"(?:\s*(?:{notes}))?" if notes else ""
    numbers = _alternation(lex.get("numbers", {}))
    units = _alternation(lex.get("units", {}))
    count = rf"(\d+|{numbers})"
    flags = re.IGNORECASE
    de = language == "de"
    prep_day = r"(?:am|an diesem|vom|bis|seit)\s+" if de else r"(?:on|by|since)\s+"
    return Rules(
        weekday=re.compile(
            rf"\b(?:{prep_day})?(?:(?P<shift>{shift})\s+)?(?P<day>{days})\w*{note}", flags
        ),
        day_month=re.compile(
            (
                rf"\b(?:(?:am|vom|bis zum|zum|seit dem)\s+)?(?P<d>\d{{1,2}})\.\s*(?P<m>{months})"
                rf"(?:\s+(?P<y>\d{{4}}))?"
            )
            if de
            else (
                rf"\b(?:on\s+)?(?:(?P<m>{months})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
                rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{months}))(?:,?\s+(?P<y>\d{{4}}))?"
            ),
            flags,
        ),
        month=re.compile(
            rf"\b(?:(?:im|in|seit|bis)\s+)?(?:(?P<mod>{mods})\s*)?(?P<m>{months})"
            rf"(?:\s+(?P<y>\d{{4}}))?\b",
            flags,
        ),
        relative_day=re.compile(rf"\b(?P<rel>{_alternation(lex['relative_days'])})\b", flags),
        week=[(re.compile(rf"\b(?:{p})\b", flags), off) for p, off in lex["week_phrases"].items()],
        year=[(re.compile(rf"\b(?:{p})\b", flags), off) for p, off in lex["year_phrases"].items()],
        ago=re.compile(
            (
                rf"\bvor\s+{count}\s+(?P<unit>{units})\b"
                if de
                else rf"\b{count}\s+(?P<unit>{units})\s+ago\b"
            ),
            flags,
        ),
        duration=re.compile(
            (
                rf"\bseit\s+{count}\s+(?P<unit>{units})\b"
                if de
                else rf"\bfor\s+{count}\s+(?P<unit>{units})\b"
            ),
            flags,
        ),
        time_of_day=re.compile(rf"\b{lex['time_of_day']}", flags)
        if lex.get("time_of_day")
        else None,
        lexicon=lex,
    )


def _number(word: str, lex: dict) -> int:
    return int(word) if word.isdigit() else int(lex["numbers"].get(word.lower(), 1))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def nearest_year(month: int, day: int, anchor: date) -> int:
    """The year that puts month/day closest to the anchor."""
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append((abs((date(year, month, day) - anchor).days), year))
        except ValueError:
            continue
    return min(candidates)[1] if candidates else anchor.year


def month_year(month: int, anchor: date) -> int:
    """A month without a year: this year unless it lies more than 3 months ahead."""
    return anchor.year - 1 if month > anchor.month + 3 else anchor.year


def _weekday(match: re.Match[str], lex: dict, anchor: date) -> str:
    target = lex["weekdays"][match.group("day").lower()]
    shift = (match.group("shift") or "").lower()
    back = (anchor.weekday() - target) % 7
    if shift in {w.lower() for w in lex.get("future_words", [])}:
        return (anchor + timedelta(days=(target - anchor.weekday()) % 7 or 7)).isoformat()
    if shift in {w.lower() for w in lex.get("past_words", [])} and back == 0:
        back = 7
    return (anchor - timedelta(days=back)).isoformat()


def _shift(anchor: date, amount: int, unit: str) -> tuple[str, str]:
    if unit == "D":
        return "DATE", (anchor + timedelta(days=amount)).isoformat()
    if unit == "W":
        return "DATE", iso_week(anchor + timedelta(weeks=amount))
    if unit == "M":
        month = anchor.month - 1 + amount
        return "DATE", f"{anchor.year + month // 12:04d}-{month % 12 + 1:02d}"
    if unit == "Y":
        return "DATE", f"{anchor.year + amount:04d}"
    return "TIME", anchor.isoformat()


def find_timexes(text: str, language: str, anchor: date) -> list[Timex]:
    """All time expressions in a text, longest first where they overlap."""
    r = rules(language)
    if r is None:
        return []
    lex = r.lexicon
    found: list[Timex] = []

    def add(m: re.Match[str], type_: str, value: str, mod: str | None = None) -> None:
        found.append(Timex(m.group(0), type_, value, mod, m.start(), m.end()))

    for m in r.day_month.finditer(text):
        d = int(m.group("d") or m.group("d2"))
        month = lex["months"][(m.group("m") or m.group("m2")).lower()]
        year = int(m.group("y")) if m.group("y") else nearest_year(month, d, anchor)
        try:
            add(m, "DATE", date(year, month, d).isoformat())
        except ValueError:
            continue
    for m in r.month.finditer(text):
        month = lex["months"][m.group("m").lower()]
        year = int(m.group("y")) if m.group("y") else month_year(month, anchor)
        mod = lex.get("month_modifiers", {}).get((m.group("mod") or "").lower())
        add(m, "DATE", f"{year:04d}-{month:02d}", mod)
    for m in r.weekday.finditer(text):
        add(m, "DATE", _weekday(m, lex, anchor))
    for m in r.relative_day.finditer(text):
        if _is_noun_homograph(m, text, language):
            continue
        offset = lex["relative_days"][m.group("rel").lower()]
        add(m, "DATE", (anchor + timedelta(days=offset)).isoformat())
    for pattern, offset in r.week:
        for m in pattern.finditer(text):
            add(m, "DATE", iso_week(anchor + timedelta(weeks=offset)))
    for pattern, offset in r.year:
        for m in pattern.finditer(text):
            add(m, "DATE", f"{anchor.year + offset:04d}")
    if r.ago:
        for m in r.ago.finditer(text):
            unit = lex["units"][m.group("unit").lower()]
            add(m, *_shift(anchor, -_number(m.group(1), lex), unit))
    if r.duration:
        for m in r.duration.finditer(text):
            unit = lex["units"][m.group("unit").lower()]
            add(
                m,
                "DURATION",
                f"P{_number(m.group(1), lex)}{unit}"
                if unit != "H"
                else f"PT{_number(m.group(1), lex)}H",
            )
    if r.time_of_day:
        for m in r.time_of_day.finditer(text):
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            suffix = (m.group(3) or "").lower() if m.lastindex and m.lastindex >= 3 else ""
            if suffix.startswith("p") and hour < 12:
                hour += 12
            if hour < 24 and minute < 60:
                add(m, "TIME", f"{anchor.isoformat()}T{hour:02d}:{minute:02d}")
    return _longest_first(found)


def _is_noun_homograph(m: re.Match[str], text: str, language: str) -> bool:
    """German "Morgen" (morning) is not "morgen" (tomorrow) unless it starts a sentence."""
    word = m.group(0)
    if language != "de" or word != "Morgen":
        return False
    before = text[: m.start()].rstrip()
    return bool(before) and before[-1] not in ".!?:\n"


def _longest_first(found: list[Timex]) -> list[Timex]:
    kept: list[Timex] = []
    for t in sorted(found, key=lambda t: (-(t.end - t.start), t.start)):
        if all(t.end <= k.start or t.start >= k.end for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: t.start)


def anchor_of(article: Article) -> tuple[date, str]:
    """The date relative expressions are read against, and where it came from."""
    if article.published_at is not None:
        return article.published_at.date(), "published"
    if article.fetched_at is not None:
        return article.fetched_at.date(), "fetched"
    return date.today(), "run_date"


def timexes_of(doc: Doc, article: Article) -> list[Timex]:
    """The Doc's time expressions, found once (timex and events both need them)."""

    def compute() -> list[Timex]:
        anchor, _ = anchor_of(article)
        return find_timexes(doc_text(doc), article.language or doc.lang_, anchor)

    return per_doc(doc, "timexes", compute)


def extract_timex(doc: Doc, article: Article) -> list[dict]:
    anchor, anchor_source = anchor_of(article)
    rows = []
    for t in timexes_of(doc, article):
        span = doc.char_span(t.start, t.end, alignment_mode="expand")
        token = span.start if span is not None else 0
        rows.append(
            {
                "article_id": article.article_id,
                "text": t.text,
                "type": t.type,
                "value": t.value,
                "modifier": t.modifier,
                "anchor": anchor,
                "anchor_source": anchor_source,
                "start_char": t.start,
                "end_char": t.end,
                "sentence_index": sentence_of(doc, token),
            }
        )
    return rows
