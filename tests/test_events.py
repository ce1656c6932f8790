"""Events: trigger lexicon, actor/target from the parse, date, place, negation, claims."""

import pytest

from newsbeam.transforms.extract.events import extract_events, verb_lemma
from tests.conftest import analyse


def events(nlp, text, language="de", published="2025-08-26"):
    doc, article = analyse(nlp, text, language, published)
    return extract_events(doc, article)


def summary(rows):
    return [(r["type"], r["mode"], r["actor"], r["target"]) for r in rows]


def test_phone_call_with_a_target_after_mit(nlp_de):
    rows = events(nlp_de, "Am Montag telefonierte Außenminister Marco Rubio mit Kaja Kallas.")
    assert summary(rows) == [("CONSULT", "phone", "Marco Rubio", "Kaja Kallas")]
    assert (rows[0]["event_date"], rows[0]["date_source"]) == ("2025-08-25", "timex")


def test_summit_as_an_event_noun_with_a_light_verb_and_a_place(nlp_de):
    rows = events(
        nlp_de,
        "Donald Trump hatte Mitte August in Alaska ein Gipfeltreffen mit Wladimir Putin abgehalten.",
    )
    (row,) = [r for r in rows if r["trigger"] == "Gipfeltreffen"]
    assert (row["type"], row["mode"], row["actor"], row["target"]) == (
        "CONSULT",
        "summit",
        "Donald Trump",
        "Wladimir Putin",
    )
    assert (row["place"], row["event_date"], row["date_modifier"]) == ("Alaska", "2025-08", "MID")


def test_rejection_by_a_place_acting_as_a_state(nlp_de):
    rows = events(nlp_de, "Russland hat die meisten dieser Vorschläge kategorisch abgelehnt.")
    (row,) = rows
    assert (row["type"], row["actor"], row["actor_key"]) == ("REJECT", "Russland", "loc:russland")
    assert row["date_source"] == "published" and row["event_date"] == "2025-08-26"


def test_agreement_claimed_in_reported_speech(nlp_de):
    rows = events(
        nlp_de,
        "Donald Trump erklärte, Wladimir Putin habe einem Treffen mit Wolodymyr Selenskyj zugestimmt.",
    )
    (row,) = [r for r in rows if r["type"] == "AGREE"]
    assert (row["actor"], row["target"]) == ("Wladimir Putin", "Wolodymyr Selenskyj")
    assert row["reported"] and row["claimed_by"] == "Donald Trump"
    assert row["confidence"] < 0.9


def test_negation_is_flagged(nlp_de):
    (row,) = events(nlp_de, "Olaf Scholz hat den Plan nicht unterstützt.")
    assert (row["type"], row["negated"]) == ("SUPPORT", True)


def test_a_question_is_not_an_event(nlp_de):
    rows = events(
        nlp_de, "Auf die Frage, weshalb Putin zögere, sich mit Selenskyj zu treffen, schwieg er."
    )
    assert [r for r in rows if r["trigger"] == "treffen"] == []


def test_separable_verb_lemma():
    class Tok:
        def __init__(self, text, lemma, dep, children=()):
            self.text, self.lemma_, self.dep_, self.children = text, lemma, dep, list(children)

    verb = Tok("stimmte", "stimmen", "ROOT", [Tok("zu", "zu", "compound:prt")])
    assert verb_lemma(verb) == "zustimmen"


def test_english_events(nlp_en):
    rows = events(
        nlp_en,
        "Last week, Okafor spoke with Ingrid Halvorsen by phone. Sweden rejected the invitation.",
        "en",
        "2025-09-03",
    )
    assert ("CONSULT", "phone", "Okafor", "Ingrid Halvorsen") in summary(rows) or (
        "CONSULT",
        "phone",
        "David Okafor",
        "Ingrid Halvorsen",
    ) in summary(rows)
    assert ("REJECT", None, "Sweden", "invitation") in summary(rows)


def types(nlp, text, language="en"):
    return [(r["type"], r["mode"], r["actor"], r["target"]) for r in events(nlp, text, language)]


def test_english_triggers_cover_every_plover_type(nlp_en):
    cases = {
        "Insurgents exploded a series of bombs in Baghdad.": ("ASSAULT", "explosives"),
        "Rebels blew up power lines near the border.": ("ASSAULT", "explosives"),
        "Police confiscated weapons in the raid.": ("COERCE", "seize"),
        "Ecuador expelled two Colombian diplomats.": ("SANCTION", "expel"),
        "Thousands demonstrated in Paris against the reform.": ("PROTEST", "demo"),
        "Workers at the car plant went on strike over pay.": ("PROTEST", "strike"),
        "The Pakistani army remained on alert along the border.": ("MOBILIZE", "troops"),
        "Israel released 30 Palestinian prisoners.": ("RETREAT", "release"),
        "Venezuela recalled its ambassador from Colombia.": ("SANCTION", "withdraw"),
        "The court convicted the former minister.": ("SANCTION", "convict"),
    }
    for text, expected in cases.items():
        assert expected in [(t, m) for t, m, _, _ in types(nlp_en, text)], text


