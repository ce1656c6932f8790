"""`newsbeam evaluate timex CORPUS...`: the timex extractor against TimeML gold.

Runs the extractor the pipeline runs (`transforms.extract.timex.find_timexes`,
anchored on the document's creation date) over each annotated document and
prints TempEval-3's figures per language, per corpus part and overall: relaxed
and strict span P/R/F1, type accuracy over the relaxed matches, value P/R/F1
(a relaxed match with the right value; TempEval-3's "value F1") and strict span
with the right value. `--errors` lists every miss, spurious find and wrong value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsbeam.evaluation.documents import GoldDoc, GoldSpan
from newsbeam.evaluation.report import assemble, nothing_to_score
from newsbeam.evaluation.spans import Alignment, Counts, align, strict
from newsbeam.evaluation.timeml import read_corpus
from newsbeam.transforms.extract.timex import Timex, find_timexes

MODES = ("auto", "rule", "news", "narrative")


@dataclass
class Scores:
    relaxed: Counts = field(default_factory=Counts)
    strict: Counts = field(default_factory=Counts)
    value: Counts = field(default_factory=Counts)
    strict_value: Counts = field(default_factory=Counts)
    typed: int = 0  # relaxed matches with the right type
    docs: int = 0

    def add(self, other: Scores) -> None:
        for name in ("relaxed", "strict", "value", "strict_value"):
            getattr(self, name).add(getattr(other, name))
        self.typed += other.typed
        self.docs += other.docs

    @property
    def type_accuracy(self) -> float:
        matched = self.relaxed.matched_gold
        return self.typed / matched if matched else 0.0


@dataclass
class DocResult:
    doc: GoldDoc
    found: list[Extent]
    alignment: Alignment[Extent, GoldSpan]
    scores: Scores


def same_value(system: str | None, gold: str | None) -> bool:
    """Values equal up to spelling: case, seconds of :00, TIMEX2's XXXX forms aside."""
    if system is None or gold is None:
        return False
    return _norm(system) == _norm(gold)


def _norm(value: str) -> str:
    value = value.strip().upper()
    value = re.sub(r"(T\d\d:\d\d):00$", r"\1", value)
    return value


@dataclass(frozen=True)
class Extent:
    """A found expression as TimeML marks it: the extent, without a leading preposition."""

    start: int
    end: int
    type: str
    value: str


def extents(found: list[Timex]) -> list[Extent]:
    return [Extent(t.extent_start, t.extent_end, t.type, t.value) for t in found]


def score_doc(doc: GoldDoc, found: list[Extent]) -> DocResult:
    alignment = align(found, doc.spans)
    scores = Scores(docs=1)
    n_sys, n_gold = len(found), len(doc.spans)
    exact = [(s, g) for s, g in alignment.pairs if strict(s, g)]
    right_value = [(s, g) for s, g in alignment.pairs if same_value(s.value, g.value)]
    scores.relaxed = Counts(len(alignment.pairs), len(alignment.pairs), n_sys, n_gold)
    scores.strict = Counts(len(exact), len(exact), n_sys, n_gold)
    scores.value = Counts(len(right_value), len(right_value), n_sys, n_gold)
    both = [p for p in exact if same_value(p[0].value, p[1].value)]
    scores.strict_value = Counts(len(both), len(both), n_sys, n_gold)
    scores.typed = sum(s.type == g.type for s, g in alignment.pairs)
    return DocResult(doc, found, alignment, scores)


def run_doc(doc: GoldDoc, mode: str = "auto") -> DocResult:
    anchor = doc.dct
    if anchor is None:
        raise ValueError(f"{doc.source}: no document creation time to anchor on")
    found = find_timexes(doc.text, doc.language, anchor, mode=_mode(doc, mode))
    return score_doc(doc, extents(found))


def _mode(doc: GoldDoc, mode: str) -> str | None:
    """The anchoring to run with: `auto` takes what the corpus says its documents
    are (news, narrative), as an input's declared kind would in the pipeline;
    `rule` (None) lets the extractor's `choose_mode` decide; else `mode` itself."""
    if mode == "auto":
        return doc.kind or None
    return None if mode == "rule" else mode


def evaluate(docs: Iterable[GoldDoc], mode: str = "auto") -> list[DocResult]:
    return [run_doc(doc, mode) for doc in docs]


def totals(results: list[DocResult]) -> dict[str, Scores]:
    """Scores per language, per language and corpus part, and overall."""
    out: dict[str, Scores] = defaultdict(Scores)
    for result in results:
        lang = result.doc.language
        for key in ("all", lang, f"{lang} {result.doc.group}" if result.doc.group else None):
            if key:
                out[key].add(result.scores)
    return dict(out)


def render(results: list[DocResult], mode: str, command: str = "") -> str:
    table = totals(results)
    order = sorted(table, key=lambda k: (k != "all", len(k.split()) > 1, k))
    lines = [
        f"timex: {len(results)} documents, anchor mode {mode}"
        + (f" ({command})" if command else ""),
        f"{'':<28} {'docs':>4} {'gold':>5} {'sys':>5}  {'relaxed span':<26}  "
        f"{'strict span':<26}  {'type':>5}  {'value':<26}  strict+value F1",
    ]
    for key in order:
        s = table[key]
        lines.append(
            f"{key:<28} {s.docs:>4} {s.relaxed.gold:>5} {s.relaxed.system:>5}  "
            f"{s.relaxed.row()}  {s.strict.row()}  {100 * s.type_accuracy:5.1f}  "
            f"{s.value.row()}  {100 * s.strict_value.f1:5.1f}"
        )
    return "\n".join(lines)


def render_errors(results: list[DocResult], limit: int = 0) -> str:
    """Every miss, spurious find and wrong value, with a little context."""
    lines = []
    for result in results:
        text = result.doc.text
        for g in result.alignment.missed:
            lines.append(f"MISS  {result.doc.doc_id}: {_ctx(text, g.start, g.end)}  gold {g.value}")
        for s in result.alignment.spurious:
            lines.append(f"EXTRA {result.doc.doc_id}: {_ctx(text, s.start, s.end)}  sys {s.value}")
        for s, g in result.alignment.pairs:
            if not same_value(s.value, g.value):
                gold_text = text[g.start : g.end]
                lines.append(
                    f"VALUE {result.doc.doc_id}: {_ctx(text, s.start, s.end)}  sys {s.value}  "
                    f"gold {g.value} [{gold_text}] (dct {result.doc.dct})"
                )
            elif not strict(s, g):
                lines.append(
                    f"SPAN  {result.doc.doc_id}: sys [{text[s.start : s.end]}] "
                    f"gold [{text[g.start : g.end]}]"
                )
    return "\n".join(lines[:limit] if limit else lines)


def _ctx(text: str, start: int, end: int, width: int = 30) -> str:
    before = text[max(0, start - width) : start].replace("\n", " ")
    after = text[end : end + width].replace("\n", " ")
    return f"...{before}[{text[start:end]}]{after}..."


def main(corpora: list[str], mode: str = "auto", errors: bool = False, command: str = "") -> str:
    docs, skipped = read_corpus(corpora)
    if not docs:
        raise nothing_to_score("TimeML, MEANTIME or TIMEX2 documents to score", corpora, skipped)
    results = evaluate(docs, mode)
    return assemble(
        render(results, mode, command), skipped, render_errors(results) if errors else None
    )
