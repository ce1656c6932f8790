"""A lock in the lake so that two schedulers never run ticks on one lake at once.

`_state/lock.json` names its owner and an expiry; a crashed owner's lock simply
runs out. Object stores have no atomic create here, so acquiring writes the
lock and reads it back: of two racing writers, the one whose write landed last
wins and the other sees someone else's name and backs off.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from newsbeam.transforms.lake import Lake

LOCK = "_state/lock.json"


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder(lake: Lake, now: datetime | None = None) -> dict | None:
    """The current lock, or None when there is none or it has expired."""
    if not lake.exists(LOCK):
        return None
    lock = lake.read_json(LOCK)
    expires = datetime.fromisoformat(lock["expires_at"])
    return lock if expires > (now or datetime.now(UTC)) else None


def acquire(lake: Lake, owner: str, ttl: timedelta) -> bool:
    """Take or extend the lock; False while someone else holds it."""
    current = holder(lake)
    if current is not None and current["owner"] != owner:
        return False
    now = datetime.now(UTC)
    lake.write_json(
        LOCK,
        {"owner": owner, "acquired_at": now.isoformat(), "expires_at": (now + ttl).isoformat()},
    )
    return lake.read_json(LOCK)["owner"] == owner


def release(lake: Lake, owner: str) -> None:
    current = holder(lake)
    if current is not None and current["owner"] == owner:
        lake.fs.delete_file(lake.path(LOCK))
