"""Events: trigger lexicon, actor/target from the parse, date, place, negation, claims."""

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
