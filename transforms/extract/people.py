"""People in one article: canonical name, role, country, party, and what refers to them.

Computed once per Doc (cached in doc.user_data) and shared by the `persons`,
`quotes` and `events` extractors. A person is referred to by its name mentions,
by a role noun that the text gave it ("der US-Präsident"), and by a pronoun
("sagte er": the nearest person referred to before it, outside quotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from newsbeam.models.rules import title_regex
from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.extract.entities import canonical_names, entity_key
from newsbeam.transforms.extract.quote_marks import doc_quote_spans
from newsbeam.transforms.lexicon import load_lexicon

PERSON_LABELS = {"PER", "PERSON"}
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
    return title_regex(list(stems) or ["\x00"]), stems


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
        pronouns = load_lexicon(language, "speech").get("person_pronouns", [])
        self.pronouns = {p.lower() for p in pronouns}
        self.people: dict[str, Person] = {}
        self.by_token: dict[int, Person] = {}
        ents = [e for e in doc.ents if e.label_ in PERSON_LABELS]
        names = canonical_names(ents)
        for i, ent in enumerate(ents):
            key = entity_key(ent.label_, names[i])
            person = self.people.setdefault(key, Person(key, names[i]))
            person.mentions.append(ent)
            for token in ent:
                self.by_token[token.i] = person
        for person in self.people.values():
            self._describe(person)
        self.quoted = _quoted_tokens(doc, language)

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
            return self.last_person_before(token.i)
        if token.text[:1].isupper():
            return self.by_surname(token.text)
        return None

    def by_surname(self, word: str) -> Person | None:
        """ "Wadephul" when the NER missed it there but found "Johann Wadephul" elsewhere."""
        bare = word[:-1] if word.endswith("s") and self.language == "de" else word
        for person in self.people.values():
            last = person.name.split()[-1]
            if word == last or bare == last:
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

    def last_person_before(self, index: int) -> Person | None:
        """The nearest person named or role-referred before a token, outside quotes."""
        for i in range(index - 1, max(-1, index - PRONOUN_WINDOW), -1):
            if i in self.quoted:
                continue
            if i in self.by_token:
                return self.by_token[i]
            if self.doc[i].pos_ == "PROPN" and (named := self.by_surname(self.doc[i].text)):
                return named
            stem = self.title_stem(self.doc[i].text)
            if stem:
                person = self._by_role(self.doc[i], stem)
                if person:
                    return person
        return None


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
