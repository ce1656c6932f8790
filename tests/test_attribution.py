"""Speaker attribution and reported speech: one case per cue pattern and language.

Every sentence here was written for this test. Each case names the quotation
(or the reported clause) and the speaker the row must carry; the offsets are
checked against the text.
"""

from __future__ import annotations

import pytest

from newsbeam.transforms.extract.quotes import extract_quotes
from tests.conftest import analyse


def rows_of(nlp, text, language, kind=None):
    doc, article = analyse(nlp, text, language)
    rows = extract_quotes(doc, article)
    for row in rows:
        assert article.text[row["start_char"] : row["end_char"]] == row["text"]
        if row["speaker_start"] is not None:
            assert 0 <= row["speaker_start"] < row["speaker_end"] <= len(article.text)
        if row["cue_start"] is not None:
            assert article.text[row["cue_start"] : row["cue_end"]] == row["cue"]
    return [r for r in rows if kind is None or r["kind"] == kind], article.text


DIRECT_EN = [
    # cue after the quotation, name before the verb
    (
        '"We will rebuild the harbour," Mayor Laura Fenwick said on Monday.',
        "We will rebuild the harbour",
        "Laura Fenwick",
    ),
    # inverted: said + name
    (
        '"The vote was fair," said Tom Adeyemi, the county clerk.',
        "The vote was fair",
        "Tom Adeyemi",
    ),
    # cue before, with a colon
    (
        'Senator Ruth Calloway wrote on Tuesday: "The bill is dead."',
        "The bill is dead.",
        "Ruth Calloway",
    ),
    # colon with no speech verb: the clause's subject
    (
        'Governor Alan Brody in a statement: "Our schools stay open."',
        "Our schools stay open.",
        "Alan Brody",
    ),
    # told + object
    (
        '"This is not over," Ingrid Moss told reporters in Denver.',
        "This is not over",
        "Ingrid Moss",
    ),
    # a partial quotation the verb governs
    (
        'Paul Okonjo called the proposal "a tax on the poor" during the debate.',
        "a tax on the poor",
        "Paul Okonjo",
    ),
    # according to
    (
        'The plant will close in May, "with no exceptions," according to Maria Lindqvist.',
        "with no exceptions",
        "Maria Lindqvist",
    ),
    # a dash byline after the quotation
    (
        '"I have lived here for forty years and never seen this." ― Edwin Sorrell',
        "I have lived here for forty years and never seen this.",
        "Edwin Sorrell",
    ),
    # a question ends the quotation
    (
        '"Who pays for the bridge?" asked Nora Whitfield.',
        "Who pays for the bridge?",
        "Nora Whitfield",
    ),
]


@pytest.mark.parametrize(("text", "quote", "speaker"), DIRECT_EN)
def test_english_cue_patterns(nlp_en, text, quote, speaker):
    rows, full = rows_of(nlp_en, text, "en", "direct")
    assert [(r["text"], r["speaker"]) for r in rows] == [(quote, speaker)]
    row = rows[0]
    assert speaker.split()[-1] in full[row["speaker_start"] : row["speaker_end"]]


DIRECT_DE = [
    (
        "„Wir bauen den Hafen neu“, sagte Bürgermeisterin Laura Fenske am Montag.",
        "Wir bauen den Hafen neu",
        "Laura Fenske",
    ),
    (
        "Innenminister Klaus Brandt schrieb: „Das Gesetz ist gescheitert.“",
        "Das Gesetz ist gescheitert.",
        "Klaus Brandt",
    ),
    (
        "„Das ist noch nicht vorbei“, erklärte Ingrid Moosbach vor Journalisten.",
        "Das ist noch nicht vorbei",
        "Ingrid Moosbach",
    ),
    (
        "Paul Kremer nannte den Vorschlag „eine Steuer für die Armen“.",
        "eine Steuer für die Armen",
        "Paul Kremer",
    ),
]


@pytest.mark.parametrize(("text", "quote", "speaker"), DIRECT_DE)
def test_german_cue_patterns(nlp_de, text, quote, speaker):
    rows, _ = rows_of(nlp_de, text, "de", "direct")
    assert [(r["text"], r["speaker"]) for r in rows] == [(quote, speaker)]


def test_a_split_quotation_keeps_its_speaker_in_both_halves(nlp_en):
    text = (
        'Teachers marched downtown. "I do not care about the pay," Ms. Helen Varga said. '
        '"I care about the children in my class."'
    )
    rows, full = rows_of(nlp_en, text, "en", "direct")
    assert [r["speaker"] for r in rows] == ["Helen Varga", "Helen Varga"]
    assert rows[0]["speaker_start"] == rows[1]["speaker_start"]


