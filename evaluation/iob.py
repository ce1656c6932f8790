"""Token-per-line NER corpora as sentences with gold entity spans.

One reader for the column formats NER corpora come in:

- CoNLL/IOB: `token ... tag` per line, a blank line between sentences; the tag
  is the last column (CoNLL-2003, WNUT-17, Europeana's `.bio`, Europarl's IO
  tags, WikiANN with its `de:` token prefix); `-DOCSTART-` lines are skipped;
- GermEval 2014: `index<TAB>token<TAB>outer<TAB>inner` with a `#` line before
  each sentence; the outer level is scored, and `-deriv`/`-part` tags
  ("ukrainisch", "US-Präsident") are not entities but unscored regions: a
  system entity inside one is neither right nor wrong (CoNLL-style corpora
  call "ukrainisch" MISC, GermEval's four classes call it nothing).

IOB1, IOB2 and IO tags all read the same way: an `I-` that follows another
label (or nothing) starts an entity, so IO tags merge adjacent names of one
label, as the corpus itself does. Labels map to PER, LOC, ORG and MISC
(WNUT's corporation and group are ORG, product and creative-work MISC).
A sentence's text is its tokens joined with the spacing of news text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsbeam.evaluation.documents import existing_paths
from newsbeam.models.corpora import NO_SPACE_AFTER, NO_SPACE_BEFORE
from newsbeam.transforms.language import detect_language

GOLD_LABELS = {
    "PER": "PER", "PERSON": "PER",
    "LOC": "LOC", "LOCATION": "LOC", "GPE": "LOC",
    "ORG": "ORG", "CORPORATION": "ORG", "GROUP": "ORG",
    "MISC": "MISC", "OTH": "MISC", "PRODUCT": "MISC", "CREATIVE-WORK": "MISC",
}  # fmt: skip
_TAG = re.compile(r"^([BIES])[-_](.+)$")
_TAG_OR_O = re.compile(r"^(O|[BIES][-_].+)$")
_LANGUAGE_PREFIX = re.compile(r"^[a-z]{2}:(?=.)")
# Tokens after which a file without blank lines is cut into "sentences".
LONGEST_SENTENCE = 100
SKIP_NAMES = {"README.md", "SOURCES.md", "LICENSE.md", "LICENSE", "CHANGELOG"}


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str


@dataclass
class Sentence:
    text: str
    entities: list[Entity] = field(default_factory=list)
    source: str = ""
    unscored: list[tuple[int, int]] = field(default_factory=list)  # (start, end) chars

    def scored(self, entity: Entity) -> bool:
        return not any(s <= entity.start and entity.end <= e for s, e in self.unscored)


@dataclass
class NerCorpus:
    name: str  # the file
    language: str
    sentences: list[Sentence]


def _tag_of(cols: list[str]) -> str | None:
    """The gold tag of a token line, or None for a line with none (then O)."""
    if len(cols) >= 4 and cols[0].isdigit():  # GermEval: index, token, outer, inner
        return cols[2]
    return cols[-1] if len(cols) > 1 else None


UNSCORED = "_unscored"
_UNSCORED_SUFFIXES = ("DERIV", "PART")


def _label(tag: str | None) -> tuple[str, str] | None:
    """(B|I, label) of a tag, None for O and unknown labels; GermEval's deriv
    and part tags get the label UNSCORED."""
    match = _TAG.match(tag or "")
    if not match:
        return None
    name = match[2].upper()
    if any(name.removesuffix(s) in GOLD_LABELS for s in _UNSCORED_SUFFIXES if name.endswith(s)):
        return match[1].upper(), UNSCORED
    label = GOLD_LABELS.get(name)
    return (match[1].upper(), label) if label else None


def _is_comment(cols: list[str]) -> bool:
    """GermEval's "#<TAB>url [date]", Europeana's "# file: ...", CoNLL's -DOCSTART-;
    a token "#" with a tag ("#<TAB>O") is a token."""
    if cols[0].startswith("-DOCSTART-"):
        return True
    return cols[0].startswith("#") and (len(cols) < 2 or not _TAG_OR_O.match(cols[-1]))


def read_columns(path: Path) -> Iterator[tuple[list[str], list[str | None]]]:
    """(tokens, tags) per sentence of a token-per-line file."""
    words: list[str] = []
    tags: list[str | None] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.rstrip("\n")
            cols = line.split("\t") if "\t" in line else line.split()
            if not line.strip() or _is_comment(cols):
                if words:
                    yield words, tags
                    words, tags = [], []
                continue
            token = cols[1] if len(cols) >= 4 and cols[0].isdigit() else cols[0]
            words.append(token)
            tags.append(_tag_of(cols))
            # A file without sentence breaks (Europeana) is cut after a full stop.
            if len(words) >= LONGEST_SENTENCE and token in (".", "!", "?"):
                yield words, tags
                words, tags = [], []
    if words:
        yield words, tags


def _space_after(word: str, nxt: str | None, opening: bool, quotes: int) -> bool:
    """Whether news text has a space between two tokens (straight quotes alternate)."""
    if nxt is None or opening or word in NO_SPACE_AFTER:
        return False
    if nxt == '"':
        return quotes % 2 == 0  # the next quote opens
    return nxt not in NO_SPACE_BEFORE


def sentence(words: list[str], tags: list[str | None], source: str) -> Sentence:
    words = [_LANGUAGE_PREFIX.sub("", w) for w in words]
    text_parts: list[str] = []
    starts = []
    pos = 0
    quotes = 0  # straight double quotes so far: odd means one is open
    for i, word in enumerate(words):
        starts.append(pos)
        text_parts.append(word)
        pos += len(word)
        quotes += word == '"'
        nxt = words[i + 1] if i + 1 < len(words) else None
        if _space_after(word, nxt, opening=word == '"' and quotes % 2 == 1, quotes=quotes):
            text_parts.append(" ")
            pos += 1
    entities: list[Entity] = []
    open_label, open_start, open_end = None, 0, 0
    for i, tag in enumerate(tags):
        parsed = _label(tag)
        continues = parsed is not None and parsed[0] == "I" and parsed[1] == open_label
        if open_label is not None and not continues:
            entities.append(Entity(open_start, open_end, open_label))
            open_label = None
        if parsed is None:
            continue
        if not continues:
            open_label, open_start = parsed[1], starts[i]
        open_end = starts[i] + len(words[i])
    if open_label is not None:
        entities.append(Entity(open_start, open_end, open_label))
    unscored = [(e.start, e.end) for e in entities if e.label == UNSCORED]
    entities = [e for e in entities if e.label != UNSCORED]
    return Sentence("".join(text_parts), entities, source, unscored)


def read_file(path: Path) -> list[Sentence]:
    return [sentence(w, t, f"{path.name}:{n + 1}") for n, (w, t) in enumerate(read_columns(path))]


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        if child.is_file() and child.name not in SKIP_NAMES and not child.name.startswith("."):
            yield child


def corpus_language(sentences: list[Sentence]) -> str:
    """The language of a corpus, guessed from the text of its first sentences."""
    sample = " ".join(s.text for s in sentences[:300])
    language, _probability = detect_language(sample)
    return language or "und"


def read_ner_corpus(names: list[str]) -> tuple[list[NerCorpus], list[str]]:
    """One NerCorpus per file that holds tagged sentences; the rest, with reasons."""
    skipped: list[str] = []
    corpora = []
    for path in existing_paths(names, skipped):
        for file in _files(path):
            try:
                sentences = read_file(file)
            except OSError as exc:
                skipped.append(f"{file}: {exc}")
                continue
            if not any(s.entities for s in sentences):
                skipped.append(f"{file}: no entity tags (CoNLL/IOB or GermEval columns)")
                continue
            corpora.append(NerCorpus(str(file), corpus_language(sentences), sentences))
    return corpora, skipped
