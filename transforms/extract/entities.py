"""Entity mentions, linked within the article: "Trump" and "Donald Trump" share one key."""

from __future__ import annotations

import bisect
import re
import unicodedata

import numpy
from spacy.attrs import POS
from spacy.tokens import Doc, Span, Token

from newsbeam.models.rules import DerivedNames, gazetteer_names, genitive_stems
from newsbeam.models.vocabulary import adjective_stem
from newsbeam.transforms.extract.doc_cache import per_doc
from newsbeam.transforms.lexicon import load_lexicon
from newsbeam.transforms.records import Article

# Entity keys use one label family across languages and label sets, so that an
# English PERSON and a German PER with the same name share a key.
LABEL_FAMILY = {"PERSON": "per", "PER": "per", "GPE": "loc", "LOC": "loc", "FAC": "loc",
                "ORG": "org", "NORP": "misc", "MISC": "misc"}  # fmt: skip

# German genitive/possessive forms ("Trumps", "Putins") name the same entity.
_GENITIVE = re.compile(r"(?<=\w\w)(s|')$")


def slug(text: str) -> str:
    """'Wolodymyr Selenskyj' -> 'wolodymyr-selenskyj' (accents kept apart, stable)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^\w]+", "-", folded).strip("-")


def entity_key(label: str, canonical: str) -> str:
    family = LABEL_FAMILY.get(label, label.lower())
    return f"{family}:{slug(canonical)}"


POSSESSIVE_MARKS = {"'s", "’s", "'", "’"}


def _words(span: Span) -> list[str]:
    """The mention's words, without punctuation and an English possessive ("Trump 's")."""
    words = [t.text for t in span if not t.is_punct]
    while words and words[-1] in POSSESSIVE_MARKS:
        words.pop()
    return words


def _refers_to(short: list[str], long: list[str], label: str) -> bool:
    """Whether a mention's words are a contiguous part of a longer mention's words."""
    if not short or len(short) > len(long):
        return False
    bare = [_GENITIVE.sub("", w) if label == "PER" else w for w in short]
    for words in (short, bare):
        n = len(words)
        if any(long[i : i + n] == words for i in range(len(long) - n + 1)):
            return True
    return False


def canonical_names(ents: list[Span], candidates: list[Span] | None = None) -> dict[int, str]:
    """Map each mention (by index) to the longest same-label mention that contains it
    (among `candidates`, all mentions by default)."""
    canon: dict[int, str] = {}
    mentions = [(ent.label_, _words(ent)) for ent in ents]
    longer = (
        mentions if candidates is None else [(other.label_, _words(other)) for other in candidates]
    )
    for i, (ent, (label, words)) in enumerate(zip(ents, mentions, strict=True)):
        best = words
        for other_label, other_words in longer:
            if (
                other_label == label
                and len(other_words) > len(best)
                and _refers_to(words, other_words, label)
            ):
                best = other_words
        canon[i] = " ".join(best) if best else ent.text
    return canon


def base_forms(ents: list[Span], canon: dict[int, str], language: str) -> dict[int, str]:
    """Inflected names take their base form's name: "Italiens" -> "Italien" when
    the article names Italien too or the gazetteer knows both as one place,
    "Bundestages" -> "Bundestag" when the article names the Bundestag.
    Endings come from names.yaml (`genitive_endings`)."""
    canon = {
        i: adjective_stem(name) if ents[i].kb_id_ == DerivedNames.kb_id else name
        for i, name in canon.items()
    }  # an adjective derived from a name: its stem ("deutschen" -> "deutsch")
    endings = tuple(load_lexicon(language, "names").get("genitive_endings", []))
    if not endings:
        return canon
    known = {(LABEL_FAMILY.get(ents[i].label_), name) for i, name in canon.items()}
    places = gazetteer_names(language)[1]
    out = dict(canon)
    for i, name in canon.items():
        family = LABEL_FAMILY.get(ents[i].label_)
        for stem in genitive_stems(name, endings):
            same_place = (
                family == "loc"
                and stem in places
                and name in places
                and places[stem].gid == places[name].gid
            )
            if (family, stem) in known or same_place:
                out[i] = stem
                break
    return out


def doc_text(doc: Doc) -> str:
    """doc.text, computed once: spaCy rebuilds the string from the tokens on every access."""
    return per_doc(doc, "text", lambda: doc.text)


def remember_text(doc: Doc, text: str) -> None:
    """Give doc_text the string the Doc was made from (spaCy keeps it verbatim),
    so no extractor pays for rebuilding it (6 ms for a 900-word article)."""
    per_doc(doc, "text", lambda: text)


def doc_tokens(doc: Doc) -> list[Token]:
    """The Doc's tokens as one list: `for token in doc` and `doc[i]` make a new
    Token object each time, and the extractors walk every article several times."""
    return per_doc(doc, "tokens", lambda: list(doc))


def tokens_tagged(doc: Doc, tags: frozenset[int]) -> list[Token]:
    """The Doc's tokens whose part of speech (`token.pos`) is one of `tags`, in
    order: a few array operations where a loop would read every token's tag."""
    tokens = doc_tokens(doc)
    pos = per_doc(doc, "pos", lambda: doc.to_array(POS))
    return [tokens[i] for i in numpy.flatnonzero(numpy.isin(pos, list(tags)))]


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """doc.ents, built once: spaCy makes new Span objects on every access."""
    return per_doc(doc, "ents", lambda: tuple(doc.ents))


def sentence_starts(doc: Doc) -> list[int]:
    """Token index where each sentence starts (one sentence if nothing set them); cached."""

    def compute() -> list[int]:
        if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
            return [sent.start for sent in doc.sents]
        return [0]

    return per_doc(doc, "sentence_starts", compute)


def sentence_of(doc: Doc, token_index: int) -> int:
    return max(bisect.bisect_right(sentence_starts(doc), token_index) - 1, 0)


def extract_entities(doc: Doc, article: Article) -> list[dict]:
    ents = list(doc_ents(doc))
    canon = base_forms(ents, canonical_names(ents), article.language or doc.lang_)
    rows = []
    for i, ent in enumerate(ents):
        rows.append(
            {
                "article_id": article.article_id,
                "mention_index": i,
                "text": ent.text,
                "label": ent.label_,
                "start_char": ent.start_char,
                "end_char": ent.end_char,
                "sentence_index": sentence_of(doc, ent.start),
                "canonical": canon[i],
                "entity_key": entity_key(ent.label_, canon[i]),
                "source_component": "rule" if ent.kb_id_ else "ner",
            }
        )
    return rows
