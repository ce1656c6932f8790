"""Who did what to whom: PLOVER events from trigger verbs and event nouns.

Triggers and where their targets sit come from transforms/lexicons/<lang>/
events.yaml; actor and target come from the dependency parse (subject; object,
dative or prepositional object), resolved to people and places where the text
names them. Each event gets a date (a time expression in its clause, else the
publication date, and a column that says which), a place ("in Alaska"),
negation, whether it is reported speech (and by whom), and a confidence.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newsbeam.transforms.extract.entities import doc_ents, doc_tokens, entity_key
from newsbeam.transforms.extract.event_triggers import (
    Trigger,
    contexts,
    is_headline,
    lexicon,
    may_trigger,
    noun_key,
    trigger_candidates,
    typed,
    verb_keys,
    verb_lemma,
)
from newsbeam.transforms.extract.people import ArticlePeople, people_of
from newsbeam.transforms.extract.quotes import QUESTION_WORDS, SUBJECT_DEPS, extract_quotes
from newsbeam.transforms.extract.timex import anchor_of, timexes_of
from newsbeam.transforms.records import Article

__all__ = ["extract_events", "verb_lemma"]

OBJECT_DEPS = {"obj": {"obj", "dobj", "oa"}, "iobj": {"iobj", "da", "dative"}}
PREP_DEPS = {"obl", "obl:arg", "nmod", "prep", "pobj", "obl:tmod", "mo", "op"}
# An event noun in one of these relations to an event verb is that verb's
# event ("lifted the curfew"), not one of its own.
NOUN_OBJECT_DEPS = {"obj", "dobj", "oa", "nsubjpass", "nsubj:pass", "obl:arg", "da", "iobj"}
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
        self.ents = list(doc_ents(doc))
        self.ent_starts = [e.start for e in self.ents]
        self.ent_at = {e.start: e for e in self.ents}

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
                ent = self.ent_at[token.i]
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
        if not any(p.key for p in found) and self.lex["inverted_subjects"]:
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
        subtree = {t.i for t in token.subtree}
        first, last = min(subtree), max(subtree)
        for ent in self.ents[bisect_left(self.ent_starts, first) :]:
            if ent.start > last:
                break
            if (
                ent.label_ in ("LOC", "GPE")
                and ent.start > 0
                and ent.root.i in subtree
                and self.doc[ent.start - 1].lower_ in PLACE_PREPOSITIONS
            ):
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
    def trigger(self, token: Token, headline: bool) -> Trigger | None:
        """The event a token triggers: a verb by its lemma (or, in a headline, its
        inflected form), else a noun."""
        if not may_trigger(token, self.lex):
            return None
        noun = noun_key(token, self.lex)
        before = self.doc[token.i - 1] if token.i > token.sent.start else None
        verb_first = not (noun and " " in noun) and (
            token.pos_ in ("VERB", "AUX")
            or (
                headline
                and before is not None
                and token.pos_ != "NOUN"
                and before.pos_ not in ("ADJ", "DET", "ADP", "NUM")
            )
        )
        for kind in ("verb", "noun") if verb_first else ("noun", "verb"):
            if kind == "verb":
                for key in verb_keys(token, self.lex, headline):
                    spec = self.lex["verbs"].get(key)
                    if spec:
                        negated = self.negated(token) or self._negated_before(token, headline)
                        return typed(token, "verb", key, spec, self.lex, headline, negated)
            elif noun:
                negated = self.negated(token) or self._negated_before(token, headline)
                return typed(token, "noun", noun, self.lex["nouns"][noun], self.lex, headline,
                             negated)  # fmt: skip
        return None

    def _negated_before(self, token: Token, headline: bool) -> bool:
        if not headline:
            return False
        before = self.doc[max(token.sent.start, token.i - 2) : token.i]
        return any(t.lower_ in self.lex["neg"] for t in before)

    def in_question(self, trigger: Token) -> bool:
        """ "Auf die Frage, weshalb Putin zögere, sich ... zu treffen": not an event."""
        questions = QUESTION_WORDS.get(self.language, set())
        for node in [trigger, *trigger.ancestors]:
            first = next((t for t in node.subtree if not t.is_punct), node)
            if first.lower_ in questions:
                return True
        return False

    def events(self) -> list[dict]:
        found: list[tuple[Trigger, bool]] = []
        tokens = doc_tokens(self.doc)
        candidates = trigger_candidates(self.doc, self.lex)  # the rest can trigger nothing
        for sent in self.doc.sents:
            first = bisect_left(candidates, sent.start)
            last = bisect_left(candidates, sent.end, first)
            if first == last:
                continue
            headline = is_headline(sent, self.lex)
            for i in candidates[first:last]:
                token = tokens[i]
                trigger = self.trigger(token, headline)
                if trigger is not None and not self.in_question(token):
                    found.append((trigger, headline))
        # A frame verb whose complement is an event, and an event noun that is
        # the object of an event verb ("lifted the curfew"), make no row of their own.
        framed = {t.frame.i for t, _ in found if t.frame is not None}
        verbs = {t.token.i for t, _ in found if t.kind == "verb"} - framed
        # "staged rallies to demand reforms": the demand is what the protest is for
        protests = {i for t, _ in found if t.type == "PROTEST" for i in (t.token.i, t.token.head.i)}
        rows: list[dict] = []
        for trigger, headline in found:
            token = trigger.token
            if token.i in framed or (
                trigger.kind == "noun" and token.head.i in verbs and token.dep_ in NOUN_OBJECT_DEPS
            ):
                continue
            if (
                trigger.type == "REQUEST"
                and token.dep_ in ("advcl", "xcomp")
                and token.head.i in protests
            ):
                continue
            rows += self._event(trigger, headline)
        for i, row in enumerate(rows):
            row["event_index"] = i
        return rows

    def _event(self, trigger: Trigger, headline: bool) -> list[dict]:
        token = trigger.token
        anchor = (
            trigger.frame if trigger.frame is not None and trigger.frame.pos_ != "NOUN" else token
        )
        if trigger.kind == "verb" or anchor is not token:
            actors = self.subject(anchor)
            if not actors and self._passive(token):
                actors = self._agent(token)
            clause = anchor
        else:
            noun_actors = self._noun_actor(token)
            if noun_actors is None and not self._happens(token, headline):
                return []
            actors = noun_actors or []
            clause = token.head if self._light(token.head) else token
        if not actors and headline:
            actors = self._entity_near(token, before=True)
        if not actors and trigger.kind == "verb" and not self._passive(token) and not headline:
            return []  # "who did what" without a who: too often a misreading
        return self._rows(trigger, clause, actors, headline)

    def _before_verb(self, party: Party) -> Party:
        """A Title Case headline's name often runs into its verb ("Egypt Makes
        Concessions" as one ORG): keep the words before the first verb form."""
        words = party.name.split(" ")
        for n, word in enumerate(words[1:], 1):
            if word.lower() in self.lex["surface"]:
                name = " ".join(words[:n])
                family = party.key.split(":")[0] if party.key else None
                return Party(name, entity_key(family.upper(), name) if family else None)
        return party

    def _asked(self, trigger: Trigger) -> list[Party]:
        """Whom a demand, refusal or threat is aimed at: the subject of the clause
        it wants ("demanded that the US cancel"), else the frame verb's object
        ("urged Iran to stop")."""
        token, frame = trigger.token, trigger.frame
        if frame is None:  # "demanded that Paraguay reopen the border"
            clauses = [c for c in token.children if c.dep_ in ("ccomp", "oc")]
            subjects = [s for c in clauses for s in c.children if s.dep_ in SUBJECT_DEPS]
            return self.parties(subjects[0]) if subjects else []
        if token.dep_ in ("ccomp", "oc"):
            subjects = [c for c in token.children if c.dep_ in SUBJECT_DEPS]
            if subjects:
                return self.parties(subjects[0])
        for child in frame.children:
            if child.dep_ in OBJECT_DEPS["obj"] | OBJECT_DEPS["iobj"] and child.i != token.i:
                return self.parties(child)
        return []

    def _light(self, verb: Token) -> bool:
        """A light verb ("staged rallies"; the small lemmatiser reads "staged" as "stag")."""
        return verb.lemma_.lower() in self.lex["light"] or (
            self.lex["surface"].get(verb.lower_) in self.lex["light"]
        )

    def _passive(self, verb: Token) -> bool:
        return any(
            c.dep_ in ("nsubjpass", "nsubj:pass", "auxpass", "aux:pass") for c in verb.children
        ) or (verb.tag_ == "VBN" and verb.dep_ in ("ROOT", "acl"))

    def _agent(self, verb: Token) -> list[Party]:
        """ "released by the rebels", "Concessions Made By Brazil"."""
        for child in verb.children:
            if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return self.parties(objects[0])
        return []

    def _happens(self, noun: Token, headline: bool) -> bool:
        """An event noun with no actor still is an event when the clause says it
        happens: its subject ("Protests Erupt"), a headline's, or "a ceasefire"."""
        subject = noun.dep_ in ("nsubj", "nsubjpass", "nsubj:pass", "sb")
        if subject and noun.head.lemma_.lower() in self.lex["happening"]:
            return True
        if noun.lemma_.lower() in self.lex["need_actor"]:
            return False
        return subject or noun.dep_ == "ROOT" or headline

    def _entity_near(self, token: Token, before: bool) -> list[Party]:
        """In a headline the parse is unreliable: the nearest name before (after) it."""
        sent = token.sent
        ents = self.ents[
            bisect_left(self.ent_starts, sent.start) : bisect_left(self.ent_starts, sent.end)
        ]
        ents = [e for e in ents if (e.end <= token.i if before else e.start > token.i)]
        if not ents:
            return []
        ent = ents[-1] if before else ents[0]
        return [Party(ent.text, entity_key(ent.label_, ent.text))]

    def _noun_actor(self, noun: Token) -> list[Party] | None:
        """Actor of an event noun: the light verb's subject, the possessor ("seinem"),
        a name compounded with it ("Kenya Military Withdrawal") or its "by" phrase."""
        head = noun.head
        if noun.dep_ in OBJECT_DEPS["obj"] and self._light(head):
            found = self.subject(head) or self._agent(head)
            if found:
                return found
        if noun.dep_ in ("nsubjpass", "nsubj:pass") and self._light(head):
            found = self._agent(head)
            if found:
                return found
        # "went on strike", "remained on alert": the verb's subject
        if noun.dep_ == "pobj" and head.lower_ in self.lex["state_prepositions"]:
            found = self.subject(head.head) if head.head.i != head.i else []
            if found:
                return found
        for child in noun.children:
            if child.dep_ in ("det:poss", "poss") or "Yes" in child.morph.get("Poss", []):
                person = self.people.last_person_before(child.i)
                if person is not None:
                    return [Party(person.name, person.key)]
                if child.ent_type_:
                    return self.parties(child)
            if child.dep_ == "acl":
                found = self._agent(child)
                if found:
                    return found
        for token in noun.subtree:
            if (
                token.i < noun.i
                and token.ent_type_ in ENTITY_LABELS
                and token.dep_ in ("compound", "nmod", "amod", "poss")
            ):
                return self.parties(token)
        return None

    def _rows(
        self, trigger: Trigger, clause: Token, actors: list[Party], headline: bool
    ) -> list[dict]:
        token, spec = trigger.token, trigger.spec
        where = spec.get("target", [])
        targets: list[Party | None] = []
        if trigger.type in ("REQUEST", "REJECT", "THREATEN"):
            targets = [*self._asked(trigger)]
        if not targets:
            targets = [*self.targets(token, where)]
        if not targets and trigger.frame is not None and trigger.frame.pos_ != "NOUN":
            targets = [
                *self.targets(
                    trigger.frame,
                    self.lex["verbs"].get(trigger.frame.lemma_.lower(), {}).get("target", ["obj"]),
                )
            ]
        if not targets and self._passive(token) and "obj" in where:
            subjects = [c for c in token.children if c.dep_ in ("nsubjpass", "nsubj:pass")]
            targets = [*self.parties(subjects[0])] if subjects else []
        if not targets and headline:
            targets = [*self._entity_near(token, before=False)]
        targets = targets or [None]
        date, modifier, date_source = self.when(clause)
        place = self.where(clause)
        claimed = self.claimed_by(token)
        actor = actors[0] if actors else None
        if actor is not None and headline:
            actor = self._before_verb(actor)
        mode = self.mode(token, spec) if trigger.mode == spec.get("mode") else trigger.mode
        rows = []
        for target in targets:
            if actor is not None and target is not None and target.name == actor.name:
                target = None
            confidence = 0.3 + 0.2 * bool(actor and actor.key) + 0.2 * bool(target and target.key)
            confidence += 0.1 if trigger.kind == "verb" else 0.0
            confidence += 0.1 if actor is not None else 0.0
            confidence -= 0.2 if claimed else 0.0
            rows.append(
                {
                    "article_id": self.article.article_id,
                    "type": trigger.type,
                    "mode": mode,
                    "context": contexts(token.sent, self.lex),
                    "trigger": token.text,
                    "trigger_lemma": trigger.key,
                    "actor": actor.name if actor else None,
                    "actor_key": actor.key if actor else None,
                    "target": target.name if target else None,
                    "target_key": target.key if target else None,
                    "event_date": date,
                    "date_modifier": modifier,
                    "date_source": date_source,
                    "place": place.name if place else None,
                    "place_key": place.key if place else None,
                    "negated": self.negated(token),
                    "reported": claimed is not None,
                    "claimed_by": claimed,
                    "confidence": round(max(0.05, min(confidence, 1.0)), 2),
                    "sentence": token.sent.text.strip()[:1000],
                    "start_char": token.idx,
                    "end_char": token.idx + len(token),
                }
            )
        return rows


def extract_events(doc: Doc, article: Article) -> list[dict]:
    return EventReader(doc, article).events()
