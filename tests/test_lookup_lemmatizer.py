"""The shipped German pipeline's lookup lemmatizer, loaded as a dict: same lemmas as spaCy's."""

from __future__ import annotations

import spacy

from newsbeam.models import registry
from newsbeam.models.lookup_lemmatizer import FACTORY, LookupLemmatizer, lookup_lemmatizer_of
from newsbeam.models.rules import add_news_rules

TEXT = (
    "Die Ministerin sagte am Montag, die Regierung habe die Verhandlungen mit den "
    "Gewerkschaften abgebrochen. Tausende Beschäftigte streikten in Berliner Kliniken; "
    "die Ärzte forderten höhere Löhne und bessere Arbeitsbedingungen. "
    "Der Kanzler erklärte, er stimme dem Kompromiss zu."
)


def test_the_shipped_pipeline_lemmatizes_as_spacys_lookup_lemmatizer_does(nlp_de):
    assert nlp_de.get_pipe_meta("lemmatizer").factory == FACTORY
    plain = spacy.load(registry.SHIPPED["de"])
    add_news_rules(plain, "de")
    assert plain.get_pipe_meta("lemmatizer").factory == "lemmatizer"
    assert plain.pipe_names == nlp_de.pipe_names  # same place in the pipeline
    ours, theirs = nlp_de(TEXT), plain(TEXT)
    assert [t.lemma_ for t in ours] == [t.lemma_ for t in theirs]
    assert {"abbrechen", "Arzt", "fordern"} <= {t.lemma_ for t in ours}


def test_a_word_the_table_does_not_know_keeps_its_form_and_a_set_lemma_stays(tmp_path):
    lemmatizer = LookupLemmatizer()
    lemmatizer.table = {spacy.strings.hash_string("ging"): "gehen"}  # type: ignore[attr-defined]
    lemmatizer.to_disk(tmp_path)
    loaded = LookupLemmatizer().from_disk(tmp_path)
    doc = spacy.blank("de")("Sie ging nach Quorpsdorf")
    doc[0].lemma_ = "sie-von-vorher"
    loaded(doc)
    assert [t.lemma_ for t in doc] == ["sie-von-vorher", "gehen", "nach", "Quorpsdorf"]


def test_pipelines_without_a_lookup_lemmatizer_keep_spacys(nlp_en, tmp_path):
    assert nlp_en.get_pipe_meta("lemmatizer").factory == "lemmatizer"  # rule mode
    assert lookup_lemmatizer_of(tmp_path) is None  # no pipeline there at all
