"""`newsbeam evaluate ner CORPUS...`: entities against CoNLL/IOB and GermEval gold,
with the effect of each of newsbeam's rule components.

Each file (iob.py) is parsed once by its language's pipeline with the rule
components switched off; the rules then run on copies of those Docs, so that
the statistical model alone, all rules, all rules but one ("without X") and
the model plus one rule ("only X") are scored on the same statistical output.
A rule earns its place when "without X" scores below "all rules" on a label
and "only X" above "model alone"; the last column of the effect table says
how many spans the rule added and removed, and how many of those the gold has.

Scoring is exact, as in CoNLL: a system entity counts when its start, end and
label (mapped to PER, LOC, ORG, MISC: PERSON -> PER; GPE, LOC, FAC -> LOC;
NORP, PRODUCT, WORK_OF_ART, EVENT, LAW, LANGUAGE -> MISC; dates and numbers
are not scored) are a gold entity's.

`--errors` lists, per rule, the spans it added that the gold lacks and the
spans it removed that the gold has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from newsbeam.evaluation.iob import Entity, NerCorpus, read_ner_corpus
from newsbeam.evaluation.report import task_main
from newsbeam.models.rules import RULE_COMPONENTS

SYSTEM_LABELS = {
    "PER": "PER", "PERSON": "PER",
    "LOC": "LOC", "GPE": "LOC", "FAC": "LOC",
    "ORG": "ORG",
    "MISC": "MISC", "NORP": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
    "EVENT": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
}  # fmt: skip
LABELS = ("PER", "LOC", "ORG", "MISC")
BATCH = 64


@dataclass
class LabelCounts:
    """Exact matches, system entities and gold entities per label."""

    right: Counter = field(default_factory=Counter)
    system: Counter = field(default_factory=Counter)
    gold: Counter = field(default_factory=Counter)

    def prf(self, label: str | None = None) -> tuple[float, float, float]:
        if label is None:
            right, system, gold = (sum(c.values()) for c in (self.right, self.system, self.gold))
        else:
            right, system, gold = self.right[label], self.system[label], self.gold[label]
        p = right / system if system else 0.0
        r = right / gold if gold else 0.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Change:
    """A wrong change: a span a rule added that the gold lacks, or removed that it has."""

    sentence: str
    text: str
    label: str
    how: str  # added | removed


@dataclass
class RuleEffect:
    added: int = 0  # entities it adds or relabels
    added_right: int = 0
    removed: int = 0  # entities it takes away (or relabels away)
    removed_right: int = 0
    wrong: list[Change] = field(default_factory=list)  # wrong additions, right removals


@dataclass
class CorpusResult:
    corpus: NerCorpus
    rules: list[str]
    scores: dict[str, LabelCounts]  # configuration -> counts
    effects: dict[str, RuleEffect]


def system_entities(doc: Doc) -> set[Entity]:
    return {
        Entity(e.start_char, e.end_char, SYSTEM_LABELS[e.label_])
        for e in doc.ents
        if e.label_ in SYSTEM_LABELS
    }


def configurations(rules: list[str]) -> dict[str, list[str]]:
    configs = {"model alone": [], "all rules": list(rules)}
    if len(rules) > 1:
        for rule in rules:
            configs[f"without {rule}"] = [r for r in rules if r != rule]
    for rule in rules:
        configs[f"only {rule}"] = [rule]
    return configs


def apply_rules(nlp: Language, doc: Doc, names: list[str]) -> Doc:
    doc = doc.copy()
    for name in names:
        doc = nlp.get_pipe(name)(doc)
    return doc


def score_corpus(corpus: NerCorpus, nlp: Language) -> CorpusResult:
    from newsbeam.transforms.nlp import nlp_text

    rules = [name for name in nlp.pipe_names if name in RULE_COMPONENTS]
    with nlp.select_pipes(disable=rules):
        docs = list(nlp.pipe((nlp_text(s.text) for s in corpus.sentences), batch_size=BATCH))
    configs = configurations(rules)
    scores = {name: LabelCounts() for name in configs}
    effects = {rule: RuleEffect() for rule in rules}
    for sentence, base in zip(corpus.sentences, docs, strict=True):
        gold = set(sentence.entities)
        for e in gold:
            for counts in scores.values():
                counts.gold[e.label] += 1
        found = {}
        for name, names in configs.items():
            system = system_entities(apply_rules(nlp, base, names) if names else base)
            found[name] = {e for e in system if sentence.scored(e)}
            for e in found[name]:
                scores[name].system[e.label] += 1
                scores[name].right[e.label] += e in gold
        for rule in rules:
            before = found["model alone"] if len(rules) == 1 else found[f"without {rule}"]
            effect = effects[rule]
            for e in found["all rules"] - before:
                effect.added += 1
                effect.added_right += e in gold
                if e not in gold:
                    text = sentence.text[e.start : e.end]
                    effect.wrong.append(Change(sentence.text, text, e.label, "added"))
            for e in before - found["all rules"]:
                effect.removed += 1
                effect.removed_right += e in gold
                if e in gold:
                    text = sentence.text[e.start : e.end]
                    effect.wrong.append(Change(sentence.text, text, e.label, "removed"))
    return CorpusResult(corpus, rules, scores, effects)


def evaluate(corpora: list[NerCorpus], models: dict[str, str] | None = None) -> list[CorpusResult]:
    from newsbeam.models import registry

    pipelines: dict[str, Language] = {}
    results = []
    for corpus in corpora:
        if corpus.language not in pipelines:
            pipelines[corpus.language] = registry.load(corpus.language, models)
        results.append(score_corpus(corpus, pipelines[corpus.language]))
    return results


def _prf(counts: LabelCounts, label: str | None) -> str:
    p, r, f = counts.prf(label)
    return f"{100 * p:5.1f} {100 * r:5.1f} {100 * f:5.1f}"


def render(results: list[CorpusResult], command: str = "") -> str:
    lines = [f"$ {command}"] if command else []
    for res in results:
        gold = res.scores["model alone"].gold
        sizes = ", ".join(f"{label} {gold[label]}" for label in LABELS if gold[label])
        lines += [
            f"\n{res.corpus.name} ({res.corpus.language}): {len(res.corpus.sentences)} sentences,"
            f" {sum(gold.values())} entities ({sizes}); exact match, P R F1 per label",
            f"  {'':34}" + "".join(f"{label:>18}" for label in (*LABELS, "ALL")),
        ]
        for name, counts in res.scores.items():
            cells = "".join(f"   {_prf(counts, label)}" for label in (*LABELS, None))
            lines.append(f"  {name:34}{cells}")
        if res.rules:
            lines.append(
                "  effect of each rule (F1 with all rules minus F1 without it; spans it added"
                " and removed, and how many of those the gold has):"
            )
            for rule in res.rules:
                without = "model alone" if len(res.rules) == 1 else f"without {rule}"
                deltas = []
                for label in (*LABELS, None):
                    with_all, without_it = res.scores["all rules"], res.scores[without]
                    delta = with_all.prf(label)[2] - without_it.prf(label)[2]
                    deltas.append(f"{label or 'ALL'} {100 * delta:+5.2f}")
                effect = res.effects[rule]
                changed = (
                    f"added {effect.added} ({effect.added_right} right), "
                    f"removed {effect.removed} ({effect.removed_right} right)"
                )
                lines.append(f"  {rule:34}{'  '.join(deltas)}   {changed}")
    return "\n".join(lines)


def render_errors(results: list[CorpusResult]) -> str:
    lines = []
    for res in results:
        for rule, effect in res.effects.items():
            for change in effect.wrong:
                lines.append(
                    f"{res.corpus.name}\t{rule}\t{change.how}\t{change.label}\t{change.text}"
                    f"\t{change.sentence}"
                )
    return "\n".join(lines)


main = task_main(
    read=read_ner_corpus,
    what="NER-tagged sentences",
    score=evaluate,
    render=render,
    render_errors=render_errors,
)
