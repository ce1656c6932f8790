"""NER learning curve: train on growing shares of the GermEval training split.

    python training/de/learning_curve.py --minutes 8 --shares 0.25 0.5 1.0

Prints held-out F (GermEval dev[1100:]) per share, to show how much more
annotated data would buy. Uses the same config and splits as the recipe.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from newsbeam.models.corpora import build_corpora
from newsbeam.models.evaluate import examples
from newsbeam.models.train import TRAINING_DIR, train_component


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=8)
    parser.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--workdir", default=str(TRAINING_DIR / "work" / "curve"))
    args = parser.parse_args()
    work = Path(args.workdir)
    build_corpora(TRAINING_DIR / "corpus", work / "corpus")
    nlp = spacy.blank("de")
    train = list(DocBin().from_disk(work / "corpus" / "ner-train.spacy").get_docs(nlp.vocab))
    random.Random(0).shuffle(train)
    rows = []
    for share in args.shares:
        run = work / f"share-{share}"
        (run / "corpus").mkdir(parents=True, exist_ok=True)
        subset = train[: int(len(train) * share)]
        DocBin(docs=subset).to_disk(run / "corpus" / "ner-train.spacy")
        for split in ("dev", "test"):
            (run / "corpus" / f"ner-{split}.spacy").write_bytes(
                (work / "corpus" / f"ner-{split}.spacy").read_bytes()
            )
        best = train_component("ner", run, args.minutes)
        model = spacy.load(best)
        scores = model.evaluate(examples(model, run / "corpus" / "ner-test.spacy"))
        rows.append((share, len(subset), scores["ents_p"], scores["ents_r"], scores["ents_f"]))
        print(
            f"share {share:4.2f}  sentences {len(subset):5d}  P {100 * scores['ents_p']:.1f}"
            f"  R {100 * scores['ents_r']:.1f}  F {100 * scores['ents_f']:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
