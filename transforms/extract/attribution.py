"""Who said a quotation: its cue and speaker, found over the parse with the language's lexicon.

The algorithm, for one quotation (the text between a pair of quote marks), in
this order; the first step that finds a cue decides:

1. after: the quotation ends with "," "?" "!" or a dash ("...," she said) and a
   cue verb (speech.yaml `cue_verbs`) follows within CUE_WINDOW tokens in the
   same sentence ("...," said Trump; "...," Trump told reporters).
2. before: a colon or comma right before the opening mark, and a cue verb in
   the clause before it (He wrote: "..."); a colon with no cue verb gives the
   clause's subject (Trump on Twitter: "...").
3. inside: a cue verb that governs the quotation in the parse (Trump called
   the plan "a disaster"; she described it as "...") or a source preposition
   in its sentence ("according to X").
4. anywhere else in the quotation's sentence, before it, then after it.

The speaker is the cue's subject; for a participle or a conjoined verb without
one ("..., adding that"), the subject of the verb it depends on; for a
relative pronoun ("who said"), the noun it refers to. Pronouns, role nouns and
surnames resolve to a person of the article (`people.ArticlePeople`).

A quotation no cue attributes continues the previous quotation when it
follows it in the same paragraph or opens the next one (a quote split by "she
said", a quote running over paragraphs); failing that, a short quotation
without a verb is a `mention` (a title or a scare quote: "Meet the Press").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy
from spacy.attrs import IS_LOWER, LOWER, POS
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.symbols import ADJ, AUX, NOUN, PROPN, VERB
from spacy.tokens import Doc, Span, Token

from newsbeam.transforms.extract.entities import doc_ents, doc_text, doc_tokens
from newsbeam.transforms.extract.people import SUBJECT_DEPS, ArticlePeople, Person
from newsbeam.transforms.lexicon import load_lexicon

# How many tokens after a quotation its cue may be ("...," the senator from Ohio said).
CUE_WINDOW = 8
RELATIVE_PRONOUNS = {"who", "which", "that", "der", "die", "das", "welcher", "welche"}
DETERMINERS = {"DET"}
# Dependents that are not part of the phrase naming a speaker.
PHRASE_STOP_DEPS = {"relcl", "acl", "acl:relcl", "appos", "rc", "punct", "cc", "conj", "parataxis"}
QUOTE_TOKENS = {"“", '"', "„", "«", "»", "”"}
BYLINE_DASHES = "―—–"
NOMINAL = ("NOUN", "PROPN", "PRON")
PASSIVE_SUBJECT_DEPS = {"nsubj:pass", "nsubjpass"}
DEMONSTRATIVE_SUBJECTS = {"das", "dies", "es", "was", "this", "that", "it"}
# Dependencies by which a verb without a subject hangs on the verb that has one.
SHARED_SUBJECT_DEPS = {"conj", "advcl", "xcomp", "acl", "parataxis"}


@dataclass(frozen=True)
class SpeechLexicon:
    cue_verbs: frozenset[str]
    report_verbs: frozenset[str]
    infinitive_verbs: frozenset[str]
    object_verbs: frozenset[str]
    content_prepositions: frozenset[str]
    report_nouns: frozenset[str]
    verb_endings: tuple[str, ...]
    report_adjectives: frozenset[str]
    capitalised_nouns: bool
    objects_of_all: bool
    addressees: frozenset[str]
    content_adverbs: frozenset[str]
    lemma_ending: str
    lemma_fixes: dict[str, str]
    statement_nouns: frozenset[str]
    source_prepositions: tuple[tuple[str, ...], ...]  # lower-case word sequences
    source_postpositions: frozenset[tuple[str, ...]]
    mention_max_words: int

    @cached_property
    def source_first_words(self) -> frozenset[str]:
        """The words a source preposition can start with (most tokens are not one)."""
        return frozenset(phrase[0] for phrase in self.source_prepositions)


@lru_cache(maxsize=8)
def speech_lexicon(language: str) -> SpeechLexicon:
    lex = load_lexicon(language, "speech")
    cues = frozenset(w.lower() for w in lex.get("cue_verbs", []))
    objects = frozenset(w.lower() for w in lex.get("object_report_verbs", []))
    return SpeechLexicon(
        cue_verbs=cues,
        report_verbs=cues | objects | frozenset(w.lower() for w in lex.get("report_verbs", [])),
        infinitive_verbs=frozenset(w.lower() for w in lex.get("infinitive_report_verbs", [])),
        object_verbs=objects,
        content_prepositions=frozenset(w.lower() for w in lex.get("content_prepositions", [])),
        report_nouns=frozenset(w.lower() for w in lex.get("report_nouns", [])),
        verb_endings=tuple(sorted(lex.get("verb_endings", []), key=len, reverse=True)),
        lemma_ending=str(lex.get("lemma_ending", "")),
        report_adjectives=frozenset(w.lower() for w in lex.get("report_adjectives", [])),
        capitalised_nouns=bool(lex.get("capitalised_nouns", False)),
        objects_of_all=bool(lex.get("object_content_for_all_report_verbs", False)),
        addressees=frozenset(w.lower() for w in lex.get("addressee_pronouns", [])),
        content_adverbs=frozenset(w.lower() for w in lex.get("content_adverbs", [])),
        lemma_fixes={str(k).lower(): str(v) for k, v in (lex.get("lemma_fixes") or {}).items()},
        statement_nouns=frozenset(w.lower() for w in lex.get("statement_nouns", [])),
        source_prepositions=tuple(
            tuple(p.lower().split())
            for p in [*lex.get("source_prepositions", []), *lex.get("source_postpositions", [])]
        ),
        source_postpositions=frozenset(
            tuple(p.lower().split()) for p in lex.get("source_postpositions", [])
        ),
        mention_max_words=int(lex.get("mention_max_words", 4)),
    )


def lemma(token: Token, language: str) -> str:
    """The token's lemma as the lexicon knows it.

    Corrected where the lexicon lists the lemmatizer's error (lemma_fixes), with
    a separable verb's particle ("stimme ... zu" -> zustimmen), and, when the
    pipeline's lemma is not a known verb, with the inflection endings of the
    language stripped ("stimmte" -> stimmen; speech.yaml `verb_endings`)."""
    particle = next((c.lower_ for c in token.children if c.dep_ in ("compound:prt", "svp")), "")
    return _lemma(language, token.lower_, token.lemma_, particle)


@lru_cache(maxsize=65_536)
def _lemma(language: str, lower: str, pipeline_lemma: str, particle: str) -> str:
    """lemma() of a word form: the same words recur in every article."""
    lexicon = speech_lexicon(language)
    fixes = lexicon.lemma_fixes
    base = fixes.get(lower) or fixes.get(pipeline_lemma.lower()) or pipeline_lemma.lower()
    known = lexicon.report_verbs
    if particle + base in known or not lexicon.verb_endings:
        return particle + base
    for stem in _stems(lower, lexicon.verb_endings):
        candidate = particle + stem + lexicon.lemma_ending
        if candidate in known:
            return candidate
    return particle + base


def _stems(form: str, endings: tuple[str, ...]) -> list[str]:
    """ "stimmte" -> stimm; "gesagt" -> sag (a participle's ge- goes too)."""
    stems = [form[: -len(e)] for e in endings if form.endswith(e) and len(form) - len(e) >= 3]
    if form.startswith("ge") and len(form) > 5:
        stems += [form[2 : -len(e)] for e in endings if form.endswith(e)]
    return stems


def is_cue(token: Token, language: str) -> bool:
    return (
        token.pos_ in ("VERB", "AUX")
        and lemma(token, language) in speech_lexicon(language).cue_verbs
    )


# The parts of speech a report verb or a belief adjective can have (see below).
_MAYBE_REPORT = frozenset({ADJ, VERB, AUX, NOUN, PROPN})


def is_report_verb(token: Token, language: str) -> bool:
    """A report verb, or a predicate adjective of belief ("überzeugt", "convinced").

    German writes nouns capitalised: a lower-case word the tagger called a noun
    ("ich sage") is taken for the verb it looks like."""
    if token.pos not in _MAYBE_REPORT:  # most words: a determiner, a preposition ...
        return False
    lexicon = speech_lexicon(language)
    if token.lower_ in lexicon.report_adjectives and token.pos_ in ("ADJ", "VERB"):
        return True
    verb = token.pos_ in ("VERB", "AUX") or (
        lexicon.capitalised_nouns
        and token.text.islower()
        and (
            token.pos_ in ("NOUN", "PROPN")
            or (token.pos_ == "ADJ" and token.lower_ in lexicon.lemma_fixes)
        )
    )
    return verb and lemma(token, language) in lexicon.report_verbs


def report_verb_candidates(doc: Doc, language: str) -> list[Token]:
    """The tokens `is_report_verb` can accept (a superset: its parts of speech,
    word forms and casing, not yet the lemma), in order, from the Doc's arrays."""
    columns = doc.to_array([POS, LOWER, IS_LOWER])
    if not len(columns):
        return []
    adjectives, fixes = _word_hashes(language)
    pos, lower = columns[:, 0], columns[:, 1]
    wanted = numpy.isin(pos, _VERB_POS)
    wanted |= numpy.isin(pos, _ADJ_VERB_POS) & numpy.isin(lower, adjectives)
    if speech_lexicon(language).capitalised_nouns:  # "ich sage" tagged NOUN
        wanted |= columns[:, 2].astype(bool) & (
            numpy.isin(pos, _NOUN_POS) | ((pos == ADJ) & numpy.isin(lower, fixes))
        )
    tokens = doc_tokens(doc)
    return [tokens[i] for i in numpy.flatnonzero(wanted)]


_VERB_POS = numpy.array([VERB, AUX], dtype=numpy.uint64)
_ADJ_VERB_POS = numpy.array([ADJ, VERB], dtype=numpy.uint64)
_NOUN_POS = numpy.array([NOUN, PROPN], dtype=numpy.uint64)


@lru_cache(maxsize=8)
def _word_hashes(language: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The hashes of the report adjectives and of the lemma fixes' word forms."""
    lexicon = speech_lexicon(language)
    return tuple(  # type: ignore[return-value]
        numpy.array(sorted(hash_string(w) for w in words), dtype=numpy.uint64)
        for words in (lexicon.report_adjectives, lexicon.lemma_fixes)
    )


@dataclass
class Speaker:
    """Who said it: a person (with key) or the phrase as written; the mention that names it."""

    name: str | None = None
    key: str | None = None
    start: int | None = None  # character offsets of the mention (a name, "she", "a spokesman")
    end: int | None = None
    person: Person | None = None


@dataclass
class Cue:
    text: str
    lemma: str
    start: int
    end: int
    verb: Token | None  # None for a colon or a source preposition


def subject_of(verb: Token) -> Token | None:
    """The verb's subject, or that of the verb it hangs on ("..., adding that")."""
    seen = 0
    while verb is not None and seen < 4:
        passive = [c for c in verb.children if c.dep_ in PASSIVE_SUBJECT_DEPS]
        if passive:  # "wird gefordert": the subject is what was said; the agent said it
            return _agent(verb)
        subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS or c.dep_ == "csubj"]
        for aux in verb.children:  # "Sie haben es gesagt": the parse hung it on the auxiliary
            if aux.dep_ in ("aux", "aux:pass") and aux.i > 0:
                subjects += [c for c in aux.children if c.dep_ in SUBJECT_DEPS]
        if len(subjects) > 1:
            # "Das wissen wir": the personal one speaks; "Herr Middelberg, ich frage":
            # a name set off by a comma is the one spoken to.
            subjects.sort(key=lambda c: (c.lower_ in DEMONSTRATIVE_SUBJECTS, _set_off(c)))
        if subjects and verb.pos_ == "ADJ" and subjects[0].pos_ not in ("PRON", "PROPN"):
            return None  # "Seit Februar ist klar, dass": no one is sure of it by name
        if subjects:
            return subjects[0]
        if verb.dep_ not in SHARED_SUBJECT_DEPS or verb.head is verb:
            return None
        verb = verb.head
        seen += 1
    return None


def _set_off(token: Token) -> bool:
    """A noun phrase followed by a comma or "!": an address ("Herr Minister, ...")."""
    after = token.right_edge.i + 1
    return after < len(token.doc) and token.doc[after].text in (",", "!")


def _agent(verb: Token) -> Token | None:
    """ "was announced by the mayor", "wurde von der Ministerin gefordert"."""
    for child in verb.children:
        if child.dep_ == "obl:agent":
            return child
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def _mention_span(token: Token, people: ArticlePeople) -> Span:
    """The words that name the speaker: the whole name, or the noun phrase up to its head."""
    doc = token.doc
    for ent in doc_ents(doc):
        if ent.start <= token.i < ent.end:
            return ent
    words = {token.i}
    for child in token.children:  # "ein Sprecher des Ministeriums", not "..., der sagte"
        if child.dep_ not in PHRASE_STOP_DEPS and not child.is_punct:
            words.update(t.i for t in child.subtree)
    start, end = min(words), max(words) + 1
    while start < token.i and (doc[start].pos_ in DETERMINERS or doc[start].is_punct):
        start += 1
    while end - 1 > token.i and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end]


