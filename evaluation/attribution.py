"""Readers for attribution (quotation) gold: BRAT standoff (PolNeAR) and SpkAtt-2023 JSON.

Both become `AttributionDoc`s: the text and its attributions, each with the
character spans of its content, cue and source. BRAT spans may be
discontinuous ("315 448;463 553": a quote split by "he said"); SpkAtt marks
tokens, so the text is rebuilt from the tokens with a space between them
except before closing and after opening punctuation, and each token keeps its
offsets.

Direct or indirect: an attribution is direct when its content is written in
quote marks (the content, stripped of final punctuation, begins and ends with
one); everything else is indirect (reported speech, paraphrase, "according
to").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsbeam.evaluation.documents import existing_paths

Spans = tuple[tuple[int, int], ...]

OPENING_QUOTES = "\"“„«»‚‘'"
CLOSING_QUOTES = "\"”“»«’‘'"


@dataclass(frozen=True)
class Attribution:
    content: Spans
    cue: Spans
    source: Spans  # empty when the gold names no source

    @property
    def start(self) -> int:
        return min(s for s, _ in self.content)

    @property
    def end(self) -> int:
        return max(e for _, e in self.content)

    def kind(self, text: str) -> str:
        return "direct" if is_quoted(text, self.content) else "indirect"


@dataclass
class AttributionDoc:
    doc_id: str
    text: str
    language: str
    attributions: list[Attribution] = field(default_factory=list)
    source: str = ""
    problems: list[str] = field(default_factory=list)  # annotation left out, with the reason


def is_quoted(text: str, spans: Spans) -> bool:
    """Content written in quote marks: the first piece opens with one, the last closes with one."""
    first = text[spans[0][0] : spans[0][1]].strip()
    last = text[spans[-1][0] : spans[-1][1]].strip().rstrip(".,;:!?)")
    return bool(first and last) and first[0] in OPENING_QUOTES and last[-1] in CLOSING_QUOTES


# -- BRAT standoff ----------------------------------------------------------------


def _brat_spans(field_text: str) -> Spans:
    """ "Source 89 106" or "Content 315 448;463 553" -> ((89, 106),) / two pieces."""
    _label, _, offsets = field_text.partition(" ")
    spans = []
    for piece in offsets.split(";"):
        start, end = piece.split()
        spans.append((int(start), int(end)))
    return tuple(spans)


def read_brat(ann: Path, text: str, doc_id: str, language: str) -> AttributionDoc:
    """One .ann file: T lines are spans, E lines tie Content, Cue and Source together."""
    spans: dict[str, Spans] = {}
    events: list[tuple[int, dict[str, str]]] = []
    doc = AttributionDoc(doc_id, text, language, source=str(ann))
    for number, line in enumerate(ann.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            try:
                spans[parts[0]] = _brat_spans(parts[1])
            except ValueError:  # PolNeAR train has one
                doc.problems.append(f"{ann}:{number}: malformed span line, left out")
        elif line.startswith("E") and len(parts) >= 2:
            roles = dict(arg.split(":", 1) for arg in parts[1].split() if ":" in arg)
            events.append((number, roles))
    for number, roles in events:
        content = spans.get(roles.get("Content", ""))
        if not content:
            doc.problems.append(f"{ann}:{number}: attribution without a content span, left out")
            continue
        doc.attributions.append(
            Attribution(
                content, spans.get(roles.get("Cue", ""), ()), spans.get(roles.get("Source", ""), ())
            )
        )
    return doc


def read_brat_folder(folder: Path, language: str) -> Iterator[AttributionDoc]:
    """PolNeAR's layout: text/NAME.txt and attributions/NAME_ANNOTATOR.ann.

    An article annotated by several annotators is read once, with the first
    annotator's file (in name order)."""
    root = folder
    texts = root / "text"
    anns = root / "attributions"
    if not texts.is_dir():  # plain BRAT: NAME.txt beside NAME.ann
        texts = anns = root
    seen: set[str] = set()
    for ann in sorted(anns.glob("*.ann")):
        name = ann.stem
        text_file = texts / f"{name}.txt"
        if not text_file.exists() and "_" in name:
            name = name.rsplit("_", 1)[0]
            text_file = texts / f"{name}.txt"
        if name in seen or not text_file.exists():
            continue
        seen.add(name)
        text = text_file.read_text(encoding="utf-8")
        yield read_brat(ann, text, name, language)


