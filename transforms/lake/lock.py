"""The lake's lock: one holder at a time, by a compare-and-swap the store guarantees.

`_state/lock.json` names its owner and an expiry; a crashed owner's lock runs
out. Taking it is a compare-and-swap, never write-then-read-back:
- a local lake: the read-check-write runs under an exclusive `flock` on
  `_state/lock.mutex`, which the kernel also frees when a holder dies;
- an S3 lake: a conditional PUT, `If-None-Match: *` when there is no lock and
  `If-Match: <ETag>` to replace an expired one, so of two racing writers the
  store lets exactly one through (AWS S3, MinIO and SeaweedFS refuse the other
  with 412 Precondition Failed).
Schedulers hold it for their whole life, `ingest --once` for its tick, and
every run for its commit (see commit.py), so commits never interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from newsbeam.transforms.lake.filesystem import Lake

LOCK = "_state/lock.json"
MUTEX = "_state/lock.mutex"
POLL_S = 0.2

log = logging.getLogger(__name__)


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


_PROCESS_OWNER: list[str] = []


def process_owner() -> str:
    """One owner name per process: a scheduler's ticks commit under the lock it holds."""
    if not _PROCESS_OWNER or _PROCESS_OWNER[0].split(":")[1] != str(os.getpid()):
        _PROCESS_OWNER[:] = [new_owner()]
    return _PROCESS_OWNER[0]


def _live(lock: dict | None, now: datetime) -> dict | None:
    """The lock while it binds: not expired, and (on this host) its process alive:
    a run killed while it held the lock does not block the next one for the TTL."""
    if lock is None or datetime.fromisoformat(lock["expires_at"]) <= now:
        return None
    host, _, pid = str(lock["owner"]).partition(":")
    if host == socket.gethostname() and not process_alive(pid.split(":", 1)[0]):
        return None
    return lock


def process_alive(pid: object) -> bool:
    """Whether a process of this host exists (an unreadable pid counts as alive)."""
    try:
        os.kill(int(str(pid)), 0)  # signal 0: does the process exist?
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True  # another user's process, or not a pid we can read
    return True


def holder(lake: Lake, now: datetime | None = None) -> dict | None:
    """The current lock, or None when there is none or it has expired."""
    lock, _tag = _store(lake).read()
    return _live(lock, now or datetime.now(UTC))


def holds(lake: Lake, owner: str) -> bool:
    """Whether `owner` holds the lock now (unexpired, its process alive on this host)."""
    return (holder(lake) or {}).get("owner") == owner


class LockLost(RuntimeError):
    """The lock a stream's workers work under is no longer their driver's."""


@contextlib.contextmanager
def held_by(lake: Lake, owner: str) -> Iterator[None]:
    """For a stream's workers: the lock their driver holds, never taken on its
    behalf. A driver that died (SIGKILL) left its job running on a cluster; that
    job must not commit beside the next stream. LockLost when it is not held."""
    if not holds(lake, owner):
        who = (holder(lake) or {}).get("owner", "nobody")
        raise LockLost(f"the lake's lock is held by {who}, not by this stream's driver {owner}")
    yield


def acquire(lake: Lake, owner: str, ttl: timedelta) -> bool:
    """Take or extend the lock; False while someone else holds it (or won the race)."""
    store = _store(lake)
    with store.mutex():
        current, tag = store.read()
        now = datetime.now(UTC)
        live = _live(current, now)
        if live is not None and live["owner"] != owner:
            return False
        expires = (now + ttl).isoformat()
        record = {"owner": owner, "acquired_at": now.isoformat(), "expires_at": expires}
        return store.swap(tag, record)


def release(lake: Lake, owner: str) -> None:
    """Give the lock up (it becomes expired now) if this owner holds it."""
    store = _store(lake)
    with store.mutex():
        current, tag = store.read()
        if current is not None and current["owner"] == owner:
            now = datetime.now(UTC).isoformat()
            store.clear(tag, {**current, "expires_at": now, "released_at": now})


@contextlib.contextmanager
def held(lake: Lake, owner: str, ttl: timedelta, wait_s: float) -> Iterator[None]:
    """Hold the lock for a block, waiting up to wait_s for it; TimeoutError if it stays taken."""
    if holds(lake, owner):
        yield  # held already (a scheduler committing a tick): keep it as it is
        return
    deadline = time.monotonic() + wait_s
    while not acquire(lake, owner, ttl):
        if time.monotonic() > deadline:
            who = (holder(lake) or {}).get("owner", "another run")
            raise TimeoutError(f"the lake is locked by {who} (waited {wait_s:.0f} s)")
        time.sleep(POLL_S)
    try:
        yield
    except BaseException:
        # The block's failure is what the user must read: a lock that cannot be
        # released as well (the store is gone) runs out after its ttl.
        try:
            release(lake, owner)
        except Exception as exc:
            log.warning("could not release the lake lock (it expires after %s): %s", ttl, exc)
        raise
    release(lake, owner)


class _LocalStore:
    def __init__(self, lake: Lake) -> None:
        self._lake = lake

    @contextlib.contextmanager
    def mutex(self) -> Iterator[None]:
        path = self._lake.path(MUTEX)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read(self) -> tuple[dict | None, str | None]:
        if not self._lake.exists(LOCK):
            return None, None
        return self._lake.read_json(LOCK), "local"

    def swap(self, _tag: str | None, record: dict) -> bool:
        self._lake.write_json(LOCK, record)  # atomic rename, inside the mutex
        return True

    def clear(self, _tag: str | None, _expired: dict) -> None:
        self._lake.delete_file(LOCK)  # inside the mutex


class _S3Store:
    """Conditional PUTs through boto3 (pyarrow's S3 client cannot send them)."""

    def __init__(self, lake: Lake) -> None:
        import boto3

        config = lake.config
        parsed = urlparse(config.uri)
        self._bucket = parsed.netloc
        self._key = "/".join(p for p in (parsed.path.strip("/"), LOCK) if p)
        self._client = boto3.client(
            "s3", endpoint_url=config.s3_endpoint, region_name=config.s3_region or "us-east-1"
        )

    @contextlib.contextmanager
    def mutex(self) -> Iterator[None]:
        yield  # the conditional PUT is the compare-and-swap

    def read(self) -> tuple[dict | None, str | None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=self._key)
            return json.loads(answer["Body"].read()), answer["ETag"]
        except self._client.exceptions.NoSuchKey:
            return None, None
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(exc) from exc

    def swap(self, tag: str | None, record: dict) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        condition = {"IfMatch": tag} if tag else {"IfNoneMatch": "*"}
        body = json.dumps(record, sort_keys=True).encode()
        try:
            self._client.put_object(Bucket=self._bucket, Key=self._key, Body=body, **condition)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict", "409"):
                return False
            raise self._failed(exc) from exc
        except BotoCoreError as exc:
            raise self._failed(exc) from exc
        return True

    def clear(self, tag: str | None, expired: dict) -> None:
        self.swap(tag, expired)  # an expired record: the next taker's If-Match needs one

    def _failed(self, exc: Exception) -> OSError:
        """Storage errors as the rest of the lake raises them: one OSError, one line."""
        return OSError(f"the lake lock s3://{self._bucket}/{self._key}: {exc}")


def _store(lake: Lake) -> _LocalStore | _S3Store:
    return _S3Store(lake) if lake.config.is_s3 else _LocalStore(lake)
