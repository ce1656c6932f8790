"""How faithfully saved feeds are read: run the feed parser over a folder of feed
files (feedparser's own test corpus is the intended one: `pip download
--no-binary :all: --no-deps feedparser`, unpack, point at its tests/) and count
what became articles and error rows, and the signs of unfaithful text.

    python -m benchmarks.feed_corpus PATH [PATH...]

Prints: files, items, articles, error rows by kind, title-only articles kept,
text or titles that still hold markup or entities, and articles whose text has
Latin-1 mojibake (Ã, Â, Ð, Ñ followed by another high character).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

import feedparser

from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.common import SourceError
from newsbeam.transforms.sources.feed_file import parse_feed

_MARKUP = re.compile(r"<(?:b|i|p|img|a|div|span)\b[^>]*>|&(?:#x?[0-9a-f]+|amp|lt|gt|quot);", re.I)
_MOJIBAKE = re.compile(r"[ÃÂÐÑîÁÏ][\u0080-\u00ff]")


def measure(paths: list[Path]) -> Counter:
    counts: Counter = Counter()
    for path in paths:
        data = path.read_bytes()
        counts["files"] += 1
        counts["items"] += len(feedparser.parse(data).entries)
        try:
            records = list(parse_feed(str(path), data))
        except SourceError as exc:
            counts[f"file error: {exc.kind}"] += 1
            continue
        except Exception as exc:  # a parser crash is a finding, not the end
            counts[f"crash: {type(exc).__name__}"] += 1
            continue
        for record in records:
            if isinstance(record, ErrorRecord):
                counts[f"error row: {record.kind}"] += 1
            elif isinstance(record, Article):
                counts["articles"] += 1
                counts["title-only articles"] += record.text_source == "title"
                counts["markup left in text or title"] += bool(
                    _MARKUP.search(record.text) or _MARKUP.search(record.title or "")
                )
                counts["mojibake in text"] += bool(_MOJIBAKE.search(record.text))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args()
    files = sorted(
        f for p in args.paths for f in ([p] if p.is_file() else p.rglob("*.xml")) if f.is_file()
    )
    for key, value in sorted(measure(files).items()):
        print(f"{key:40} {value}")


if __name__ == "__main__":
    main()
