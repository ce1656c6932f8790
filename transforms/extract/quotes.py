"""The `quotes` table: quotations, reported speech and who said them.

Direct rows are the quotations between quote marks (`quote_marks`), each
attributed by `attribution.find_cue` (the algorithm is documented there);
indirect rows are reported speech without quote marks (`reported_speech`);
a short quoted phrase that nothing attributes and that has no verb is kept
as a row of kind `mention` (a title, a slogan, a scare quote), with no
speaker. Speakers are resolved in text order, so that a pronoun can fall back
on the speaker of the attribution before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from newsbeam.transforms.extract.attribution import (
    Cue,
    Speaker,
    find_cue,
    is_mention,
    speaker_from,
)
from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.extract.entities import doc_text, sentence_of
from newsbeam.transforms.extract.people import SUBJECT_DEPS, ArticlePeople, Person, people_of
from newsbeam.transforms.extract.quote_marks import doc_quote_spans
from newsbeam.transforms.extract.reported_speech import reported_clauses, subjunctive_clauses
from newsbeam.transforms.records import Article

__all__ = ["QUESTION_WORDS", "SUBJECT_DEPS", "extract_quotes"]

# Clauses introduced by these are questions ("Auf die Frage, wie ... sei"), not speech.
QUESTION_WORDS = {
    "de": {"wie", "ob", "weshalb", "warum", "wieso", "weswegen", "wann"},
    "en": {"whether", "why", "how", "if"},
}
# How long the rest of a paragraph after a quotation may be for the next
# paragraph's unattributed quotation to continue it ("...," she said.)
CONTINUATION_TAIL = 120
# How many sentences reported speech in the subjunctive runs on after its cue.
RUN_ON_SENTENCES = 2


@dataclass
class Found:
    kind: str
    start: int
    end: int
    cue: Cue | None
    speaker_token: Token | None


def _row(article: Article, doc: Doc, found: Found, speaker: Speaker) -> dict:
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    cue = found.cue
    return {
        "article_id": article.article_id,
        "kind": found.kind,
        "text": doc_text(doc)[found.start : found.end],
        "start_char": found.start,
        "end_char": found.end,
        "sentence_index": sentence_of(doc, span.start) if span is not None else 0,
        "speaker": speaker.name,
        "speaker_key": speaker.key,
        "speaker_start": speaker.start,
        "speaker_end": speaker.end,
        "cue": cue.text if cue is not None else None,
        "cue_lemma": cue.lemma if cue is not None else None,
        "cue_start": cue.start if cue is not None else None,
        "cue_end": cue.end if cue is not None else None,
    }


def _direct(doc: Doc, people: ArticlePeople, language: str) -> list[Found]:
    text = doc_text(doc)
    found = []
    for start, end in doc_quote_spans(doc, language):
        while end > start and text[end - 1] in ",;:":  # English puts the comma inside
            end -= 1
        cue, token = find_cue(doc, start, end, people, language)
        kind = "direct"
        if cue is None and is_mention(doc, start, end, language):
            kind = "mention"
        found.append(Found(kind, start, end, cue, token))
    return found


def _indirect(doc: Doc, people: ArticlePeople, language: str) -> list[Found]:
    found: list[Found] = []
    seen: set[tuple[int, int]] = set()
    covered: set[int] = set()
    clauses = list(reported_clauses(doc, people, language))
    for content, cue, token in clauses:
        if (content.start, content.end) in seen or _crosses(cue, token, clauses):
            continue
        seen.add((content.start, content.end))
        covered.update(range(content.start, content.end))
        found.append(Found("indirect", content.start_char, content.end_char, cue, token))
    if language == "de":
        for content in subjunctive_clauses(doc, people, covered):
            found.append(Found("indirect", content.start_char, content.end_char, None, None))
    return found


def _crosses(
    cue: Cue, speaker: Token | None, clauses: list[tuple[Span, Cue, Token | None]]
) -> bool:
    """A cue inside another clause's reported content whose speaker stands outside
    that content: the parse tied the outer speaker to the inner verb ("erklärte
    Trump, Putin habe zugestimmt" with Trump as the subject of "zugestimmt")."""
    if cue.verb is None or speaker is None:
        return False
    for content, _, _ in clauses:
        inside = content.start <= cue.verb.i < content.end
        if inside and not content.start <= speaker.i < content.end:
            return True
    return False


def _continues(text: str, previous: dict, start: int) -> bool:
    """Whether a quotation at `start` goes on with the previous direct quotation."""
    gap = text[previous["end_char"] : start]
    if "\n" not in gap.strip():
        return True  # same paragraph: '"...," she said. "..."'
    paragraphs = gap.split("\n")
    rest, opening = paragraphs[0], paragraphs[-1]
    return len(rest) <= CONTINUATION_TAIL and len(opening.strip()) <= 1 and gap.count("\n\n") <= 1


def _carried_over(previous: dict, people: ArticlePeople) -> tuple[Cue | None, Speaker]:
    """The cue and speaker of the quotation a split or run-on quotation continues."""
    cue = None
    if previous["cue"]:
        cue = Cue(
            previous["cue"], previous["cue_lemma"], previous["cue_start"], previous["cue_end"], None
        )
    speaker = Speaker(
        previous["speaker"],
        previous["speaker_key"],
        previous["speaker_start"],
        previous["speaker_end"],
        people.people.get(previous["speaker_key"]) if previous["speaker_key"] else None,
    )
    return cue, speaker


def _quotes(doc: Doc, article: Article) -> list[dict]:
    language = article.language or doc.lang_
    people = people_of(doc, language)
    text = doc_text(doc)
    events = sorted(
        _direct(doc, people, language) + _indirect(doc, people, language), key=lambda f: f.start
    )
    rows: list[dict] = []
    last: Person | None = None
    previous: dict | None = None  # the last direct row
    last_speaker: Speaker | None = None
    last_sentence = -10

    def near(start: int) -> bool:
        span = doc.char_span(start, start + 1, alignment_mode="expand")
        return span is not None and sentence_of(doc, span.start) - last_sentence <= RUN_ON_SENTENCES

    for found in events:
        speaker = Speaker()
        if found.kind == "mention":
            rows.append(_row(article, doc, found, speaker))
            continue
        if found.cue is not None:
            speaker = speaker_from(found.speaker_token, people, last)
        elif found.kind == "direct" and previous and _continues(text, previous, found.start):
            found.cue, speaker = _carried_over(previous, people)
        elif found.kind == "indirect" and last_speaker is not None and near(found.start):
            speaker = last_speaker  # German subjunctive running on
        row = _row(article, doc, found, speaker)
        rows.append(row)
        if found.kind == "direct":
            previous = row
        if speaker.person is not None:
            last = speaker.person
        if speaker.name is not None:
            last_speaker = speaker
            last_sentence = row["sentence_index"]
    return rows


def extract_quotes(doc: Doc, article: Article) -> list[dict]:
    """Direct, indirect and mention rows; computed once per Doc (events reuse them)."""
    return [dict(row) for row in per_doc(doc, "quotes", lambda: _quotes(doc, article))]
