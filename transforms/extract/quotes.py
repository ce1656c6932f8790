"""Quotations and who said them: direct quotes, and reported speech in the subjunctive.

Direct: text between quote marks; the cue verb is the speech verb next to it
(", sagte Trump" after it, or "sagte Trump: „" before it), the speaker that
verb's subject, resolved to a person where the text allows ("er", "der
US-Präsident"). Indirect: a clause whose verb is in the subjunctive (German
Konjunktiv: "Putin habe ... zugestimmt"), attributed to the speech verb that
governs it, else to the last speaker (reported speech often runs on).
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.extract.entities import doc_text, sentence_of
from newsbeam.transforms.extract.people import ArticlePeople, people_of
from newsbeam.transforms.extract.quote_marks import doc_quote_spans
from newsbeam.transforms.lexicon import load_lexicon
from newsbeam.transforms.records import Article

SUBJECT_DEPS = {"nsubj", "nsubj:pass", "sb", "nsubjpass"}
# Clauses introduced by these are questions ("Auf die Frage, wie ... sei"), not speech.
QUESTION_WORDS = {
    "de": {"wie", "ob", "weshalb", "warum", "wieso", "weswegen", "wann"},
    "en": {"whether", "why", "how", "if"},
}
DETERMINERS = {"DET", "PRON"}


@lru_cache(maxsize=8)
def cue_lemmas(language: str) -> frozenset[str]:
    return frozenset(load_lexicon(language, "speech").get("cue_verbs", []))


def _is_cue(token: Token, language: str) -> bool:
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in cue_lemmas(language)


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    return None


class Speaker:
    """Who said it: a person (with key) or, failing that, the noun phrase as written."""

    def __init__(self, name: str | None, key: str | None) -> None:
        self.name = name
        self.key = key


def speaker_of(subject: Token | None, people: ArticlePeople) -> Speaker:
    if subject is None:
        return Speaker(None, None)
    person = people.resolve(subject)
    if person is None:
        # The name may sit in the subject's phrase: "Bundesaußenminister Johann Wadephul".
        for token in subject.subtree:
            person = people.by_token.get(token.i)
            if person:
                break
    if person is None:
        person = people.by_surname(subject.text)
    if person is not None:
        return Speaker(person.name, person.key)
    if subject.pos_ == "PRON":
        return Speaker(None, None)
    words = [t for t in subject.subtree if not t.is_punct]
    while words and words[0].pos_ in DETERMINERS:
        words = words[1:]
    return Speaker(" ".join(t.text for t in words) or subject.text, None)


def _sentence_bounds(doc: Doc, char: int) -> tuple[int, int]:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None:
        return 0, len(doc_text(doc))
    sent = span.sent
    return sent.start_char, sent.end_char


def _tokens_between(doc: Doc, start: int, end: int, quoted: set[int]) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None:
        return []
    return [t for t in span if t.i not in quoted]


def _cue_near(doc: Doc, start: int, end: int, people: ArticlePeople, language: str) -> Token | None:
    """The speech verb attributing the quote at [start, end): after it first, then before."""
    text = doc_text(doc)
    after_end = _sentence_bounds(doc, min(end + 1, len(text) - 1))[1]
    tail = text[end : end + 3]
    after = _tokens_between(doc, end + 1, after_end, people.quoted)
    if "," in tail or ":" not in tail:
        for token in after[:6]:
            if _is_cue(token, language):
                return token
    before_start = _sentence_bounds(doc, max(start - 1, 0))[0]
    before = _tokens_between(doc, before_start, start, people.quoted)
    for token in reversed(before):
        if _is_cue(token, language):
            return token
    for token in after:
        if _is_cue(token, language):
            return token
    return None


def _nearest_person_after(doc: Doc, verb: Token, people: ArticlePeople) -> Speaker:
    """Fallback when the parse gave the cue no subject: "sagte Trump" inverted order."""
    for token in doc[verb.i + 1 : verb.i + 6]:
        person = people.resolve(token)
        if person:
            return Speaker(person.name, person.key)
    return Speaker(None, None)


def _quote_row(
    article: Article, doc: Doc, start: int, end: int, cue: Token | None, speaker: Speaker
) -> dict:
    span = doc.char_span(start, end, alignment_mode="expand")
    sentence = sentence_of(doc, span.start) if span is not None else 0
    return {
        "article_id": article.article_id,
        "kind": "direct",
        "text": doc_text(doc)[start:end],
        "start_char": start,
        "end_char": end,
        "sentence_index": sentence,
        "speaker": speaker.name,
        "speaker_key": speaker.key,
        "cue": cue.text if cue is not None else None,
        "cue_lemma": cue.lemma_ if cue is not None else None,
    }


def direct_quotes(doc: Doc, article: Article, people: ArticlePeople) -> list[dict]:
    language = article.language or doc.lang_
    rows = []
    text = doc_text(doc)
    for start, end in doc_quote_spans(doc, language):
        while end > start and text[end - 1] in ",;:":  # English puts the comma inside
            end -= 1
        cue = _cue_near(doc, start, end, people, language)
        speaker = Speaker(None, None)
        if cue is not None:
            speaker = speaker_of(_subject(cue), people)
            if speaker.name is None:
                speaker = _nearest_person_after(doc, cue, people)
        rows.append(_quote_row(article, doc, start, end, cue, speaker))
    return rows


def _is_subjunctive(token: Token) -> bool:
    verb = not token.is_space and token.pos_ in ("VERB", "AUX")
    return verb and "Sub" in token.morph.get("Mood", [])


def _governing_cue(head: Token, language: str) -> Token | None:
    for ancestor in head.ancestors:
        if _is_cue(ancestor, language):
            return ancestor
    for token in head.sent:
        if _is_cue(token, language) and token.i != head.i:
            return token
    return None


def _clause(head: Token, people: ArticlePeople, cue: Token | None) -> Span:
    """The reported clause: the head's subtree without the speech verb and its speaker."""
    excluded = set(people.quoted)
    if cue is not None and cue.i != head.i:
        excluded.add(cue.i)
        subject = _subject(cue)
        if subject is not None:
            excluded.update(t.i for t in subject.subtree)
        if cue.i < head.i:
            # "erklärte Trump dann, Putin habe ...": the clause starts after the comma.
            comma = next((t.i for t in head.doc[cue.i : head.i] if t.text == ","), cue.i)
            excluded.update(range(0, comma + 1))
    tokens = [t.i for t in head.subtree if t.i not in excluded] or [head.i]
    doc = head.doc
    start, end = min(tokens), max(tokens) + 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return doc[start:end]


