"""newsbeam end to end against the NLP limit and a naive peer, side by side.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m benchmarks.pipeline_vs_limit --articles 200

- limit: the shipped German pipeline alone, nlp.pipe with n_process=2, best batch size;
- newsbeam: `newsbeam ingest corpus.jsonl` into a fresh local lake, DirectRunner
  with 1 and 2 worker processes (wall time, peak RSS of the whole process tree);
- naive peer: a loop of nlp(text) per article, entity rows collected in pandas,
  one to_parquet at the end.
Prints a table and appends it to benchmarks/RESULTS.md with the date and machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from benchmarks.corpus import articles
from benchmarks.results import machine, publish
from newsbeam.models import registry


def write_corpus(n: int, path: Path, per_file: int = 0) -> tuple[list[str], int]:
    """n generated articles as JSON lines: one file at `path`, or a folder of per_file each."""
    texts = list(articles(n, seed=7))
    size = per_file or n
    if per_file:
        path.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, size):
        target = path / f"part-{start // size:05d}.jsonl" if per_file else path
        with target.open("w", encoding="utf-8") as out:
            for i in range(start, min(n, start + size)):
                row = {
                    "url": f"https://bench.example/{i}",
                    "published": "2025-08-26",
                    "language": "de",
                    "text": texts[i],
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return texts, sum(len(t.split()) for t in texts)


def peak_rss_of(proc: subprocess.Popen) -> tuple[int, float]:
    """Run to the end while sampling the RSS of the process and its children."""
    peak = 0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    return peak, 0.0


def run_newsbeam(corpus: Path, workers: int, extra: tuple[str, ...] = ()) -> tuple[float, int]:
    lake = tempfile.mkdtemp(prefix="bench-lake-")
    cmd = [sys.executable, "-m", "newsbeam.pipelines.cli", "ingest", str(corpus), "--output", lake]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    cmd += extra
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    sampler = threading.Thread(target=lambda: peak.__setitem__(0, peak_rss_of(proc)[0]))
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(err.decode()[-2000:])
    return time.perf_counter() - start, peak[0]


def run_limit(texts: list[str]) -> tuple[float, int]:
    nlp = registry.load("de")
    best = None
    for batch in (16, 64):
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch, n_process=2):
            pass
        elapsed = time.perf_counter() - start
        if best is None or elapsed < best[0]:
            best = (elapsed, batch)
    assert best is not None
    return best


def run_naive(texts: list[str], out_dir: Path) -> float:
    import pandas as pd

    nlp = registry.load("de")
    start = time.perf_counter()
    rows = []
    for i, text in enumerate(texts):
        doc = nlp(text)
        rows += [
            {"article": i, "text": e.text, "label": e.label_, "start": e.start_char}
            for e in doc.ents
        ]
    pd.DataFrame(rows).to_parquet(out_dir / "entities.parquet")
    return time.perf_counter() - start


RUNS = ("limit", "one", "two", "naive")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument(
        "--runs",
        default=",".join(RUNS),
        help="which of limit,one,two,naive to run (the ratio needs limit and two)",
    )
    args = parser.parse_args()
    wanted = [r for r in args.runs.split(",") if r in RUNS]
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    corpus = work / "corpus.jsonl"
    texts, words = write_corpus(args.articles, corpus)
    n = len(texts)
    rows: list[tuple[str, float, int | None]] = []
    seconds: dict[str, float] = {}
    if "limit" in wanted:
        seconds["limit"], batch = run_limit(texts)
        rows.append((f"limit: nlp.pipe, n_process=2, batch {batch}", seconds["limit"], None))
    for run, workers, name in (
        ("one", 1, "newsbeam ingest, 1 worker (in-process)"),
        ("two", 2, "newsbeam ingest, 2 worker processes"),
    ):
        if run in wanted:
            seconds[run], rss = run_newsbeam(corpus, workers)
            rows.append((name, seconds[run], rss))
    if "naive" in wanted:
        seconds["naive"] = run_naive(texts, work)
        rows.append(("naive peer: nlp() loop + pandas", seconds["naive"], None))
    runs = "" if wanted == list(RUNS) else f" --runs {','.join(wanted)}"
    lines = [
        f"### {machine()}; {n} articles, {words} words "
        f"(`python -m benchmarks.pipeline_vs_limit --articles {n}{runs}`)",
        "",
        "| run | seconds | articles/s | words/s | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, took, rss in rows:
        mib = f"{rss / 2**20:.0f}" if rss else ""
        lines.append(f"| {name} | {took:.1f} | {n / took:.2f} | {words / took:.0f} | {mib} |")
    lines.append("")
    if "limit" in seconds and "two" in seconds:
        ratio = f"- newsbeam with 2 workers reaches {100 * seconds['limit'] / seconds['two']:.0f}% "
        ratio += "of the limit's articles/s (target: 80%)"
        if "naive" in seconds:
            ratio += f", {seconds['naive'] / seconds['two']:.2f}x the naive peer's (target: 2x)"
        lines += [ratio + ".", ""]
    publish(lines)


if __name__ == "__main__":
    main()
