"""Writers side by side on one lake leave every article once: two ingests of
overlapping inputs at the same moment, and a scheduler beside `ingest --once`."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from tests.conftest import jsonl_corpus, read_table
from tests.feedserver import FeedServer, Route, rss
from tests.test_feeds import STORIES, item, serve_story

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "newsbeam.pipelines.cli"]


def test_two_ingests_of_overlapping_inputs_at_once_leave_every_article_once(tmp_path):
    first = jsonl_corpus(tmp_path / "a.jsonl", range(0, 60), seed=11, published="2025-08-26")
    second = jsonl_corpus(tmp_path / "b.jsonl", range(30, 90), seed=11, published="2025-08-26")
    # 30 articles in common
    lake = tmp_path / "lake"
    procs = [
        subprocess.Popen([*CLI, "ingest", str(f), "--output", str(lake)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for f in (first, second)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-2000:]
        assert "WARNING" not in out  # each run's books balance
    ids = [row["article_id"] for row in read_table(lake, "articles").to_pylist()]
    assert len(ids) == len(set(ids)) == 90
    entities = read_table(lake, "entities").to_pylist()
    mentions = Counter((e["article_id"], e["mention_index"]) for e in entities)
    assert entities and max(mentions.values()) == 1
    assert {e["article_id"] for e in entities} <= set(ids)
    written = sum(int(out.split("articles written")[1].split()[0]) for out, _ in outputs)
    known = sum(int(out.split("already in lake")[1].split()[0]) for out, _ in outputs)
    assert (written, known) == (90, 30)


def test_a_scheduler_beside_ingest_once_leaves_every_article_once(tmp_path):
    with FeedServer() as server:
        server.routes["/robots.txt"] = Route(b"User-agent: *\n", "text/plain")
        for path in STORIES:
            serve_story(server, path)
        server.routes["/rss"] = Route(rss(server.base, [item(p) for p in STORIES]))
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{server.base}/rss\n")
        lake = str(tmp_path / "lake")
        common = ["--output", lake, "--allow-private-addresses", "--delay", "0"]
        schedule = subprocess.Popen(
            [*CLI, "schedule", str(feeds), "--every", "1s", "--max-ticks", "2", *common],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        once = subprocess.run(
            [*CLI, "ingest", str(feeds), "--once", "--if-locked", "wait", *common],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        out, err = schedule.communicate(timeout=600)
    assert once.returncode == 0, once.stderr[-2000:]
    assert schedule.returncode == 0, err[-2000:]
    ids = [row["article_id"] for row in read_table(tmp_path / "lake", "articles").to_pylist()]
    assert len(ids) == len(set(ids)) == len(STORIES)