def test_a_quotation_opening_the_next_paragraph_continues_the_speaker(nlp_en):
    text = (
        '"We were not warned," said Peter Lindgren, who runs the ferry.\n\n'
        '"Nobody called us, nobody wrote to us, and now the river is closed."'
    )
    rows, _ = rows_of(nlp_en, text, "en", "direct")
    assert [r["speaker"] for r in rows] == ["Peter Lindgren", "Peter Lindgren"]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # "she" skips the nearer man and finds the woman (given name)
        (
            'Hillary Ostrow met Daniel Reyes in Ohio. Reyes left early. "We agreed on nothing," she said.',
            "Hillary Ostrow",
        ),
        # "he" skips the nearer woman and finds the man
        (
            'Daniel Reyes met Hillary Ostrow in Ohio. Ostrow left early. "We agreed on nothing," he said.',
            "Daniel Reyes",
        ),
        # a title gives the gender when the given name does not
        (
            'Mr. Kwame Asante and Ms. Lior Benami spoke first. "The deal holds," she said.',
            "Lior Benami",
        ),
    ],
)
def test_pronouns_agree_in_gender(nlp_en, text, speaker):
    rows, full = rows_of(nlp_en, text, "en", "direct")
    assert [r["speaker"] for r in rows] == [speaker]
    row = rows[0]
    assert full[row["speaker_start"] : row["speaker_end"]] in ("she", "he")


def test_german_pronoun_agreement(nlp_de):
    text = (
        "Kanzlerin Petra Albers traf Minister Jonas Keller in Berlin. Keller reiste danach ab. "
        "„Wir sind uns einig“, sagte sie."
    )
    rows, _ = rows_of(nlp_de, text, "de", "direct")
    assert [r["speaker"] for r in rows] == ["Petra Albers"]


def test_plural_pronoun_is_no_person(nlp_en):
    text = 'Daniel Reyes met the union leaders. "We will strike," they said.'
    rows, full = rows_of(nlp_en, text, "en", "direct")
    assert rows[0]["speaker"] is None and rows[0]["speaker_key"] is None
    assert full[rows[0]["speaker_start"] : rows[0]["speaker_end"]] == "they"


@pytest.mark.parametrize(
    "text",
    [
        'She appeared on "Meet the Press" on Sunday.',
        'Supporters wore caps with "Make the Harbour Great" on them.',
        'Donors gave to a "super PAC" in the spring.',
    ],
)
def test_titles_and_scare_quotes_are_mentions_without_a_speaker(nlp_en, text):
    rows, _ = rows_of(nlp_en, text, "en")
    assert [r["kind"] for r in rows] == ["mention"]
    assert rows[0]["speaker"] is None


def test_possessive_names_are_not_speakers(nlp_en):
    text = 'Bill Clinton\'s wife spoke after him. "We need a plan," Bill Clinton said.'
    rows, _ = rows_of(nlp_en, text, "en", "direct")
    assert [r["speaker"] for r in rows] == ["Bill Clinton"]


INDIRECT_EN = [
    (
        "Mayor Laura Fenwick said the harbour would be rebuilt by spring.",
        "the harbour would be rebuilt by spring",
        "Laura Fenwick",
        "said",
    ),
    (
        "The harbour will be rebuilt by spring, Laura Fenwick said.",
        "The harbour will be rebuilt by spring",
        "Laura Fenwick",
        "said",
    ),
    (
        "Ingrid Moss told reporters that the plant would close in May.",
        "that the plant would close in May",
        "Ingrid Moss",
        "told",
    ),
    (
        "Paul Okonjo warned that the levee could fail again.",
        "that the levee could fail again",
        "Paul Okonjo",
        "warned",
    ),
    (
        "According to Maria Lindqvist, the plant will close in May.",
        "the plant will close in May",
        "Maria Lindqvist",
        "According to",
    ),
]


@pytest.mark.parametrize(("text", "content", "speaker", "cue"), INDIRECT_EN)
def test_english_reported_speech(nlp_en, text, content, speaker, cue):
    rows, _ = rows_of(nlp_en, text, "en", "indirect")
    assert [(r["text"], r["speaker"], r["cue"]) for r in rows] == [(content, speaker, cue)]


INDIRECT_DE = [
    (
        "Innenminister Klaus Brandt sagte, das Gesetz sei gescheitert.",
        "das Gesetz sei gescheitert",
        "Klaus Brandt",
        "sagte",
    ),
    (
        "Das Gesetz ist gescheitert, sagte Klaus Brandt am Montag.",
        "Das Gesetz ist gescheitert",
        "Klaus Brandt",
        "sagte",
    ),
    (
        "Laut Klaus Brandt ist das Gesetz gescheitert.",
        "ist das Gesetz gescheitert",
        "Klaus Brandt",
        "Laut",
    ),
    (
        "Klaus Brandt betonte, dass das Gesetz gescheitert ist.",
        "dass das Gesetz gescheitert ist",
        "Klaus Brandt",
        "betonte",
    ),
]


@pytest.mark.parametrize(("text", "content", "speaker", "cue"), INDIRECT_DE)
def test_german_reported_speech(nlp_de, text, content, speaker, cue):
    rows, _ = rows_of(nlp_de, text, "de", "indirect")
    assert [(r["text"], r["speaker"], r["cue"]) for r in rows] == [(content, speaker, cue)]


