"""NER: the corpus readers, `newsbeam evaluate ner`, the rule components and entity keys."""

from __future__ import annotations

import collections
import subprocess
import sys

import pycountry
import spacy
from spacy.tokens import Span

from newsbeam.evaluation.iob import Entity, read_file, read_ner_corpus
from newsbeam.models.corpora import read_europeana
from newsbeam.models.rules import (
    DerivedNames,
    NameLinks,
    TitlePerson,
    country_translator,
    gazetteer_names,
)
from newsbeam.models.train import TRAINING_DIR
from newsbeam.models.vocabulary import (
    WordStats,
    adjective_stem,
    derived_adjectives,
    training_derived_adjectives,
    training_words,
)
from newsbeam.transforms.extract.entities import extract_entities
from newsbeam.transforms.records import Article
from tests.conftest import ROOT

NER_DATA = ROOT / "tests" / "data" / "ner"


def entities(sentence):
    return [(sentence.text[e.start : e.end], e.label) for e in sentence.entities]


# -- readers ---------------------------------------------------------------------
def test_conll_reader_takes_the_last_column_and_reads_iob1():
    first, second = read_file(NER_DATA / "conll2003-like.txt")
    assert first.text == "Anna Weber flew to Lyon."
    assert entities(first) == [("Anna Weber", "PER"), ("Lyon", "LOC")]
    # IOB1: I- starts an entity after O; B- splits two of one label
    assert entities(second) == [("Brixham Rowing Club", "ORG"), ("Kestrel", "ORG"), ("Club", "ORG")]


def test_wnut_labels_map_to_four_and_a_hash_token_is_a_token():
    first, second = read_file(NER_DATA / "wnut-like.conll")
    assert entities(first) == [("Tomas Brandt", "PER"), ("Kiel", "LOC"), ("Norvik", "ORG")]
    assert "# Kiel" in first.text
    assert second.text.startswith('"Winter Light" by')
    assert entities(second) == [("Winter Light", "MISC"), ("Gullfoss", "ORG")]


def test_germeval_reads_the_outer_level_without_deriv_and_part():
    first, second = read_file(NER_DATA / "germeval-like.tsv")
    assert entities(first) == [("Lena Hartwig", "PER"), ("Graz", "LOC")]
    assert entities(second) == [("Rostock", "LOC")]
    # deriv and part spans are unscored: an entity there is neither right nor wrong
    assert [first.text[s:e] for s, e in first.unscored] == ["deutsche"]
    assert [second.text[s:e] for s, e in second.unscored] == ["Nordkurier-Verlag"]
    deutsche = first.text.index("deutsche")
    assert not first.scored(Entity(deutsche, deutsche + len("deutsche"), "MISC"))
    assert first.scored(Entity(first.text.index("Graz"), first.text.index("Graz") + 4, "LOC"))


def test_europarl_io_tags_wikiann_prefixes_and_quotes():
    (sentence,) = read_file(NER_DATA / "europarl-like.tsv")
    assert sentence.text == 'Herr Karsten Voss sprach über "Europa".'
    assert entities(sentence) == [("Karsten Voss", "PER"), ("Europa", "LOC")]
    (sentence,) = read_file(NER_DATA / "wikiann-like")
    assert sentence.text == "Ida Lund lebt in Bremen."
    assert entities(sentence) == [("Ida Lund", "PER"), ("Bremen", "LOC")]


def test_a_folder_is_read_file_by_file_with_its_language(tmp_path):
    (tmp_path / "plain.txt").write_text("no tags here\n")
    corpora, skipped = read_ner_corpus([str(NER_DATA), str(tmp_path), str(tmp_path / "gone")])
    languages = {c.name.rsplit("/", 1)[-1]: c.language for c in corpora}
    assert languages["germeval-like.tsv"] == "de" and languages["conll2003-like.txt"] == "en"
    assert len(corpora) == 5
    assert any("plain.txt" in s and "no entity tags" in s for s in skipped)
    assert any("gone" in s for s in skipped)


