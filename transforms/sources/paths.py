"""The command line's sources -> the input paths of a run, every one accounted for.

Files are taken as named; folders are walked (known formats only; names
starting with `.` or `_` are skipped; links to folders are followed once, so a
link loop ends); globs are expanded. What is found but cannot be an input (a
link loop, a broken link, a FIFO or device with a known suffix) is still listed,
so that reading it gives an error row: nothing found is dropped silently.
What matched nothing at all (an empty folder, a glob with no match) is a note
for the user, since there is no path to give an error row to.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Expanded:
    paths: list[str] = field(default_factory=list)  # absolute, in order, no repeats
    notes: list[str] = field(default_factory=list)  # "ARG: why nothing came of it"


def expand_sources(args: Iterable[str], suffixes: Iterable[str]) -> Expanded:
    known = {s.lower() for s in suffixes}
    result = Expanded()
    for arg in args:
        found = _expand_one(arg, known)
        if not found and os.path.isdir(arg):
            kinds = ", ".join(sorted(known))
            result.notes.append(f"{arg}: no input files in this folder (looked for {kinds})")
        elif not found:
            result.notes.append(f"{arg}: no file matches this pattern")
        result.paths.extend(found)
    result.paths = list(dict.fromkeys(result.paths))
    return result


def _expand_one(arg: str, known: set[str]) -> list[str]:
    if os.path.isdir(arg):
        return sorted(_walk(Path(arg), known))
    if glob.has_magic(arg) and not os.path.lexists(arg):
        matches = sorted(glob.glob(arg, recursive=True))
        return [os.path.abspath(p) for p in matches if not os.path.isdir(p)]
    # A named path is an input whatever it is (missing, a FIFO, a loop): reading
    # it gives the error row that says what is wrong.
    return [os.path.abspath(arg)]


def _walk(root: Path, known: set[str]) -> Iterable[str]:
    seen_dirs: set[str] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen_dirs:
            continue  # a link back into a folder already walked: a loop, cut here
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            yield os.path.abspath(folder)  # reading it gives the error row
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if _is_folder(entry):
                stack.append(Path(entry.path))
            elif Path(entry.name).suffix.lower() in known:
                yield os.path.abspath(entry.path)


def _is_folder(entry: os.DirEntry) -> bool:
    """A folder, or a link that resolves to one (a broken or looping link is not)."""
    try:
        return stat.S_ISDIR(os.stat(entry.path).st_mode)
    except OSError:
        return False
