"""`newsbeam evaluate quotes CORPUS...`: the quotes table against attribution gold.

Runs the spaCy pipeline that serves the document's language and the extractor
the pipeline runs (`transforms.extract.quotes.extract_quotes`) over each
document of a BRAT (PolNeAR) or SpkAtt-2023 corpus, and prints per language:

- found, per kind: direct (gold attributions written in quote marks, and the
  `direct` rows), indirect (the others, and the `indirect` rows) and all. A
  row is right when it overlaps the content of a gold attribution of any kind
  (precision: a quoted phrase inside reported speech is a real quote); a gold
  attribution is found when a row of any kind overlaps its content (recall). A
  quote split by its cue is one gold attribution and two rows: both count.
- speaker accuracy, over the rows that found an attribution with a gold
  source (a row that overlaps several, nested ones, is scored against the one
  whose cue it found, else the one it overlaps most): strict when the row's
  speaker mention (speaker_start, speaker_end)
  overlaps the gold source; lenient also when the row names the same person as
  the gold source by name (the gold source is "she" and the row resolved the
  quote to "Hillary Clinton" named elsewhere: the gold source's own text is a
  pronoun then, so lenient accepts a resolved person when the gold source is a
  pronoun and the strict rule fails only on offsets).
- cue accuracy, over the rows that found an attribution with a gold cue: the
  row's cue overlaps the gold cue.

Rows of kind `mention` (quoted titles and phrases nothing attributes) claim no
speech: they are listed with the row counts and left out of the scores.

`--errors` lists the misses, the spurious rows and the wrong speakers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from newsbeam.evaluation.attribution import Attribution, AttributionDoc, read_attribution_corpus
from newsbeam.evaluation.report import parsed, task_main
from newsbeam.evaluation.spans import Counts

KINDS = ("direct", "indirect", "all")
PRONOUNS = {
    "he", "she", "they", "i", "we", "you", "him", "her", "it",
    "er", "sie", "ich", "wir", "ihr", "du", "es", "man",
}  # fmt: skip


@dataclass
class Scores:
    found: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    speaker_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    speaker_strict: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    speaker_lenient: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cue_right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cue_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    no_speaker: int = 0
    mentions: int = 0
    rows: int = 0
    docs: int = 0

    def add(self, other: Scores) -> None:
        for kind in KINDS:
            self.found[kind].add(other.found[kind])
            for name in (
                "speaker_rows",
                "speaker_strict",
                "speaker_lenient",
                "cue_right",
                "cue_rows",
            ):
                getattr(self, name)[kind] += getattr(other, name)[kind]
        self.no_speaker += other.no_speaker
        self.mentions += other.mentions
        self.rows += other.rows
        self.docs += other.docs


@dataclass
class DocResult:
    doc: AttributionDoc
    rows: list[dict]
    scores: Scores
    missed: list[Attribution] = field(default_factory=list)
    spurious: list[dict] = field(default_factory=list)
    wrong_speaker: list[tuple[dict, Attribution]] = field(default_factory=list)


def _overlaps(start: int, end: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _speaker_right(row: dict, gold: Attribution, text: str) -> tuple[bool, bool]:
    start, end = row.get("speaker_start"), row.get("speaker_end")
    strict = start is not None and end is not None and _overlaps(start, end, gold.source)
    if strict:
        return True, True
    name = (row.get("speaker") or "").lower().split()
    gold_words = [text[s:e].lower() for s, e in gold.source]
    gold_tokens = {w.strip(".,'’s") for g in gold_words for w in g.split()}
    by_name = bool(name) and any(w in gold_tokens for w in name if len(w) > 2)
    pronoun = bool(row.get("speaker_key")) and all(g.strip() in PRONOUNS for g in gold_words)
    return False, by_name or pronoun


def score_doc(doc: AttributionDoc, rows: list[dict]) -> DocResult:
    scores = Scores(docs=1, rows=len(rows))
    result = DocResult(doc, rows, scores)
    kinds = {id(a): a.kind(doc.text) for a in doc.attributions}
    for kind in KINDS:
        gold = [a for a in doc.attributions if kind == "all" or kinds[id(a)] == kind]
        system = [r for r in rows if r["kind"] == kind or (kind == "all" and r["kind"] in KINDS)]
        counts = scores.found[kind]
        counts.system += len(system)
        counts.gold += len(gold)
        claims = [r for r in rows if r["kind"] in KINDS]
        found = {
            id(a)
            for a in gold
            if any(_overlaps(r["start_char"], r["end_char"], a.content) for r in claims)
        }
        for row in system:
            hits = [
                a
                for a in doc.attributions
                if _overlaps(row["start_char"], row["end_char"], a.content)
            ]
            if not hits:
                if kind != "all":
                    result.spurious.append(row)
                continue
            counts.matched_system += 1
            best = max(hits, key=lambda a: (_same_cue(row, a), _overlap(row, a)))
            if best.source:
                scores.speaker_rows[kind] += 1
                strict, lenient = _speaker_right(row, best, doc.text)
                scores.speaker_strict[kind] += strict
                scores.speaker_lenient[kind] += lenient
                if not strict and kind != "all":
                    result.wrong_speaker.append((row, best))
            if best.cue:
                scores.cue_rows[kind] += 1
                if row.get("cue_start") is not None:
                    scores.cue_right[kind] += _overlaps(row["cue_start"], row["cue_end"], best.cue)
        counts.matched_gold += len(found)
        if kind != "all":
            result.missed.extend(a for a in gold if id(a) not in found)
    scores.no_speaker = sum(
        1
        for r in rows
        if r["kind"] in KINDS and not r.get("speaker") and r.get("speaker_start") is None
    )
    scores.mentions = sum(1 for r in rows if r["kind"] == "mention")
    return result


def _same_cue(row: dict, gold: Attribution) -> bool:
    """Nested attributions overlap each other: a row belongs to the one whose cue it found."""
    start, end = row.get("cue_start"), row.get("cue_end")
    return start is not None and end is not None and _overlaps(start, end, gold.cue)


def _overlap(row: dict, gold: Attribution) -> int:
    return sum(max(0, min(row["end_char"], e) - max(row["start_char"], s)) for s, e in gold.content)


def extract(docs: list[AttributionDoc], models: dict[str, str] | None = None) -> list[list[dict]]:
    """The quotes table's rows for each document, from the pipeline that serves its language."""
    from newsbeam.transforms.extract.quotes import extract_quotes

    return [extract_quotes(doc, article) for doc, article in parsed(docs, models)]


