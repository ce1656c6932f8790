"""Which tokens trigger a PLOVER event, and of which type and mode.

Pure functions over the parse and the language's events lexicon
(transforms/lexicons/<lang>/events.yaml):

- a verb by its lemma (German separable particle joined; English phrasal
  verbs with their particle or preposition: "call for", "blow up"), a noun
  by its lemma, multi-word nouns by their last word ("hunger strike");
- in a headline set in Title Case the tagger calls most words proper nouns, so
  there a word is also looked up by its inflected forms ("Criticizes",
  "Agrees");
- the object or the subject can decide ("send aid" AID, "send troops"
  MOBILIZE, "workers strike" PROTEST), and some verbs are events only with
  such an object;
- a frame verb that takes the event as its complement decides the type
  ("agrees to withdraw" CONCEDE, "demands the release" REQUEST yield,
  "refuses to meet" REJECT meet, "threatens to expel" THREATEN expel); so does
  the future ("will provide aid" AGREE, "will withdraw" CONCEDE), as the
  PLOVER manual codes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, POS
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.symbols import ADJ, AUX, VERB
from spacy.tokens import Doc, Span, Token

from newsbeam.transforms.lexicon import load_lexicon

COOPERATIVE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "AGREE"}
YIELDING = {"RETREAT", "CONCEDE"}
CONFLICT = {"ASSAULT", "COERCE"}
OBJECT_DEPS = {"obj", "dobj", "oa", "nsubjpass", "nsubj:pass", "attr"}
FINITE_DEPS = {"ccomp", "conj", "advcl", "parataxis"}
COMPLEMENT_DEPS = {"xcomp", "ccomp", "oc", "advcl", "dobj", "obj", "oa", "pobj", "conj", "acl"}
# A headline: at least this share of its longer words capitalised.
HEADLINE_SHARE = 0.6
HEADLINE_MIN_WORDS = 3


@dataclass(frozen=True)
class Trigger:
    token: Token
    kind: str  # verb | noun
    key: str  # the lexicon key it matched
    type: str
    mode: str | None
    spec: dict
    frame: Token | None = None  # the frame verb that decided the type


def english_forms(lemma: str) -> set[str]:
    """Regular inflections of an English verb or noun ("criticize" -> "criticizes", ...)."""
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "x", "z", "ch", "sh")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
        if (
            len(lemma) >= 3
            and lemma[-1] not in "aeiouwxy"
            and lemma[-2] in "aeiou"
            and lemma[-3] not in "aeiou"
        ):
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


INFLECTORS = {"en": english_forms}


@lru_cache(maxsize=8)
def lexicon(language: str) -> dict:
    lex = load_lexicon(language, "events")
    verbs = {str(k).lower(): v for k, v in lex.get("verbs", {}).items()}
    nouns = {str(k).lower(): v for k, v in lex.get("nouns", {}).items()}
    frames = {
        str(word).lower(): kind for kind, words in lex.get("frames", {}).items() for word in words
    }
    inflect = INFLECTORS.get(language)
    surface: dict[str, str] = {}
    if inflect is not None:
        for key in verbs:
            head = key.split(" ")[0]
            for form in inflect(head):
                surface.setdefault(form, head)
        for key in [*frames, *lex.get("light_verbs", [])]:
            for form in inflect(str(key).split(" ")[0]):
                surface.setdefault(form, str(key).split(" ")[0])
        for irregular, lemma in lex.get("irregular", {}).items():
            surface[str(irregular).lower()] = str(lemma)
    plural: dict[str, str] = {}
    if inflect is not None:
        for key in nouns:
            last = key.split(" ")[-1]
            for form in inflect(last):
                plural.setdefault(form, last)
    words = {k.split(" ")[0] for k in verbs} | {k.split(" ")[-1] for k in nouns}
    words |= set(surface) | set(plural) | {k.split(" ")[0] for k in frames}
    return {
        "words": words,
        "word_hashes": numpy.array(sorted(hash_string(w) for w in words), dtype=numpy.uint64),
        "verb_key_suffixes": {k[i:] for k in verbs for i in range(len(k))},
        "lemma_kinds": {},  # lemma hash -> _A_WORD | _ENDS_A_VERB (trigger_candidates)
        "multi_last": {k.split(" ")[-1] for k in nouns if " " in k},
        "verbs": verbs,
        "nouns": nouns,
        "phrasal": {k.split(" ")[1] for k in [*verbs, *frames] if " " in k},
        "light": {str(w).lower() for w in lex.get("light_verbs", [])},
        "neg": {str(w).lower() for w in lex.get("negations", [])},
        "modes": {str(k).lower(): v for k, v in lex.get("mode_words", {}).items()},
        "frames": frames,
        "future": {str(w).lower() for w in lex.get("future", [])},
        "intent_nouns": {str(w).lower() for w in lex.get("intent_nouns", [])},
        "request_modes": lex.get("request_modes", {}),
        "threaten_modes": lex.get("threaten_modes", {}),
        "threaten_mode_by_mode": lex.get("threaten_mode_by_mode", {}),
        "contexts": {k: [str(w).lower() for w in v] for k, v in lex.get("contexts", {}).items()},
        "need_actor": {str(w).lower() for w in lex.get("nouns_need_actor", [])},
        "happening": {str(w).lower() for w in lex.get("happening_verbs", [])},
        "title_case": bool(lex.get("title_case_headlines", False)),
        "state_prepositions": {str(w).lower() for w in lex.get("state_prepositions", [])},
        "inverted_subjects": bool(lex.get("inverted_subjects", False)),
        "surface": surface,
        "plural": plural,
    }


def is_headline(sent: Span, lex: dict) -> bool:
    """A sentence in Title Case, in a language that capitalises only names
    (the lexicon's `title_case_headlines`: not German, which capitalises nouns)."""
    if not lex["title_case"]:
        return False
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    if len(words) < HEADLINE_MIN_WORDS:
        return False
    return sum(t.text[0].isupper() for t in words) >= HEADLINE_SHARE * len(words)


def verb_lemma(token: Token) -> str:
    """Separable verbs: "stimmte ... zu" -> "zustimmen"."""
    particles = [c.text.lower() for c in token.children if c.dep_ in ("compound:prt", "svp")]
    return "".join(particles) + token.lemma_.lower()


def _is_verb(token: Token) -> bool:
    """Verbs, and participles the small tagger calls ADJ ("telefonierte"), not attributes."""
    return token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and token.dep_ != "amod")


