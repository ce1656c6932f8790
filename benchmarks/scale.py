"""Wall time and peak memory of `newsbeam ingest --workers 2` as the input grows.

    .venv/bin/python -m benchmarks.scale --sizes 1000 10000 100000 [--chunk-mb 64]

The corpus is generated (sentences sampled from the training corpora, 300 to
1,500 words an article) as JSON-lines files of 500 articles, like a dump, and
never committed. Linear time and flat memory are the goals: articles/s should
stay put and peak RSS should not grow with the size. Inputs bigger than
--chunk-mb run as several jobs (see pipelines/ingest.py); a smaller chunk shows
in minutes what the default shows at 100k articles.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.pipeline_vs_limit import run_newsbeam, write_corpus
from benchmarks.results import machine, publish


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-mb", type=float, default=64.0)
    args = parser.parse_args()
    lines = [
        f"### scale, {machine()} "
        f"(`python -m benchmarks.scale --sizes {' '.join(map(str, args.sizes))} "
        f"--chunk-mb {args.chunk_mb:g}`)",
        "",
        "| articles | words | seconds | articles/s | peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size in args.sizes:
        corpus = Path(tempfile.mkdtemp(prefix="scale-")) / "corpus"
        _texts, words = write_corpus(size, corpus, per_file=500)
        seconds, rss = run_newsbeam(corpus, args.workers, ("--chunk-mb", str(args.chunk_mb)))
        rate, mib = size / seconds, rss / 2**20
        lines.append(f"| {size} | {words} | {seconds:.0f} | {rate:.2f} | {mib:.0f} |")
        print(lines[-1], flush=True)
    publish([*lines, ""])


if __name__ == "__main__":
    main()