def _clean_phrase(span: Span) -> str:
    """The phrase as written, without a final possessive ("the campaign's")."""
    tokens = [t for t in span if not t.is_space]
    while tokens and (tokens[-1].is_punct or tokens[-1].text in ("'s", "’s", "'", "’")):
        tokens.pop()
    if not tokens:
        return ""
    text = doc_text(span.doc)
    return " ".join(text[tokens[0].idx : tokens[-1].idx + len(tokens[-1])].split())


def speaker_from(token: Token | None, people: ArticlePeople, last: Person | None) -> Speaker:
    """A speaker from the token that names it: a person where the article allows."""
    if token is None:
        return Speaker()
    if token.lower_ in RELATIVE_PRONOUNS and token.head.dep_ in ("relcl", "acl:relcl", "rc"):
        # "Clinton, who said ...": the relative pronoun names the speaker in the
        # text; the noun its clause describes says who it is.
        antecedent = speaker_from(token.head.head, people, last)
        antecedent.start, antecedent.end = token.idx, token.idx + len(token)
        return antecedent
    owner = _statement_owner(token, people.language)
    if owner is not None:  # "according to a statement from the mayor": the mayor
        return speaker_from(owner, people, last)
    mention = _mention_span(token, people)
    start, end = mention.start_char, mention.end_char
    person = None
    if token.pos_ == "PRON":
        if token.lower_ in people.pronouns:
            person = people.resolve_pronoun(token, last)
    else:
        person = people.resolve(token)
        if person is None:
            person = next((p for t in mention if (p := people.by_token.get(t.i))), None)
        if person is None:
            person = people.by_surname(token.text)
    if person is not None:
        return Speaker(person.name, person.key, start, end, person)
    if token.pos_ == "PRON":
        return Speaker(None, None, start, end)
    return Speaker(_clean_phrase(mention) or token.text, None, start, end)