def verb_keys(token: Token, lex: dict, headline: bool) -> list[str]:
    """Lexicon keys the token may be, phrasal first ("call for" before "call")."""
    lemmas = []
    if _is_verb(token):
        lemmas.append(verb_lemma(token))
    if headline or token.pos_ in ("PROPN", "NOUN", "ADJ", "X") or not lemmas:
        surface = lex["surface"].get(token.lower_)
        if surface and surface not in lemmas:
            lemmas.append(surface)
    keys = []
    for lemma in lemmas:
        particles = [c.lower_ for c in token.children if c.dep_ in ("prt", "prep", "compound:prt")]
        nxt = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
        for particle in [*particles, nxt]:
            if particle in lex["phrasal"]:
                keys.append(f"{lemma} {particle}")
        keys.append(lemma)
    return keys


def noun_key(token: Token, lex: dict) -> str | None:
    if token.pos_ not in ("NOUN", "PROPN", "X") and not (
        token.pos_ in ("VERB", "ADJ") and token.dep_ in ("nsubj", "ROOT", "compound")
    ):
        return None
    lemma = token.lemma_.lower()
    single = lemma if lemma in lex["nouns"] else lex["plural"].get(token.lower_, lemma)
    # multi-word nouns by their last word: "hunger strike", "state of emergency"
    if single in lex["multi_last"]:
        doc, start = token.doc, token.sent.start
        for size in (3, 2):
            if token.i - size + 1 >= start:
                words = [doc[i].lower_ for i in range(token.i - size + 1, token.i)]
                key = " ".join([*words, single])
                if key in lex["nouns"]:
                    return key
    return single if single in lex["nouns"] else None


