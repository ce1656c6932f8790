"""The lake lock is exclusive: two processes racing for it, 200 times, never both win."""

from __future__ import annotations

import multiprocessing
import os
from datetime import timedelta

import pytest

from newsbeam.transforms.lake import Lake, LakeConfig, lock

TRIALS = 200


def _racer(config: LakeConfig, env: dict, barrier, results, index: int) -> None:
    os.environ.update(env)
    lake = Lake(config)
    owner = f"racer-{index}"
    for trial in range(TRIALS):
        barrier.wait()  # both processes start the attempt together
        won = lock.acquire(lake, owner, timedelta(seconds=60))
        results.put((trial, index, won))
        barrier.wait()  # both have tried: the winner gives the lock back
        if won:
            lock.release(lake, owner)
        barrier.wait()


def race(config: LakeConfig, env: dict | None = None) -> dict[int, list[int]]:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_racer, args=(config, env or {}, barrier, results, i)) for i in (0, 1)
    ]
    for proc in procs:
        proc.start()
    winners: dict[int, list[int]] = {t: [] for t in range(TRIALS)}
    for _ in range(2 * TRIALS):
        trial, index, won = results.get(timeout=120)
        if won:
            winners[trial].append(index)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return winners


def test_two_processes_racing_200_times_never_both_hold_the_local_lock(tmp_path):
    winners = race(LakeConfig(str(tmp_path)))
    assert [t for t, w in winners.items() if len(w) > 1] == []
    assert all(len(w) == 1 for w in winners.values())  # and someone always gets it


@pytest.mark.s3
@pytest.mark.slow
def test_two_processes_racing_200_times_never_both_hold_the_s3_lock(s3_server):
    from tests.conftest import s3_filesystem

    s3_filesystem(s3_server).create_dir("locks")
    config = LakeConfig("s3://locks/lake", s3_server.endpoint, "us-east-1")
    winners = race(config, s3_server.env())
    assert [t for t, w in winners.items() if len(w) > 1] == []
    assert sum(len(w) == 1 for w in winners.values()) >= TRIALS * 0.9


def test_a_held_lock_refuses_others_until_released_or_expired(tmp_path):
    lake = Lake(LakeConfig(str(tmp_path)))
    assert lock.acquire(lake, "a", timedelta(minutes=5))
    assert not lock.acquire(lake, "b", timedelta(minutes=5))
    assert lock.acquire(lake, "a", timedelta(minutes=5))  # the holder extends it
    lock.release(lake, "a")
    assert lock.holder(lake) is None and lock.acquire(lake, "b", timedelta(seconds=-1))
    assert lock.acquire(lake, "c", timedelta(minutes=5))  # b's lock had expired


def test_a_lock_whose_holder_died_on_this_host_does_not_block_the_next_run(tmp_path):
    import socket
    import subprocess

    lake = Lake(LakeConfig(str(tmp_path)))
    dead = subprocess.Popen(["true"])
    dead.wait()
    owner = f"{socket.gethostname()}:{dead.pid}:killed"
    assert lock.acquire(lake, owner, timedelta(minutes=10))
    assert lock.holder(lake) is None
    assert lock.acquire(lake, "next-run", timedelta(minutes=10))