def _statement_owner(token: Token, language: str) -> Token | None:
    """Who a statement, tweet or interview (`statement_nouns`) belongs to: "Trump's
    tweet", "a statement from the campaign", "die Erklärung des Ministeriums",
    "seinen eigenen Angaben zufolge" (the clause's subject)."""
    lexicon = speech_lexicon(language)
    if (
        token.lemma_.lower() not in lexicon.statement_nouns
        and token.lower_ not in lexicon.statement_nouns
    ):
        return None
    if any(c.lower_.startswith("eigen") or c.lower_ == "own" for c in token.children):
        # "eigenen Angaben zufolge": the subject's own, else the name before it
        before = [t for t in token.sent if t.i < token.i and t.ent_type_ in ("PER", "PERSON")]
        return subject_of(token.sent.root) or (before[-1] if before else None)
    for child in token.children:
        if child.dep_ in ("poss", "nmod:poss", "det:poss") and child.pos_ != "PRON":
            return child
        if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
            return next((c for c in child.children if c.dep_ == "pobj"), None)
        if child.dep_ == "nmod" and child.i > token.i:
            return child
    return None


def _tokens(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="contract") if end > start else None
    return list(span) if span is not None else []


def verb_cue(token: Token, language: str) -> Cue:
    return Cue(token.text, lemma(token, language), token.idx, token.idx + len(token), token)


