"""The geocoder (transforms/geo) and the place mentions it is given (extract/places.py)."""

from __future__ import annotations

import pytest
from spacy.tokens import Span

from newsbeam.evaluation.places import distance_km
from newsbeam.transforms.extract.places import extract_places, place_mentions
from newsbeam.transforms.geo.gazetteer import candidates, gazetteer, name_forms
from newsbeam.transforms.geo.resolve import resolve
from newsbeam.transforms.records import Article
from tests.conftest import analyse


def near(place, lat, lon, km=161):
    return distance_km(place.lat, place.lon, lat, lon) <= km


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_continent_country_and_region_has_a_point(language):
    kinds = {"continent", "country", "region", "area"}
    places = [p for ps in gazetteer(language).values() for p in ps if p.kind in kinds]
    assert {p.kind for p in places} == kinds
    assert [p.name for p in places if p.lat is None or p.lon is None] == []


def test_a_country_is_placed_at_its_own_point_not_its_cities_centre():
    us = resolve(["the United States"], "en")["the United States"].place
    assert us.kind == "country" and near(us, 39.8, -98.6)  # Kansas, not Ohio
    canada = candidates("Canada", "en")[0]
    assert canada.kind == "country" and canada.lat > 55  # north of the cities


def test_continents_win_over_cities_with_their_old_names():
    africa = resolve(["Africa"], "en")["Africa"].place
    assert (africa.kind, africa.name) == ("continent", "Africa")
    assert resolve(["Europa"], "de")["Europa"].place.kind == "continent"


def test_name_forms_strip_articles_possessives_and_capitals():
    assert "United States" in name_forms("the United States", "en")
    assert "Russia" in name_forms("Russia’s", "en")
    assert "Washington" in name_forms("WASHINGTON", "en")
    assert "Schweiz" in name_forms("der Schweiz", "de")


def test_abbreviations_and_parts_of_names():
    (wv,) = candidates("W.Va.", "en")
    assert (wv.kind, wv.region) == ("region", "US-WV")
    queensland = candidates("Far North Queensland", "en", partial=True)[0]
    assert queensland.name == "Queensland" and queensland.country == "AUS"
    assert candidates("Scott County", "en", partial=True) == ()  # not the town of Scott


def test_the_article_context_decides_between_a_country_and_a_state():
    us = resolve(["Georgia", "Atlanta", "Texas", "Alabama"], "en")
    assert us["Georgia"].place.region == "US-GA" and us["Georgia"].how == "context"
    caucasus = resolve(["Georgia", "Tbilisi", "Russia"], "en")
    assert caucasus["Georgia"].place.country == "GEO"


def test_a_region_outranks_a_town_of_its_name():
    assert resolve(["Ontario"], "en")["Ontario"].place.kind == "region"
    assert resolve(["Washington"], "en")["Washington"].place.kind == "city"  # the capital


def test_unknown_names_resolve_to_nothing():
    assert resolve(["Qwxzv"], "en")["Qwxzv"].place is None


def mentions_of(nlp, text, ents):
    """Place mentions of a Doc whose entities are set by hand: (text, label)."""
    doc = nlp(text)
    spans, after = [], 0
    for words, label in ents:  # in the order they occur
        start = text.index(words, after)
        after = start + len(words)
        spans.append(doc.char_span(start, start + len(words), label=label))
    doc.ents = [s for s in spans if isinstance(s, Span)]
    return {(m.text, m.form) for m in place_mentions(doc, "en")}


def test_places_the_ner_mislabelled_are_still_places(nlp_en):
    found = mentions_of(
        nlp_en,
        "Police in Edmonton said the Russian envoy met Muhammadu Buhari. Buhari left.",
        [("Edmonton", "ORG"), ("Russian", "NORP"), ("Muhammadu Buhari", "PERSON"),
         ("Buhari", "GPE")],
    )  # fmt: skip
    assert ("Edmonton", "name") in found
    assert ("Russia", "demonym") in found  # the country the adjective names
    assert not any(text == "Buhari" for text, _ in found)  # a person, not a place


def test_diseases_and_organisations_are_not_places(nlp_en):
    found = mentions_of(
        nlp_en,
        "West Nile virus spread. Bank of America and Apple reported.",
        [("West Nile", "LOC"), ("Bank of America", "ORG"), ("Apple", "ORG")],
    )
    assert found == set()


def test_datelines_and_state_abbreviations(nlp_en):
    text = "INNISFAIL, Alta. — Crews worked near Gainesville, Fla. on Monday."
    doc, article = analyse(nlp_en, text, "en")
    rows = {r["text"]: r for r in extract_places(doc, article)}
    assert rows["INNISFAIL"]["country"] == "CAN"
    assert rows["Fla."]["region"] == "US-FL"
    assert rows["Gainesville"]["region"] == "US-FL"  # the Florida town, by context


def test_rows_say_how_each_place_was_chosen(nlp_en):
    doc, article = analyse(nlp_en, "Flooding hit Paris and Lyon in France.", "en")
    rows = {r["text"]: r for r in extract_places(doc, article)}
    assert rows["Paris"]["country"] == "FRA" and rows["France"]["feature_kind"] == "country"
    assert {r["resolution"] for r in rows.values()} <= {"unique", "prior", "context"}
    assert all(r["form"] == "name" for r in rows.values())


def test_a_german_article(nlp_de):
    text = "In Bayern und in der Schweiz regnete es, Kiew meldete Schnee."
    doc, article = analyse(nlp_de, text, "de")
    rows = {r["text"]: r for r in extract_places(doc, article)}
    assert rows["Bayern"]["region"] == "DE-BY"
    assert rows["Kiew"]["country"] == "UKR"
    assert Article  # the rows are what the pipeline writes for an Article
