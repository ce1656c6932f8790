"""Item-to-visible-row latency of `newsbeam stream`, beside scheduled ticks.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m benchmarks.stream_latency --rate 1 --minutes 10

A feed server on 127.0.0.1 publishes new German articles (benchmarks/corpus.py)
at --rate items per second into one RSS feed (the newest 200 items). Each mode
runs against it for --minutes, into its own fresh lake:
- stream: `newsbeam stream --poll P --commit-every C` on Prism;
- ticks: `newsbeam schedule --every T` (one Beam batch job per tick).
An item is visible when the commit that holds it wrote its manifest
(`_runs/<run>.json`, `committed_at`): from then on every reader sees its rows.
Latency = committed_at - the moment the item went into the feed. Printed per
mode: items published and committed, latency p50/p95/max, CPU seconds per
committed item (the whole process tree, Prism included) and the RSS of the tree
sampled every 5 s (first minute vs last minute: flat or growing). Appends the
table to RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

from benchmarks.corpus import articles
from benchmarks.results import machine, publish

FEED_ITEMS = 200
# Items published in the first minute wait for start-up (Beam, Prism, the models):
# the steady-state columns leave them out.
WARM_UP_S = 60.0


class Publisher:
    """A feed whose items appear at a set rate; remembers when each appeared."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.texts = list(articles(5000, seed=11))
        self.published: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                body, kind = publisher.answer(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def start(self) -> None:
        self._stop.clear()
        threading.Thread(target=self._publish, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _publish(self) -> None:
        n = len(self.published)
        started = time.time()
        while not self._stop.is_set():
            due = started + (len(self.published) - n) / self.rate
            if time.time() >= due:
                with self._lock:
                    self.published[f"/a/{len(self.published)}.html"] = time.time()
            else:
                time.sleep(min(0.05, due - time.time()))

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if path == "/robots.txt":
            return b"", "text/plain"
        if path == "/rss":
            with self._lock:
                newest = list(self.published)[-FEED_ITEMS:]
            items = "".join(
                f"<item><title>Meldung {p}</title><link>{self.base}{p}</link>"
                f"<description>Kurz: {p}</description></item>"
                for p in reversed(newest)
            )
            body = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Bench</title><link>{self.base}/</link><language>de</language>"
                f"{items}</channel></rss>"
            )
            return body.encode(), "application/rss+xml"
        if path.startswith("/a/") and path in self.published:
            text = self.texts[int(path[3:-5]) % len(self.texts)]
            paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
            html = f"<html><head><title>Meldung</title></head><body><article>{paragraphs}"
            return (html + "</article></body></html>").encode(), "text/html; charset=utf-8"
        return None, "text/plain"


def run_mode(name: str, args: list[str], publisher: Publisher, minutes: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    (work / "feeds.txt").write_text(f"{publisher.base}/rss\n")
    cmd = [sys.executable, "-m", "newsbeam.pipelines.cli", *args, "feeds.txt", "--output", "lake"]
    cmd += ["--delay", "0", "--allow-private-addresses"]
    before = set(publisher.published)
    publisher.start()
    proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    cpu: dict[int, float] = {}
    rss: list[tuple[float, int]] = []
    started = time.monotonic()
    while time.monotonic() - started < minutes * 60 and proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            total = 0
            for p in tree:
                with p.oneshot():
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system + t.children_user + t.children_system
                    total += p.memory_info().rss
            rss.append((time.monotonic() - started, total))
        except psutil.Error:
            pass
        time.sleep(5)
    publisher.stop()
    published = {p: t for p, t in publisher.published.items() if p not in before}
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} exited {proc.returncode}: {err.decode()[-2000:]}")
    latencies = committed_latencies(work / "lake", published)
    warm = time.time() - (time.monotonic() - started) + WARM_UP_S
    steady = [lat for at, lat in latencies if at >= warm]
    first = [r for t, r in rss if t <= 60] or [0]
    last = [r for t, r in rss if t >= minutes * 60 - 60] or [0]
    return {
        "mode": name,
        "published": len(published),
        "committed": len(latencies),
        "latencies": sorted(lat for _, lat in latencies),
        "steady": sorted(steady),
        "cpu_s": sum(cpu.values()),
        "rss_first": max(first),
        "rss_last": max(last),
        "rss_by_5min": [
            max((r for t, r in rss if m * 300 - 60 <= t <= m * 300), default=0)
            for m in range(1, int(minutes // 5) + 1)
        ],
    }


def committed_latencies(lake: Path, published: dict[str, float]) -> list[tuple[float, float]]:
    """(published at, seconds from then to the commit that made its article visible)."""
    import pyarrow.parquet as pq

    out = []
    for manifest in (lake / "_runs").glob("*.json"):
        run = json.loads(manifest.read_text())
        if run.get("status") != "committed":
            continue
        done = datetime.fromisoformat(run["committed_at"]).timestamp()
        for final in run["files"]:
            if not final.startswith("articles/"):
                continue
            path = lake / "articles" / "data" / final.split("/", 1)[1]
            for url in pq.read_table(path, columns=["url"]).column("url").to_pylist():
                key = "/" + url.split("/", 3)[3]
                if key in published:
                    out.append((published[key], done - published[key]))
    return out


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=1.0, help="new items per second")
    parser.add_argument("--minutes", type=float, default=10.0, help="per mode")
    parser.add_argument("--poll", default="5s")
    parser.add_argument("--commit-every", default="10s")
    parser.add_argument("--every", default="30s", help="the scheduled ticks' interval")
    parser.add_argument("--modes", default="stream,ticks")
    args = parser.parse_args()
    publisher = Publisher(args.rate)
    modes = {
        "stream": ["stream", "--poll", args.poll, "--commit-every", args.commit_every],
        "ticks": ["schedule", "--every", args.every, "--workers", "2"],
    }
    results = [
        run_mode(m, modes[m], publisher, args.minutes) for m in args.modes.split(",") if m in modes
    ]
    lines = [
        f"### {machine()}; {args.rate:g} items/s for {args.minutes:g} min per mode "
        f"(`python -m benchmarks.stream_latency --rate {args.rate:g} --minutes {args.minutes:g} "
        f"--poll {args.poll} --commit-every {args.commit_every} --every {args.every} "
        f"--modes {args.modes}`)",
        "",
        "| mode | published | committed | latency p50 (s) | p95 (s) | max (s) "
        "| after 1st min: p50 | p95 | CPU s per item | RSS 1st min (MiB) | RSS last min (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lat = r["latencies"]
        label = {
            "stream": f"stream (--poll {args.poll}, --commit-every {args.commit_every})",
            "ticks": f"scheduled ticks (--every {args.every}, 2 workers)",
        }[r["mode"]]
        lines.append(
            f"| {label} | {r['published']} | {r['committed']} | {pct(lat, 0.5):.1f} "
            f"| {pct(lat, 0.95):.1f} | {max(lat, default=float('nan')):.1f} "
            f"| {pct(r['steady'], 0.5):.1f} | {pct(r['steady'], 0.95):.1f} "
            f"| {r['cpu_s'] / max(1, r['committed']):.2f} | {r['rss_first'] / 2**20:.0f} "
            f"| {r['rss_last'] / 2**20:.0f} |"
        )
    lines.append("")
    for r in results:
        if r["rss_by_5min"]:
            marks = ", ".join(
                f"{5 * (i + 1)} min {v / 2**20:.0f}" for i, v in enumerate(r["rss_by_5min"])
            )
            lines += [f"RSS of the {r['mode']} process tree (MiB): {marks}", ""]
    publish(lines)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
