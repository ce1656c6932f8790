"""Annotated documents as every evaluation task sees them: text, date, gold spans."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class GoldSpan:
    start: int  # character offsets in GoldDoc.text
    end: int
    type: str  # the annotation's type (TIMEX3 DATE/TIME/DURATION/SET, an NER label, ...)
    value: str | None = None  # a normalised value where the task has one (TIMEX3 value)
    mod: str | None = None

    def overlaps(self, start: int, end: int) -> bool:
        return start < self.end and self.start < end


@dataclass
class GoldDoc:
    doc_id: str
    text: str
    language: str
    dct: date | None  # document creation time: the publication date
    kind: str  # news | narrative (how the corpus describes its documents)
    spans: list[GoldSpan] = field(default_factory=list)
    source: str = ""  # the file it came from
    group: str = ""  # a subset of the corpus (a MEANTIME topic, ...), reported apart


def existing_paths(names: list[str], skipped: list[str]) -> Iterator[Path]:
    """The named files and folders that exist; each missing one goes to `skipped`
    with the reason (a corpus reader lists it under "not scored")."""
    for name in names:
        path = Path(name)
        if not path.exists():
            skipped.append(f"{name}: no such file or folder")
            continue
        yield path
