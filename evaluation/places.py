"""`newsbeam evaluate places CORPUS...`: the places table against toponym gold.

Runs the spaCy pipeline and the extractor the pipeline runs
(`transforms.extract.places.extract_places`) over each document of a GeoVirus
or TR-News file (toponyms.py) and prints:

- recognition: place rows against gold toponyms, one-to-one by overlap
  (spans.align), precision, recall and F1; strict (same offsets) beside it;
- resolution, over the recognised toponyms that have gold coordinates:
  accuracy@161 km (the row's point within 161 km, 100 miles, of the gold
  point; a row without a point is wrong), the mean and median error in km of
  the rows with a point, and how many rows had no point;
- end to end: the gold toponyms both found and placed within 161 km.

Rows of form `demonym` ("Russian" -> Russia) are scored only against a file
whose gold marks adjectives as toponyms (TR-News does, GeoVirus does not: a
file marks them when one of its gold toponyms is a country adjective of the
lexicon); otherwise they are counted apart, neither right nor wrong.

`--errors` lists missed toponyms, spurious rows and the rows placed too far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median

from newsbeam.evaluation.report import parsed, task_main
from newsbeam.evaluation.spans import Counts, align, strict
from newsbeam.evaluation.toponyms import Toponym, ToponymDoc, read_toponym_corpus

RADIUS_KM = 161.0
EARTH_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Row:
    start: int
    end: int
    row: dict


@dataclass
class Scores:
    found: Counts = field(default_factory=Counts)
    exact: int = 0
    placeable: int = 0  # recognised toponyms with gold coordinates
    within: int = 0
    no_point: int = 0
    errors_km: list[float] = field(default_factory=list)
    gold_placeable: int = 0  # all gold toponyms with coordinates
    demonyms_left_out: int = 0
    docs: int = 0

    def add(self, other: Scores) -> None:
        self.found.add(other.found)
        self.exact += other.exact
        self.placeable += other.placeable
        self.within += other.within
        self.no_point += other.no_point
        self.errors_km += other.errors_km
        self.gold_placeable += other.gold_placeable
        self.demonyms_left_out += other.demonyms_left_out
        self.docs += other.docs


@dataclass
class DocResult:
    doc: ToponymDoc
    scores: Scores
    missed: list[Toponym]
    spurious: list[dict]
    too_far: list[tuple[dict, Toponym, float | None]]


def marks_demonyms(docs: list[ToponymDoc]) -> bool:
    from newsbeam.transforms.extract.places import demonyms

    adjectives = demonyms(docs[0].language) if docs else {}
    return any(t.text.lower() in adjectives for doc in docs for t in doc.toponyms)


def score_doc(doc: ToponymDoc, rows: list[dict], with_demonyms: bool = True) -> DocResult:
    left_out = [r for r in rows if r.get("form") == "demonym" and not with_demonyms]
    rows = [r for r in rows if r not in left_out]
    system = [Row(r["start_char"], r["end_char"], r) for r in rows]
    alignment = align(system, doc.toponyms)
    s = Scores(docs=1, demonyms_left_out=len(left_out))
    s.found = Counts(
        matched_system=len(alignment.pairs),
        matched_gold=len(alignment.pairs),
        system=len(system),
        gold=len(doc.toponyms),
    )
    s.exact = sum(strict(r, g) for r, g in alignment.pairs)
    s.gold_placeable = sum(g.lat is not None and g.lon is not None for g in doc.toponyms)
    too_far: list[tuple[dict, Toponym, float | None]] = []
    for r, g in alignment.pairs:
        if g.lat is None or g.lon is None:
            continue
        s.placeable += 1
        if r.row.get("lat") is None or r.row.get("lon") is None:
            s.no_point += 1
            too_far.append((r.row, g, None))
            continue
        km = distance_km(r.row["lat"], r.row["lon"], g.lat, g.lon)
        s.errors_km.append(km)
        if km <= RADIUS_KM:
            s.within += 1
        else:
            too_far.append((r.row, g, km))
    return DocResult(doc, s, alignment.missed, [r.row for r in alignment.spurious], too_far)


def extract(docs: list[ToponymDoc], models: dict[str, str] | None = None) -> list[list[dict]]:
    """The places table's rows for each document, from the pipeline of its language."""
    from newsbeam.transforms.extract.places import extract_places

    return [extract_places(doc, article) for doc, article in parsed(docs, models)]


def evaluate(docs: list[ToponymDoc], models: dict[str, str] | None = None) -> list[DocResult]:
    by_source: dict[str, list[ToponymDoc]] = {}
    for doc in docs:
        by_source.setdefault(doc.source, []).append(doc)
    marks = {source: marks_demonyms(group) for source, group in by_source.items()}
    return [
        score_doc(doc, rows, marks[doc.source])
        for doc, rows in zip(docs, extract(docs, models), strict=True)
    ]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def render(results: list[DocResult], command: str = "") -> str:
    by_source: dict[str, Scores] = {}
    for result in results:
        by_source.setdefault(result.doc.source, Scores()).add(result.scores)
    lines = [f"$ {command}"] if command else []
    for source, s in by_source.items():
        km = s.errors_km
        mean = f"{sum(km) / len(km):7.0f}" if km else "      -"
        med = f"{median(km):7.0f}" if km else "      -"
        found = s.found
        lines += [
            f"\n{source}: {s.docs} documents, {found.gold} gold toponyms, {found.system} rows"
            + (
                f" (and {s.demonyms_left_out} demonym rows not scored: "
                "its gold marks no adjectives)"
                if s.demonyms_left_out
                else ""
            ),
            f"  recognition (overlap)  {found.row()}   same offsets {_pct(s.exact, found.gold)}",
            f"  accuracy@161 km        {_pct(s.within, s.placeable)} of {s.placeable} recognised "
            f"toponyms with gold coordinates ({s.no_point} rows without a point)",
            f"  error km               mean {mean}   median {med}",
            f"  end to end             {_pct(s.within, s.gold_placeable)} of {s.gold_placeable} "
            "gold toponyms found and placed within 161 km",
        ]
    return "\n".join(lines)


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    left = " ".join(text[max(0, start - width) : start].split())
    right = " ".join(text[end : end + width].split())
    return f"{left} [{text[start:end]}] {right}"


def render_errors(results: list[DocResult]) -> str:
    lines = []
    for result in results:
        doc = result.doc
        for g in result.missed:
            lines.append(f"{doc.doc_id}\tmissed\t{_excerpt(doc.text, g.start, g.end)}")
        for row in result.spurious:
            lines.append(
                f"{doc.doc_id}\tspurious\t{row.get('name')}\t"
                f"{_excerpt(doc.text, row['start_char'], row['end_char'])}"
            )
        for row, g, km in result.too_far:
            where = "no point" if km is None else f"{km:.0f} km"
            lines.append(
                f"{doc.doc_id}\t{where}\t{row.get('name')} ({row.get('feature_kind')}, "
                f"{row.get('country')}) gold {g.lat},{g.lon}\t{_excerpt(doc.text, g.start, g.end)}"
            )
    return "\n".join(lines)


main = task_main(
    read=read_toponym_corpus,
    what="GeoVirus or TR-News documents",
    score=evaluate,
    render=render,
    render_errors=render_errors,
)