def test_german_subjunctive_runs_on_but_the_conditional_does_not(nlp_de):
    text = (
        "Innenminister Klaus Brandt sagte am Montag, das Gesetz sei gescheitert. "
        "Die Länder hätten es nie unterstützt. Man werde einen neuen Entwurf vorlegen. "
        "Das wäre ein guter Anfang für alle Beteiligten gewesen."
    )
    rows, _ = rows_of(nlp_de, text, "de", "indirect")
    by_text = {r["text"]: r["speaker"] for r in rows}
    assert by_text.get("Man werde einen neuen Entwurf vorlegen") == "Klaus Brandt"
    assert not any(t.startswith("Das wäre") for t in by_text)


def test_german_colon_after_the_cue_and_an_address_before_the_speaker(nlp_de):
    text = "Herr Kollege Brandt, ich sage Ihnen ganz deutlich: Das Gesetz ist gescheitert."
    rows, full = rows_of(nlp_de, text, "de", "indirect")
    (row,) = [r for r in rows if r["cue"] == "sage"]
    assert row["text"] == "Das Gesetz ist gescheitert"
    assert full[row["speaker_start"] : row["speaker_end"]] == "ich"


def test_a_passive_report_has_its_agent_or_no_speaker(nlp_en):
    rows, _ = rows_of(
        nlp_en,
        "It was announced by Governor Alan Brody that the schools would reopen.",
        "en",
        "indirect",
    )
    assert [(r["text"], r["speaker"]) for r in rows] == [
        ("that the schools would reopen", "Alan Brody")
    ]


def _people_with(nlp, text, person_spans):
    """ArticlePeople over a parsed text whose PERSON mentions are set by hand
    (the NER's choice of spans is not what these tests are about)."""
    from spacy.tokens import Span

    from newsbeam.transforms.extract.people import ArticlePeople

    doc = nlp(text)
    ents = []
    for phrase, n in person_spans:
        start = -1
        for _ in range(n):
            start = text.index(phrase, start + 1)
        span = doc.char_span(start, start + len(phrase))
        ents.append(Span(doc, span.start, span.end, label="PERSON"))
    doc.ents = ents
    return ArticlePeople(doc, "en")


def test_headline_verbs_do_not_become_part_of_a_name(nlp_en):
    text = (
        "Obama Says Harbour Museum Will Tell Of Hard Years.\n\n"
        'President Barack Obama opened the museum on Monday. "It tells our story," Obama said.'
    )
    people = _people_with(nlp_en, text, [("Obama Says", 1), ("Barack Obama", 1), ("Obama", 3)])
    assert sorted(p.name for p in people.people.values()) == ["Barack Obama"]


def test_a_nickname_inside_a_quotation_does_not_rename_the_person(nlp_en):
    text = (
        'Senator Ruth Calloway spoke in Ohio. Her rival called her "Crooked Ruth Calloway" at a rally. '
        '"I will not answer that," Ruth Calloway said.'
    )
    people = _people_with(
        nlp_en, text, [("Ruth Calloway", 1), ("Crooked Ruth Calloway", 1), ("Ruth Calloway", 3)]
    )
    assert sorted(p.name for p in people.people.values()) == [
        "Crooked Ruth Calloway",
        "Ruth Calloway",
    ]
    assert people.by_token[len(people.doc) - 3].name == "Ruth Calloway"  # the speaker at the end


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"We will not close the plant," Mayor Laura Fenwick\'s statement said.', "Laura Fenwick"),
        (
            "The plant will close in May, according to a statement from Governor Alan Brody.",
            "Alan Brody",
        ),
    ],
)
def test_a_statement_speaks_for_its_owner(nlp_en, text, speaker):
    rows, full = rows_of(nlp_en, text, "en")
    rows = [r for r in rows if r["kind"] != "mention"]
    assert [r["speaker"] for r in rows] == [speaker]
    # the mention naming the speaker is the owner's name, not the statement
    assert full[rows[0]["speaker_start"] : rows[0]["speaker_end"]].endswith(speaker)


def test_own_statements_belong_to_the_clause_subject(nlp_de):
    text = "Bürgermeisterin Laura Fenske hat eigenen Angaben zufolge mehrfach mit dem Minister telefoniert."
    rows, _ = rows_of(nlp_de, text, "de", "indirect")
    assert [(r["speaker"], r["cue"]) for r in rows] == [("Laura Fenske", "zufolge")]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "de",
            "Die Ministerin sagte, sie sei überzeugt. Ich sage es offen: wir stimmen zu. "
            "Der Sprecher erklärte am Montag, man habe 3.000 Stellen gestrichen.",
        ),
        (
            "en",
            "The minister said she was convinced. A spokesman told reporters the talks "
            "had failed, and officials warned that 3,000 jobs would go.",
        ),
    ],
)
def test_the_report_verb_prefilter_keeps_every_report_verb(nlp_de, nlp_en, language, text):
    from newsbeam.transforms.extract.attribution import is_report_verb, report_verb_candidates

    doc = {"de": nlp_de, "en": nlp_en}[language](text)
    candidates = report_verb_candidates(doc, language)
    expected = [t for t in doc if is_report_verb(t, language)]
    assert len(expected) >= 3
    assert set(expected) <= set(candidates)
    assert [t.i for t in candidates] == sorted(t.i for t in candidates)
    assert len(candidates) < len(doc) // 2
