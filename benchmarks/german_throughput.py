"""Throughput of the shipped German pipeline (with newsbeam's rules) on this machine.

    .venv/bin/python benchmarks/german_throughput.py [--articles 60]

Prints words/s and articles/s for nlp.pipe with 1 and 2 processes.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from benchmarks.corpus import articles
from newsbeam.models import registry


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    texts = list(articles(args.articles, seed=1))
    words = sum(len(t.split()) for t in texts)
    nlp = registry.load("de")
    nlp("Warm-up: Der Präsident sprach in Berlin.")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; "
        f"pipeline {registry.model_label(nlp)}"
    )
    print(f"corpus: {len(texts)} articles, {words} words")
    print("processes  batch   seconds   words/s   articles/s")
    for n_process in (1, 2):
        start = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=args.batch_size, n_process=n_process):
            pass
        elapsed = time.perf_counter() - start
        print(
            f"{n_process:9d}  {args.batch_size:5d}  {elapsed:8.1f}  {words / elapsed:8.0f}  "
            f"{len(texts) / elapsed:10.2f}"
        )


if __name__ == "__main__":
    main()
