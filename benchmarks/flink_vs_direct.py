"""The same corpus on the DirectRunner (2 worker processes) and on a Flink cluster
(parallelism 2), wall time including job submission; and the fixed cost of a job.

    .venv/bin/python -m benchmarks.flink_vs_direct --articles 600

Starts its own cluster with engines/flink/cluster.py (JobManager, TaskManager
with 2 slots, Beam worker pool) on free ports, writes local lakes (the workers
share this machine's disk), stops the cluster at the end. Prints a table and
appends it to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.pipeline_vs_limit import run_newsbeam, write_corpus
from benchmarks.results import machine, publish

ROOT = Path(__file__).resolve().parent.parent


def cluster_script():
    spec = importlib.util.spec_from_file_location(
        "flink_cluster", ROOT / "engines/flink/cluster.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def job_times(rest_port: int) -> list[dict]:
    """Flink's own account of the jobs it ran: name, duration in ms."""
    with urllib.request.urlopen(f"http://127.0.0.1:{rest_port}/jobs/overview") as response:
        return json.loads(response.read())["jobs"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=600)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-flink-"))
    corpus, single = work / "corpus.jsonl", work / "one.jsonl"
    texts, words = write_corpus(args.articles, corpus)
    write_corpus(1, single)
    n = len(texts)

    cluster = cluster_script()
    root = cluster.home()
    rest_port, pool_port = cluster.free_port(), cluster.free_port()
    started = time.perf_counter()
    state = cluster.start(root, rest_port=rest_port, worker_pool_port=pool_port)
    start_s = time.perf_counter() - started
    flink = tuple(cluster.beam_options(state))
    try:
        one_flink_s, _ = run_newsbeam(single, 1, flink)
        flink_s, flink_rss = run_newsbeam(corpus, 1, flink)
        jobs = sorted(job_times(rest_port), key=lambda j: j["start-time"])
    finally:
        cluster.stop(root)
    one_direct_s, _ = run_newsbeam(single, 2)
    direct_s, direct_rss = run_newsbeam(corpus, 2)
    in_flink_s = jobs[-1]["duration"] / 1000 if jobs else float("nan")
    one_in_flink_s = jobs[0]["duration"] / 1000 if jobs else float("nan")

    rows = [
        ("DirectRunner, 2 worker processes", direct_s, direct_rss),
        ("Flink 1.19.3, parallelism 2 (driver's wall time)", flink_s, flink_rss),
        ("  of which the job ran in Flink", in_flink_s, None),
    ]
    lines = [
        f"### {machine()}; {n} articles, {words} words "
        f"(`python -m benchmarks.flink_vs_direct --articles {n}`)",
        "",
        "| run | seconds | articles/s | peak RSS of the driver's tree (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds, rss in rows:
        mib = f"{rss / 2**20:.0f}" if rss else ""
        lines.append(f"| {name} | {seconds:.1f} | {n / seconds:.2f} | {mib} |")
    lines += [
        "",
        f"- Fixed cost of a 1-article job: DirectRunner {one_direct_s:.1f} s, Flink "
        f"{one_flink_s:.1f} s (of which {one_in_flink_s:.1f} s inside Flink; the rest is "
        "the driver: start-up, the job server jar's start, submission, the commit). "
        f"Starting the cluster: {start_s:.1f} s (not in the figures).",
        f"- Flink reaches {100 * direct_s / flink_s:.0f}% of the DirectRunner's articles/s "
        "(target: 70%). The Flink figure's tree excludes the TaskManager and the worker "
        "pool, which run outside the driver.",
        "",
    ]
    publish(lines)


if __name__ == "__main__":
    main()
