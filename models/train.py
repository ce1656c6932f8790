"""`newsbeam model train de`: rebuild the shipped German pipeline from training/de/.

1. convert the corpora (UD, GermEval) to DocBins with fixed splits;
2. train the syntax pipeline (tok2vec, tagger, morphologizer, parser) and the
   NER pipeline (its own tok2vec + ner), each for at most N minutes, keeping the
   checkpoint that scored best on the selection split;
3. assemble: syntax + NER (sourced, listeners replaced) + lookup lemmatizer
   (spacy-lookups-data, with overrides) into models/de_newsbeam.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import spacy
import yaml

from newsbeam.models.corpora import build_corpora
from newsbeam.models.registry import SHIPPED_DIR

TRAINING_DIR = Path(__file__).resolve().parent.parent / "training" / "de"
LICENSE = "CC BY-SA 4.0"
SOURCES = [
    {"name": "UD German-GSD", "license": "CC BY-SA 4.0"},
    {"name": "UD German-PUD", "license": "CC BY-SA 3.0"},
    {"name": "GermEval 2014 NER (NoSta-D)", "license": "CC BY 4.0"},
    {"name": "spacy-lookups-data de_lemma_lookup", "license": "MIT"},
]


def train_component(name: str, workdir: Path, minutes: float) -> Path:
    """Train one config with `spacy train` for at most `minutes`; return model-best."""
    out = workdir / name
    cmd = [
        sys.executable, "-m", "spacy", "train", str(TRAINING_DIR / "configs" / f"{name}.cfg"),
        "--output", str(out),
        "--paths.train", str(workdir / "corpus" / f"{name}-train.spacy"),
        "--paths.dev", str(workdir / "corpus" / f"{name}-dev.spacy"),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    with open(workdir / f"{name}.log", "w") as log:
        try:
            subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, timeout=minutes * 60)
        except subprocess.TimeoutExpired:
            pass  # the time budget is the stopping rule; model-best is on disk
    best = out / "model-best"
    if not (best / "config.cfg").is_file():
        raise RuntimeError(f"training {name} produced no model; see {workdir / (name + '.log')}")
    return best


def assemble(syntax_dir: Path, ner_dir: Path, out_dir: Path) -> spacy.Language:
    nlp = spacy.load(syntax_dir)
    ner_nlp = spacy.load(ner_dir)
    ner_nlp.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
    nlp.add_pipe("ner", source=ner_nlp)
    lemmatizer = nlp.add_pipe("lemmatizer", after="morphologizer", config={"mode": "lookup"})
    lemmatizer.initialize()  # type: ignore[attr-defined]  # tables from spacy-lookups-data
    overrides = yaml.safe_load((TRAINING_DIR / "lemma_overrides.yaml").read_text())
    table = lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
    for form, lemma in overrides.items():
        table.set(form, lemma)
    nlp.meta.update(
        {
            "name": "newsbeam_sm",
            "version": "0.1.0",
            "description": "German tagger, parser, lemmatizer and NER trained offline by newsbeam",
            "license": LICENSE,
            "sources": SOURCES,
            "author": "newsbeam",
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return nlp


def train_german(minutes: float = 30.0, workdir: Path | None = None, out: Path | None = None) -> Path:
    workdir = workdir or TRAINING_DIR / "work"
    out = out or SHIPPED_DIR / "de_newsbeam"
    build_corpora(TRAINING_DIR / "corpus", workdir / "corpus")
    syntax = train_component("ud", workdir, minutes)
    ner = train_component("ner", workdir, minutes)
    assemble(syntax, ner, out)
    return out
