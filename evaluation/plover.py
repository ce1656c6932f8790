"""PLOVER-coded sentences: each with its event type, and where the corpus has
them its mode, actors and recipients (targets).

Three layouts, told apart by the file:
- PLOVER gold-standard records (`.txt` or `.json`: JSON objects with `text`,
  `event`, `mode`, `source` and `target` lists of `{"actorText": ...}`; the
  openeventdata file is a run of objects with trailing commas, read as such);
- JSON lines (`.jsonl`): `text`, `event`, optional `mode`, `actor` and
  `target` (strings or lists of strings);
- CSV (`.csv`) with `event`, `mode` and `title` or `text` columns. Templates
  with `{country_1}`, `{country_2}`, `{country_3}`, `{city}` placeholders (the
  NGEC headlines) are filled in turn from FILL_COUNTRIES and FILL_CITIES by
  row number, the way their SOURCES.md describes.

Older PLOVER drafts name some types differently: OLD_TYPES maps them (with the
mode the older type stood for).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from newsbeam.evaluation.documents import existing_paths

OLD_TYPES = {
    "DEMAND": ("REQUEST", None),
    "DISAPPROVE": ("ACCUSE", "disapprove"),
    "INVESTIGATE": ("ACCUSE", "investigate"),
    "YIELD": ("CONCEDE", None),
    "FIGHT": ("ASSAULT", None),
}
FILL_COUNTRIES = ["France", "Kenya", "Brazil", "Japan", "Egypt", "Canada", "India", "Mexico"]
FILL_CITIES = ["Nairobi", "Oslo", "Beirut", "Tokyo"]
_PLACEHOLDER = re.compile(r"\{(country_1|country_2|country_3|city)\}")


@dataclass
class CodedSentence:
    doc_id: str
    text: str
    type: str
    mode: str | None
    language: str = "en"
    actors: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    source: str = ""


def normalise_type(event: str, mode: str | None) -> tuple[str, str | None]:
    event = event.strip().upper()
    mode = (mode or "").strip().lower() or None
    if event in OLD_TYPES:
        event, implied = OLD_TYPES[event]
        mode = mode or implied
    return event, mode


def fill(template: str, row: int) -> str:
    """The NGEC placeholders filled for row `row` (0 = the first data row)."""
    values = {
        "country_1": FILL_COUNTRIES[row % 8],
        "country_2": FILL_COUNTRIES[(row + 3) % 8],
        "country_3": FILL_COUNTRIES[(row + 5) % 8],
        "city": FILL_CITIES[row % 4],
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        out = []
        for item in value:
            text = item.get("actorText") if isinstance(item, dict) else item
            if isinstance(text, str) and text.strip():
                out.append(text.strip())
        return out
    return []


def _record(obj: dict, doc_id: str, source: str) -> CodedSentence | None:
    text = str(obj.get("text") or "").strip()
    event = str(obj.get("event") or "")
    if not text or not event:
        return None
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()  # the gold-standard file braces some sentences
    kind, mode = normalise_type(event, obj.get("mode"))
    return CodedSentence(
        doc_id=str(obj.get("id") or doc_id),
        text=text,
        type=kind,
        mode=mode,
        language=str(obj.get("language") or "en"),
        actors=_names(obj.get("source", obj.get("actor"))),
        targets=_names(obj.get("target")),
        source=source,
    )


def _json_objects(text: str) -> list[dict]:
    """A JSON array, or a run of objects (trailing commas allowed)."""
    cleaned = re.sub(r",\s*([}\]])", r"\1", text.strip())
    if not cleaned.startswith("["):
        cleaned = "[" + re.sub(r"}\s*,?\s*{", "},{", cleaned).rstrip(",") + "]"
    data = json.loads(cleaned)
    return [d for d in data if isinstance(d, dict)]


def read_file(path: Path, skipped: list[str]) -> list[CodedSentence]:
    found: list[CodedSentence] = []
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".csv":
        for n, row in enumerate(csv.DictReader(text.splitlines())):
            sentence = fill(row.get("title") or row.get("text") or "", n).strip()
            record = _record(
                {"text": sentence, "event": row.get("event"), "mode": row.get("mode")},
                f"{path.stem}-{n + 1}",
                str(path),
            )
            if record is None:
                skipped.append(f"{path}:{n + 2}: no text or no event")
            else:
                found.append(record)
        return found
    if path.suffix == ".jsonl":
        objects = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                objects.append((n, json.loads(line)))
            except json.JSONDecodeError as exc:
                skipped.append(f"{path}:{n}: not JSON ({exc.msg})")
    else:
        try:
            objects = list(enumerate(_json_objects(text), 1))
        except json.JSONDecodeError as exc:
            skipped.append(f"{path}: not PLOVER JSON records ({exc.msg} at line {exc.lineno})")
            return []
    for n, obj in objects:
        record = _record(obj, f"{path.stem}-{n}", str(path))
        if record is None:
            skipped.append(f"{path}: record {n} has no text or no event")
        else:
            found.append(record)
    return found


def read_plover_corpus(names: list[str]) -> tuple[list[CodedSentence], list[str]]:
    skipped: list[str] = []
    sentences: list[CodedSentence] = []
    for path in existing_paths(names, skipped):
        files = (
            sorted(p for p in path.rglob("*") if p.suffix in (".csv", ".jsonl", ".json", ".txt"))
            if path.is_dir()
            else [path]
        )
        for file in files:
            if file.name.upper().startswith(("SOURCES", "README", "LICENSE")):
                continue
            sentences += read_file(file, skipped)
    return sentences, skipped
