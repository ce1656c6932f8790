"""`newsbeam evaluate events CORPUS...`: the events table against PLOVER-coded sentences.

Runs the spaCy pipeline and the extractor the pipeline runs
(`transforms.extract.events.extract_events`) over each coded sentence
(plover.py) and prints, per file:

- coverage: sentences with any event row;
- type accuracy: sentences with an event row of the gold type (a sentence
  codes one event; rows of other types beside it are listed, not penalised);
- mode: of the sentences typed right whose gold has a mode, those where a row
  of the gold type has that mode;
- actor and target: of the sentences typed right whose gold names actors
  (targets), those where a row of the gold type has an actor (target) that
  shares a word with one of them ("Hungarian officials" and "Hungarian");
- per type: gold sentences, typed right, and what the misses became.

`--errors` lists every sentence not typed right, with the types it got.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from newsbeam.evaluation.plover import CodedSentence, read_plover_corpus
from newsbeam.evaluation.report import parsed, task_main

_WORD = re.compile(r"[\w-]+")
STOP = {"the", "of", "a", "an", "and", "s", "its", "their", "his", "her", "in", "for", "to"}


def _words(text: str | None) -> set[str]:
    return {w for w in _WORD.findall((text or "").lower()) if w not in STOP}


def same_party(row_party: str | None, gold: list[str]) -> bool:
    words = _words(row_party)
    return bool(words) and any(words & _words(g) for g in gold)


@dataclass
class Result:
    sentence: CodedSentence
    rows: list[dict]

    @property
    def typed(self) -> list[dict]:
        return [r for r in self.rows if r["type"] == self.sentence.type]


@dataclass
class Scores:
    sentences: int = 0
    covered: int = 0
    typed: int = 0
    mode_gold: int = 0
    mode_right: int = 0
    actor_gold: int = 0
    actor_right: int = 0
    target_gold: int = 0
    target_right: int = 0
    per_type: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, r: Result) -> None:
        s = r.sentence
        self.sentences += 1
        self.covered += bool(r.rows)
        t = self.per_type[s.type]
        t["gold"] += 1
        typed = r.typed
        if not typed:
            t["as " + (",".join(sorted({x["type"] for x in r.rows})) or "nothing")] += 1
            return
        self.typed += 1
        t["right"] += 1
        if s.mode:
            self.mode_gold += 1
            self.mode_right += any((x.get("mode") or "").lower() == s.mode for x in typed)
        if s.actors:
            self.actor_gold += 1
            self.actor_right += any(same_party(x.get("actor"), s.actors) for x in typed)
        if s.targets:
            self.target_gold += 1
            self.target_right += any(same_party(x.get("target"), s.targets) for x in typed)


def extract(sentences: list[CodedSentence], models: dict[str, str] | None = None) -> list[Result]:
    from newsbeam.transforms.extract.events import extract_events

    return [
        Result(sentence, extract_events(doc, article))
        for sentence, (doc, article) in zip(sentences, parsed(sentences, models), strict=True)
    ]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def render(results: list[Result], command: str = "") -> str:
    by_source: dict[str, Scores] = {}
    for r in results:
        by_source.setdefault(r.sentence.source, Scores()).add(r)
    lines = [f"$ {command}"] if command else []
    for source, s in by_source.items():
        lines += [
            f"\n{source}: {s.sentences} sentences",
            f"  type accuracy  {_pct(s.typed, s.sentences)}   "
            f"coverage {_pct(s.covered, s.sentences)}",
            f"  mode           {_pct(s.mode_right, s.mode_gold)} of {s.mode_gold} typed right "
            "with a gold mode",
            f"  actor          {_pct(s.actor_right, s.actor_gold)} of {s.actor_gold}"
            f"   target {_pct(s.target_right, s.target_gold)} of {s.target_gold}",
            f"  {'type':10} {'gold':>5} {'right':>6}  misses became",
        ]
        for kind, c in sorted(s.per_type.items()):
            misses = ", ".join(f"{k[3:]} {v}" for k, v in c.most_common() if k.startswith("as "))
            lines.append(f"  {kind:10} {c['gold']:5} {_pct(c['right'], c['gold']):>6}  {misses}")
    return "\n".join(lines)


def render_errors(results: list[Result]) -> str:
    lines = []
    for r in results:
        if not r.typed:
            got = ", ".join(f"{x['type']}({x['trigger']})" for x in r.rows) or "-"
            lines.append(f"{r.sentence.doc_id}\t{r.sentence.type}\tgot {got}\t{r.sentence.text}")
    return "\n".join(lines)


main = task_main(
    read=read_plover_corpus,
    what="PLOVER-coded sentences",
    score=extract,
    render=render,
    render_errors=render_errors,
)
