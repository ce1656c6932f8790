"""Source parsers: one module per input format, each `(source, bytes) -> Articles | errors`."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.common import SourceError, error_from
from newsbeam.transforms.sources.feed_file import parse_feed
from newsbeam.transforms.sources.html_file import parse_html_file
from newsbeam.transforms.sources.jsonl_file import parse_jsonl_file
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


def expand_sources(args: Iterable[str]) -> list[str]:
    """Files, folders (searched recursively for known formats) and globs -> file paths.

    A named path that matches nothing is kept, so that reading it gives an error row.
    """
    found: list[str] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found.extend(
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in PARSERS and not _hidden(p, path)
            )
        elif glob.has_magic(arg):
            found.extend(p for p in sorted(glob.glob(arg, recursive=True)) if os.path.isfile(p))
        else:
            found.append(arg)
    return list(dict.fromkeys(os.path.abspath(p) for p in found))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def read_source(path: str) -> Iterator[Article | ErrorRecord]:
    """Read one file and parse it; every failure becomes an error row, never an exception."""
    parser = PARSERS.get(Path(path).suffix.lower())
    if parser is None:
        known = ", ".join(sorted(PARSERS))
        yield ErrorRecord(
            path, "read", "unsupported_format", f"unknown file type; use one of {known}"
        )
        return
    try:
        size = os.path.getsize(path)
        if size > MAX_INPUT_BYTES:
            yield ErrorRecord(
                path, "read", "too_large", f"{size} bytes is over the {MAX_INPUT_BYTES}-byte limit"
            )
            return
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        yield ErrorRecord(path, "read", "unreadable", f"cannot read the file: {exc.strerror}")
        return
    try:
        yield from parser(path, data)
    except SourceError as exc:
        yield error_from(path, exc, "parse", data)
    except Exception as exc:  # a parser bug must not fail the run: record it and go on
        yield ErrorRecord(
            path, "parse", "parser_crash", f"{type(exc).__name__}: {exc}"[:500], input_excerpt=""
        )