def indirect_speech(doc: Doc, article: Article, people: ArticlePeople, last: Speaker) -> list[dict]:
    language = article.language or doc.lang_
    questions = QUESTION_WORDS.get(language, set())
    rows = []
    seen_heads: set[int] = set()
    for token in doc:
        if token.i in people.quoted or not _is_subjunctive(token):
            continue
        head = token.head if token.dep_ in ("aux", "cop", "aux:pass") else token
        if head.i in seen_heads or head.i in people.quoted:
            continue
        seen_heads.add(head.i)
        cue = _governing_cue(head, language)
        clause = _clause(head, people, cue)
        if not len(clause) or clause[0].lower_ in questions:
            continue
        speaker = speaker_of(_subject(cue), people) if cue is not None else last
        if cue is not None and speaker.name is None:
            speaker = _nearest_person_after(doc, cue, people)
        row = _quote_row(article, doc, clause.start_char, clause.end_char, cue, speaker)
        row["kind"] = "indirect"
        rows.append(row)
    return rows


def extract_quotes(doc: Doc, article: Article) -> list[dict]:
    """Direct and indirect quotes; computed once per Doc (events reuse them)."""
    return [dict(row) for row in per_doc(doc, "quotes", lambda: _quotes(doc, article))]


def _quotes(doc: Doc, article: Article) -> list[dict]:
    people = people_of(doc, article.language or doc.lang_)
    direct = direct_quotes(doc, article, people)
    rows = list(direct)
    # Reported speech without its own cue: the speaker of a quote that it introduces
    # ("... seien sich einig: „…“, schrieb Wadephul"), else the last speaker before it.
    for row in indirect_speech(doc, article, people, Speaker(None, None)):
        if row["speaker"] is None:
            gap = [(q["start_char"] - row["end_char"], q) for q in direct if q["speaker"]]
            after = [q for distance, q in gap if 0 <= distance <= 4]
            before = [q for q in direct if q["end_char"] <= row["start_char"] and q["speaker"]]
            source = after[0] if after else max(before, key=lambda q: q["end_char"], default=None)
            if source is not None:
                row["speaker"], row["speaker_key"] = source["speaker"], source["speaker_key"]
        rows.append(row)
    rows.sort(key=lambda r: r["start_char"])
    return rows
