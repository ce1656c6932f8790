"""`newsbeam schedule FEEDS --every 15m`: one tick (one Beam batch job) per interval.

Holds the lake's lock while it runs, logs one line per tick, and on SIGINT or
SIGTERM finishes the current tick, releases the lock and exits.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from datetime import timedelta

from newsbeam.pipelines.tick import TickConfig, run_tick
from newsbeam.transforms.lake import Lake, lock

# A tick may run this long past its interval before its lock can be taken over.
LOCK_MARGIN = timedelta(minutes=10)
EXIT_LOCKED = 3


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')} {message}", flush=True)


def schedule(
    config: TickConfig, every_s: float, max_ticks: int = 0, if_locked: str = "wait"
) -> int:
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log(f"received {signal.Signals(signum).name}: stopping after the current tick")
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    config.lake = config.lake.with_env_defaults()
    lake = Lake(config.lake)
    owner = lock.process_owner()
    ttl = timedelta(seconds=every_s) + LOCK_MARGIN
    ticks = 0
    try:
        while not stop.is_set():
            if not lock.acquire(lake, owner, ttl):
                current = lock.holder(lake) or {}
                if if_locked == "exit":
                    log(
                        f"lake {config.lake.display()} is locked by {current.get('owner')}; exiting"
                    )
                    return EXIT_LOCKED
                log(
                    f"lake is locked by {current.get('owner')} "
                    f"until {current.get('expires_at')}; waiting"
                )
                stop.wait(every_s)
                continue
            started = time.monotonic()
            try:
                log(run_tick(config).line())
            except Exception as exc:  # a failed tick is logged; the next one tries again
                log(f"tick failed: {type(exc).__name__}: {exc}")
            ticks += 1
            if max_ticks and ticks >= max_ticks:
                break
            stop.wait(max(0.0, every_s - (time.monotonic() - started)))
    finally:
        lock.release(lake, owner)
    log(f"stopped after {ticks} ticks")
    return 0


if __name__ == "__main__":
    sys.exit("use `newsbeam schedule`")
