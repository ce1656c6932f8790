"""One place per mention: a prior for each candidate, then the article's context.

The prior ranks by kind and size: a country over a continent over an area over
a region (a state, province, Land) and a city by the log of its population,
so that a city of over 300,000 outranks a region of the same name
("Washington" the capital, not "Ontario" in California) and a country outranks both ("Georgia").

The context moves a candidate up by
- COUNTRY_WEIGHT times the share of the article's other place mentions that
  lie in its country (an article about the United States puts "Georgia" in
  the US state), and
- NEAR_WEIGHT when it lies within NEAR_KM of another mention's place, or in
  the same first-level region ("Athens" near "Atlanta" is in Georgia).
Two rounds: the second sees the choices the first made from context.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from newsbeam.transforms.geo.gazetteer import Place, candidates

PRIOR = {"country": 8.0, "continent": 7.5, "area": 7.0, "region": 5.5}
COUNTRY_WEIGHT = 2.5
NEAR_WEIGHT = 1.5
NEAR_KM = 200.0
CELL_DEGREES = 2.0  # about 220 km of latitude
ROUNDS = 2


@dataclass(frozen=True)
class Resolution:
    place: Place | None
    how: str  # unique | context | prior | unknown


def prior(place: Place) -> float:
    if place.kind == "city":
        return math.log10(max(place.population, 1000))
    return PRIOR.get(place.kind, 4.0)


def distance_km(a: Place, b: Place) -> float:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return math.inf
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _cell(place: Place) -> tuple[int, int]:
    return int((place.lat or 0.0) // CELL_DEGREES), int((place.lon or 0.0) // CELL_DEGREES)


@dataclass
class _Context:
    """What the article's other mentions say: their countries and their places."""

    chosen: dict[str, Place | None]
    counts: Counter[str]

    def __post_init__(self) -> None:
        self.votes: Counter[str] = Counter()
        for name, place in self.chosen.items():
            if place is not None and place.country:
                self.votes[place.country] += self.counts[name]
        self.total = sum(self.votes.values())
        # the other mentions' places by region and by 2-degree cell, so that an
        # article naming thousands of towns is not compared pair by pair
        self.by_region: dict[str, set[str]] = defaultdict(set)
        self.by_cell: dict[tuple[int, int], list[tuple[str, Place]]] = defaultdict(list)
        for name, place in self.chosen.items():
            if place is None or place.kind not in ("city", "region"):
                continue
            if place.region:
                self.by_region[place.region].add(name)
            if place.lat is not None and place.lon is not None:
                self.by_cell[_cell(place)].append((name, place))

    def near(self, place: Place, name: str) -> bool:
        """Another mention's place lies in the same region or within NEAR_KM."""
        if place.region and self.by_region.get(place.region, set()) - {name}:
            return True
        if place.kind not in ("city", "region") or place.lat is None or place.lon is None:
            return False
        row, col = _cell(place)
        for dr in (-1, 0, 1):
            for dc in (-2, -1, 0, 1, 2):
                for other, where in self.by_cell.get((row + dr, col + dc), ()):
                    if other != name and distance_km(place, where) <= NEAR_KM:
                        return True
        return False

    def best(self, options: tuple[Place, ...], name: str) -> Place | None:
        if len(options) < 2:
            return self.chosen[name]
        return max(options, key=lambda place: self.score(place, name))

    def score(self, place: Place, name: str) -> float:
        """The prior plus what the other mentions (not this name's own) add."""
        own = self.chosen[name]
        own_votes = self.counts[name] if own is not None and own.country else 0
        others = self.total - own_votes
        share = self.votes[place.country]
        if own is not None and own.country == place.country:
            share -= own_votes
        value = prior(place) + (COUNTRY_WEIGHT * share / others if others else 0.0)
        if self.near(place, name):
            value += NEAR_WEIGHT
        return value


def resolve(names: list[str], language: str) -> dict[str, Resolution]:
    """The place each distinct name of an article means (names repeat: counted)."""
    counts = Counter(names)
    options = {name: candidates(name, language, partial=True) for name in counts}
    chosen: dict[str, Place | None] = {
        name: max(opts, key=prior) if opts else None for name, opts in options.items()
    }
    for _ in range(ROUNDS):
        context = _Context(chosen, counts)
        chosen = {name: context.best(opts, name) for name, opts in options.items()}
    out: dict[str, Resolution] = {}
    for name, opts in options.items():
        place = chosen[name]
        if place is None:
            out[name] = Resolution(None, "unknown")
        elif len(opts) == 1:
            out[name] = Resolution(place, "unique")
        else:
            out[name] = Resolution(place, "prior" if place == max(opts, key=prior) else "context")
    return out