# -- SpkAtt-2023 ------------------------------------------------------------------

NO_SPACE_BEFORE = set(",.;:!?)]}“%") | {"'s", "n't"}
NO_SPACE_AFTER = set("([{„")


def _detokenize(sentences: list[list[str]]) -> tuple[str, dict[tuple[int, int], tuple[int, int]]]:
    text: list[str] = []
    offsets: dict[tuple[int, int], tuple[int, int]] = {}
    pos = 0
    for s, tokens in enumerate(sentences):
        if s:
            text.append("\n")
            pos += 1
        for t, token in enumerate(tokens):
            if t and token not in NO_SPACE_BEFORE and tokens[t - 1] not in NO_SPACE_AFTER:
                text.append(" ")
                pos += 1
            offsets[(s, t)] = (pos, pos + len(token))
            text.append(token)
            pos += len(token)
    return "".join(text), offsets


def _token_spans(ids: list[str], offsets: dict[tuple[int, int], tuple[int, int]]) -> Spans:
    """Token ids "s:t" -> character spans, adjacent tokens merged."""
    chars = sorted(offsets[(int(s), int(t))] for s, t in (i.split(":") for i in ids))
    merged: list[tuple[int, int]] = []
    for start, end in chars:
        if merged and start - merged[-1][1] <= 1:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def read_spkatt(path: Path) -> AttributionDoc:
    """One SpkAtt speech: the speech events that report a message (Cue + Message)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sentences = {s["SentenceId"]: s["Tokens"] for s in data["Sentences"]}
    ordered = [sentences[k] for k in sorted(sentences)]
    index = {k: i for i, k in enumerate(sorted(sentences))}
    text, offsets = _detokenize(ordered)

    def spans(ids: list[str]) -> Spans:
        local = [f"{index[int(i.split(':')[0])]}:{i.split(':')[1]}" for i in ids]
        return _token_spans(local, offsets)

    doc = AttributionDoc(path.stem, text, "de", source=str(path))
    for event in data.get("Annotations", []):
        if not event.get("Message") or not event.get("Cue"):
            continue  # a cue without a reported message (a "Antrag", a "Debatte")
        doc.attributions.append(
            Attribution(
                spans(event["Message"]), spans(event["Cue"]), spans(event.get("Source", []))
            )
        )
    return doc


def read_attribution_corpus(paths: list[str]) -> tuple[list[AttributionDoc], list[str]]:
    """Every document under the paths, and what was not read (with the reason)."""
    docs: list[AttributionDoc] = []
    skipped: list[str] = []
    for path in existing_paths(paths, skipped):
        json_files = [path] if path.suffix == ".json" else sorted(path.rglob("*.json"))
        for file in json_files:
            try:
                docs.append(read_spkatt(file))
            except (KeyError, ValueError, TypeError) as exc:
                skipped.append(f"{file}: not SpkAtt JSON ({type(exc).__name__}: {exc})")
        if path.is_dir():
            folders = {
                a.parent.parent if a.parent.name == "attributions" else a.parent
                for a in path.rglob("*.ann")
            }
            for folder in sorted(folders):
                try:
                    for doc in read_brat_folder(folder, _brat_language(folder)):
                        docs.append(doc)
                        skipped.extend(doc.problems)
                except (ValueError, OSError) as exc:
                    skipped.append(f"{folder}: not BRAT ({type(exc).__name__}: {exc})")
    return docs, skipped


def _brat_language(folder: Path) -> str:
    """BRAT carries no language: a folder named like *-de* or *_de* is German, else English."""
    parts = {p.lower() for part in folder.parts for p in part.replace("_", "-").split("-")}
    return "de" if "de" in parts else "en"
