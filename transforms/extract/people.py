"""People in one article: canonical name, role, country, party, and what refers to them.

Computed once per Doc (cached in doc.user_data) and shared by the `persons`,
`quotes` and `events` extractors. A person is referred to by its name mentions,
by a role noun that the text gave it ("der US-Präsident"), and by a pronoun
("sagte er"), resolved by `resolve_pronoun`:

1. Agreement: a pronoun's gender (he/she, er/sie) must not contradict the
   person's, known from a title before a name (Mr., Ms., Frau), a gendered
   role noun (spokeswoman, Kanzlerin) or a common given name (given_names.yaml);
   a plural pronoun (they, German plural "sie") refers to no single person.
2. Salience: the persons named outside quotes in the pronoun's own sentence
   (before it) and in the sentence before it, subjects first; then the
   speaker of the last attribution; then the nearest named person further back
   (up to PRONOUN_WINDOW tokens).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from newsbeam.models.rules import language_title_regex
from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.extract.entities import (
    base_forms,
    canonical_names,
    doc_ents,
    entity_key,
)
from newsbeam.transforms.extract.quote_marks import doc_quote_spans
from newsbeam.transforms.lexicon import load_lexicon

PERSON_LABELS = {"PER", "PERSON"}
SUBJECT_DEPS = {"nsubj", "nsubj:pass", "sb", "nsubjpass"}
# How far back (in tokens) a pronoun may look for the person it refers to.
PRONOUN_WINDOW = 120


@dataclass
class Person:
    key: str
    name: str
    mentions: list[Span] = field(default_factory=list)
    role: str | None = None
    role_stems: set[str] = field(default_factory=set)
    country: str | None = None
    party: str | None = None
    gender: str | None = None  # m | f when the text or the given name says so


@dataclass(frozen=True)
class CountryCues:
    prefixes: tuple[tuple[str, str], ...]  # (lower-case prefix or stem, code)
    names: dict[str, str]  # country name (and genitive) -> code


@lru_cache(maxsize=8)
def country_cues(language: str) -> CountryCues:
    countries = load_lexicon(language, "countries").get("countries", {})
    prefixes = []
    names: dict[str, str] = {}
    for code, entry in countries.items():
        for adjective in entry.get("adjectives", []):
            prefixes.append((adjective.lower(), code))
        for name in entry.get("names", []):
            names[name] = code
            names[name + "s"] = code
    prefixes.sort(key=lambda p: -len(p[0]))
    return CountryCues(tuple(prefixes), names)


@lru_cache(maxsize=8)
def _title_parts(language: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    titles = load_lexicon(language, "titles").get("titles", [])
    stems = tuple(sorted((t.lower() for t in titles), key=len, reverse=True))
    return language_title_regex(language, list(stems)), stems


@lru_cache(maxsize=8)
def given_names(language: str) -> dict[str, str]:
    """Given name -> m | f (given_names.yaml); a name listed under both is left out."""
    lexicon = load_lexicon(language, "given_names")
    female, male = set(lexicon.get("female", [])), set(lexicon.get("male", []))
    return {**dict.fromkeys(female - male, "f"), **dict.fromkeys(male - female, "m")}


def country_of(words: list[str], language: str) -> str | None:
    """Country implied by words: "US-Präsident", "russischen", "Italiens" ..."""
    cues = country_cues(language)
    for word in words:
        if word in cues.names:
            return cues.names[word]
        lower = word.lower()
        for prefix, code in cues.prefixes:
            if lower.startswith(prefix):
                return code
    return None


class ArticlePeople:
    def __init__(self, doc: Doc, language: str) -> None:
        self.doc = doc
        self.language = language
        self.title, self.stems = _title_parts(language)
        speech = load_lexicon(language, "speech")
        pronouns = speech.get("person_pronouns", {})
        if isinstance(pronouns, list):
            pronouns = dict.fromkeys(pronouns)
        self.pronouns: dict[str, str | None] = {p.lower(): g for p, g in pronouns.items()}
        self.gender_titles = {k.lower(): v for k, v in (speech.get("gender_titles") or {}).items()}
        self.gender_roles = {k.lower(): v for k, v in (speech.get("gender_roles") or {}).items()}
        self.feminine_suffix = speech.get("feminine_role_suffix")
        self.given = given_names(language)
        self.people: dict[str, Person] = {}
        self.by_token: dict[int, Person] = {}
        self.quoted = _quoted_tokens(doc, language)
        ents = [e for e in doc_ents(doc) if e.label_ in PERSON_LABELS]
        headline = set() if speech.get("capitalised_nouns") else _headline_tokens(doc)
        ents = _trim_headline_names(doc, ents, headline, self.quoted)
        # A name says who a person is when the article names them in its own
        # words: names inside quotations ("Crooked Hillary") and headlines do not
        # make the canonical name, though they still refer to the person.
        plain = [e for e in ents if not any(t.i in headline or t.i in self.quoted for t in e)]
        names = base_forms(ents, canonical_names(ents, plain), language)
        for i, ent in enumerate(ents):
            key = entity_key(ent.label_, names[i])
            person = self.people.setdefault(key, Person(key, names[i]))
            person.mentions.append(ent)
            for token in ent:
                self.by_token[token.i] = person
        for person in self.people.values():
            self._describe(person)

    # -- role, country, party -------------------------------------------------
    def title_stem(self, word: str) -> str | None:
        lower = word.lower()
        if not self.title.match(lower):
            return None
        return next((s for s in self.stems if s in lower), None)

    def _describe(self, person: Person) -> None:
        for mention in person.mentions:
            role = self._role_before(mention)
            if role and not person.role:
                person.role = " ".join(t.text for t in role)
                person.role_stems = {s for t in role if (s := self.title_stem(t.text))}
                person.country = country_of([t.text for t in role], self.language)
            party = self._party_after(mention)
            if party and not person.party:
                person.party = party
            if person.gender is None:
                person.gender = self._gender_at(mention)
        if person.gender is None:
            first = person.name.split()[:1]
            person.gender = self.given.get(first[0]) if first else None

    def _gender_at(self, mention: Span) -> str | None:
        """ "Ms. Weingarten", "Frau Merkel", "spokeswoman Jen Psaki", "Kanzlerin Merkel"."""
        for token in self.doc[max(mention.start - 3, 0) : mention.start]:
            lower = token.lower_
            gender = self.gender_titles.get(lower) or self.gender_roles.get(lower)
            if gender is None and self.feminine_suffix and self.title_stem(token.text):
                stem = self.title_stem(token.text) or ""
                gender = "f" if lower.endswith(stem + self.feminine_suffix) else "m"
            if gender:
                return str(gender)
        return None

    def _role_before(self, mention: Span) -> list[Token]:
        """Title and its modifiers right before a name: "Italiens Außenminister"."""
        i = mention.start - 1
        if i < 0 or not self.title_stem(self.doc[i].text):
            return []
        role = [self.doc[i]]
        j = i - 1
        cues = country_cues(self.language)
        while j >= 0 and len(role) < 4:
            tok = self.doc[j]
            part_of_title = tok.text[:1].isupper() and tok.pos_ in ("PROPN", "NOUN", "ADJ")
            if (
                tok.pos_ == "ADJ"
                or tok.ent_type_ == "NORP"
                or tok.text in cues.names
                or self.title_stem(tok.text)
                or (part_of_title and self.language == "en")  # "Trade Minister"
            ):
                role.insert(0, tok)
                j -= 1
            else:
                break
        return role

    def _party_after(self, mention: Span) -> str | None:
        """ "Johann Wadephul (CDU)": a short ORG in brackets right after the name."""
        doc = self.doc
        end = mention.end
        if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
            inner = doc[end + 1]
            if inner.ent_type_ == "ORG" or (inner.is_upper and 2 <= len(inner.text) <= 6):
                return inner.text
        return None

    # -- references -------------------------------------------------------------
    def resolve(self, token: Token) -> Person | None:
        """The person a token refers to: a name, a role noun or a pronoun."""
        if token.i in self.by_token:
            return self.by_token[token.i]
        stem = self.title_stem(token.text)
        plural = "Plur" in token.morph.get("Number", []) or token.tag_ in ("NNS", "NNPS")
        if stem and not plural:  # "die Außenminister" are several people
            return self._by_role(token, stem)
        if token.lower_ in self.pronouns and token.pos_ == "PRON":
            return self.resolve_pronoun(token)
        if token.text[:1].isupper():
            return self.by_surname(token.text)
        return None

    def by_surname(self, word: str) -> Person | None:
        """ "Wadephul" when the NER missed it there but found "Johann Wadephul" elsewhere."""
        bare = word[:-1] if word.endswith("s") and self.language == "de" else word
        for person in self.people.values():
            names = person.name.split()
            if names and (word == names[-1] or bare == names[-1]):
                return person
        return None

    def _by_role(self, token: Token, stem: str) -> Person | None:
        # The name may follow the title ("Außenminister Antonio betonte").
        nxt = token.i + 1
        if nxt < len(self.doc) and nxt in self.by_token:
            return self.by_token[nxt]
        country = country_of([token.text], self.language)
        fitting = [
            p
            for p in self.people.values()
            if stem in p.role_stems and (country is None or p.country == country)
        ]
        if not fitting:
            return None

        def last_named_before(person: Person) -> int:
            return max((m.start for m in person.mentions if m.start <= token.i), default=-1)

        return max(fitting, key=last_named_before)

    def pronoun_gender(self, token: Token) -> str | None:
        """m, f, pl (a group) or None (the pronoun says nothing)."""
        gender = self.pronouns.get(token.lower_)
        if gender == "f" and "Plur" in token.morph.get("Number", []):
            return "pl"  # German "sie" that the parse calls plural
        if self.language == "de" and token.text == "Sie" and not token.is_sent_start:
            return "pl"  # the polite "Sie" mid-sentence addresses someone
        return gender

    def agrees(self, person: Person, gender: str | None) -> bool:
        return gender is None or person.gender is None or person.gender == gender

    def resolve_pronoun(self, token: Token, last_speaker: Person | None = None) -> Person | None:
        """The person a third-person pronoun refers to (see the module docstring)."""
        gender = self.pronoun_gender(token)
        if gender == "pl":
            return None
        sentence = token.sent
        previous = self.doc[sentence.start - 1].sent if sentence.start > 0 else None
        for span_start, span_end in (
            (sentence.start, token.i),
            (previous.start, previous.end) if previous is not None else (0, 0),
        ):
            candidates = [
                (self.doc[i].dep_ not in SUBJECT_DEPS, i, self.by_token[i])
                for i in range(span_start, span_end)
                if i in self.by_token and i not in self.quoted
            ]
            fitting = [c for c in sorted(candidates) if self.agrees(c[2], gender)]
            if fitting:
                return fitting[0][2]
        if last_speaker is not None and self.agrees(last_speaker, gender):
            return last_speaker
        return self.last_person_before(token.i, gender)

    def last_person_before(self, index: int, gender: str | None = None) -> Person | None:
        """The nearest person named or role-referred before a token, outside quotes."""
        for i in range(index - 1, max(-1, index - PRONOUN_WINDOW), -1):
            if i in self.quoted:
                continue
            person = self.by_token.get(i)
            if person is None and self.doc[i].pos_ == "PROPN":
                person = self.by_surname(self.doc[i].text)
            if person is None and (stem := self.title_stem(self.doc[i].text)):
                person = self._by_role(self.doc[i], stem)
            if person is not None and self.agrees(person, gender):
                return person
        return None


# A sentence is a headline in Title Case when at least this share of its longer
# words is capitalised (English; German capitalises every noun).
HEADLINE_CAPITALISED = 0.8
HEADLINE_MIN_WORDS = 3


def _headline_tokens(doc: Doc) -> set[int]:
    """Tokens of Title Case sentences: the longer words are (nearly) all
    capitalised, at least HEADLINE_MIN_WORDS of them, and a verb is capitalised
    too ("Obama Says ..."; a sentence of names and titles, "Trade Minister
    Ingrid Halvorsen met David Okafor.", is not a headline)."""
    tokens: set[int] = set()
    for sent in doc.sents:
        words = [t for t in sent if t.is_alpha and len(t) > 3]
        if len(words) < HEADLINE_MIN_WORDS:
            continue
        if sum(t.text[0].isupper() for t in words) < HEADLINE_CAPITALISED * len(words):
            continue
        if any(t.text[0].isupper() and t.pos_ in ("VERB", "AUX") for t in sent[1:]):
            tokens.update(range(sent.start, sent.end))
    return tokens


def _trim_headline_names(
    doc: Doc, ents: list[Span], headline: set[int], quoted: set[int]
) -> list[Span]:
    """ "Obama Says", "Trump Warns Clinton": in a Title Case headline the NER
    takes verbs for names. There a name keeps only the words the article uses
    in names elsewhere; a headline name with none of them is left out."""
    if not headline:
        return ents
    known = {t.text for e in ents if not any(t.i in headline for t in e) for t in e}
    if not known:
        return ents
    kept = []
    for ent in ents:
        if not any(t.i in headline for t in ent):
            kept.append(ent)
            continue
        runs: list[list[Token]] = [[]]
        for token in ent:
            if token.text in known:
                runs[-1].append(token)
            elif runs[-1]:
                runs.append([])
        best = max(runs, key=len)
        if best:
            kept.append(Span(doc, best[0].i, best[-1].i + 1, label=ent.label_))
    return kept


def _quoted_tokens(doc: Doc, language: str) -> set[int]:
    quoted: set[int] = set()
    for start, end in doc_quote_spans(doc, language):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            quoted.update(range(span.start, span.end))
    return quoted


def people_of(doc: Doc, language: str) -> ArticlePeople:
    return per_doc(doc, "people", lambda: ArticlePeople(doc, language))


def extract_persons(doc: Doc, article) -> list[dict]:  # type: ignore[no-untyped-def]
    people = people_of(doc, article.language or doc.lang_)
    return [
        {
            "article_id": article.article_id,
            "entity_key": p.key,
            "name": p.name,
            "role": p.role,
            "country": p.country,
            "party": p.party,
            "mention_count": len(p.mentions),
            "first_char": min(m.start_char for m in p.mentions),
        }
        for p in people.people.values()
    ]
