"""benchmarks/RESULTS.md: every benchmark appends a section with the date, machine and command."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import psutil

RESULTS = Path(__file__).parent / "RESULTS.md"


def machine() -> str:
    """When and where, for a section heading: '2026-11-25 14:42 UTC, x86_64, 2 cores, 23 GiB'."""
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total // 2**30} GiB"
    )


def publish(lines: list[str]) -> None:
    """Print a results section and append it to RESULTS.md."""
    text = "\n".join(lines)
    print(text)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(text + "\n")