def source_preposition(tokens: list[Token], language: str) -> tuple[Cue, Token] | None:
    """ "according to X", "laut X", "X zufolge", "nach Angaben von X": the cue and X's head."""
    lexicon = speech_lexicon(language)
    firsts = lexicon.source_first_words
    for i, token in enumerate(tokens):
        if token.lower_ not in firsts:
            continue
        for phrase in lexicon.source_prepositions:
            if token.lower_ != phrase[0]:
                continue
            matched = _match_phrase(tokens, i, phrase)
            if matched is None:
                continue
            words, owner = matched
            last = words[-1]
            if phrase in lexicon.source_postpositions:  # "X zufolge": X stands before it
                before = tokens[i - 1] if i > 0 else None
                owner = before if before is not None and before.pos_ in NOMINAL else owner
            cue = Cue(
                " ".join(t.text for t in words),
                " ".join(phrase),
                token.idx,
                last.idx + len(last),
                None,
            )
            source = owner or _preposition_object(
                last, tokens, tokens.index(last) - len(phrase) + 1, len(phrase)
            )
            if source is not None:
                return cue, source
    return None


def _match_phrase(
    tokens: list[Token], i: int, phrase: tuple[str, ...]
) -> tuple[list[Token], Token | None] | None:
    """The phrase's tokens from i on; a possessive between its words ("aus unserer
    Sicht", "nach Ansicht der Regierung" has none) is the source."""
    words: list[Token] = []
    owner = None
    j = i
    for word in phrase:
        if (
            j < len(tokens)
            and tokens[j].lower_ != word
            and tokens[j].pos_ in ("DET", "PRON")
            and words
        ):
            owner = tokens[j]
            j += 1
        if j >= len(tokens) or tokens[j].lower_ != word:
            return None
        words.append(tokens[j])
        j += 1
    if owner is not None and owner.lower_ in ("der", "die", "das", "the", "a", "ein", "eine"):
        return None
    if owner is None and words[0].pos_ in ("DET", "PRON"):
        owner = words[0]  # "meines Erachtens": the phrase itself names its owner
    return words, owner


