"""`newsbeam model evaluate de`: scores on held-out splits the model never trained on.

Syntax on UD German-GSD dev[200:] (599 sentences), NER on GermEval 2014
dev[1100:] (1,100 sentences); see models/corpora.py for the splits.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example

from newsbeam.models.corpora import build_corpora
from newsbeam.models.rules import add_news_rules

TRAINING_DIR = Path(__file__).resolve().parent.parent / "training" / "de"
NER_LABELS = ("PER", "LOC", "ORG", "MISC")


def held_out(name: str, workdir: Path) -> Path:
    path = workdir / "corpus" / f"{name}-test.spacy"
    if not path.is_file():
        build_corpora(TRAINING_DIR / "corpus", workdir / "corpus")
    return path


def examples(nlp: Language, path: Path) -> list[Example]:
    docs = DocBin().from_disk(path).get_docs(nlp.vocab)
    return [Example(nlp.make_doc(doc.text), doc) for doc in docs]


def score(nlp: Language, workdir: Path) -> dict[str, float | dict]:
    syntax = nlp.evaluate(examples(nlp, held_out("ud", workdir)))
    with nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in ("tok2vec", "ner")]):
        ner_only = nlp.evaluate(examples(nlp, held_out("ner", workdir)))
    ner_rules = nlp.evaluate(examples(nlp, held_out("ner", workdir)))
    return {
        "token_acc": syntax["token_acc"],
        "tag_acc": syntax.get("tag_acc") or 0.0,
        "pos_acc": syntax.get("pos_acc") or 0.0,
        "morph_acc": syntax.get("morph_acc") or 0.0,
        "dep_uas": syntax.get("dep_uas") or 0.0,
        "dep_las": syntax.get("dep_las") or 0.0,
        "sents_f": syntax.get("sents_f") or 0.0,
        "ner_model": _ner(ner_only),
        "ner_with_rules": _ner(ner_rules),
    }


def _ner(scores: dict) -> dict:
    per_type = scores.get("ents_per_type") or {}
    return {
        "p": scores.get("ents_p") or 0.0,
        "r": scores.get("ents_r") or 0.0,
        "f": scores.get("ents_f") or 0.0,
        "per_type": {k: per_type.get(k, {"p": 0.0, "r": 0.0, "f": 0.0}) for k in NER_LABELS},
    }


def evaluate_german(spec: str, workdir: Path | None = None) -> dict:
    nlp = spacy.load(spec)
    add_news_rules(nlp, "de")
    return score(nlp, workdir or TRAINING_DIR / "work")


def render(spec: str, scores: dict) -> str:
    pct = lambda x: f"{100 * x:5.1f}"  # noqa: E731
    lines = [
        f"pipeline {spec}",
        "syntax on UD German-GSD dev[200:] (599 sentences, never trained on):",
        f"  token acc {pct(scores['token_acc'])}   STTS tags {pct(scores['tag_acc'])}   "
        f"POS {pct(scores['pos_acc'])}   "
        f"morph {pct(scores['morph_acc'])}   UAS {pct(scores['dep_uas'])}   "
        f"LAS {pct(scores['dep_las'])}   sentences F {pct(scores['sents_f'])}",
        "NER on GermEval 2014 dev[1100:] (1,100 sentences, never trained on), outer level:",
        "  label   statistical model (P / R / F)   with newsbeam rules (P / R / F)",
    ]
    model, rules = scores["ner_model"], scores["ner_with_rules"]
    for label in (*NER_LABELS, "ALL"):
        a = model if label == "ALL" else model["per_type"][label]
        b = rules if label == "ALL" else rules["per_type"][label]
        lines.append(
            f"  {label:<6}  {pct(a['p'])} {pct(a['r'])} {pct(a['f'])}"
            f"                 {pct(b['p'])} {pct(b['r'])} {pct(b['f'])}"
        )
    return "\n".join(lines)