def test_europeana_tags_are_repaired_and_text_is_cut_into_sentences(tmp_path):
    bio = tmp_path / "x.bio"
    words = [("Der", "O"), ("Kaiser", "O"), ("reiste", "O"), ("nach", "O"), ("Wien", "B_LOC"),
             (".", "O"), ("Graf", "O"), ("Hoyos", "B-PEr"), ("sprach", "O"), ("mit", "O"),
             ("Hofrat", "O"), ("Brenner", "I-PER"), ("und", "O"), ("Lüders", "B-BER")]  # fmt: skip
    bio.write_text("# file: a\n" + "".join(f"{w} {t}\n" for w, t in words), encoding="utf-8")
    chunks = list(read_europeana(bio))
    assert [len(w) for w, _t in chunks] == [6, 8]
    assert chunks[0][1][4] == "B-LOC"
    assert chunks[1][1] == ["O", "B-PER", "O", "O", "O", "B-PER", "O", "O"]


# -- evaluate ner -------------------------------------------------------------------
def test_evaluate_ner_scores_each_rule_on_its_own(tmp_path):
    # A title the statistical model may miss, and a town only the gazetteer knows.
    (tmp_path / "titles.conll").write_text(
        "".join(
            f"{w}\t{t}\n"
            for w, t in [
                ("Foreign", "O"),
                ("Minister", "O"),
                ("Umar", "B-PER"),
                ("Said", "I-PER"),
                ("told", "O"),
                ("reporters", "O"),
                ("in", "O"),
                ("Vaughan", "B-LOC"),
                ("that", "O"),
                ("talks", "O"),
                ("failed", "O"),
                (".", "O"),
            ]  # fmt: skip
        )
    )
    out = subprocess.run(
        [sys.executable, "-m", "newsbeam.pipelines.cli", "evaluate", "ner", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "1 sentences, 2 entities (PER 1, LOC 1)" in out
    for config in (
        "model alone",
        "all rules",
        "without newsbeam_title_person",
        "only newsbeam_gazetteer",
    ):
        assert f"  {config}" in out
    effects = {line.split()[0]: line for line in out.splitlines() if line.startswith("  newsbeam_")}
    assert set(effects) == {"newsbeam_gazetteer", "newsbeam_title_person", "newsbeam_name_links"}
    effect = [line for line in effects.values() if "added" in line and "removed" in line]
    assert len(effect) == 3 and not any("ALL -" in line for line in effect)


# -- gazetteer ----------------------------------------------------------------------
def test_no_common_german_word_is_a_gazetteer_name():
    """The issue's test: the 10,000 most frequent lower-case words of the training
    text never match, neither as written nor capitalised at a sentence start."""
    counts = collections.Counter(
        {w: n for w, n in training_words(TRAINING_DIR / "corpus").items() if w.islower()}
    )
    _label, names = gazetteer_names("de")
    top = [w for w, _n in counts.most_common(10_000)]
    assert len(top) == 10_000
    assert [w for w in top if w in names or w.capitalize() in names] == []
    # alternate names of other languages that are German words or nouns
    for word in ("Dabei", "Kita", "Essen", "Mitte"):
        assert word not in names
    for place in ("Kiew", "Moskau", "Peking", "Warschau", "Washington", "Russlands"):
        assert place in names


def test_english_gazetteer_leaves_out_words_and_keeps_places():
    _label, names = gazetteer_names("en")
    for word in ("Derby", "Reading", "Mobile", "Dabei", "Moskau"):
        assert word not in names
    for place in ("Madrid", "Leicester", "Chad", "Georgia", "Mumbai"):
        assert place in names


def test_place_cluster_is_derived_from_the_languages_country_names():
    translate = country_translator("de")
    stats = WordStats("de", [translate(c.name) for c in pycountry.countries])
    assert stats.is_place_word("Moskau") and not stats.is_place_word("Kita")
    assert stats.is_common_word("Dabei") and not stats.is_common_word("Moskau")


def gazetteer_only(nlp, text):
    """The gazetteer's own spans on a parsed text (the model's entities cleared)."""
    doc = nlp(text)
    doc.ents = []
    doc = nlp.get_pipe("newsbeam_gazetteer")(doc)
    return [(e.text, e.label_) for e in doc.ents]


def test_english_towns_need_a_place_context(nlp_en):
    assert gazetteer_only(nlp_en, "Vaughan said the plan would fail.") == []
    assert gazetteer_only(nlp_en, "Leicester City beat Aberdeen.") == []
    assert gazetteer_only(nlp_en, "Real Madrid signed him.") == []
    assert gazetteer_only(nlp_en, "She moved to Vaughan last year.") == [("Vaughan", "GPE")]
    assert gazetteer_only(nlp_en, "LEICESTER (Reuters) - Shares rose.") == [("LEICESTER", "GPE")]
    # countries and regions need no context
    assert ("Chad", "GPE") in gazetteer_only(nlp_en, "Chad and Georgia signed the treaty.")


def test_a_dateline_in_capitals_is_a_place_whatever_the_model_said(nlp_de):
    doc = nlp_de.make_doc("OFFENBACH (dpa) - Die Stadt plant neu.")
    doc.ents = [Span(doc, 0, 1, label="ORG"), Span(doc, 2, 3, label="ORG")]
    doc = nlp_de.get_pipe("newsbeam_gazetteer")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("OFFENBACH", "LOC"), ("dpa", "ORG")]


def test_german_datelines_in_capitals_and_names_of_clubs(nlp_de):
    found = gazetteer_only(nlp_de, "OFFENBACH (dpa) - Die Stadt plant neu.")
    assert found == [("OFFENBACH", "LOC")]
    assert gazetteer_only(nlp_de, "Die Chicago Bulls gewannen.") == []


# -- title rule ---------------------------------------------------------------------
def title_names(language, text, ents=()):
    nlp = spacy.blank(language)
    doc = nlp(text)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    doc = TitlePerson(language)(doc)
    return [(e.text, e.label_) for e in doc.ents]


def test_title_rule_keeps_particles_hyphens_and_names_that_are_words():
    assert title_names("en", "CEO Jean van Boxmeer spoke.") == [("Jean van Boxmeer", "PERSON")]
    assert title_names("en", "President Ange-Felix Patasse fled.") == [
        ("Ange-Felix Patasse", "PERSON")
    ]
    assert title_names("en", "Minister Umar Said told reporters.") == [("Umar Said", "PERSON")]
    assert title_names("en", "Oil Minister Ali al-Nuaimi spoke.") == [("Ali al-Nuaimi", "PERSON")]
    assert title_names("de", "Präsidentin Ursula von der Leyen sprach.") == [
        ("Ursula von der Leyen", "PER")
    ]
    # "von" alone is no particle in German, and "said" after the name ends it
    assert title_names("de", "Präsident Macron von Frankreich sprach.") == [("Macron", "PER")]
    assert title_names("en", "Minister Umar said so.") == [("Umar", "PERSON")]


def test_title_rule_takes_a_one_word_place_after_a_given_name_as_the_surname(nlp_de):
    def title_rule(text, ents):
        doc = nlp_de(text)
        doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
        doc = nlp_de.get_pipe("newsbeam_title_person")(doc)
        return [(e.text, e.label_) for e in doc.ents]

    found = title_rule("Der Außenbeauftragte Javier Solana sprach.", [(3, 4, "LOC")])
    assert found == [("Javier Solana", "PER")]
    # but not a place after a preposition
    found = title_rule("Präsident Putin sprach in Moskau.", [(4, 5, "LOC")])
    assert found == [("Putin", "PER"), ("Moskau", "LOC")]


def test_title_rule_does_not_cut_a_longer_person_the_model_found():
    found = title_names("en", "CEO Jean van Boxmeer spoke.", [(1, 4, "PERSON")])
    assert found == [("Jean van Boxmeer", "PERSON")]
    # a span longer only by a possessive is cut back to the name
    found = title_names("en", "Mayor Laura Fenwick's statement said.", [(1, 4, "PERSON")])
    assert found == [("Laura Fenwick", "PERSON")]


def test_title_rule_reads_initials_and_skips_titles_inside_names():
    assert title_names("en", "said Representative Charles B. Rangel of New York.") == [
        ("Charles B. Rangel", "PERSON")
    ]
    assert title_names("en", "at the Commander-in-Chief Forum on Monday") == []
    assert title_names("en", "Larry King Now aired.", [(0, 1, "PERSON")]) == [("Larry", "PERSON")]


def test_title_rule_takes_regnal_numbers_and_leaves_one_word_epithets_to_the_model():
    assert title_names("en", "King Abdullah II met them.") == [("Abdullah II", "PERSON")]
    assert title_names("en", "Pope Benedict XVI resigned.") == [("Benedict XVI", "PERSON")]
    assert title_names("de", "Königin Elisabeth II. starb.")[0][0].startswith("Elisabeth II")
    # a legend, a work or a nickname ("King James" for LeBron James) as often as a person
    assert title_names("en", "a TV series with King Arthur / Sword in Stone theme") == []
    assert title_names("en", "a native nicknamed King James is a fan") == []
    # the model's own span stays; "I" is the pronoun, not a number
    assert title_names("en", "King Charles spoke.", [(1, 2, "PERSON")]) == [("Charles", "PERSON")]
    assert title_names("en", "President Biden and I spoke.") == [("Biden", "PERSON")]


def test_english_titles_are_words_not_endings():
    # "Making" ends in "king"; in English a title is a word of its own
    assert title_names("en", "Watch What Else is Making News today.") == []


# -- name links and keys ----------------------------------------------------------------
def test_a_later_surname_is_the_person_whatever_the_model_called_it():
    nlp = spacy.blank("de")
    doc = nlp("Kallas traf Kaja Kallas . Später sprach Kallas mit Putins Vertretern .")
    doc.ents = [Span(doc, 0, 1, label="LOC"), Span(doc, 2, 4, label="PER"),
                Span(doc, 7, 8, label="LOC"), Span(doc, 9, 10, label="ORG")]  # fmt: skip
    doc = NameLinks("de")(doc)
    labels = [(e.text, e.label_) for e in doc.ents]
    # before the full name nothing is known; "Putins" names no one introduced
    assert labels == [
        ("Kallas", "LOC"),
        ("Kaja Kallas", "PER"),
        ("Kallas", "PER"),
        ("Putins", "ORG"),
    ]


def test_inflected_forms_share_the_base_forms_key():
    nlp = spacy.blank("de")
    doc = nlp("Italiens Regierung und Russlands Präsident sprachen . Der Bundestages Rat tagte .")
    doc.ents = [Span(doc, 0, 1, label="LOC"), Span(doc, 3, 4, label="LOC"),
                Span(doc, 8, 9, label="ORG")]  # fmt: skip
    article = Article(article_id="a", source="s", text=doc.text, language="de")
    keys = {r["text"]: r["entity_key"] for r in extract_entities(doc, article)}
    assert keys["Italiens"] == "loc:italien" and keys["Russlands"] == "loc:russland"
    # an ORG genitive without its base form in the article keeps its own name
    assert keys["Bundestages"] == "org:bundestages"


# -- adjectives derived from names ---------------------------------------------------
def test_derived_adjectives_come_from_germevals_deriv_tags():
    stems = training_derived_adjectives(TRAINING_DIR / "corpus")
    assert {"deutsch", "europäisch", "französisch", "russisch"} <= set(stems)
    # words the gold tags -deriv only now and then stay out
    assert not {"neu", "groß", "politisch", "national"} & set(stems)
    # the shipped list is what the generator writes
    assert derived_adjectives("de") == frozenset(stems)
    assert derived_adjectives("en") == frozenset()
    assert [adjective_stem(w) for w in ("deutschen", "europäische", "deutsch", "arm")] == [
        "deutsch", "europäisch", "deutsch", "arm",
    ]  # fmt: skip


def test_a_derived_adjective_outside_names_is_misc(nlp_de):
    doc = nlp_de("Die deutschen Behörden und die Deutsche Bank prüfen den europäischen Plan.")
    ents = [(e.text, e.label_) for e in doc.ents]
    assert ("deutschen", "MISC") in ents and ("europäischen", "MISC") in ents
    # inside a name the adjective is the name's ("Deutsche Bank" is one entity)
    assert not any(text == "Deutsche" for text, _ in ents)
    # only adjectives: the adverb "deutsch" in "spricht deutsch" is no name
    rule = DerivedNames("de")
    doc = nlp_de.make_doc("Sie spricht deutsch.")
    for token, pos in zip(doc, ["PRON", "VERB", "ADV", "PUNCT"], strict=True):
        token.pos_ = pos
    assert not rule(doc).ents


def test_inflected_derived_adjectives_share_the_stems_key(nlp_de):
    from tests.conftest import analyse

    doc, article = analyse(nlp_de, "Die deutschen Behörden und die deutsche Regierung tagen.", "de")
    rows = [r for r in extract_entities(doc, article) if r["label"] == "MISC"]
    assert [(r["text"], r["entity_key"]) for r in rows] == [
        ("deutschen", "misc:deutsch"), ("deutsche", "misc:deutsch"),
    ]  # fmt: skip
    assert {r["source_component"] for r in rows} == {"rule"}


def test_europarl_style_misc_is_scored_and_germeval_deriv_is_not(tmp_path):
    rows = [("Die", "O", "O"), ("deutschen", "I-MISC", "B-LOCderiv"), ("Bauern", "O", "O"),
            ("protestieren", "O", "O"), ("in", "O", "O"), ("Berlin", "I-LOC", "B-LOC"),
            (".", "O", "O")]  # fmt: skip
    (tmp_path / "conll.tsv").write_text("".join(f"{w}\t{t}\n" for w, t, _ in rows))
    (tmp_path / "germeval.tsv").write_text(
        "#\thttp://example.org/c [2014-01-01]\n"
        + "".join(f"{i}\t{w}\t{g}\tO\n" for i, (w, _, g) in enumerate(rows, 1))
    )
    out = subprocess.run(
        [sys.executable, "-m", "newsbeam.pipelines.cli", "evaluate", "ner", str(tmp_path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    effects = [line for line in out.splitlines() if line.startswith("  newsbeam_derived_names")]
    conll, germeval = (e for e in effects)  # files in name order
    assert "added 1 (1 right)" in conll and "MISC +100.00" in conll
    # GermEval: the span is unscored, so the rule neither gains nor loses there
    assert "added 0 (0 right)" in germeval and "ALL +0.00" in germeval


# -- Brown-cluster features of the German NER -----------------------------------------
def test_cluster_lookup_takes_the_text_then_the_lower_case_form():
    import gzip
    import json
    from pathlib import Path

    import spacy_lookups_data
    from spacy.attrs import LOWER, ORTH

    from newsbeam.models.cluster_features import NO_CLUSTER, cluster_columns, cluster_table

    path = Path(spacy_lookups_data.__file__).parent / "data" / "de_lexeme_cluster.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    doc = spacy.blank("de")("DIE Kanzlerin reiste nach Warschau , Qxzwvk .")
    ids = doc.to_array([ORTH, LOWER]).astype("uint64")
    got = cluster_table("de").of_tokens(ids[:, 0], ids[:, 1]).tolist()
    expected = [int(table.get(t.text, table.get(t.lower_, NO_CLUSTER))) for t in doc]
    assert got == expected and NO_CLUSTER in got and got.count(NO_CLUSTER) < len(got)
    columns = cluster_columns(cluster_table("de").of_tokens(ids[:, 0], ids[:, 1]), [1048575, 15])
    assert columns.shape == (len(doc), 2)
    assert columns[got.index(NO_CLUSTER)].tolist() == [0, 0]  # no cluster: its own value
    assert all(c <= 16 for c in columns[:, 1])  # a 4-bit prefix has 16 values (+1)


def test_the_shipped_german_pipeline_loads_with_plain_spacy():
    """The cluster layer is found through its entry point: no newsbeam import needed."""
    from newsbeam.models.registry import SHIPPED

    config = (ROOT / "models" / "de_newsbeam" / "config.cfg").read_text()
    assert "newsbeam.ClusterHashEmbed.v1" in config
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]);"
        "print([(e.text, e.label_) for e in nlp('Angela Merkel besuchte Warschau.').ents])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, SHIPPED["de"]], capture_output=True, text=True, check=True
    ).stdout
    assert "'Warschau', 'LOC'" in out
