"""What a language's words say about a name: a common word, or a place's name?

Two sources, both offline:

- the language's common words: `lexicons/<lang>/common_words.txt`, every word
  written in lower case in the open training text and the capitalised nouns
  its NER gold leaves outside entities (`python -m
  newsbeam.models.vocabulary de` rebuilds it from training/de/corpus), and any
  word whose lower-case form is at least as frequent as its capitalised one in
  spacy-lookups-data's word-probability table (English "derby", "reading");
- Brown clusters from spacy-lookups-data: words used alike share a cluster
  path. The path most of the language's country names share marks place
  names: "Moskau" and "Peking" are on it in German, the noun "Kita" (an
  alternate name of Quito) and the adverb "Dabei" (of Dubai) are not.

Reading the two tables takes seconds and a few hundred MB, so the gazetteer
(models/rules.py) keeps what it derives from them in the cache folder.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from newsbeam.transforms.lexicon import LEXICON_DIR

COMMON_WORDS_FILE = "common_words.txt"
DERIVED_ADJECTIVES_FILE = "derived_adjectives.txt"
# The deepest cluster path that still holds this share of the country names.
PLACE_CLUSTER_SHARE = 0.8


def _lookups_table(language: str, name: str) -> dict[str, float]:
    try:
        import spacy_lookups_data
    except ImportError:
        return {}
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{language}_lexeme_{name}.json.gz"
    if not path.is_file():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def read_word_list(language: str, filename: str) -> frozenset[str]:
    """A lexicon file of one word per line; empty when the language has none."""
    path = LEXICON_DIR / language / filename
    if not path.is_file():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if w)


def write_word_list(language: str, filename: str, words: Iterable[str]) -> Path:
    path = LEXICON_DIR / language / filename
    path.write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=8)
def listed_common_words(language: str) -> frozenset[str]:
    return read_word_list(language, COMMON_WORDS_FILE)


class WordStats:
    """The language's word tables, loaded for one pass over candidate names."""

    def __init__(self, language: str, country_names: Iterable[str]) -> None:
        self.listed = listed_common_words(language)
        self.prob = _lookups_table(language, "prob")
        self.cluster = _lookups_table(language, "cluster")
        self.place_path = self.path_of(country_names, PLACE_CLUSTER_SHARE)

    def path_of(self, names: Iterable[str], share: float) -> tuple[int, int] | None:
        """(mask, bits): the deepest cluster path that `share` of the names the
        table knows are on; None when the table knows none of them."""
        clusters = [int(self.cluster[n]) for n in names if n in self.cluster]
        best = None
        for depth in range(1, 16):
            mask = (1 << depth) - 1
            counts = Counter(c & mask for c in clusters)
            if not counts:
                break
            bits, n = counts.most_common(1)[0]
            if n < share * len(clusters):
                break
            best = (mask, bits)
        return best

    def is_common_word(self, name: str) -> bool:
        """A one-word name that the language writes in lower case as a word."""
        if " " in name or "-" in name:
            return False
        lower = name.lower()
        if lower in self.listed or name in self.listed:
            return True
        p_lower = self.prob.get(lower)
        return p_lower is not None and p_lower >= self.prob.get(name, -100.0)

    def knows(self, word: str) -> bool:
        return word in self.cluster

    def on_path(self, name: str, path: tuple[int, int] | None) -> bool:
        cluster = self.cluster.get(name.split(" ")[0])
        return path is not None and cluster is not None and int(cluster) & path[0] == path[1]

    def separates_nouns(self, path: tuple[int, int] | None, share: float = 0.5) -> bool:
        """Whether at most `share` of the listed capitalised common words are on the path."""
        nouns = [w for w in self.listed if w[:1].isupper() and w in self.cluster]
        if path is None or not nouns:
            return False
        return sum(self.on_path(w, path) for w in nouns) <= share * len(nouns)

    def is_place_word(self, name: str) -> bool:
        """The language uses the name the way it uses country names (its first word)."""
        return self.on_path(name, self.place_path)


