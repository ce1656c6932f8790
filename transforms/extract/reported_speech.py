"""Reported speech without quote marks: rows of kind `indirect`.

Found over the parse, with the language's lexicon (speech.yaml), for each
report verb (`report_verbs`: say, tell, warn, believe, show; sagen, betonen,
wissen) in this order:

1. a colon right after it: "Ich sage Ihnen: S", "He told reporters: S" (the
   rest of the sentence, or the next sentence when the colon ends this one);
2. a clause complement: "X said (that) S", "S, X said", "X warned that S"; an
   infinitive for the verbs that take one ("urged Congress to act",
   "forderte ..., zurückzutreten"); a "dass" clause the parse calls adverbial;
3. German attaches a trailing "sagte X" to the reported clause ("S, sagte X":
   parataxis), and "wie X sagte" to the clause it comments: both report S;
4. an object, for `object_report_verbs` (English: "called the plan a
   disaster", "endorsed Clinton"; German: every report verb, "Das wissen wir",
   as German speech reports it), a passive subject ("wird gefordert"), a
   prepositional object (`content_prepositions`: "hinweisen auf X", "called
   for X") or a pronominal adverb ("Darauf hat sie hingewiesen").

Besides verbs: predicate adjectives of belief with a named or pronoun subject
(`report_adjectives`: "Ich bin überzeugt, dass", "is convinced that"); report
nouns with their clause and owner (`report_nouns`: "his claim that", "die
Forderung, dass"); source prepositions (`source_prepositions`: "according to
X, S", "laut X", "X zufolge", "aus unserer Sicht"); and, German only, a clause
in Konjunktiv I ("Putin habe ... zugestimmt") no cue governs continues the
reported speech of the two sentences before it (its speaker); further away it
is a row without a speaker.

The content is the clause's words without the cue, its speaker and
punctuation at its edges; a clause that is all quotation is left to the direct
row.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.symbols import AUX, NOUN, VERB
from spacy.tokens import Doc, Span, Token

from newsbeam.transforms.extract.attribution import (
    Cue,
    is_report_verb,
    lemma,
    report_verb_candidates,
    source_preposition,
    speech_lexicon,
    subject_of,
    verb_cue,
)
from newsbeam.transforms.extract.entities import doc_tokens, tokens_tagged
from newsbeam.transforms.extract.people import SUBJECT_DEPS, ArticlePeople

COMPLEMENTIZERS = {"dass", "daß", "ob", "that", "whether"}
DEMONSTRATIVES = {
    "das",
    "dies",
    "dieses",
    "es",
    "was",
    "dem",
    "den",
    "dessen",
    "diesem",
    "diesen",
    "dieser",
    "this",
    "that",
    "it",
    "what",
}
INFINITIVE_DEPS = {"xcomp", "ccomp", "oprd", "advcl"}
# A reported clause shorter than this (in words) is not worth a row ("he said so").
MIN_CONTENT_WORDS = 3


def _content(
    head: Token, exclude: set[int], quoted: set[int], min_words: int = MIN_CONTENT_WORDS
) -> Span | None:
    """The head's subtree without the excluded tokens (see `_trimmed`)."""
    tokens = [t.i for t in head.subtree if t.i not in exclude]
    if not tokens:
        return None
    return _trimmed(head.doc, min(tokens), max(tokens) + 1, exclude, quoted, min_words)


def _trimmed(
    doc: Doc, start: int, end: int, exclude: set[int], quoted: set[int], min_words: int
) -> Span | None:
    """doc[start:end] without punctuation, spaces and excluded tokens at its edges;
    None when fewer than min_words words remain or they are (nearly) all quotation."""
    while end > start and (
        doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].i in exclude
    ):
        end -= 1
    while start < end and (doc[start].is_punct or doc[start].is_space or doc[start].i in exclude):
        start += 1
    span = doc[start:end]
    words = [t for t in span if not t.is_punct and not t.is_space]
    if len(words) < min_words:
        return None
    if sum(t.i in quoted for t in words) > 0.8 * len(words):
        return None  # a quotation: the direct row has it
    return span


