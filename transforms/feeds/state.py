"""Feed state beside the lake: per-feed validators (ETag, Last-Modified, body hash).

Stored as `_state/feeds.json` in the lake, written atomically (rename locally,
one PUT on S3), so any machine pointed at the same lake polls politely.
Seen URLs and content hashes are not duplicated here: they are the
`canonical_url` and `content_hash` columns of `articles`, and MinHash
signatures live in the hidden `_state/minhash/` table written with each run.
"""

from __future__ import annotations

from newsbeam.transforms.lake import Lake

FEEDS_STATE = "_state/feeds.json"
MINHASH_DIR = "_state/minhash"


def read_feed_state(lake: Lake) -> dict[str, dict]:
    if not lake.exists(FEEDS_STATE):
        return {}
    return lake.read_json(FEEDS_STATE).get("feeds", {})


def write_feed_state(lake: Lake, feeds: dict[str, dict]) -> None:
    lake.write_json(FEEDS_STATE, {"feeds": feeds})


def updated_state(old: dict[str, dict], polls: list[dict]) -> dict[str, dict]:
    """Fold this tick's polls into the state: validators of feeds that answered."""
    new = dict(old)
    for poll in sorted(polls, key=lambda p: p["polled_at"]):
        entry = dict(new.get(poll["feed_url"], {}))
        if entry.get("last_polled", "") > poll["polled_at"].isoformat():
            continue  # a newer poll is in already (stream windows may commit out of order)
        entry["last_polled"] = poll["polled_at"].isoformat()
        entry["last_status"] = poll["status"]
        if poll["http_status"] == 200:
            entry.update(
                etag=poll["etag"], last_modified=poll["last_modified"], body_hash=poll["body_hash"]
            )
        new[poll["feed_url"]] = entry
    return new
