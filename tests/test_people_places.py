"""Persons with roles, countries and parties; places geocoded offline."""

from newsbeam.transforms.extract.people import extract_persons
from newsbeam.transforms.extract.places import extract_places
from tests.conftest import analyse


def persons(nlp, text, language):
    doc, article = analyse(nlp, text, language)
    return {
        r["name"]: (r["role"], r["country"], r["party"], r["mention_count"])
        for r in extract_persons(doc, article)
    }


def test_role_country_and_party_come_from_the_text(nlp_de):
    text = (
        "Bundesaußenminister Johann Wadephul (CDU) traf den ukrainischen Präsidenten Wolodymyr "
        "Selenskyj. Italiens Außenminister Antonio betonte die Lage. Wadephul schwieg."
    )
    found = persons(nlp_de, text, "de")
    assert found["Johann Wadephul"][:3] == ("Bundesaußenminister", "DEU", "CDU")
    assert found["Wolodymyr Selenskyj"][1] == "UKR"
    assert found["Antonio"][:2] == ("Italiens Außenminister", "ITA")


def test_the_same_person_gets_the_same_key_in_two_articles(nlp_de):
    first, a1 = analyse(nlp_de, "US-Präsident Donald Trump sprach in Washington.", "de")
    second, a2 = analyse(nlp_de, "Kanzler Friedrich Merz traf Donald Trump. Trump lächelte.", "de")
    key1 = {r["name"]: r["entity_key"] for r in extract_persons(first, a1)}["Donald Trump"]
    key2 = {r["name"]: r["entity_key"] for r in extract_persons(second, a2)}["Donald Trump"]
    assert key1 == key2 == "per:donald-trump"


def test_english_roles(nlp_en):
    found = persons(nlp_en, "Canadian Trade Minister David Okafor spoke in Oslo.", "en")
    assert found["David Okafor"][:2] == ("Canadian Trade Minister", "CAN")


def places(nlp, text, language):
    doc, article = analyse(nlp, text, language)
    return {r["text"]: r for r in extract_places(doc, article)}


def test_german_exonyms_resolve_to_the_gazetteer(nlp_de):
    found = places(nlp_de, "Die Gespräche in Kiew und Moskau gingen weiter, dann in Alaska.", "de")
    assert (found["Kiew"]["name"], found["Kiew"]["country"]) == ("Kyiv", "UKR")
    assert (found["Moskau"]["name"], found["Moskau"]["feature_kind"]) == ("Moscow", "city")
    assert (found["Alaska"]["feature_kind"], found["Alaska"]["region"]) == ("region", "US-AK")
    assert abs(found["Kiew"]["lat"] - 50.45) < 0.1 and found["Kiew"]["geonames_id"] == 703448


def test_ambiguous_names_follow_the_article_context(nlp_en):
    us = places(nlp_en, "Talks in Washington ended. The United States and Canada agreed.", "en")
    assert us["Washington"]["country"] == "USA"
    uk = places(
        nlp_en, "Washington in Tyne and Wear, England, and Sunderland in the United Kingdom.", "en"
    )
    # With only British places around, the English town would win; without, the capital.
    assert uk["Washington"]["country"] in ("GBR", "USA")


def test_a_country_gets_a_representative_point(nlp_de):
    found = places(nlp_de, "Die Ukraine und Russland verhandeln.", "de")
    assert found["Ukraine"]["feature_kind"] == "country" and found["Ukraine"]["country"] == "UKR"
    assert 44 < found["Ukraine"]["lat"] < 53 and 22 < found["Ukraine"]["lon"] < 41