def _complement(cue: Token, language: str) -> Token | None:
    lexicon = speech_lexicon(language)
    takes_infinitive = lemma(cue, language) in lexicon.infinitive_verbs
    for child in cue.children:
        if child.dep_ in ("ccomp", "oc") and child.i != cue.i:
            return child
        if takes_infinitive and child.dep_ in INFINITIVE_DEPS:
            return child
    for child in cue.children:  # "Sie haben mir gesagt: Kämpft mit uns"
        if child.dep_ == "parataxis" and child.i > cue.i:
            return child
    for child in cue.children:  # "Es wurde gesagt, S": a clause after a comma, unlabelled
        if child.dep_ == "dep" and child.i > cue.i and child.doc[child.left_edge.i - 1].text == ",":
            return child
    for child in cue.children:  # a finite clause the parse took for an infinitive
        if child.dep_ == "xcomp" and any(
            "Fin" in c.morph.get("VerbForm", []) for c in child.children
        ):
            return child
    for child in cue.children:  # a "dass"/"that" clause the parse calls adverbial
        if child.dep_ == "advcl" and any(
            m.dep_ == "mark" and m.lower_ in COMPLEMENTIZERS for m in child.children
        ):
            return child
    return None


# How many words may stand between a cue and the colon that opens its content
# ("Ich sage Ihnen ganz deutlich: ...").
COLON_WINDOW = 5
# Punctuation that may stand between them ("ich zitiere -: ...").
COLON_SKIPPED = {"-", "–", "—", "(", ")"}


def _after_colon(cue: Token) -> Span | None:
    """ "Ich sage Ihnen: S" / "He told reporters: S": the rest of the sentence after
    a colon that closely follows the cue (whatever the parse made of it)."""
    doc = cue.doc
    sent = cue.sent
    for token in doc[cue.i + 1 : min(cue.i + 1 + COLON_WINDOW, sent.end)]:
        if token.text == ":":
            if token.i + 1 >= sent.end:
                return None  # the content is the next sentence (_next_sentence)
            return doc[token.i + 1 : sent.end]
        if token.pos_ in ("VERB", "AUX") or (token.is_punct and token.text not in COLON_SKIPPED):
            return None
    return None


def _next_sentence(cue: Token) -> Span | None:
    """ "Ich sage Ihnen:" ending its sentence: the content is the next one."""
    sent = cue.sent
    last = next((t for t in reversed(sent) if not t.is_space), None)
    if last is None or last.text != ":" or sent.end >= len(cue.doc):
        return None
    return cue.doc[sent.end].sent


def _object(cue: Token, language: str) -> Token | None:
    """The object that is the content of an object report verb ("Das wissen wir")."""
    lexicon = speech_lexicon(language)
    if lemma(cue, language) not in lexicon.object_verbs and not lexicon.objects_of_all:
        return None
    passive = next((c for c in cue.children if c.dep_ in ("nsubj:pass", "nsubjpass")), None)
    if passive is not None:
        return passive  # "Im Antrag wird der Kohleausstieg gefordert"
    subjects = [c for c in cue.children if c.dep_ in SUBJECT_DEPS]
    if len(subjects) == 2:  # "Das wissen wir": the parse made the object a second subject
        personal = [
            c for c in subjects if c.pos_ in ("PRON", "PROPN") and c.lower_ not in DEMONSTRATIVES
        ]
        other = [c for c in subjects if c not in personal]
        if len(personal) == 1 and len(other) == 1:
            return other[0]
    for child in cue.children:
        if child.dep_ in ("obj", "dobj", "oa") and child.lower_ not in lexicon.addressees:
            return child
    for child in cue.children:  # "hinweisen auf X", "called for X"
        if child.dep_ in ("obl", "obl:arg", "prep", "op"):
            first = child.doc[child.left_edge.i]
            if child.dep_ == "prep" and child.lower_ in lexicon.content_prepositions:
                return child
            if first.pos_ == "ADP" and first.lower_ in lexicon.content_prepositions:
                return child
    for child in cue.children:  # "Darauf hat er hingewiesen": a pronominal adverb
        if child.lower_ in lexicon.content_adverbs:
            return child
    return None


