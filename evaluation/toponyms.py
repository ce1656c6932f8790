"""Toponym corpora: GeoVirus (`<location>`) and TR-News (`<toponym>` with a `<gaztag>`).

Both are XML files of `<article>`s whose `<text>` the gold offsets refer to.
GeoVirus gives `name`, `start`, `end`, `lat`, `lon` per location; TR-News
gives `phrase`, `start`, `end` and the GeoNames entry (`gaztag`) with `lat`
and `lon`, which some toponyms lack (they count for recognition only). A
toponym whose offsets miss its phrase by a few characters (GeoVirus counts
from one) is moved to the nearest occurrence; one not found near them is
listed under "not scored".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from newsbeam.evaluation.documents import existing_paths

SHIFT = 40  # characters the gold offsets may be off by


@dataclass(frozen=True)
class Toponym:
    start: int
    end: int
    text: str
    lat: float | None
    lon: float | None


@dataclass
class ToponymDoc:
    doc_id: str
    text: str
    language: str
    source: str
    toponyms: list[Toponym] = field(default_factory=list)


def _float(node: ET.Element | None, tag: str) -> float | None:
    found = node.find(tag) if node is not None else None
    try:
        return float(found.text) if found is not None and found.text else None
    except ValueError:
        return None


def _text(node: ET.Element, tag: str) -> str:
    found = node.find(tag)
    return found.text or "" if found is not None else ""


def _toponym(node: ET.Element, text: str, where: str, skipped: list[str]) -> Toponym | None:
    phrase = _text(node, "name") or _text(node, "phrase")
    try:
        start, end = int(_text(node, "start")), int(_text(node, "end"))
    except ValueError:
        skipped.append(f"{where}: toponym {phrase!r} without numeric offsets")
        return None
    if text[start:end] != phrase:
        # The corpora's offsets drift by a few characters in places (GeoVirus by
        # one throughout): take the occurrence of the phrase nearest to them.
        near = [
            m.start()
            for m in re.finditer(re.escape(phrase), text[max(0, start - SHIFT) : end + SHIFT])
        ]
        if not near:
            skipped.append(f"{where}: {phrase!r} not within {SHIFT} characters of {start}")
            return None
        start = max(0, start - SHIFT) + min(
            near, key=lambda i: abs(max(0, start - SHIFT) + i - start)
        )
        end = start + len(phrase)
    coords = node.find("gaztag") if node.tag == "toponym" else node
    return Toponym(start, end, phrase, _float(coords, "lat"), _float(coords, "lon"))


def read_file(path: Path, skipped: list[str]) -> list[ToponymDoc]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        skipped.append(f"{path}: not XML ({exc})")
        return []
    docs = []
    for n, article in enumerate(root.iter("article")):
        text = _text(article, "text")
        doc_id = article.get("docid") or f"{path.stem}-{n}"
        where = f"{path}:{doc_id}"
        holder = article.find("locations")
        if holder is None:
            holder = article.find("toponyms")
        if not text or holder is None:
            skipped.append(f"{where}: article without <text> or toponyms")
            continue
        toponyms = [_toponym(node, text, where, skipped) for node in holder]
        docs.append(
            ToponymDoc(
                doc_id=doc_id,
                text=text,
                language="en",
                source=str(path),
                toponyms=[t for t in toponyms if t is not None],
            )
        )
    return docs


def read_toponym_corpus(names: list[str]) -> tuple[list[ToponymDoc], list[str]]:
    """Every GeoVirus/TR-News XML file named or under a named folder."""
    skipped: list[str] = []
    docs: list[ToponymDoc] = []
    for path in existing_paths(names, skipped):
        files = sorted(path.rglob("*.xml")) if path.is_dir() else [path]
        for file in files:
            docs += read_file(file, skipped)
    return docs, skipped
