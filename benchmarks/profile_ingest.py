"""Where `newsbeam ingest --workers 2` spends its time, sampled by py-spy.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m benchmarks.profile_ingest --articles 300

py-spy samples every process of the run (the driver, which is also Beam's
runner, and the SDK worker processes) and each sample is put in the first
category whose marker is on its stack. Prints a table per process kind and
appends it to benchmarks/RESULTS.md; the raw stacks stay in a temp folder for
flame graphs (`flamegraph.pl raw.txt > ingest.svg`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.pipeline_vs_limit import write_corpus
from benchmarks.results import machine, publish

# (category, markers): the first category with a marker on the stack wins, so
# the specific ones come first.
CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("imports", ("_find_and_load (",)),
    ("start-up: model load", ("load_model_from_path (spacy/util.py",)),
    ("start-up: gazetteers", ("gazetteer_names (", "Gazetteer.__init__ (", "gazetteer (")),
    ("spaCy: nlp.pipe", ("_pipe (transforms/nlp.py",)),
    ("extractors", ("analyse_doc (transforms/nlp.py",)),
    ("Parquet writes", ("(transforms/lake/staging.py",)),
    ("read + parse inputs", ("(transforms/sources/",)),
    ("language detection", ("(transforms/language.py",)),
    ("dedupe join", ("(transforms/lake/dedupe.py",)),
    ("commit", ("(transforms/lake/commit.py",)),
    ("Beam: coders, data plane, runner", ("apache_beam/",)),
]


# A thread parked in one of these is waiting, not working: py-spy cannot always
# tell (gRPC and queue threads block in C), so such samples count as idle.
WAITING_LEAVES = (
    "Condition.wait (", "Queue.get (", "Event.wait (", "Semaphore.acquire (", "channel_spin (",
    "_serve (", "Popen._try_wait (", "select (", "sleep (", "Thread.run (threading.py",
)  # fmt: skip
IDLE = "idle (threads waiting)"


def categorise(stack: str) -> str:
    frames = [f for f in stack.split(";") if not f.startswith("process ")]
    if not frames or any(leaf in frames[-1] for leaf in WAITING_LEAVES):
        return IDLE
    for name, markers in CATEGORIES:
        if any(m in stack for m in markers):
            return name
    return "other"


def summarise(raw: Path) -> dict[str, Counter]:
    """{process kind: Counter(category -> samples)} from py-spy's raw (collapsed) output."""
    out: dict[str, Counter] = {"driver": Counter(), "worker": Counter()}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        procs = [f for f in stack.split(";") if f.startswith("process ")]
        kind = "worker" if procs and "sdk_worker_main" in procs[-1] else "driver"
        out[kind][categorise(stack)] += int(count)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rate", type=int, default=50, help="samples per second per process")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="profile-"))
    corpus, raw = work / "corpus.jsonl", work / "raw.txt"
    write_corpus(args.articles, corpus)
    ingest = [sys.executable, "-m", "newsbeam.pipelines.cli", "ingest", str(corpus)]
    cmd = [
        str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses", "--format", "raw",
        "--rate", str(args.rate), "-o", str(raw), "--",
        *ingest, "--output", str(work / "lake"), "--workers", "2",
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    found = summarise(raw)
    lines = [
        f"### profile, {machine()}; {args.articles} articles, 2 workers, {seconds:.0f} s under "
        f"py-spy (`python -m benchmarks.profile_ingest --articles {args.articles}`)",
        "",
        "| process | where | samples | share of the busy samples |",
        "|---|---|---:|---:|",
    ]
    for kind, counts in found.items():
        busy = sum(n for name, n in counts.items() if name != IDLE) or 1
        for name, n in counts.most_common():
            share = "" if name == IDLE else f"{100 * n / busy:.1f}%"
            lines.append(f"| {kind} | {name} | {n} | {share} |")
    lines += ["", f"Raw stacks: {raw}", ""]
    publish(lines)


if __name__ == "__main__":
    main()