def reported_clauses(
    doc: Doc, people: ArticlePeople, language: str
) -> Iterator[tuple[Span, Cue, Token | None]]:
    """(content, cue, token naming the speaker) for each report verb or source preposition."""
    quoted = people.quoted
    lexicon = speech_lexicon(language)
    for token in report_verb_candidates(doc, language):
        if token.i in quoted or not is_report_verb(token, language):
            continue
        cue = verb_cue(token, language)
        if token.pos_ == "ADJ" and subject_of(token) is None:
            continue  # "Es ist klar, dass ...": belief with no one holding it is no attribution
        after_colon = _after_colon(token)
        if after_colon is not None:
            content = _trimmed(
                doc, after_colon.start, after_colon.end, set(), quoted, MIN_CONTENT_WORDS
            )
            if content is not None:
                yield content, cue, subject_of(token)
                continue
        complement = _complement(token, language)
        if complement is not None:
            speaker = subject_of(token)
            exclude = {token.i} | ({t.i for t in speaker.subtree} if speaker is not None else set())
            if token.i < complement.i:
                # "erklärte Trump dann, Putin habe ...": the clause starts after the comma.
                comma = next((t.i for t in doc[token.i : complement.i] if t.text == ","), token.i)
                exclude.update(range(token.i, comma + 1))
                if speaker is None:
                    speaker = next(
                        (t for t in doc[token.i + 1 : comma] if t.i in people.by_token), None
                    )
            content = _content(complement, exclude, quoted)
            if content is not None:
                yield content, cue, speaker
            continue
        following = _next_sentence(token)
        if following is not None:
            content = _content(following.root, set(), quoted)
            if content is not None:
                yield content, cue, subject_of(token)
            continue
        target = _object(token, language)
        if target is not None:
            content = _content(target, {token.i}, quoted, min_words=1)
            if content is not None:
                yield content, cue, subject_of(token)
            continue
        # "S, sagte X" / "wie X sagte": the cue hangs on the clause it reports.
        trailing = token.dep_ == "parataxis" or any(
            c.lower_ in ("wie", "as") and c.dep_ in ("mark", "advmod") for c in token.children
        )
        if (
            trailing
            and token.head.i != token.i
            and token.head.pos_ in ("VERB", "AUX", "ADJ", "NOUN")
        ):
            content = _content(token.head, {t.i for t in token.subtree}, quoted)
            if content is not None:
                yield content, cue, subject_of(token)
    for token in tokens_tagged(doc, _NOUN):
        if (
            token.pos_ != "NOUN"
            or token.i in quoted
            or token.lemma_.lower() not in lexicon.report_nouns
        ):
            continue
        found = _noun_content(token)
        if found is not None:
            content_head, owner = found
            content = _content(content_head, {token.i}, quoted, min_words=2)
            if content is not None:
                yield (
                    content,
                    Cue(token.text, token.lemma_, token.idx, token.idx + len(token), None),
                    owner,
                )
    every = doc_tokens(doc)
    for sent in doc.sents:
        tokens = [t for t in every[sent.start : sent.end] if t.i not in quoted]
        found = source_preposition(tokens, language)
        if found is None:
            continue
        cue, source = found
        phrase = {t.i for t in tokens if cue.start <= t.idx < cue.end} | {
            t.i for t in source.subtree
        }
        content = _content(sent.root, phrase, quoted)
        if content is not None:
            yield content, cue, source


def _noun_content(noun: Token) -> tuple[Token, Token | None] | None:
    """A report noun's content (its clause, or "einer Sippenhaft") and its owner."""
    owner = next((c for c in noun.children if c.dep_ in ("det:poss", "poss", "nmod:poss")), None)
    if owner is None:  # "Ich habe eine Frage:", "sie erhob die Forderung, ..."
        owner = next((c for c in noun.children if c.dep_ in SUBJECT_DEPS), None)
        if owner is None and noun.dep_ in ("obj", "dobj"):
            owner = subject_of(noun.head)
    following = _next_sentence(noun)
    if following is not None:
        return following.root, owner
    for child in noun.children:
        if child.dep_ == "parataxis" and child.i > noun.i:
            return child, owner
    for child in noun.children:
        if child.dep_ in ("acl", "ccomp", "nmod", "appos") and child.i > noun.i:
            if child.dep_ == "nmod" and owner is None and child.pos_ in ("PROPN", "PRON"):
                owner = child  # "die Forderung der Regierung": the owner, not the content
                continue
            return child, owner
    return None


_NOUN = frozenset({NOUN})
_VERBS = frozenset({VERB, AUX})  # the parts of speech is_subjunctive accepts


def is_subjunctive(token: Token) -> bool:
    """Konjunktiv I ("habe", "sei"), the mood of reported speech; Konjunktiv II
    ("wäre", "hätte") is the conditional, and says nothing about who speaks."""
    verb = not token.is_space and token.pos_ in ("VERB", "AUX")
    return (
        verb and "Sub" in token.morph.get("Mood", []) and "Past" not in token.morph.get("Tense", [])
    )


def subjunctive_clauses(doc: Doc, people: ArticlePeople, covered: set[int]) -> Iterator[Span]:
    """German reported speech that runs on in the subjunctive, with no cue of its own."""
    seen: set[int] = set()
    for token in tokens_tagged(doc, _VERBS):
        if token.i in people.quoted or token.i in covered or not is_subjunctive(token):
            continue
        head = token.head if token.dep_ in ("aux", "cop", "aux:pass") else token
        if head.i in seen or head.i in people.quoted or head.i in covered:
            continue
        seen.add(head.i)
        content = _content(head, set(), people.quoted)
        if content is not None and content.root.i not in covered:
            yield content
