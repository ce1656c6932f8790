"""The scheduler as a user runs it: a real process, ticks on an interval, a lock in
the lake, and a clean stop on SIGTERM after the current tick."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import read_table
from tests.feedserver import FeedServer, Route, rss
from tests.test_feeds import item, serve_story

pytestmark = pytest.mark.slow


def start(args, tmp_path, env=None):
    """The `newsbeam` command in the background; its output lines on a queue."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "newsbeam.pipelines.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    return proc, lines


def wait_for(lines, predicate, timeout_s, seen):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if predicate(line):
            return line
    raise AssertionError("timed out; output so far:\n" + "".join(seen))


def test_three_ticks_then_sigterm_and_a_second_scheduler_backs_off(tmp_path):
    with FeedServer() as server:
        server.routes["/robots.txt"] = Route(b"", "text/plain")
        serve_story(server, "/de/gipfel.html")
        server.routes["/de/rss"] = Route(rss(server.base, [item("/de/gipfel.html")]))
        (tmp_path / "feeds.txt").write_text(f"{server.base}/de/rss\n")
        args = [
            "schedule",
            "feeds.txt",
            "--every",
            "1s",
            "--output",
            "lake",
            "--delay",
            "0",
            "--allow-private-addresses",
        ]
        proc, lines = start(args, tmp_path)
        seen: list[str] = []
        try:
            for _ in range(3):
                wait_for(
                    lines,
                    lambda line: " tick " in line or line.split(" ", 1)[-1].startswith("tick "),
                    240,
                    seen,
                )
            second = subprocess.run(
                [sys.executable, "-m", "newsbeam.pipelines.cli", *args, "--if-locked", "exit"],
                capture_output=True, text=True, cwd=tmp_path, timeout=120,
            )  # fmt: skip
            assert second.returncode == 3, second.stdout + second.stderr
            assert "is locked by" in second.stdout
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=120) == 0
            wait_for(lines, lambda line: "stopped after" in line, 10, seen)
        finally:
            if proc.poll() is None:
                proc.kill()
    ticks = [line for line in seen if line.split(" ", 1)[-1].startswith("tick ")]
    assert len(ticks) >= 3
    assert "1 new articles" in ticks[0] and "1 not modified (304)" in ticks[1]
    assert not (tmp_path / "lake" / "_state" / "lock.json").exists()  # released on the way out
    polls = read_table(tmp_path / "lake", "feeds").to_pylist()
    assert len(polls) >= 3 and read_table(tmp_path / "lake", "articles").num_rows == 1
    assert os.path.exists(tmp_path / "lake" / "_state" / "feeds.json")