_MAYBE_VERB = numpy.array([VERB, AUX, ADJ], dtype=numpy.uint64)
_KNOWN_LEMMAS_MAX = 500_000  # forget the lemma memo beyond this (a long stream)
_A_WORD, _ENDS_A_VERB = 1, 2  # what a lemma can be (bits of the memo's values)


def trigger_candidates(doc: Doc, lex: dict) -> list[int]:
    """The indexes of every token `may_trigger` can accept (and a few it then
    refuses), found with array operations instead of a test of each token:
    its lower-case form is a lexicon word, or its lemma is, or it is a verb or
    adjective whose lemma ends a lexicon verb (the particle of a separable verb
    goes in front: "zu" + "stimmen")."""
    columns = doc.to_array([LOWER, LEMMA, POS, IS_PUNCT, IS_SPACE, LIKE_NUM])
    if not len(columns):
        return []
    known = lex["lemma_kinds"]
    if len(known) > _KNOWN_LEMMAS_MAX:
        known.clear()
    lemmas, where = numpy.unique(columns[:, 1], return_inverse=True)
    strings = doc.vocab.strings

    def kind(lemma: int) -> int:
        if lemma not in known:
            lower = strings[lemma].lower()
            known[lemma] = (_A_WORD if lower in lex["words"] else 0) | (
                _ENDS_A_VERB if lower in lex["verb_key_suffixes"] else 0
            )
        return known[lemma]

    kinds = numpy.fromiter(map(kind, lemmas.tolist()), dtype=numpy.uint8, count=len(lemmas))
    kinds = kinds[where.reshape(-1)]
    wanted = (
        numpy.isin(columns[:, 0], lex["word_hashes"])
        | (kinds & _A_WORD).astype(bool)
        | ((kinds & _ENDS_A_VERB).astype(bool) & numpy.isin(columns[:, 2], _MAYBE_VERB))
    ) & ~(columns[:, 3:6].any(axis=1))
    return numpy.flatnonzero(wanted).tolist()


def may_trigger(token: Token, lex: dict) -> bool:
    """A cheap test before the lexicon lookups: most words are no trigger."""
    if token.is_punct or token.is_space or token.like_num:
        return False
    words = lex["words"]
    return (
        token.lower_ in words
        or token.lemma_.lower() in words
        or (token.pos_ in ("VERB", "AUX", "ADJ") and verb_lemma(token) in lex["verbs"])
    )


def _object_lemma(token: Token, headline: bool) -> list[str]:
    """The object's lemma, with its compound words ("martial law")."""
    objects = [c for c in token.children if c.dep_ in OBJECT_DEPS]
    if not objects and headline:
        objects = [
            t for t in token.doc[token.i + 1 : token.sent.end] if t.pos_ in ("NOUN", "PROPN")
        ][:2]
    out = []
    for obj in objects:
        lemma = obj.lemma_.lower()
        compounds = [c.lower_ for c in obj.children if c.dep_ in ("compound", "amod")]
        out += [" ".join([*compounds[-1:], lemma]), lemma, obj.lower_.rstrip("s")]
    return out


def _subject_lemma(token: Token, headline: bool) -> list[str]:
    found = [c.lemma_.lower() for c in token.children if c.dep_ in ("nsubj", "sb")]
    if headline and token.i > token.sent.start:  # "Teachers Strike": the word before
        before = token.doc[token.i - 1]
        found += [before.lemma_.lower(), before.lower_.rstrip("s")]
    return found


