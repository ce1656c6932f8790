"""Every place name in a language -> the places it can mean, each with a point.

Names enter in the language they belong to: a continent's names in this
language (GeoNames marks each alternate name with one), a country's ISO name
translated, its common names from the lexicon and countrystatecity's
translation; a region's name and its native name; a city's own name, and its
alternate names only for cities of sources.BIG_CITY people and only where no country,
continent or region carries the name (so "Africa", an old name of Mahdia,
stays the continent). A mention is looked up as written, then without a
leading article ("the United States"), a trailing possessive, in title case
when it is set in capitals (the dateline "WASHINGTON"), and through the
lexicon's abbreviations ("W.Va.", "B.C.").
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

import pycountry

from newsbeam.models.rules import country_translator
from newsbeam.transforms.geo import sources
from newsbeam.transforms.geonames import alpha3
from newsbeam.transforms.lexicon import load_lexicon

MIN_PART_LENGTH = 4  # a shorter part of a name ("Far North Queensland") is no place
MAX_WORDS = 6
_LATIN_NAME = re.compile(r"^[A-ZÄÖÜ][\w\-'. ]+$")
_CAPITALS = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ\-' ]+$")


class Place(NamedTuple):
    name: str
    kind: str  # continent | area | country | region | city
    country: str  # ISO 3166 alpha-3; "" for continents and areas
    region: str  # ISO 3166-2 code of the first-level region ("US-GA"), "" when unknown
    lat: float | None
    lon: float | None
    geonames_id: int | None
    population: int


def _point(entry: dict) -> tuple[float | None, float | None]:
    try:
        return float(entry["latitude"]), float(entry["longitude"])
    except (KeyError, TypeError, ValueError):
        return None, None


@lru_cache(maxsize=8)
def place_lexicon(language: str) -> dict:
    lex = load_lexicon(language, "places")
    return {
        "articles": {str(a).lower() for a in lex.get("articles", [])},
        "areas": lex.get("areas", {}),
        "abbreviations": lex.get("abbreviations", {}),
        "not_places": set(lex.get("not_places", [])),
        "not_before": {str(w).lower() for w in lex.get("not_before", [])},
        "locatives": {str(w).lower() for w in lex.get("locatives", [])},
        "feature_words": {str(w).lower() for w in lex.get("feature_words", [])},
    }


def _continents(language: str, add) -> None:  # type: ignore[no-untyped-def]
    for c in sources.continents().values():
        place = Place(
            c["name"], "continent", "", "", float(c["lat"]), float(c["lng"]),
            int(c["geonameId"]), int(c.get("population") or 0),
        )  # fmt: skip
        own = {a["name"] for a in c.get("alternateNames", []) if a.get("lang") == language}
        if language == "en":
            own.add(c["name"])
        for name in own:
            add(name, place)


def _countries(language: str, add) -> None:  # type: ignore[no-untyped-def]
    translate = country_translator(language)
    points = sources.country_points()
    by_alpha3: dict[str, Place] = {}
    for code, c in sources.countries().items():
        point = points.get(code, {})
        lat, lon = _point(point)
        if lat is None:
            continue  # a former country (Netherlands Antilles): no point, no entry
        place = Place(
            c["name"], "country", c["iso3"], "", lat, lon, c["geonameid"], c["population"]
        )
        by_alpha3[c["iso3"]] = place
        own = {c["name"]} if language == "en" else set()
        official = pycountry.countries.get(alpha_2=code)
        if official:
            for attr in ("name", "common_name", "official_name"):
                value = getattr(official, attr, None)
                if value:
                    own.add(translate(value) if language != "en" else value)
        own.add(point.get("translations", {}).get(language) or "")
        for name in own - {""}:
            add(name, place)
    for code3, entry in load_lexicon(language, "countries").get("countries", {}).items():
        if code3 in by_alpha3:
            for name in entry.get("names", []):
                add(name, by_alpha3[code3])


def _regions(add) -> None:  # type: ignore[no-untyped-def]
    states = {s["name"]: s["geonameid"] for s in sources.us_states().values()}
    for r in sources.regions():
        lat, lon = _point(r)
        if lat is None:
            continue  # postal codes such as "Armed Forces Europe": no place
        place = Place(
            r["name"], "region", alpha3(r["country_code"]), r.get("iso3166_2") or "",
            lat, lon, states.get(r["name"]) if r["country_code"] == "US" else None, 0,
        )  # fmt: skip
        own = {r["name"]}
        native = r.get("native") or ""
        if native and _LATIN_NAME.match(native):
            own.add(native)
        for name in own:
            add(name, place)


@lru_cache(maxsize=8)
def gazetteer(language: str) -> dict[str, tuple[Place, ...]]:
    """Continents, countries, regions and areas by every name in the language."""
    index: dict[str, list[Place]] = defaultdict(list)

    def add(name: str, place: Place) -> None:
        if place not in index[name]:
            index[name].append(place)

    _continents(language, add)
    _countries(language, add)
    _regions(add)
    for name, spec in place_lexicon(language)["areas"].items():
        lat, lon = spec["point"]
        add(name, Place(spec.get("name", name), "area", "", "", lat, lon, None, 0))
    return {name: tuple(places) for name, places in index.items()}


@lru_cache(maxsize=1)
def city_index() -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """(own names, alternate names) -> rows of sources.city_table(); the same in
    every language. Places are made on lookup: 170,000 at start-up cost a second."""
    own: dict[str, list[int]] = defaultdict(list)
    alternate: dict[str, list[int]] = defaultdict(list)
    for i, (_gid, name, *_rest, alternates) in enumerate(sources.city_table()):
        own[name].append(i)
        for other in alternates:
            if other != name:
                alternate[other].append(i)
    return dict(own), dict(alternate)


def _city(i: int) -> Place:
    gid, name, lat, lon, cc, admin1, population, _ = sources.city_table()[i]
    return Place(name, "city", alpha3(cc), f"{cc}-{admin1}" if cc == "US" else "", lat, lon, gid,
                 population)  # fmt: skip


def lookup(name: str, language: str) -> tuple[Place, ...]:
    """Every place of this name; a city's alternate name only where no larger
    feature has the name ("Africa", an old name of Mahdia, is the continent)."""
    larger = gazetteer(language).get(name, ())
    own, alternate = city_index()
    rows = own.get(name, []) + ([] if larger else alternate.get(name, []))
    return larger + tuple(_city(i) for i in dict.fromkeys(rows))


def name_forms(text: str, language: str) -> list[str]:
    """The forms a mention is looked up in, most literal first."""
    lex = place_lexicon(language)
    text = " ".join(text.split())
    forms = [text]
    words = text.split(" ")
    if len(words) > 1 and words[0].lower() in lex["articles"]:
        forms.append(" ".join(words[1:]))
    for form in list(forms):
        for ending in ("'s", "’s", "'", "’"):
            if form.endswith(ending) and len(form) > len(ending) + 1:
                forms.append(form[: -len(ending)])
    for form in list(forms):
        if _CAPITALS.match(form) and len(form) > 3:
            forms.append(form.title())
    if language == "de":  # genitive: "Russlands", "Kiews"
        forms += [f[:-1] for f in list(forms) if f.endswith("s") and len(f) > 4]
    return forms


@lru_cache(maxsize=8)
def regions_by_code(language: str) -> dict[str, Place]:
    """First-level regions by ISO 3166-2 code ("US-WV"), for the abbreviations."""
    return {
        p.region: p
        for places in gazetteer(language).values()
        for p in places
        if p.kind == "region" and p.region
    }


def candidates(text: str, language: str, partial: bool = False) -> tuple[Place, ...]:
    """The places a name can mean. `partial`: failing the whole name, the longest
    run of its words that is a place ("Far North Queensland", "London City")."""
    abbreviations = place_lexicon(language)["abbreviations"]
    forms = name_forms(text, language)
    for form in forms:
        if form in abbreviations:
            region = regions_by_code(language).get(abbreviations[form])
            return (region,) if region else ()
        found = lookup(form, language)
        if found:
            return found
    words = forms[-1].replace("-", " ").split()
    features = place_lexicon(language)["feature_words"]
    if not partial or not words or words[-1].lower() in features:
        return ()  # "Scott County" is not the town of Scott
    n = len(words)
    # Runs that end the name first, longest first (the head: "Far North
    # Queensland"), then the others ("London City").
    runs = [(n - size, n) for size in range(min(n, MAX_WORDS) - 1, 0, -1)]
    runs += [
        (start, start + size)
        for size in range(min(n, MAX_WORDS) - 1, 0, -1)
        for start in range(n - size - 1, -1, -1)
    ]
    for start, end in runs:
        run = words[start:end]
        if (
            run[0][:1].isupper()
            and len(" ".join(run)) >= MIN_PART_LENGTH
            and not (len(run) == 1 and run[0].lower() in features)
        ):
            found = lookup(" ".join(run), language)
            if found:
                return found
    return ()
