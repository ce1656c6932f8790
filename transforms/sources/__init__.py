"""Source parsers: one module per input format, each `(source, bytes) -> Articles | errors`."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources import paths
from newsbeam.transforms.sources.common import SourceError, error_from
from newsbeam.transforms.sources.feed_file import parse_feed
from newsbeam.transforms.sources.html_file import parse_html_file
from newsbeam.transforms.sources.jsonl_file import parse_jsonl_file
from newsbeam.transforms.sources.paths import Expanded
from newsbeam.transforms.sources.text_file import parse_text_file

Parser = Callable[[str, bytes], Iterable[Article | ErrorRecord]]

PARSERS: dict[str, Parser] = {
    ".txt": parse_text_file,
    ".text": parse_text_file,
    ".jsonl": parse_jsonl_file,
    ".ndjson": parse_jsonl_file,
    ".html": parse_html_file,
    ".htm": parse_html_file,
    ".xml": parse_feed,
    ".rss": parse_feed,
    ".atom": parse_feed,
}

# One input file larger than this is refused whole: the NLP could not use it
# anyway, and reading it would cost a worker its memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def expand_sources(args: Iterable[str]) -> Expanded:
    """Files, folders (searched recursively for known formats) and globs -> input paths."""
    return paths.expand_sources(args, PARSERS)


def read_source(path: str) -> Iterator[Article | ErrorRecord]:
    """Read one file and parse it; every failure becomes an error row, never an exception."""
    try:
        info = os.stat(path)  # follows links: a loop or a broken link fails here
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            link = " (a link to a path that does not exist)" if os.path.islink(path) else ""
            yield ErrorRecord(path, "read", "not_found", f"no such file or folder: {path}{link}")
        else:
            yield ErrorRecord(path, "read", "unreadable", f"cannot read {path}: {exc.strerror}")
        return
    if not stat.S_ISREG(info.st_mode):
        # A FIFO would block the read, /dev/zero would never end: regular files only.
        yield ErrorRecord(
            path, "read", "not_a_file", f"{path} is not a regular file ({_file_type(info)})"
        )
        return
    parser = PARSERS.get(Path(path).suffix.lower())
    if parser is None:
        known = ", ".join(sorted(PARSERS))
        yield ErrorRecord(
            path, "read", "unsupported_format", f"unknown file type; use one of {known}"
        )
        return
    if info.st_size > MAX_INPUT_BYTES:
        yield ErrorRecord(
            path,
            "read",
            "too_large",
            f"{info.st_size} bytes is over the {MAX_INPUT_BYTES}-byte limit",
        )
        return
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        yield ErrorRecord(path, "read", "unreadable", f"cannot read the file: {exc.strerror}")
        return
    if len(data) > MAX_INPUT_BYTES:  # it grew since the stat
        yield ErrorRecord(path, "read", "too_large", f"over the {MAX_INPUT_BYTES}-byte limit")
        return
    try:
        yield from parser(path, data)
    except SourceError as exc:
        yield error_from(path, exc, "parse", data)
    except Exception as exc:  # a parser bug must not fail the run: record it and go on
        yield ErrorRecord(
            path, "parse", "parser_crash", f"{type(exc).__name__}: {exc}"[:500], input_excerpt=""
        )


def _file_type(info: os.stat_result) -> str:
    mode = info.st_mode
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"
