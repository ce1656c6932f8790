"""Benchmark corpora: articles built by sampling real sentences (never committed).

German sentences come from the project's training corpora (UD, GermEval),
English ones from the English seed; lengths are drawn from 300 to 1,500 words.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training" / "de" / "corpus"


def german_sentences() -> list[str]:
    sentences = []
    for path in sorted((CORPUS / "ud").glob("*.conllu")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# text = "):
                sentences.append(line[len("# text = ") :])
    return sentences


def articles(n: int, seed: int = 0, min_words: int = 300, max_words: int = 1500) -> Iterator[str]:
    rng = random.Random(seed)
    pool = german_sentences()
    for _ in range(n):
        target = rng.randint(min_words, max_words)
        words = 0
        chosen = []
        while words < target:
            sentence = rng.choice(pool)
            chosen.append(sentence)
            words += len(sentence.split())
        yield " ".join(chosen)