def _preposition_object(last: Token, tokens: list[Token], i: int, n: int) -> Token | None:
    # English "according to X": X is the object of "to"; German "laut X": "laut" is
    # the case marker of X; "X zufolge": X comes before; "nach Angaben von X".
    for child in last.children:
        if child.dep_ in ("pobj", "nmod", "obl"):
            return child
    if last.dep_ == "case" and last.head.i != last.i:
        head = last.head
        for child in head.children:
            if child.dep_ in ("nmod", "nmod:poss", "det:poss") and child.i > head.i:
                return child  # "nach Angaben des Ministeriums"
        return head
    after = tokens[i + n : i + n + 4]
    names = [t for t in after if t.pos_ in ("PROPN", "NOUN", "PRON")]
    return names[0] if names else None


def find_cue(
    doc: Doc, start: int, end: int, people: ArticlePeople, language: str
) -> tuple[Cue | None, Token | None]:
    """The cue of the quotation at [start, end) (marks excluded), and the token
    naming its speaker."""
    text = doc_text(doc)
    quoted = people.quoted
    close = end  # after the closing mark (the content may have lost a final comma)
    while close < len(text) and text[close] in ",;: ":
        close += 1
    close = min(close + 1, len(text))
    sent_after = _sentence(doc, min(close, len(text) - 1))
    sent_before = _sentence(doc, max(start - 2, 0))
    inner = text[start:close].rstrip()[:-1].rstrip()
    tail = text[close : close + 3].lstrip()
    ends_open = inner[-1:] in (",", "?", "!", "—", "–", "-", ";") or tail[:1] in (",", "—", "–")
    after = [t for t in _tokens(doc, close, sent_after.end_char) if t.i not in quoted]
    byline = _byline(doc, text, close, people)
    if byline is not None:
        return byline
    if ends_open:
        for token in after[:CUE_WINDOW]:
            if token.text in QUOTE_TOKENS or token.is_sent_start and token.idx > close + 2:
                break
            if is_cue(token, language):
                return verb_cue(token, language), subject_of(token) or _person_after(token, people)
    before = [t for t in _tokens(doc, sent_before.start_char, start - 1) if t.i not in quoted]
    before = [t for t in before if not t.is_space]
    if before and before[-1].text in (":", ","):
        for token in reversed(before):
            if is_cue(token, language):
                return verb_cue(token, language), subject_of(token) or _person_after(token, people)
        if before[-1].text == ":":
            root = before[-2] if len(before) > 1 else None
            clause_root = root.sent.root if root is not None else None
            subject = subject_of(clause_root) if clause_root is not None else None
            if subject is None:
                subject = next((t for t in before if t.i in people.by_token), None)
            if subject is not None and subject.i < start and subject.i not in quoted:
                colon = before[-1]
                return Cue(":", ":", colon.idx, colon.idx + 1, None), subject
    governing = _governing_cue(doc, start, end, language)
    if governing is not None:
        return verb_cue(governing, language), subject_of(governing) or _person_after(
            governing, people
        )
    sentence_tokens = [
        t for t in _tokens(doc, sent_before.start_char, sent_after.end_char) if t.i not in quoted
    ]
    found = source_preposition(sentence_tokens, language)
    if found is not None:
        return found
    for token in reversed(before):
        if is_cue(token, language):
            return verb_cue(token, language), subject_of(token) or _person_after(token, people)
    if not _ends_sentence(inner):
        for token in after:
            if is_cue(token, language):
                return verb_cue(token, language), subject_of(token) or _person_after(token, people)
    return None, None


