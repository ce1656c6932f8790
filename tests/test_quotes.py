"""Quotes and speakers: quote marks, cue verbs, pronouns, role nouns, reported speech."""

import pytest

from newsbeam.transforms.extract.quote_marks import quote_spans
from newsbeam.transforms.extract.quotes import extract_quotes
from tests.conftest import analyse


@pytest.mark.parametrize(
    ("text", "language", "quoted"),
    [
        ("Er sagte: „Ja, das habe ich“.", "de", ["Ja, das habe ich"]),
        ("Er sagte: »Nein« und dann «Doch».", "de", ["Nein", "Doch"]),
        ("Sie schrieb: „Das ist ‚gut‘ so“.", "de", ["Das ist ‚gut‘ so"]),
        ('He said: "Yes, I did."', "en", ["Yes, I did."]),
        ("She said: “We will win.”", "en", ["We will win."]),
        ("Ein „ohne Ende", "de", []),
    ],
)
def test_quote_marks(text, language, quoted):
    assert [text[s:e] for s, e in quote_spans(text, language)] == quoted


def direct(rows):
    return [(r["text"], r["speaker"], r["cue"]) for r in rows if r["kind"] == "direct"]


def test_cue_after_the_quote_and_a_name(nlp_de):
    doc, article = analyse(nlp_de, "„Ja, das habe ich“, antwortete Donald Trump am Montag.", "de")
    assert direct(extract_quotes(doc, article)) == [
        ("Ja, das habe ich", "Donald Trump", "antwortete")
    ]


def test_cue_before_the_quote(nlp_de):
    text = "Auf die Frage, wie es lief, sagte Olaf Scholz: „Es war ein gutes Gespräch“."
    doc, article = analyse(nlp_de, text, "de")
    assert direct(extract_quotes(doc, article)) == [
        ("Es war ein gutes Gespräch", "Olaf Scholz", "sagte")
    ]


def test_sagte_er_resolves_to_the_person_a_role_noun_named(nlp_de):
    text = (
        "US-Präsident Donald Trump sprach mit Journalisten. Dennoch zeigte sich der US-Präsident "
        "zuversichtlich. „Ich denke, wir werden den Krieg beenden“, sagte er."
    )
    doc, article = analyse(nlp_de, text, "de")
    assert direct(extract_quotes(doc, article)) == [
        ("Ich denke, wir werden den Krieg beenden", "Donald Trump", "sagte")
    ]


def test_speaker_without_a_name_is_kept_as_written(nlp_de):
    text = "„Wir machen weiter“, sagte ein Sprecher des Ministeriums."
    doc, article = analyse(nlp_de, text, "de")
    (row,) = extract_quotes(doc, article)
    assert (row["speaker"], row["speaker_key"]) == ("Sprecher des Ministeriums", None)


def test_reported_speech_in_the_subjunctive_is_indirect_with_its_source(nlp_de):
    text = "Dann erklärte Donald Trump, Wladimir Putin habe einem Treffen zugestimmt."
    doc, article = analyse(nlp_de, text, "de")
    (row,) = [r for r in extract_quotes(doc, article) if r["kind"] == "indirect"]
    assert row["text"] == "Wladimir Putin habe einem Treffen zugestimmt"
    assert row["speaker"] == "Donald Trump" and row["cue_lemma"] == "erklären"


def test_english_quote_with_told_and_he_added(nlp_en):
    text = (
        'Trade Minister Ingrid Halvorsen met David Okafor. "This deal gives our ports a future," '
        'Halvorsen told reporters. "We are not finished yet," Okafor said. "The work starts now," he added.'
    )
    doc, article = analyse(nlp_en, text, "en")
    assert direct(extract_quotes(doc, article)) == [
        ("This deal gives our ports a future", "Ingrid Halvorsen", "told"),
        ("We are not finished yet", "David Okafor", "said"),
        ("The work starts now", "David Okafor", "added"),
    ]


def test_offsets_point_into_the_text(nlp_de):
    text = "„Ja“, sagte Olaf Scholz. „Nein“, sagte er."
    doc, article = analyse(nlp_de, text, "de")
    for row in extract_quotes(doc, article):
        assert article.text[row["start_char"] : row["end_char"]] == row["text"]