def evaluate(docs: list[AttributionDoc], models: dict[str, str] | None = None) -> list[DocResult]:
    return [score_doc(doc, rows) for doc, rows in zip(docs, extract(docs, models), strict=True)]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def render(results: list[DocResult], command: str = "") -> str:
    by_language: dict[str, Scores] = defaultdict(Scores)
    for result in results:
        by_language[result.doc.language].add(result.scores)
    lines = [f"$ {command}"] if command else []
    for language, s in sorted(by_language.items()):
        lines.append(
            f"\n{language}: {s.docs} documents, {s.rows} rows ({s.mentions} mentions), "
            f"{s.no_speaker} rows with no speaker at all"
        )
        lines.append(
            f"  {'':9} {'rows':>5} {'gold':>5}  found (overlap)"
            "           speaker strict / lenient   cue"
        )
        for kind in KINDS:
            c = s.found[kind]
            n = s.speaker_rows[kind]
            speaker = (
                f"{_pct(s.speaker_strict[kind], n)} / {_pct(s.speaker_lenient[kind], n)} of {n:4}"
            )
            lines.append(
                f"  {kind:9} {c.system:5} {c.gold:5}  {c.row()}   {speaker}   "
                f"{_pct(s.cue_right[kind], s.cue_rows[kind])}"
            )
    return "\n".join(lines)


def _excerpt(text: str, start: int, end: int, width: int = 90) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= width else piece[: width - 3] + "..."


def render_errors(results: list[DocResult]) -> str:
    lines = []
    for result in results:
        text = result.doc.text
        for attribution in result.missed:
            source = " / ".join(text[s:e] for s, e in attribution.source) or "-"
            cue = " / ".join(text[s:e] for s, e in attribution.cue) or "-"
            lines.append(
                f"{result.doc.doc_id}\tmissed {attribution.kind(text)}\t{source} | {cue} | "
                f"{_excerpt(text, attribution.start, attribution.end)}"
            )
        for row in result.spurious:
            lines.append(
                f"{result.doc.doc_id}\tspurious {row['kind']}\t"
                f"{row.get('speaker')} | {row.get('cue')} | "
                f"{_excerpt(text, row['start_char'], row['end_char'])}"
            )
        for row, gold in result.wrong_speaker:
            source = " / ".join(text[s:e] for s, e in gold.source)
            lines.append(
                f"{result.doc.doc_id}\twrong speaker {row['kind']}\t"
                f"{row.get('speaker')!s} (gold: {source}) | "
                f"{row.get('cue')} | {_excerpt(text, row['start_char'], row['end_char'])}"
            )
    return "\n".join(lines)


main = task_main(
    read=read_attribution_corpus,
    what="BRAT or SpkAtt documents to score",
    score=evaluate,
    render=render,
    render_errors=render_errors,
)
