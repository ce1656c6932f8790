"""Time expressions, normalised TIMEX3-style, anchored as news or as narrative.

Rules per language come from transforms/lexicons/<lang>/timex.yaml (names,
modifiers, phrases, durations, vague references); the code is the same for
every language. Finding is two steps:
1. every rule proposes candidates (a span and what it means: a day and month,
   a year, a duration, "two days later", ...); overlaps keep the longest;
2. the candidates are resolved in text order against an anchor:
   - `news` (the default for news): relative and year-less expressions are
     read against the publication date ("am Montag" in a Tuesday paper is the
     day before; a date without a year is the one nearest the publication);
   - `narrative` (history, background, Wikipedia-like text): against the last
     date the text mentioned, falling back to the publication date
     ("28. September" after "1. September 1939" is 1939-09-28).
   Expressions that refer back ("two days later", "am selben Tag") use the last
   mentioned date in both modes. `choose_mode` picks the mode of a text when
   the caller does not: narrative when most of its explicit years lie three or
   more years before the publication.
Each Timex has the phrase as written (`start`, `end`, a leading preposition
included: "am Montag") and the TimeML extent (`extent_start`, `extent_end`:
"Montag"), and says what anchored its value (`anchored_on`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc

from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.extract.entities import doc_text, sentence_of
from newsbeam.transforms.extract.first_chars import with_first_chars
from newsbeam.transforms.lexicon import load_lexicon
from newsbeam.transforms.records import Article

MODES = ("news", "narrative")
# Tables of phrases in timex.yaml, each resolved by the resolver of that name.
PHRASE_TABLES = (
    "week_phrases",
    "month_phrases",
    "year_phrases",
    "reference_phrases",
    "following_phrases",
    "references",
    "day_parts",
)
DURATION_WORDS = "duration_words"
# Word tables of timex.yaml that matches are looked up in, lower-cased.
LOWERED_TABLES = ("months", "narrative_references", "duration_words")
# Kinds whose phrase takes a preposition before them ("am 18. August", "in June").
WITH_PREPOSITION = {"day_month", "month", "weekday", "year", "season"}
# A text is narrative when at least this many explicit years are in it and most
# of them lie this many years or more before the publication.
NARRATIVE_MIN_YEARS = 3
NARRATIVE_YEARS_BEFORE = 3
# In narrative text, a bare year this far from the last mentioned date is an
# aside and does not become the date later expressions are read against.
NARRATIVE_ASIDE_YEARS = 10


@dataclass(frozen=True)
class Timex:
    text: str
    type: str  # DATE | TIME | DURATION
    value: str  # 2025-08-25, 2025-W34, 2025-08, 2025-08-26T14:00, P3Y, PRESENT_REF
    modifier: str | None
    start: int
    end: int
    extent_start: int = -1  # the TimeML extent: without a leading preposition
    extent_end: int = -1
    anchored_on: str = "publication"  # publication | text (a date it mentioned) | none
    anchor: date | None = None  # the date that resolved the value (None: it needed none)


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    extent_start: int
    kind: str  # which resolver gives its value
    data: tuple


@dataclass
class Context:
    """What a candidate is resolved against: the publication date, the mode,
    and the last date the text mentioned."""

    anchor: date
    mode: str
    ref: date | None = None

    def base(self) -> tuple[date, str]:
        """The date relative expressions count from, and what it is."""
        if self.mode == "narrative" and self.ref is not None:
            return self.ref, "text"
        return self.anchor, "publication"

    def back(self) -> tuple[date, str]:
        """The date expressions that refer back count from ("two days later")."""
        if self.ref is not None:
            return self.ref, "text"
        return self.anchor, "publication"


def _alternation(words: Iterable[object]) -> str:
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


def _phrases(patterns: Iterable[str]) -> str:
    return "|".join(sorted(patterns, key=len, reverse=True))


@dataclass(frozen=True)
class Rules:
    patterns: list[tuple[str, re.Pattern[str]]]  # (kind, pattern), tried in order
    phrases: re.Pattern[str] | None  # every phrase table in one pattern
    # The same, for text in lower case: case-insensitive patterns run about twice
    # as fast on lowered text without IGNORECASE (case-sensitive ones stay as they are).
    lowered_patterns: list[tuple[str, re.Pattern[str], bool]]  # (kind, pattern, on lowered)
    lowered_phrases: re.Pattern[str] | None
    phrase_meanings: dict[str, tuple[str, Any, str | None]]  # group -> (table, value, year group)
    preposition: re.Pattern[str]  # a preposition right before a match
    leading_preposition: re.Pattern[str]  # a preposition a match starts with
    lexicon: dict


@lru_cache(maxsize=8)
def rules(language: str) -> Rules | None:
    """The compiled rules of a language (once per worker), or None without a lexicon."""
    lex = load_lexicon(language, "timex")
    if not lex:
        return None
    # The word tables are looked up with lower-cased matches: their keys too, once.
    lex = {
        **lex,
        **{k: {str(w).lower(): v for w, v in lex[k].items()} for k in LOWERED_TABLES if lex.get(k)},
    }
    i = re.IGNORECASE
    month_flags = 0 if lex.get("case_sensitive_months") else i
    months = _alternation(lex["months"])
    if lex.get("case_sensitive_months"):
        months = _alternation(m.capitalize() for m in lex["months"])
    days = _alternation(lex["weekdays"])
    mods = _alternation(lex.get("month_modifiers", {}))
    seasons = _alternation(lex.get("seasons", {}))
    shift = _alternation([*lex.get("future_words", []), *lex.get("past_words", [])])
    notes = _alternation(lex.get("trailing_notes", []))
    note = rf"(?:\s*(?:{notes}))?" if notes else ""
    numbers = _alternation(lex.get("numbers", {}))
    vague = _alternation(lex.get("vague_numbers", []))
    units = _alternation(lex.get("units", {}))
    count = rf"(?P<n>\d+|{numbers})"
    preps = _alternation(lex.get("prepositions", []))
    year = r"(?<![\d.,/$€£-])(?P<y>1\d{3}|20\d{2})(?![\d%]|[.,]\d|-\d)"
    bc = lex.get("bc")
    de = language == "de"
    # Parts of a day: "Morgen des 22. Juni" (before a date), "Friday morning" (after a day).
    parts = _alternation(lex.get("day_part_words", {}))
    part_before = (
        rf"(?:(?:{lex['day_part_before']})\s+)?(?:(?P<part>{parts})\s+(?:des|vom)\s+)?"
        if parts and lex.get("day_part_before")
        else ""
    )
    part_after = rf"(?:\s+(?P<part>{parts}))?" if parts and not part_before else ""
    patterns: list[tuple[str, str, int]] = [
        (
            "day_month",
            (
                rf"\b{part_before}(?P<d>\d{{1,2}})\.\s*(?P<m>{months})(?:\s+(?P<y>\d{{4}}))?\b"
                if de
                else rf"\b(?:(?P<m>{months})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
                rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{months}))(?:,?\s+(?P<y>\d{{4}}))?\b"
            ),
            month_flags,
        ),
        (
            "month",
            rf"\b(?:(?P<shift>{shift})\s+)?(?:(?P<mod>{mods})\s*)?(?P<m>{months})\b"
            rf"(?:,?\s+(?:of\s+)?(?P<y>\d{{4}}))?",
            month_flags,
        ),
        (
            # "zwischen dem 15. und 21. Mai": the first day takes the month after it
            "day_range",
            rf"\b(?P<d>\d{{1,2}})\.(?=\s*(?:und|bis|bis zum|/|–|-)\s*(?:dem\s+|zum\s+)?"
            rf"\d{{1,2}}\.\s*(?P<m>{months})(?:\s+(?P<y>\d{{4}}))?)"
            if de
            else r"(?!)",
            month_flags,
        ),
        (
            "weekday",
            rf"\b(?:(?P<shift>{shift})\s+)?(?P<day>{days})\w*{part_after}{note}",
            i,
        ),
        (
            "year",
            rf"\b(?:(?P<mod>{mods}|{seasons})[\s-]+(?:of\s+)?)?"
            rf"(?:(?:the\s+year|Jahre?s?)\s+)?{year}",
            i,
        ),
        ("season", rf"\b(?:(?P<shift>{shift})\s+)?(?P<season>{seasons})\b", i),
        ("relative_day", rf"\b(?P<rel>{_alternation(lex['relative_days'])})\b", i),
        (
            "ago",
            rf"\bvor\s+{count}\s+(?P<unit>{units})\b"
            if de
            else rf"\b{count}\s+(?P<unit>{units})\s+ago\b",
            i,
        ),
        (
            "later",
            rf"\b(?:{count}|(?P<vague>{vague}))\s+(?P<unit>{units})\s+(?P<dir>"
            rf"{_alternation([*lex.get('later_words', []), *lex.get('earlier_words', [])])})\b"
            + (
                rf"|\b(?P<dir2>{lex['after_word']})\s+{count.replace('<n>', '<n2>')}"
                rf"\s+(?P<unit2>{units})\b"
                if lex.get("after_word")
                else ""
            ),
            i,
        ),
        (
            "duration",
            rf"\b(?:(?:{lex.get('since', 'for')})\s+)?(?:the\s+(?:past|last|next|first)\s+)?"
            rf"(?:{count}|(?P<vague>{vague}))[\s-]+(?P<unit>{units})(?:-long|-old)?\b"
            + (
                rf"|\b(?P<the>{lex['duration_the']})\s+(?P<unit2>{units})\b"
                if lex.get("duration_the")
                else ""
            ),
            i,
        ),
    ]
    if lex.get("time_of_day"):
        patterns.append(("time", rf"\b{lex['time_of_day']}", i))
    if bc:
        patterns.append(("bc", rf"\b(?P<y>\d{{1,4}})\s+(?:{bc})", i))
    if lex.get("century"):
        patterns.append(("century", rf"\b{lex['century']}", i))
    if lex.get("decade"):
        patterns.append(("decade", rf"\b{lex['decade']}", i))
    if lex.get("quarter_words"):
        quarters = _alternation(lex["quarter_words"])
        patterns.append(
            (
                "quarter",
                rf"\b(?:the\s+)?(?:(?P<q>{quarters})|(?P<last>last|previous))[\s-]+quarter"
                rf"(?:\s+of\s+(?:(?P<y>\d{{4}})|(?P<rel>last|this|next)\s+year))?\b",
                i,
            )
        )
    if lex.get("weekend"):
        patterns.append(("weekend", rf"\b(?:{lex['weekend']})\b", i))
    # Every phrase table in one pattern (one scan of the text instead of one per
    # table): group pT_N is phrase N of table T; the longest phrases come first.
    entries: list[tuple[str, str, Any]] = []
    for name in PHRASE_TABLES:
        entries += [(name, p, v) for p, v in (lex.get(name) or {}).items()]
    entries += [(DURATION_WORDS, re.escape(w), None) for w in lex.get("duration_words") or {}]
    entries.sort(key=lambda e: -max(len(a) for a in e[1].split("|")))
    groups, meanings = [], {}
    for n, (name, phrase, value) in enumerate(entries):
        tail = rf"(?:\s+(?P<y{n}>\d{{4}}))?" if name == "reference_phrases" else ""
        groups.append(rf"(?P<p{n}>(?:{phrase})\b{tail})")
        meanings[f"p{n}"] = (name, value, f"y{n}" if tail else None)
    phrases = re.compile(rf"\b(?:{'|'.join(groups)})", i) if groups else None
    return Rules(
        patterns=[(kind, with_first_chars(re.compile(p, flags))) for kind, p, flags in patterns],
        phrases=with_first_chars(phrases) if phrases else None,
        lowered_patterns=[
            (kind, with_first_chars(_for_lowered(p, flags)), bool(flags & re.IGNORECASE))
            for kind, p, flags in patterns
        ],
        lowered_phrases=with_first_chars(_for_lowered(phrases.pattern, i)) if phrases else None,
        phrase_meanings=meanings,
        preposition=re.compile(rf"(?<!\w)(?:{preps})\s+$", i) if preps else re.compile(r"(?!)"),
        leading_preposition=re.compile(rf"(?:{preps})\s+", i) if preps else re.compile(r"(?!)"),
        lexicon=lex,
    )


_CASE = re.compile(r"(\\.)|(\(\?P[<=])|([^\W\d_])")


def _for_lowered(pattern: str, flags: int) -> re.Pattern[str]:
    """A case-insensitive pattern rewritten for lower-cased text (escapes and
    group syntax kept); a case-sensitive one unchanged."""
    if not flags & re.IGNORECASE:
        return re.compile(pattern, flags)
    lowered = _CASE.sub(lambda m: m.group(1) or m.group(2) or m.group(3).lower(), pattern)
    return re.compile(lowered, flags & ~re.IGNORECASE)


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


def choose_mode(text: str, anchor: date) -> str:
    """narrative when most explicit years lie well before the publication, else news."""
    years = [int(y) for y in re.findall(r"(?<![\d.,])(1\d{3}|20\d{2})(?![\d%])", text)]
    if len(years) < NARRATIVE_MIN_YEARS:
        return "news"
    old = sum(y <= anchor.year - NARRATIVE_YEARS_BEFORE for y in years)
    return "narrative" if old * 2 > len(years) else "news"


def find_timexes(text: str, language: str, anchor: date, mode: str | None = None) -> list[Timex]:
    """All time expressions in a text, longest first where they overlap, resolved
    in text order (mode: news or narrative; None chooses by `choose_mode`)."""
    r = rules(language)
    if r is None:
        return []
    candidates = _longest_first(list(_candidates(text, r, language)))
    ctx = Context(anchor, mode or choose_mode(text, anchor))
    if ctx.mode == "news":
        ctx.ref = anchor
    found = []
    for c in candidates:
        resolved = RESOLVERS[c.kind](c.data, ctx, r.lexicon)
        if resolved is None:
            continue
        type_, value, mod, anchored_on = resolved
        day = {"text": ctx.ref, "publication": anchor}.get(anchored_on)
        found.append(
            Timex(text[c.start : c.end], type_, value, mod, c.start, c.end,
                  c.extent_start, c.end, anchored_on, day)
        )  # fmt: skip
        _remember(ctx, type_, value)
    return found


def _candidates(text: str, r: Rules, language: str) -> Iterable[Candidate]:
    lex = r.lexicon

    def make(m: re.Match[str], kind: str, data: tuple) -> Candidate:
        # A preposition right before a date belongs to the phrase ("am Montag")
        # but not to the TimeML extent ("Montag"); it is looked for behind the
        # match rather than tried at every word (several times faster).
        start = extent = m.start()
        if kind in WITH_PREPOSITION:
            lead = r.preposition.search(text, max(0, start - 24), start)
            if lead and lead.end() == start:
                start = lead.start()
        inside = r.leading_preposition.match(text, extent)  # "for three years"
        if inside and inside.end() < m.end():
            extent = inside.end()
        return Candidate(start, m.end(), extent, kind, data)

    lowered = text.lower()
    if len(lowered) == len(text):  # lower() keeps the offsets of nearly every text
        runs = [(k, p, lowered if low else text) for k, p, low in r.lowered_patterns]
        if r.lowered_phrases is not None:
            runs.append(("", r.lowered_phrases, lowered))  # kind "": the phrase tables
    else:
        runs = [(k, p, text) for k, p in r.patterns]
        if r.phrases is not None:
            runs.append(("", r.phrases, text))
    for kind, pattern, source in runs:
        for m in pattern.finditer(source):
            if kind:
                data = _data(kind, m, lex, text, language)
                if data is not None:
                    yield make(m, kind, data)
                continue
            name, value, year_group = r.phrase_meanings[m.lastgroup or ""]  # a phrase table
            year = m.group(year_group) if year_group else None
            yield make(m, name, (value, m.group(0).lower(), int(year) if year else None))


def _data(kind: str, m: re.Match[str], lex: dict, text: str, language: str) -> tuple | None:
    """What a match means, or None when it is not a time expression after all."""
    g = m.groupdict()
    months = lex["months"]
    part = (lex.get("day_part_words") or {}).get((g.get("part") or "").lower())
    if kind in ("day_month", "day_range"):
        month = months[(g.get("m") or g.get("m2") or "").lower()]
        day = int(g.get("d") or g.get("d2") or 0)
        return (day, month, int(g["y"]) if g.get("y") else None, part)
    if kind == "month":
        bare = not g.get("y") and not g.get("mod") and not g.get("shift")
        if bare and _not_a_month(m, text, language):
            return None
        mod = (lex.get("month_modifiers") or {}).get((g.get("mod") or "").lower())
        shift = (g.get("shift") or "").lower()
        return (months[g["m"].lower()], int(g["y"]) if g.get("y") else None, mod, shift)
    if kind == "weekday":
        return (lex["weekdays"][g["day"].lower()], (g.get("shift") or "").lower(), part)
    if kind == "year":
        if not g.get("mod") and _counted(m, text, lex):
            return None
        word = (g.get("mod") or "").lower()
        season = (lex.get("seasons") or {}).get(word)
        mod = (lex.get("month_modifiers") or {}).get(word)
        return (int(g["y"]), mod, season)
    if kind == "season":
        return (lex["seasons"][g["season"].lower()], (g.get("shift") or "").lower())
    if kind == "relative_day":
        if _is_noun_homograph(m, text, language):
            return None
        return (lex["relative_days"][g["rel"].lower()], g["rel"].lower())
    if kind == "later" and g.get("vague"):
        later = g["dir"].lower() in lex.get("later_words", [])
        return (None, "FUTURE_REF" if later else "PAST_REF")
    if kind == "later" and g.get("dir2"):
        return (_number(g["n2"], lex), lex["units"][g["unit2"].lower()])
    if kind in ("ago", "later"):
        unit = lex["units"][g["unit"].lower()]
        amount = _number(g["n"], lex)
        if kind == "later" and g["dir"].lower() in lex.get("earlier_words", []):
            amount = -amount
        return (amount, unit)
    if kind == "duration" and g.get("the"):  # "the past decade": one of them
        return ("1", lex["units"][g["unit2"].lower()])
    if kind == "duration":
        unit = lex["units"][g["unit"].lower()]
        return ("X" if g.get("vague") else str(_number(g["n"], lex)), unit)
    if kind == "time":
        hour = int(g.get("h") or g.get("h2") or 0)
        minute = int(g.get("m") or g.get("m2") or 0)
        ampm = (g.get("ampm") or "").lower()
        if ampm.startswith("p") and hour < 12:
            hour += 12
        if ampm.startswith("a") and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            return None
        return (hour, minute, "Z" if g.get("zone") else "")
    if kind == "bc":
        return (int(g["y"]),)
    if kind == "century":
        return (int(g["n"]),)
    if kind == "decade":
        return (g.get("c"), int(g["d"]))
    if kind == "quarter":
        q = (lex.get("quarter_words") or {}).get((g.get("q") or "").lower())
        rel = {"last": -1, "this": 0, "next": 1}.get((g.get("rel") or "").lower())
        return (q, int(g["y"]) if g.get("y") else None, rel)
    if kind == "weekend":
        return (m.group(0).lower(),)
    return None


def _counted(m: re.Match[str], text: str, lex: dict) -> bool:
    """A number of things, not a year: "mit 1500 Panzern", "over 2000 jobs"."""
    before = text[max(0, m.start("y") - 25) : m.start("y")].lower().split()
    words = [w.lower() for w in lex.get("count_words", [])]
    tail = " ".join(before[-2:])
    if not before or not any(tail.endswith(w) for w in words):
        return False
    after = text[m.end() : m.end() + 3]
    if before[-1] == "und":  # "... und 1370 Landungsboote", not "1939 und 1940"
        return bool(re.match(r"\s+[A-ZÄÖÜ]", after))
    return bool(re.match(r"\s+\w", after))


def _not_a_month(m: re.Match[str], text: str, language: str) -> bool:
    """A bare month name that is part of a name: "Mai-Majewski", "August Ritter"."""
    after = text[m.end() : m.end() + 20]
    if after.startswith("-") and after[1:2].isalpha():
        return True
    if language == "de" and m.start() == m.start("m"):  # no preposition before it
        following = re.match(r"\s+([A-ZÄÖÜ][a-zäöüß]+)", after)
        if following and following.group(1).lower() not in ("und", "bis"):
            return True
    return False


def _is_noun_homograph(m: re.Match[str], text: str, language: str) -> bool:
    """German "Morgen" (morning) is not "morgen" (tomorrow) unless it starts a sentence."""
    word = text[m.start() : m.end()]  # as written (the match may be on lowered text)
    if language != "de" or word != "Morgen":
        return False
    before = text[: m.start()].rstrip()
    return bool(before) and before[-1] not in ".!?:\n"


def _longest_first(found: list[Candidate]) -> list[Candidate]:
    kept: list[Candidate] = []
    for c in sorted(found, key=lambda c: (-(c.end - c.start), c.start)):
        if all(c.end <= k.start or c.start >= k.end for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


# --- resolution: (data, context, lexicon) -> (type, value, modifier, anchored_on) ---

Resolved = tuple[str, str, str | None, str] | None


def _shift_date(day: date, amount: int, unit: str) -> tuple[str, str]:
    if unit == "D":
        return "DATE", (day + timedelta(days=amount)).isoformat()
    if unit == "W":
        return "DATE", iso_week(day + timedelta(weeks=amount))
    if unit == "M":
        month = day.month - 1 + amount
        return "DATE", f"{day.year + month // 12:04d}-{month % 12 + 1:02d}"
    if unit == "Y":
        return "DATE", f"{day.year + amount:04d}"
    if unit == "DE":
        return "DATE", f"{(day.year + 10 * amount) // 10:03d}"
    return "TIME", day.isoformat()


def _year_for(month: int, day: int | None, ctx: Context) -> tuple[int, str]:
    base, source = ctx.base()
    if ctx.mode == "narrative":
        return base.year, source
    if day is not None:
        return nearest_year(month, day, ctx.anchor), "publication"
    return month_year(month, ctx.anchor), "publication"


def _day_month(data: tuple, ctx: Context, lex: dict) -> Resolved:
    day, month, year, part = data
    source = "none"
    if year is None:
        year, source = _year_for(month, day, ctx)
    try:
        value = date(year, month, day).isoformat()
    except ValueError:
        return None
    return ("TIME", f"{value}T{part}", None, source) if part else ("DATE", value, None, source)


def _month(data: tuple, ctx: Context, lex: dict) -> Resolved:
    month, year, mod, shift = data
    source = "none"
    if year is None and shift:
        base = ctx.anchor
        if shift in lex.get("past_words", []):
            year = base.year if month < base.month else base.year - 1
        else:
            year = base.year if month > base.month else base.year + 1
        source = "publication"
    elif year is None:
        year, source = _year_for(month, None, ctx)
    return "DATE", f"{year:04d}-{month:02d}", mod, source


def _weekday(data: tuple, ctx: Context, lex: dict) -> Resolved:
    target, shift, part = data
    base, source = ctx.base()
    back = (base.weekday() - target) % 7
    if shift in lex.get("future_words", []):
        day = base + timedelta(days=(target - base.weekday()) % 7 or 7)
    else:
        if shift in lex.get("past_words", []) and back == 0:
            back = 7
        day = base - timedelta(days=back)
    if part:
        return "TIME", f"{day.isoformat()}T{part}", None, source
    return "DATE", day.isoformat(), None, source


def _year(data: tuple, ctx: Context, lex: dict) -> Resolved:
    year, mod, season = data
    if season:
        return "DATE", f"{year:04d}-{season}", None, "none"
    return "DATE", f"{year:04d}", mod, "none"


def _season(data: tuple, ctx: Context, lex: dict) -> Resolved:
    season, shift = data
    base, source = ctx.base()
    year = base.year - 1 if shift in lex.get("past_words", []) else base.year
    if shift in lex.get("future_words", []):
        year = base.year + 1
    return "DATE", f"{year:04d}-{season}", None, source


def _relative_day(data: tuple, ctx: Context, lex: dict) -> Resolved:
    offset, word = data
    if ctx.mode == "narrative":
        narrative = lex.get("narrative_references") or {}
        if word in narrative:
            return "DATE", narrative[word], None, "none"
    # "yesterday" is deictic: the writer's day, in narrative text as in news.
    return "DATE", (ctx.anchor + timedelta(days=offset)).isoformat(), None, "publication"


def _ago(data: tuple, ctx: Context, lex: dict) -> Resolved:
    amount, unit = data
    base, source = ctx.base()
    type_, value = _shift_date(base, -amount, unit)
    return type_, value, None, source


def _later(data: tuple, ctx: Context, lex: dict) -> Resolved:
    amount, unit = data
    if amount is None:  # "wenige Tage später": some time after, not a date
        return "DATE", unit, None, "none"
    if unit in ("H", "MIN"):  # "nach 48 Stunden": a span of hours, not a date
        return _duration((amount, unit), ctx, lex)
    base, source = ctx.back()
    type_, value = _shift_date(base, amount, unit)
    return type_, value, None, source


def _duration(data: tuple, ctx: Context, lex: dict) -> Resolved:
    amount, unit = data
    if unit == "DE":  # decades in years, as TimeML annotators write them
        return "DURATION", f"P{int(amount) * 10}Y" if amount != "X" else "PXY", None, "none"
    if unit in ("H", "MIN"):
        return "DURATION", f"PT{amount}{'H' if unit == 'H' else 'M'}", None, "none"
    return "DURATION", f"P{amount}{unit}", None, "none"


def _time(data: tuple, ctx: Context, lex: dict) -> Resolved:
    hour, minute, zone = data
    base, source = ctx.base()
    return "TIME", f"{base.isoformat()}T{hour:02d}:{minute:02d}{zone}", None, source


def _bc(data: tuple, ctx: Context, lex: dict) -> Resolved:
    return "DATE", f"BC{data[0]:04d}", None, "none"


def _century(data: tuple, ctx: Context, lex: dict) -> Resolved:
    return "DATE", f"{data[0] - 1:02d}", None, "none"


def _decade(data: tuple, ctx: Context, lex: dict) -> Resolved:
    century, digit = data
    if century is None:
        century = "19" if digit >= 3 else "20"
    return "DATE", f"{century}{digit}", None, "none"


def _quarter(data: tuple, ctx: Context, lex: dict) -> Resolved:
    quarter, year, rel = data
    base, source = ctx.base()
    current = (base.month - 1) // 3 + 1
    if quarter is not None and rel is not None:  # "the first quarter of last year"
        year = base.year + rel
    elif quarter is None:  # "the last quarter": the one before the base's
        quarter, year = (current - 1, base.year) if current > 1 else (4, base.year - 1)
    elif year is None:
        year = base.year if quarter <= current else base.year - 1
    else:
        source = "none"
    return "DATE", f"{year:04d}-Q{quarter}", None, source


def _weekend(data: tuple, ctx: Context, lex: dict) -> Resolved:
    base, source = ctx.base()
    shift = -7 if "last" in data[0] or "vergangen" in data[0] else 0
    if "kommend" in data[0]:
        shift = 7
    return "DATE", f"{iso_week(base + timedelta(days=shift))}-WE", None, source


def _offset_table(unit: str) -> Callable[[tuple, Context, dict], Resolved]:
    def resolve(data: tuple, ctx: Context, lex: dict) -> Resolved:
        base, source = ctx.base()
        type_, value = _shift_date(base, int(data[0]), unit)
        return type_, value, None, source

    return resolve


def _reference_phrase(data: tuple, ctx: Context, lex: dict) -> Resolved:
    (unit, mod), _, year = data
    if year is not None:  # "Ende des Jahres 1939"
        return "DATE", f"{year:04d}", mod, "none"
    base, source = ctx.back() if ctx.mode == "narrative" else ctx.base()
    value = f"{base.year:04d}" if unit == "Y" else f"{base.year:04d}-{base.month:02d}"
    return "DATE", value, mod, source


def _following(data: tuple, ctx: Context, lex: dict) -> Resolved:
    base, source = ctx.back()
    return "DATE", (base + timedelta(days=int(data[0]))).isoformat(), None, source


def _reference(data: tuple, ctx: Context, lex: dict) -> Resolved:
    return "DATE", str(data[0]), None, "none"


def _day_part(data: tuple, ctx: Context, lex: dict) -> Resolved:
    (offset, part), _, _ = data
    base, source = ctx.base()
    return "TIME", f"{(base + timedelta(days=int(offset))).isoformat()}T{part}", None, source


def _duration_word(data: tuple, ctx: Context, lex: dict) -> Resolved:
    return "DURATION", lex["duration_words"][data[1]], None, "none"


RESOLVERS: dict[str, Callable[[tuple, Context, dict], Resolved]] = {
    "day_month": _day_month,
    "day_range": _day_month,
    "month": _month,
    "weekday": _weekday,
    "year": _year,
    "season": _season,
    "relative_day": _relative_day,
    "ago": _ago,
    "later": _later,
    "duration": _duration,
    "time": _time,
    "bc": _bc,
    "century": _century,
    "decade": _decade,
    "quarter": _quarter,
    "weekend": _weekend,
    "week_phrases": _offset_table("W"),
    "month_phrases": _offset_table("M"),
    "year_phrases": _offset_table("Y"),
    "reference_phrases": _reference_phrase,
    "following_phrases": _following,
    "references": _reference,
    "day_parts": _day_part,
    "duration_words": _duration_word,
}

_DATE_VALUE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _remember(ctx: Context, type_: str, value: str) -> None:
    """A resolved date becomes the last mentioned date (years, months and days;
    weeks, seasons and vague references do not move it)."""
    if type_ not in ("DATE", "TIME") or "W" in value or value.startswith("BC"):
        return
    m = _DATE_VALUE.match(value)
    if m and re.match(r"^\d{4}-(?:SP|SU|FA|WI|Q\d|H\d)$", value):
        ctx.ref = date(int(m[1]), 1, 1)  # a season or quarter: its year
        return
    if not m or (len(value) > 10 and "T" not in value) or re.match(r"^\d{4}-[A-Z]", value):
        return
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    # In narrative text a bare year far from the story's time is an aside ("bis
    # 1881", after a war of the 1860s): it does not move the story's date; a
    # month or a day with that year does.
    aside = ctx.ref is not None and abs(year - ctx.ref.year) > NARRATIVE_ASIDE_YEARS
    if ctx.mode == "narrative" and not m[2] and aside:
        return
    try:
        ctx.ref = date(year, month, day)
    except ValueError:
        return


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
                # What resolved the value: the publication date, or a date the
                # text mentioned before it (narrative text, "two days later").
                "anchor": t.anchor if t.anchored_on == "text" else anchor,
                "anchor_source": "text" if t.anchored_on == "text" else anchor_source,
                "start_char": t.start,
                "end_char": t.end,
                "sentence_index": sentence_of(doc, token),
            }
        )
    return rows