def test_senses_follow_the_object_and_the_complement(nlp_en):
    # "called for sanctions" is a request, not a phone call
    assert types(nlp_en, "Russia called for sanctions against Iran.")[0][:3] == (
        "REQUEST", "change", "Russia",
    )  # fmt: skip
    # a protest "to demand reforms" is a protest
    assert [
        t for t, *_ in types(nlp_en, "Protesters staged rallies in Caracas to demand reforms.")
    ] == ["PROTEST"]
    # "sent personnel to investigate" is no aid; "an explosion sent debris" no event
    assert "AID" not in [
        t for t, *_ in types(nlp_en, "The agency sent 21 personnel to investigate.")
    ]
    assert types(nlp_en, "An explosion sent debris across the square.") == []
    # PLOVER codes signing as SUPPORT and an agreement to withdraw as CONCEDE
    assert types(nlp_en, "Japan and South Korea signed a fisheries treaty.")[0][0] == "SUPPORT"
    assert types(nlp_en, "Kenya agreed to withdraw its troops from Somalia.")[0][:3] == (
        "CONCEDE", "withdraw", "Kenya",
    )  # fmt: skip
    # a future cooperative act is AGREE
    assert types(nlp_en, "The United Nations will provide food aid to Chad.")[0][0] == "AGREE"


def test_demands_are_aimed_at_the_one_asked(nlp_en):
    assert types(nlp_en, "China demanded that the United States cancel the arms sale.") == [
        ("REQUEST", "yield", "China", "the United States")
    ]
    (row,) = types(
        nlp_en, "Opposition groups in Zimbabwe are demanding that President Mugabe step down."
    )
    assert row[2].startswith("Opposition groups") and row[3] == "Mugabe"


def test_title_case_headlines_are_read_by_their_word_forms(nlp_en):
    assert types(nlp_en, "France Leader Criticizes Japan's Response to Crisis")[0][:2] == (
        "ACCUSE", "disapprove",
    )  # fmt: skip
    assert types(nlp_en, "Mexico Agrees to Withdraw from Seized Territory")[0][0] == "CONCEDE"
    assert types(nlp_en, "Egypt Makes Concessions to Kenya on Immigration")[0][:3] == (
        "CONCEDE", None, "Egypt",
    )  # fmt: skip
    # an event noun that happens needs no actor
    assert types(nlp_en, "Massive Protests Erupt in Nairobi")[0][:3] == ("PROTEST", "demo", None)


def test_contexts_are_coded_from_the_sentence(nlp_en):
    rows = events(nlp_en, "Troops attacked the trade office.", "en")
    assert rows[0]["context"] == "military,economic"


def test_german_triggers_cover_the_same_types(nlp_de):
    assert types(nlp_de, "Die Polizei nahm drei Verdächtige fest.", "de")[0][:3] == (
        "COERCE", "arrest", "Polizei",
    )  # fmt: skip
    assert types(nlp_de, "Frankreich wies zwei russische Diplomaten aus.", "de")[0][:2] == (
        "SANCTION", "expel",
    )  # fmt: skip
    assert (
        types(nlp_de, "Die Gewerkschaft kündigte an, den Streik zu beenden.", "de")[0][0]
        == "CONCEDE"
    )
    assert types(nlp_de, "China forderte die Freilassung der Journalisten.", "de")[0][:2] == (
        "REQUEST", "yield",
    )  # fmt: skip


def test_both_lexicons_cover_every_plover_type():
    from newsbeam.transforms.extract.event_triggers import lexicon

    plover = {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
        "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
    }  # fmt: skip
    for language in ("en", "de"):
        lex = lexicon(language)
        assert {v["type"] for v in lex["verbs"].values()} == plover, language
        assert {v["type"] for v in lex["nouns"].values()} >= plover - {"AGREE"}, language


# Headlines, separable verbs, numbers and punctuation: the tokens the per-token
# test looks at, and the array prefilter must not lose one.
PREFILTER_TEXTS = {
    "de": (
        "Gewerkschaft kündigt Streik an. Die Regierung stimmte dem Abkommen am Montag zu, "
        "3.000 Beschäftigte protestierten; Polizei nahm 12 Demonstranten fest. "
        "Der Minister lehnte Gespräche ab und drohte mit Sanktionen."
    ),
    "en": (
        "Union Calls For Strike As Talks Collapse. The government agreed to the deal on "
        "Monday; 3,000 workers protested and police arrested 12 people. The minister "
        "rejected talks, threatened sanctions and called off the summit."
    ),
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_trigger_prefilter_keeps_every_token_that_may_trigger(nlp_de, nlp_en, language):
    from newsbeam.transforms.extract.event_triggers import (
        lexicon,
        may_trigger,
        trigger_candidates,
    )

    nlp = {"de": nlp_de, "en": nlp_en}[language]
    doc = nlp(PREFILTER_TEXTS[language])
    lex = lexicon(language)
    candidates = trigger_candidates(doc, lex)
    expected = [t.i for t in doc if may_trigger(t, lex)]
    assert set(expected) <= set(candidates)
    assert candidates == sorted(candidates)
    assert len(expected) >= 5
    assert len(candidates) < len(doc) // 2  # it does filter
    assert trigger_candidates(nlp(""), lex) == []
