"""`newsbeam stream` as a user runs it: a real process on a real Prism runner (built
from the Go module proxy), a real feed server on 127.0.0.1, SIGTERM, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import psutil
import pytest

from newsbeam.pipelines.prism import prism_binary
from tests.conftest import read_table
from tests.feedserver import FeedServer, Route, page, rss
from tests.test_feeds import STORIES, item, serve_story
from tests.test_schedule import start as start_cli
from tests.test_schedule import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.prism]

DE = [p for p in STORIES if p.startswith("/de/")]


@pytest.fixture(scope="module")
def prism():
    return prism_binary()  # built once per machine (about two minutes), then cached


def start(tmp_path, prism, *extra):
    args = ["stream", "feeds.txt", "--output", "lake", "--delay", "0"]
    args += ["--allow-private-addresses", *extra]
    return start_cli(args, tmp_path, env={**os.environ, "NEWSBEAM_PRISM": prism})


def stopped(proc, lines, seen, timeout_s):
    """The exit status once the process ended, with all it printed kept in seen."""
    status = proc.wait(timeout_s)
    time.sleep(0.5)
    while not lines.empty():
        seen.append(lines.get())
    return status


def runners(proc):
    return [c for c in psutil.Process(proc.pid).children() if c.name() == "prism"]


def committed(line):
    return line.startswith("window ")


def urls(lake):
    table = read_table(lake, "articles")
    found = table.column("url").to_pylist() if table is not None else []
    return Counter(urlsplit(u).path for u in found)


def state_matches_feeds_table(lake):
    """_state/feeds.json says of each feed what the last committed poll said."""
    state = json.loads((lake / "_state" / "feeds.json").read_text())["feeds"]
    polls = read_table(lake, "feeds").to_pylist()
    for feed, entry in state.items():
        last = max((p for p in polls if p["feed_url"] == feed), key=lambda p: p["polled_at"])
        assert entry["last_polled"] == last["polled_at"].isoformat()
        assert entry["last_status"] == last["status"]


def test_items_over_several_polls_land_once_through_sigkills_and_a_drain(tmp_path, prism):
    with FeedServer() as server:
        server.routes["/robots.txt"] = Route(b"", "text/plain")
        for path in DE:
            serve_story(server, path)
        feed = "/de/rss"
        server.routes[feed] = Route(rss(server.base, [item(DE[0])]))
        (tmp_path / "feeds.txt").write_text(f"{server.base}{feed}\n")
        lake = tmp_path / "lake"
        seen: list[str] = []
        proc, lines = start(tmp_path, prism, "--poll", "2s", "--commit-every", "20s")
        try:
            wait_for(lines, lambda x: committed(x) and " 1 articles" in x, 180, seen)
            # A second stream on the same lake is refused while this one runs.
            second = subprocess.run(
                [sys.executable, "-m", "newsbeam.pipelines.cli", "stream", "feeds.txt",
                 "--output", "lake", "--allow-private-addresses"],
                capture_output=True, text=True, cwd=tmp_path, timeout=120,
                env={**os.environ, "NEWSBEAM_PRISM": prism},
            )  # fmt: skip
            assert second.returncode == 3, second.stdout + second.stderr
            assert "one stream or scheduler per lake" in second.stderr
            # Right after a commit, a new item: polled within 2 s, then the driver
            # dies with it in flight, 12 s before its window would commit.
            wait_for(lines, committed, 60, seen)
            server.routes[feed] = Route(rss(server.base, [item(p) for p in DE[:2]]))
            deadline = time.monotonic() + 30
            while server.hits(DE[1]) == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert server.hits(DE[1]) == 1
            assert urls(lake)[DE[1]] == 0
            (runner,) = runners(proc)
            proc.kill()
            proc.wait(30)
            # Prism goes with the command that started it (no runner left spinning).
            psutil.wait_procs([runner], timeout=10)
            assert not runner.is_running()
        finally:
            if proc.poll() is None:
                proc.kill()

        proc, lines = start(tmp_path, prism, "--poll", "2s", "--commit-every", "4s")
        try:
            wait_for(lines, lambda x: committed(x) and " 1 articles" in x, 180, seen)
            assert sum(urls(lake).values()) == 2
            # The runner dies (SIGKILL of Prism): the command fails, nothing is lost.
            server.routes[feed] = Route(rss(server.base, [item(p) for p in DE[:3]]))
            deadline = time.monotonic() + 30
            while server.hits(DE[2]) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            (runner,) = runners(proc)
            runner.kill()
            assert proc.wait(120) != 0
        finally:
            if proc.poll() is None:
                proc.kill()

        server.routes[feed] = Route(rss(server.base, [item(p) for p in DE]))
        proc, lines = start(tmp_path, prism, "--poll", "2s", "--commit-every", "4s")
        try:
            wait_for(lines, lambda x: committed(x) and " articles" in x, 180, seen)
            deadline = time.monotonic() + 120
            while sum(urls(lake).values()) < len(DE) and time.monotonic() < deadline:
                time.sleep(1)
            proc.send_signal(signal.SIGTERM)
            assert stopped(proc, lines, seen, 120) == 0, "".join(seen)
        finally:
            if proc.poll() is None:
                proc.kill()
    found = urls(lake)
    assert len(found) == len(DE) and set(found.values()) == {1}, found
    state_matches_feeds_table(lake)


def test_a_hanging_feed_garbage_a_huge_page_and_a_burst_do_not_stop_the_commits(tmp_path, prism):
    with FeedServer() as server:
        server.routes["/robots.txt"] = Route(b"", "text/plain")
        serve_story(server, DE[0])
        server.routes["/good"] = Route(rss(server.base, [item(DE[0])]))
        server.routes["/hangs"] = Route(rss(server.base, [item(DE[1])]), delay_s=40)
        server.routes["/garbage"] = Route(b"\x00\x01 this is no feed <<<", "text/html")
        burst = [
            (f"/burst/{n}.html", f"Meldung {n}", f"Kurzmeldung Nummer {n}.") for n in range(5000)
        ]
        server.routes["/burst"] = Route(rss(server.base, burst))
        server.routes["/huge"] = Route(
            rss(server.base, [("/huge.html", "Riesig", "Eine sehr große Seite.")])
        )
        server.routes["/huge.html"] = Route(
            page("Riesig", ["Wort " * 1000]), "text/html", chunks=2500
        )
        names = ["/good", "/hangs", "/garbage", "/burst", "/huge"]
        (tmp_path / "feeds.txt").write_text("".join(f"{server.base}{n}\n" for n in names))
        seen: list[str] = []
        # --job_server_timeout: the job state stream's deadline runs out mid-run
        # (300 s by default); the stream must outlive it.
        proc, lines = start(
            tmp_path, prism, "--poll", "5s", "--commit-every", "5s", "--max-items", "40",
            "--job_server_timeout=45",
        )  # fmt: skip
        try:
            wait_for(lines, lambda x: committed(x) and "articles" in x, 240, seen)
            commits_before = sum(committed(x) for x in seen)
            wait_for(lines, committed, 120, seen)
            wait_for(lines, committed, 120, seen)
            assert sum(committed(x) for x in seen) >= commits_before + 2
            proc.send_signal(signal.SIGTERM)
            assert stopped(proc, lines, seen, 180) == 0, "".join(seen)
        finally:
            if proc.poll() is None:
                proc.kill()
    lake = tmp_path / "lake"
    polls = read_table(lake, "feeds").to_pylist()
    status = {n: Counter(p["status"] for p in polls if p["feed_url"].endswith(n)) for n in names}
    assert status["/good"]["ok"] >= 1
    assert any(s.startswith("error") for s in status["/hangs"]), status
    assert any(s.startswith("error") for s in status["/garbage"]), status
    # The burst comes 40 items per poll; each poll says how many wait.
    burst_polls = [p for p in polls if p["feed_url"].endswith("/burst") and p["status"] == "ok"]
    assert burst_polls and all("left for the next poll" in p["message"] for p in burst_polls)
    found = urls(lake)
    taken = sum(1 for u in found if u.startswith("/burst/"))
    assert 40 <= taken <= 40 * len(burst_polls) and set(found.values()) == {1}
    errors = read_table(lake, "errors").to_pylist()
    assert any(e["source"].endswith("/huge.html") for e in errors)
    assert any(e["source"].endswith("/garbage") for e in errors)
