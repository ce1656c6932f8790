"""Who did what to whom: PLOVER events from trigger verbs and event nouns.

Triggers and where their targets sit come from transforms/lexicons/<lang>/
events.yaml; actor and target come from the dependency parse (subject; object,
dative or prepositional object), resolved to people and places where the text
names them. Each event gets a date (a time expression in its clause, else the
publication date, and a column that says which), a place ("in Alaska"),
negation, whether it is reported speech (and by whom), and a confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Token

from newsbeam.transforms.extract.entities import entity_key
from newsbeam.transforms.extract.people import ArticlePeople, people_of
from newsbeam.transforms.extract.quotes import QUESTION_WORDS, SUBJECT_DEPS, extract_quotes
from newsbeam.transforms.extract.timex import anchor_of, timexes_of
from newsbeam.transforms.lexicon import load_lexicon
from newsbeam.transforms.records import Article

OBJECT_DEPS = {"obj": {"obj", "dobj", "oa"}, "iobj": {"iobj", "da", "dative"}}
PREP_DEPS = {"obl", "obl:arg", "nmod", "prep", "pobj", "obl:tmod", "mo", "op"}
ENTITY_LABELS = {"PER", "PERSON", "LOC", "GPE", "ORG", "NORP", "MISC"}
MAX_TARGETS = 4
# A named entity inside a place phrase ("agreement in Oslo") is not the participant.
PLACE_PREPOSITIONS = {"in", "im", "at", "nach"}
LOCATIVE = {"in", "im", "at", "on", "nach", "bei", "during", "während"}


@dataclass(frozen=True)
class Party:
    """An actor or target: an entity (with key) or a phrase as written."""

    name: str
    key: str | None


@lru_cache(maxsize=8)
def lexicon(language: str) -> dict:
    lex = load_lexicon(language, "events")
    return {
        "verbs": lex.get("verbs", {}),
        "nouns": {k.lower(): v for k, v in lex.get("nouns", {}).items()},
        "light": set(lex.get("light_verbs", [])),
        "neg": {str(w).lower() for w in lex.get("negations", [])},
        "modes": {str(k).lower(): v for k, v in lex.get("mode_words", {}).items()},
    }


def verb_lemma(token: Token) -> str:
    """Separable verbs: "stimmte ... zu" -> "zustimmen"."""
    particles = [c.text.lower() for c in token.children if c.dep_ in ("compound:prt", "svp", "prt")]
    return "".join(particles) + token.lemma_.lower()


class EventReader:
    def __init__(self, doc: Doc, article: Article) -> None:
        self.doc = doc
        self.article = article
        self.language = article.language or doc.lang_
        self.lex = lexicon(self.language)
        self.people: ArticlePeople = people_of(doc, self.language)
        anchor, _ = anchor_of(article)
        self.anchor = anchor
        self.timexes = timexes_of(doc, article)
        self.speech = [q for q in extract_quotes(doc, article) if q["speaker"]]

    # -- participants -----------------------------------------------------------
    def parties(self, head: Token) -> list[Party]:
        """The people or entities a phrase names; else the phrase itself."""
        person = self.people.resolve(head)
        if person is not None:
            return [Party(person.name, person.key)]
        found: list[Party] = []
        for token in head.subtree:
            if self._behind_locative(token, head):
                continue
            person = self.people.by_token.get(token.i)
            if person is not None:
                party = Party(person.name, person.key)
            elif token.ent_type_ in ENTITY_LABELS and token.ent_iob_ == "B":
                ent = next(e for e in self.doc.ents if e.start == token.i)
                party = Party(ent.text, entity_key(ent.label_, ent.text))
            else:
                continue
            if party not in found:
                found.append(party)
        if found:
            return found[:MAX_TARGETS]
        if head.pos_ == "PRON":
            return []
        words = [t for t in head.subtree if not t.is_punct and not t.is_space]
        while words and words[0].pos_ == "DET":
            words = words[1:]
        return [Party(" ".join(t.text for t in words[:8]), None)] if words else []

    @staticmethod
    def _behind_locative(token: Token, head: Token) -> bool:
        node = token
        while node.i != head.i and node.head.i != node.i:
            if any(c.dep_ in ("case", "prep") and c.lower_ in LOCATIVE for c in node.children):
                return True
            if node.dep_ == "pobj" and node.head.lower_ in LOCATIVE:
                return True
            node = node.head
        return False

    def subject(self, verb: Token) -> list[Party]:
        """The subject; the controller's for "bereit, ... teilzunehmen"; else a name
        right after the verb (inverted order: "telefonierte US-Außenminister Marco Rubio")."""
        found = self._parsed_subject(verb)
        if not any(p.key for p in found):
            inverted = self._person_after(verb)
            if inverted is not None:
                return [inverted]
        return found

    def _person_after(self, verb: Token) -> Party | None:
        for token in self.doc[verb.i + 1 : verb.i + 6]:
            if token.is_punct or token.pos_ in ("VERB", "AUX"):
                break
            person = self.people.resolve(token)
            if person is not None:
                return Party(person.name, person.key)
        return None

    def _parsed_subject(self, verb: Token) -> list[Party]:
        node: Token | None = verb
        for _ in range(3):
            if node is None:
                break
            for child in node.children:
                if child.dep_ in SUBJECT_DEPS:
                    return self.parties(child)
            if node.dep_ in ("xcomp", "advcl", "acl", "ccomp") and node.head is not node:
                node = node.head
            else:
                node = None
        return []

    def targets(self, trigger: Token, where: list[str]) -> list[Party]:
        found = self._parsed_targets(trigger, where)
        if found:
            return found
        # The parse missed it: take the nearest "mit X" in the trigger's sentence.
        preps = [k for k in where if k not in OBJECT_DEPS]
        nearest = sorted(
            (t for t in trigger.sent if t.lower_ in preps and t.i != trigger.i),
            key=lambda t: abs(t.i - trigger.i),
        )
        for prep in nearest:
            noun = prep.head if prep.head.i != prep.i and prep.head.i > prep.i else None
            if noun is None:
                noun = next(
                    (t for t in self.doc[prep.i + 1 : prep.i + 8] if t.pos_ in ("NOUN", "PROPN")),
                    None,
                )
            if noun is not None:
                parties = [p for p in self.parties(noun) if p.key]
                if parties:
                    return parties
        return []

    def _parsed_targets(self, trigger: Token, where: list[str]) -> list[Party]:
        for kind in where:
            for child in trigger.children:
                if kind in OBJECT_DEPS and self.lex["nouns"].get(child.lemma_.lower()):
                    return self._through_event_noun(child)  # any dependency: parses vary
                if kind in OBJECT_DEPS and child.dep_ in OBJECT_DEPS[kind]:
                    return self._through_event_noun(child)
                if (
                    kind not in OBJECT_DEPS
                    and child.dep_ in PREP_DEPS
                    and any(c.dep_ == "case" and c.lower_ == kind for c in child.children)
                ):
                    return self.parties(child)
                if child.dep_ == "prep" and child.lower_ == kind:  # English: prep -> pobj
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects:
                        return self.parties(objects[0])
        return []

    def mode(self, trigger: Token, spec: dict) -> str | None:
        """The lexicon's mode, or one the trigger's phrase names ("by phone")."""
        words = {t.lower_ for t in trigger.subtree}
        for word, mode in self.lex["modes"].items():
            if word in words:
                return mode
        return spec.get("mode")

    def _through_event_noun(self, noun: Token) -> list[Party]:
        """ "einem Treffen mit Selenskyj zustimmen": the target is the meeting's partner."""
        spec = self.lex["nouns"].get(noun.lemma_.lower())
        if spec:
            inner = self.targets(noun, spec.get("target", []))
            if inner:
                return inner
        return self.parties(noun)

    # -- circumstances --------------------------------------------------------------
    def clause_range(self, token: Token) -> tuple[int, int]:
        tokens = [t for t in token.subtree if not t.is_space]
        return min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)

    def when(self, token: Token) -> tuple[str, str | None, str]:
        start, end = self.clause_range(token)
        for t in self.timexes:
            if start <= t.start and t.end <= end:
                return t.value, t.modifier, "timex"
        return self.anchor.isoformat(), None, "published"

    def where(self, token: Token) -> Party | None:
        """A place the clause puts the event in: "in Alaska", "in Oslo"."""
        for ent in self.doc.ents:
            if ent.label_ not in ("LOC", "GPE") or ent.start == 0:
                continue
            if ent.root in token.subtree and self.doc[ent.start - 1].lower_ in PLACE_PREPOSITIONS:
                return Party(ent.text, entity_key(ent.label_, ent.text))
        return None

    def negated(self, token: Token) -> bool:
        return any(c.lower_ in self.lex["neg"] for c in token.children) or any(
            d.lower_ in self.lex["neg"]
            for c in token.children
            for d in c.children
            if d.dep_ == "det"
        )

    def claimed_by(self, token: Token) -> str | None:
        for q in self.speech:
            if q["start_char"] <= token.idx < q["end_char"]:
                return q["speaker"]
        return None

    # -- triggers -------------------------------------------------------------------
    @staticmethod
    def is_verb(token: Token) -> bool:
        """Verbs, and participles the small tagger calls ADJ ("telefonierte"), not attributes."""
        return token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and token.dep_ != "amod")

    def _trigger_spec(self, token: Token) -> tuple[str, dict] | None:
        """("verb" or "noun", lexicon entry) when the token triggers an event."""
        if self.is_verb(token) and (spec := self.lex["verbs"].get(verb_lemma(token))):
            return "verb", spec
        if token.pos_ in ("NOUN", "PROPN") and (
            spec := self.lex["nouns"].get(token.lemma_.lower())
        ):
            return "noun", spec
        return None

    def in_question(self, trigger: Token) -> bool:
        """ "Auf die Frage, weshalb Putin zögere, sich ... zu treffen": not an event."""
        questions = QUESTION_WORDS.get(self.language, set())
        for node in [trigger, *trigger.ancestors]:
            first = next((t for t in node.subtree if not t.is_punct), node)
            if first.lower_ in questions:
                return True
        return False

    def events(self) -> list[dict]:
        rows: list[dict] = []
        for token in self.doc:
            found = self._trigger_spec(token)
            if found is None or self.in_question(token):
                continue
            kind, spec = found
            if kind == "verb":
                rows += self._rows(token, token, spec, self.subject(token), trigger_kind="verb")
                continue
            actor = self._noun_actor(token)
            if actor is not None:
                clause = token.head if token.head.lemma_ in self.lex["light"] else token
                rows += self._rows(token, clause, spec, actor, trigger_kind="noun")
        for i, row in enumerate(rows):
            row["event_index"] = i
        return rows

    def _noun_actor(self, noun: Token) -> list[Party] | None:
        """Actor of an event noun: the light verb's subject, or the possessor ("seinem")."""
        if noun.dep_ in OBJECT_DEPS["obj"] and noun.head.lemma_ in self.lex["light"]:
            return self.subject(noun.head)
        for child in noun.children:
            if child.dep_ in ("det:poss", "poss") or "Yes" in child.morph.get("Poss", []):
                person = self.people.last_person_before(child.i)
                if person is not None:
                    return [Party(person.name, person.key)]
        return None

    def _rows(
        self, trigger: Token, clause: Token, spec: dict, actors: list[Party], trigger_kind: str
    ) -> list[dict]:
        targets: list[Party | None] = [*self.targets(trigger, spec.get("target", []))] or [None]
        date, modifier, date_source = self.when(clause)
        place = self.where(clause)
        claimed = self.claimed_by(trigger)
        actor = actors[0] if actors else None
        if actor is None:
            return []  # "who did what" without a who is noise in an events table
        rows = []
        for target in targets:
            confidence = 0.4 + 0.2 * bool(actor.key) + 0.2 * bool(target and target.key)
            confidence += 0.1 if trigger_kind == "verb" else 0.0
            confidence -= 0.2 if claimed else 0.0
            rows.append(
                {
                    "article_id": self.article.article_id,
                    "type": spec["type"],
                    "mode": self.mode(trigger, spec),
                    "trigger": trigger.text,
                    "trigger_lemma": verb_lemma(trigger)
                    if trigger_kind == "verb"
                    else trigger.lemma_,
                    "actor": actor.name,
                    "actor_key": actor.key,
                    "target": target.name if target else None,
                    "target_key": target.key if target else None,
                    "event_date": date,
                    "date_modifier": modifier,
                    "date_source": date_source,
                    "place": place.name if place else None,
                    "place_key": place.key if place else None,
                    "negated": self.negated(trigger),
                    "reported": claimed is not None,
                    "claimed_by": claimed,
                    "confidence": round(max(0.05, min(confidence, 1.0)), 2),
                    "sentence": trigger.sent.text.strip()[:1000],
                    "start_char": trigger.idx,
                    "end_char": trigger.idx + len(trigger),
                }
            )
        return rows


def extract_events(doc: Doc, article: Article) -> list[dict]:
    return EventReader(doc, article).events()