def _byline(doc: Doc, text: str, close: int, people: ArticlePeople) -> tuple[Cue, Token] | None:
    """ "...” ― Pamela Padilla": a dash after the closing mark, then a name."""
    rest = text[close : close + 4]
    stripped = rest.lstrip()
    if not stripped or stripped[0] not in BYLINE_DASHES:
        return None
    dash = close + rest.index(stripped[0])
    span = doc.char_span(dash + 1, min(dash + 60, len(text)), alignment_mode="expand")
    if span is None:
        return None
    words = [t for t in span if not t.is_space][:4]
    names = []
    for token in words:
        if token.pos_ == "PROPN" or token.i in people.by_token:
            names.append(token)
        elif names or not token.is_punct:
            break
    if not names:
        return None
    return Cue(stripped[0], stripped[0], dash, dash + 1, None), names[-1]


def _ends_sentence(inner: str) -> bool:
    return inner[-1:] in (".", "!", "?") and len(inner.split()) > 3


def _sentence(doc: Doc, char: int) -> Span:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None:
        return doc[:]
    return span.sent


def _governing_cue(doc: Doc, start: int, end: int, language: str) -> Token | None:
    """A cue or report verb above the quotation's words in the parse (not inside it)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    inside = range(span.start, span.end)
    root = span.root
    for ancestor in root.ancestors:
        if ancestor.i in inside:
            continue
        if is_report_verb(ancestor, language):
            return ancestor
    return None


def _person_after(verb: Token, people: ArticlePeople) -> Token | None:
    """Inverted order the parse missed: "sagte Trump"."""
    for token in verb.doc[verb.i + 1 : verb.i + 6]:
        if token.i in people.by_token:
            return token
    return None


def is_mention(doc: Doc, start: int, end: int, language: str) -> bool:
    """A short quoted phrase with no verb: a title or a scare quote, not speech."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    words = [t for t in span if not t.is_punct and not t.is_space]
    if len(words) > speech_lexicon(language).mention_max_words:
        return False
    if all(t.text[:1].isupper() or t.is_stop for t in words) and words[0].text[:1].isupper():
        return True  # a title or a slogan: "Meet the Press", "Make America Great Again"
    return not any(t.pos_ in ("VERB", "AUX") for t in words)
