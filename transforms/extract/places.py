"""Place mentions geocoded offline (transforms/geo): one row per mention.

Which spans are place mentions:
- the NER's places (GPE, LOC), except names of diseases and strains ("West
  Nile", "Ebola virus") and a person's surname ("Buhari" after "Muhammadu
  Buhari");
- a span the NER gave another label whose whole text is a country, continent,
  area or region, or a city of CITY_FROM_OTHER_LABEL people ("Edmonton" as
  ORG); a PERSON span only after a locative preposition ("in Cairns") and
  never a name the article uses for a person;
- a country adjective the NER calls NORP ("Russian"): a row of form
  `demonym` for the country;
- a dateline in capitals at the start of a paragraph ("INNISFAIL, Alta. —"),
  and a region abbreviation after a place ("Gainesville, Fla.").
Each distinct name is resolved once per article (transforms/geo/resolve.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from newsbeam.transforms.extract.entities import doc_ents, doc_text, doc_tokens
from newsbeam.transforms.geo.gazetteer import candidates, place_lexicon
from newsbeam.transforms.geo.resolve import resolve
from newsbeam.transforms.lexicon import load_lexicon
from newsbeam.transforms.records import Article

PLACE_LABELS = {"LOC", "GPE"}
PERSON_LABELS = {"PER", "PERSON"}
# Labels whose spans may still be places the NER mislabelled.
OTHER_LABELS = {"ORG", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LANGUAGE", "MISC", "NORP"}
CITY_FROM_OTHER_LABEL = 50_000
DATELINE_WORDS = 3


@dataclass(frozen=True)
class Mention:
    start: int  # character offsets
    end: int
    text: str
    form: str  # name | demonym


@lru_cache(maxsize=8)
def demonyms(language: str) -> dict[str, str]:
    """Country adjective (lower case) -> the country's name in the gazetteer."""
    found: dict[str, str] = {}
    for entry in load_lexicon(language, "countries").get("countries", {}).values():
        names = entry.get("names", [])
        lowered = {str(n).lower() for n in names}
        for adjective in entry.get("adjectives", []):
            if names and not str(adjective).endswith("-") and str(adjective) not in lowered:
                found[str(adjective).lower()] = names[0]
    return found


def _is_place_name(text: str, language: str, min_city: int) -> bool:
    for place in candidates(text, language):
        if place.kind != "city" or place.population >= min_city:
            return True
    return False


def _person_words(doc: Doc) -> set[str]:
    """Words of the article's multi-word person names ("Buhari" of "Muhammadu Buhari")."""
    return {t.text for e in doc_ents(doc) if e.label_ in PERSON_LABELS and len(e) > 1 for t in e}


def _locative_before(span: Span, lex: dict) -> bool:
    return span.start > 0 and span.doc[span.start - 1].lower_ in lex["locatives"]


def _mislabelled_place(ent: Span, language: str, lex: dict, persons: set[str]) -> bool:
    """ "Edmonton" as ORG; "Cairns" as PERSON after "in", unless a person's name."""
    if ent.label_ in OTHER_LABELS:
        return _is_place_name(ent.text, language, CITY_FROM_OTHER_LABEL)
    return (
        ent.label_ in PERSON_LABELS
        and not (len(ent) == 1 and ent.text in persons)
        and _locative_before(ent, lex)
        and _is_place_name(ent.text, language, 0)
    )


def place_mentions(doc: Doc, language: str) -> list[Mention]:
    lex = place_lexicon(language)
    persons = _person_words(doc)
    adjectives = demonyms(language)
    found: list[Mention] = []
    ents = doc_ents(doc)
    for ent in ents:
        text = ent.text
        after = doc[ent.end].lower_ if ent.end < len(doc) else ""
        if text in lex["not_places"] or after in lex["not_before"]:
            continue
        if ent.label_ in (*PLACE_LABELS, "NORP") and text.lower() in adjectives:
            found.append(Mention(ent.start_char, ent.end_char, adjectives[text.lower()], "demonym"))
        elif ent.label_ in PLACE_LABELS:
            if len(ent) == 1 and text in persons:
                continue
            found.append(Mention(ent.start_char, ent.end_char, text, "name"))
        elif _mislabelled_place(ent, language, lex, persons):
            found.append(Mention(ent.start_char, ent.end_char, text, "name"))
    taken = {t.i for e in ents for t in e}
    found += _datelines(doc, language, taken) + _abbreviations(doc, language, taken, found)
    return sorted(found, key=lambda m: m.start)


def _datelines(doc: Doc, language: str, taken: set[int]) -> list[Mention]:
    """ "INNISFAIL, Alta. —": capitals at a paragraph's start, before a comma or dash."""
    out: list[Mention] = []
    tokens = doc_tokens(doc)
    for token in tokens:
        if token.i in taken or not token.is_upper or not token.is_alpha or len(token) < 3:
            continue
        before = tokens[token.i - 1] if token.i > 0 else None
        if before is not None and not (before.is_space and "\n" in before.text):
            continue
        end = token.i + 1
        while end < len(tokens) and end - token.i < DATELINE_WORDS and tokens[end].is_upper:
            end += 1
        if end < len(tokens) and tokens[end].text in (",", "—", "–", "-", "("):
            span = doc[token.i : end]
            if _is_place_name(span.text, language, 0):
                out.append(Mention(span.start_char, span.end_char, span.text, "name"))
    return out


def _abbreviations(doc: Doc, language: str, taken: set[int], found: list[Mention]) -> list[Mention]:
    """ "Gainesville, Fla.": a region's abbreviation right after a place and a comma."""
    abbreviations = place_lexicon(language)["abbreviations"]
    ends = {m.end for m in found}
    out = []
    tokens = doc_tokens(doc)
    for token in tokens[2:]:
        if token.i in taken or token.text not in abbreviations:
            continue
        comma, name = tokens[token.i - 1], tokens[token.i - 2]
        if comma.text == "," and name.idx + len(name) in ends:
            out.append(Mention(token.idx, token.idx + len(token), token.text, "name"))
    return out


def extract_places(doc: Doc, article: Article) -> list[dict]:
    language = article.language or doc.lang_
    mentions = place_mentions(doc, language)
    resolved = resolve([m.text for m in mentions], language)
    text = doc_text(doc)
    rows = []
    for mention in mentions:
        place, how = resolved[mention.text].place, resolved[mention.text].how
        rows.append(
            {
                "article_id": article.article_id,
                "text": text[mention.start : mention.end],
                "name": place.name if place else None,
                "form": mention.form,
                "feature_kind": place.kind if place else None,
                "country": place.country or None if place else None,
                "region": place.region or None if place else None,
                "lat": place.lat if place else None,
                "lon": place.lon if place else None,
                "geonames_id": place.geonames_id if place else None,
                "resolution": how,
                "start_char": mention.start,
                "end_char": mention.end,
            }
        )
    return rows
