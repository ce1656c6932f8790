"""Brown clusters as features of the German NER's token vectors.

`newsbeam.ClusterHashEmbed.v1` is spaCy's `MultiHashEmbed` (NORM, PREFIX,
SUFFIX, SHAPE, each hash-embedded) plus the Brown cluster of each word, and
shorter prefixes of its cluster path, embedded the same way. The clusters come
from spacy-lookups-data (`<lang>_lexeme_cluster`, MIT: a million words
clustered on large text), so a name the NER never saw in training still lands
near the names it did see: on GermEval's held-out sentences the model alone
goes from 57.9 to 72.1 F1 (training/de/experiments/README.md).

spaCy's own CLUSTER attribute cannot be embedded (`Doc.to_array` has no such
key), hence this layer. A token's cluster is looked up by the hash of its text,
else of its lower-case form, in sorted arrays (vectorised: no Python per
token). The arrays are built once per machine and kept in the cache folder.

The architecture is registered when this module is imported (models/registry.py
imports it) and through the `spacy_architectures` entry point, so a plain
`spacy.load` of the shipped pipeline and `spacy train` find it too.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy
from spacy.attrs import LOWER, ORTH
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d

from newsbeam.transforms.cache import pickled

NO_CLUSTER = -1


@dataclass(frozen=True)
class ClusterTable:
    """Word hash -> Brown cluster (bit path, root in the lowest bit)."""

    keys: numpy.ndarray  # sorted uint64 string hashes (spaCy's StringStore hashes)
    clusters: numpy.ndarray  # int64, aligned with keys

    def lookup(self, hashes: numpy.ndarray) -> numpy.ndarray:
        """The cluster of each hash, NO_CLUSTER where the table has none."""
        if len(self.keys) == 0:
            return numpy.full(len(hashes), NO_CLUSTER, dtype="int64")
        at = numpy.minimum(numpy.searchsorted(self.keys, hashes), len(self.keys) - 1)
        return numpy.where(self.keys[at] == hashes, self.clusters[at], NO_CLUSTER)

    def of_tokens(self, orth: numpy.ndarray, lower: numpy.ndarray) -> numpy.ndarray:
        """The cluster of each token's text, else of its lower-case form."""
        found = self.lookup(orth)
        return numpy.where(found == NO_CLUSTER, self.lookup(lower), found)


def _read_table(language: str) -> ClusterTable:
    import spacy_lookups_data

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    path = folder / f"{language}_lexeme_cluster.json.gz"
    if not path.is_file():
        raise ValueError(f"spacy-lookups-data has no Brown clusters for language {language!r}")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table: dict[str, int] = json.load(handle)
    keys = numpy.fromiter((hash_string(w) for w in table), dtype="uint64", count=len(table))
    clusters = numpy.fromiter((int(c) for c in table.values()), dtype="int64", count=len(table))
    order = numpy.argsort(keys, kind="stable")
    return ClusterTable(keys[order], clusters[order])


@lru_cache(maxsize=4)
def cluster_table(language: str) -> ClusterTable:
    """Loaded once per process; read from the JSON once per machine (about 3 s)."""
    version = importlib.metadata.version("spacy-lookups-data")
    return pickled(f"clusters-{language}-{version}.pkl", lambda: _read_table(language))


def cluster_columns(clusters: numpy.ndarray, masks: list[int]) -> numpy.ndarray:
    """One feature column per mask: the cluster path cut to the mask, 0 for none."""
    cols = [numpy.where(clusters < 0, 0, (clusters & mask) + 1) for mask in masks]
    return numpy.stack(cols, axis=1).astype("uint64") if cols else numpy.zeros((len(clusters), 0))


def ClusterFeatures(
    language: str, attrs: list[str], masks: list[int]
) -> Model[list[Doc], list[Ints2d]]:
    """Per doc, the attrs' hashes and the cluster columns, as one uint64 array."""

    def forward(model: Model, docs: list[Doc], is_train: bool):
        table = cluster_table(language)
        feats = []
        for doc in docs:
            ids = doc.to_array([ORTH, LOWER, *attrs]).reshape(len(doc), 2 + len(attrs))
            ids = ids.astype("uint64")
            clusters = table.of_tokens(ids[:, 0], ids[:, 1])
            both = numpy.hstack([ids[:, 2:], cluster_columns(clusters, masks)])
            feats.append(model.ops.asarray2i(both, dtype="uint64"))  # type: ignore[arg-type]
        return feats, lambda d_feats: []

    return Model("cluster_features", forward)


@registry.architectures("newsbeam.ClusterHashEmbed.v1")
def ClusterHashEmbed(
    width: int,
    attrs: list[str],
    rows: list[int],
    cluster_rows: int,
    masks: list[int],
    language: str = "de",
) -> Model[list[Doc], list[Floats2d]]:
    """MultiHashEmbed (no static vectors) with cluster-path columns beside the attrs."""
    if len(rows) != len(attrs):
        raise ValueError(f"{len(attrs)} attrs but {len(rows)} rows")
    all_rows = [*rows, *([cluster_rows] * len(masks))]
    embeds: list[Model] = [
        HashEmbed(width, n, column=i, seed=8 + i, dropout=0.0) for i, n in enumerate(all_rows)
    ]
    return chain(
        ClusterFeatures(language, attrs, masks),
        list2ragged(),
        with_array(concatenate(*embeds)),
        with_array(Maxout(width, width * len(all_rows), nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