# A capitalised word of the NER training text is a common noun when it occurs
# this often outside entities (not first in a sentence) and rarely inside one.
NOUN_MIN_COUNT = 2
NOUN_MAX_ENTITY_SHARE = 0.1


def training_words(corpus_dir: Path) -> Counter:
    """The open German training text's common words (GermEval's training part,
    Europeana, UD):
    those written in lower case, and the capitalised ones its NER gold leaves
    outside entities (nouns: "Kita", "Mitte")."""
    from newsbeam.evaluation.iob import read_columns
    from newsbeam.models.corpora import germeval_training_sentences

    counts: Counter = Counter()
    outside: Counter = Counter()
    inside: Counter = Counter()
    # GermEval's selection and held-out sentences are not read.
    sentences: list = germeval_training_sentences(corpus_dir)
    for path in sorted((corpus_dir / "europeana").glob("*.bio")):
        sentences += read_columns(path)
    for words, tags in sentences:
        for i, (word, tag) in enumerate(zip(words, tags, strict=True)):
            if word.isalpha() and (i or word.islower()):
                (outside if tag in (None, "O") else inside)[word] += 1
    for path in sorted((corpus_dir / "ud").glob("*.conllu")):
        for line in path.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) > 2 and cols[0].isdigit() and cols[1].isalpha() and cols[1].islower():
                outside[cols[1]] += 1
    # Lower-case words once are enough, capitalised ones need NOUN_MIN_COUNT; a
    # word the gold often puts in an entity ("dpa", "Union") is no common word.
    for word, n in outside.items():
        enough = word.islower() or n >= NOUN_MIN_COUNT
        if enough and inside[word] <= NOUN_MAX_ENTITY_SHARE * (n + inside[word]):
            counts[word] += n
    return counts


def write_common_words(language: str, corpus_dir: Path) -> Path:
    return write_word_list(language, COMMON_WORDS_FILE, training_words(corpus_dir))


# Inflection endings of a German adjective ("deutsch-en", "europäisch-e").
ADJECTIVE_ENDINGS = ("en", "em", "er", "es", "e")
# A stem is a derived adjective when the gold tags it `-deriv` this often...
DERIVED_MIN_SHARE = 0.8
# ... and at least this many times.
DERIVED_MIN_COUNT = 2


def adjective_stem(word: str) -> str:
    """The word without its inflection ending; the stem keeps at least 4 letters."""
    for ending in ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=8)
def derived_adjectives(language: str) -> frozenset[str]:
    """Stems of the adjectives derived from names (`lexicons/<lang>/derived_adjectives.txt`)."""
    return read_word_list(language, DERIVED_ADJECTIVES_FILE)


def training_derived_adjectives(corpus_dir: Path) -> list[str]:
    """Stems of the lower-case words that GermEval's training part tags `-deriv`
    (derived from a name: "deutschen", "europäische", "sozialdemokratischen") in
    at least DERIVED_MIN_SHARE of their occurrences. CoNLL-style corpora call
    such words MISC; GermEval's outer level keeps them apart from names."""
    from newsbeam.models.corpora import germeval_training_sentences

    derived: Counter = Counter()
    seen: Counter = Counter()
    for words, tags in germeval_training_sentences(corpus_dir):
        for word, tag in zip(words, tags, strict=True):
            if word.isalpha() and word.islower():
                stem = adjective_stem(word)
                seen[stem] += 1
                derived[stem] += bool(tag and tag.endswith("deriv"))
    return sorted(
        stem
        for stem, n in derived.items()
        if n >= DERIVED_MIN_COUNT and n >= DERIVED_MIN_SHARE * seen[stem]
    )


def write_derived_adjectives(language: str, corpus_dir: Path) -> Path:
    words = training_derived_adjectives(corpus_dir)
    return write_word_list(language, DERIVED_ADJECTIVES_FILE, words)


if __name__ == "__main__":
    from newsbeam.models.train import TRAINING_DIR

    lang = sys.argv[1] if len(sys.argv) > 1 else "de"
    print(write_common_words(lang, TRAINING_DIR / "corpus"))
    print(write_derived_adjectives(lang, TRAINING_DIR / "corpus"))