def base_type(token: Token, key: str, spec: dict, headline: bool) -> tuple[str, str | None] | None:
    """The entry's type and mode, as the object or subject decides; None: no event."""
    objects = spec.get("objects") or {}
    if objects:
        for lemma in _object_lemma(token, headline):
            if lemma in objects:
                kind, mode = objects[lemma]
                return kind, mode
        if spec.get("only_objects"):
            return None
    for lemma in _subject_lemma(token, headline):
        if lemma in (spec.get("subjects") or {}):
            kind, mode = spec["subjects"][lemma]
            return kind, mode
    return spec["type"], spec.get("mode")


def frame_of(token: Token, lex: dict, headline: bool) -> tuple[str, Token] | None:
    """The frame verb (or intent noun) that takes this event as its complement."""
    node = token
    for _ in range(3):  # "agreed to begin withdrawing": up through xcomp chains
        head = node.head
        if head.i == node.i or node.dep_ not in COMPLEMENT_DEPS:
            break
        if head.pos_ == "ADP" and head.dep_ == "prep":  # "call for X": X hangs on "for"
            head = head.head
        for key in verb_keys(head, lex, headline) if head.pos_ != "NOUN" else []:
            if key in lex["frames"] and not (
                lex["frames"][key] == "intent" and node.dep_ in FINITE_DEPS
            ):  # "announced that Y agreed": a report, not an intention
                return lex["frames"][key], head
        if head.lemma_.lower() in lex["intent_nouns"]:
            return "intent", head
        node = head
    if headline:  # "Kenya Agrees to Withdraw", parsed as names
        for prev in reversed(token.doc[token.sent.start : token.i]):
            if prev.lower_ in ("to", "be", "not", "the", "a", "an", "for", "of", "on"):
                continue
            for key in verb_keys(prev, lex, True):
                if key in lex["frames"]:
                    return lex["frames"][key], prev
            break
    return None


def is_future(token: Token, lex: dict, headline: bool) -> bool:
    if any(
        c.dep_ in ("aux", "aux:pass", "auxpass") and c.lower_ in lex["future"]
        for c in token.children
    ):
        return True
    if headline:
        before = [t.lower_ for t in token.doc[max(token.sent.start, token.i - 3) : token.i]]
        return any(w in lex["future"] for w in before)
    return False


def typed(
    token: Token, kind: str, key: str, spec: dict, lex: dict, headline: bool, negated: bool
) -> Trigger | None:
    found = base_type(token, key, spec, headline)
    if found is None:
        return None
    event, mode = found
    frame = frame_of(token, lex, headline)
    if frame is not None:
        how, verb = frame
        if how == "intent":
            if event == "REQUEST" and kind == "noun":
                event, mode = "CONCEDE", None  # "agrees to the demands"
            elif event in YIELDING:
                event, mode = "CONCEDE", mode
            elif event in COOPERATIVE:
                event = "AGREE"
            elif event in CONFLICT and negated:
                event, mode = "CONCEDE", None
        elif how == "request":
            event, mode = "REQUEST", lex["request_modes"].get(event, "change")
        elif how == "reject":
            event, mode = "REJECT", lex["request_modes"].get(event, "change")
        elif how == "threaten":
            mode = lex["threaten_mode_by_mode"].get(mode or "") or lex["threaten_modes"].get(event)
            event = "THREATEN"
        return Trigger(token, kind, key, event, mode, spec, verb)
    if is_future(token, lex, headline):
        if event in COOPERATIVE - {"AGREE"}:
            event = "AGREE"
        elif event == "RETREAT":
            event = "CONCEDE"
        elif event in CONFLICT and negated:
            event, mode = "CONCEDE", None  # "police will not beat protesters"
    return Trigger(token, kind, key, event, mode, spec)


def contexts(sent: Span, lex: dict) -> str | None:
    text = " " + " ".join(t.lower_ for t in sent) + " "
    found = [
        name for name, words in lex["contexts"].items() if any(f" {w} " in text for w in words)
    ]
    return ",".join(found) or None
