"""Experiment (not shipped): silver syntax for self-training.

Parses the GermEval sentences that newsbeam may train on (the NER train and
selection splits that `build_corpora` wrote; never the NER held-out split,
never UD data) with two different syntax pipelines and keeps the sentences
both parse alike, heads and labels, as one sentence. Usage:

    python training/de/experiments/silver.py PIPELINE_A PIPELINE_B OUT.spacy
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from newsbeam.models.corpora import UD_SENTS_PER_DOC

CORPUS = Path(__file__).resolve().parent.parent / "work" / "corpus"


def trainable_texts() -> list[str]:
    vocab = spacy.blank("de").vocab
    splits = ("ner-train.spacy", "ner-dev.spacy")
    return [
        doc.text for name in splits for doc in DocBin().from_disk(CORPUS / name).get_docs(vocab)
    ]


def arcs(doc: Doc) -> list[tuple[int, str]]:
    return [(token.head.i, token.dep_) for token in doc]


def main(a_path: str, b_path: str, out: str) -> None:
    texts = trainable_texts()
    a = spacy.load(a_path, exclude=["ner", "lemmatizer"])
    b = spacy.load(b_path, exclude=["ner", "lemmatizer"])
    kept = []
    pairs = zip(a.pipe(texts, batch_size=64), b.pipe(texts, batch_size=64), strict=True)
    for doc_a, doc_b in pairs:
        one_sentence = len(list(doc_a.sents)) == 1 and len(list(doc_b.sents)) == 1
        if one_sentence and arcs(doc_a) == arcs(doc_b):
            words = [t.text for t in doc_a]
            spaces = [bool(t.whitespace_) for t in doc_a]
            heads, deps = zip(*arcs(doc_a), strict=True)
            kept.append(Doc(a.vocab, words=words, spaces=spaces, heads=heads, deps=deps))
    print(f"{len(texts)} sentences, {len(kept)} parsed alike, {sum(map(len, kept))} tokens")
    step = UD_SENTS_PER_DOC
    docs = [Doc.from_docs(kept[i : i + step]) for i in range(0, len(kept), step)]
    DocBin(docs=docs).to_disk(out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
