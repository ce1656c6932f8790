"""Derived data kept between processes in the user's cache folder
(`$XDG_CACHE_HOME/newsbeam`, else `~/.cache/newsbeam`), written atomically."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "newsbeam"


def pickled(filename: str, build: Callable[[], T]) -> T:
    """The object pickled under `filename`, built (and stored) when there is none.

    The file name must change whenever the inputs do (put their versions or a
    hash of them in it). A read-only home only means building again next time.
    """
    path = cache_dir() / filename
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        with partial.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)  # atomic: a reader never sees half a file
    except OSError:
        pass
    return value
