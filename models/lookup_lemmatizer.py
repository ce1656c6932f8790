"""A lookup lemmatizer that loads its table as a plain dict.

spaCy's lookup-mode `lemmatizer` gives each token `table.get(text, text)`. Its
table is a `spacy.lookups.Table`, which inserts the entries one by one through
a Python `__setitem__` (and a Bloom filter): the shipped German table has
355,000 entries and took 1.0 of the pipeline's 1.2 s of loading, in every
worker process. This component reads the same `lookups.bin` into a dict keyed
by the same string hashes (0.1 s) and gives the same lemmas.

`registry.load` puts it in place of a lookup-mode lemmatizer of a pipeline
folder, under the same name; a pipeline whose lemmatizer uses rules or a model
keeps spaCy's.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import srsly  # type: ignore[import-untyped]
from spacy.language import Language
from spacy.tokens import Doc

FACTORY = "newsbeam_lookup_lemmatizer"
LOOKUPS_FILE = Path("lookups") / "lookups.bin"
TABLE = "lemma_lookup"


class LookupLemmatizer:
    """token.lemma_ = the table's lemma of the token's text, else the text."""

    def __init__(self, overwrite: bool = False) -> None:
        self.overwrite = overwrite
        self.table: dict[int, str] = {}

    def __call__(self, doc: Doc) -> Doc:
        table = self.table
        for token in doc:
            if self.overwrite or token.lemma == 0:
                token.lemma_ = table.get(token.orth, token.text)
        return doc

    def from_disk(self, path: str | Path, *, exclude: tuple = ()) -> LookupLemmatizer:
        tables = srsly.msgpack_loads((Path(path) / LOOKUPS_FILE).read_bytes())
        if TABLE not in tables:
            raise ValueError(f"{path}: no {TABLE!r} table in {LOOKUPS_FILE}")
        self.table = tables[TABLE]
        return self

    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        target = Path(path) / LOOKUPS_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(srsly.msgpack_dumps({TABLE: self.table}))


@Language.factory(FACTORY, default_config={"overwrite": False})
def make_lookup_lemmatizer(nlp: Language, name: str, overwrite: bool) -> LookupLemmatizer:
    return LookupLemmatizer(overwrite)


def lookup_lemmatizer_of(folder: Path) -> tuple[dict, list[str]] | None:
    """(settings, the components before it) of a pipeline folder's lookup-mode
    spaCy lemmatizer; None when the folder has no such lemmatizer."""
    from spacy.util import load_config

    config_file = folder / "config.cfg"
    if not config_file.is_file():
        return None
    config = load_config(config_file, interpolate=False)
    settings = config.get("components", {}).get("lemmatizer", {})
    order = [str(name) for name in config.get("nlp", {}).get("pipeline", [])]
    if settings.get("factory") != "lemmatizer" or settings.get("mode") != "lookup":
        return None
    if "lemmatizer" not in order:
        return None
    return dict(settings), order[: order.index("lemmatizer")]


def load_with_fast_lemmatizer(folder: Path) -> Language:
    """spacy.load of a pipeline folder whose lookup lemmatizer is swapped for this one."""
    import spacy

    found = lookup_lemmatizer_of(folder)
    if found is None:
        return spacy.load(folder)
    settings, earlier = found
    nlp = spacy.load(folder, exclude=["lemmatizer"])
    before = [name for name in earlier if name in nlp.pipe_names]
    place = {"after": before[-1]} if before else {"first": True}
    overwrite = bool(settings.get("overwrite", False))
    added = nlp.add_pipe(FACTORY, name="lemmatizer", config={"overwrite": overwrite}, **place)
    cast(LookupLemmatizer, added).from_disk(folder / "lemmatizer")
    return nlp
