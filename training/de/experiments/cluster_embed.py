"""Experiment: Brown clusters (spacy-lookups-data de_lexeme_cluster) as embedding features."""

import gzip
import json
import pathlib
from functools import lru_cache

import numpy
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


@lru_cache(1)
def clusters():
    import spacy_lookups_data

    path = pathlib.Path(spacy_lookups_data.__file__).parent / "data" / "de_lexeme_cluster.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def ClusterFeatures(columns, masks):
    def forward(model, docs, is_train):
        table = clusters()
        feats = []
        for doc in docs:
            arr = doc.to_array(columns).reshape(len(doc), -1).astype("uint64")
            ids = numpy.array(
                [int(table.get(t.text, table.get(t.lower_, -1))) for t in doc], dtype="int64"
            )
            cols = [arr]
            for mask in masks:
                col = numpy.where(ids < 0, 0, (ids & mask) + 1).astype("uint64").reshape(-1, 1)
                cols.append(col)
            feats.append(model.ops.asarray2i(numpy.hstack(cols), dtype="uint64"))
        return feats, lambda d: []

    return Model("cluster_features", forward)


@registry.architectures("newsbeam.ClusterHashEmbed.v1")
def ClusterHashEmbed(width: int, attrs: list, rows: list, cluster_rows: int, masks: list):
    all_rows = [*rows] + [cluster_rows] * len(masks)
    embeds = [
        HashEmbed(width, r, column=i, seed=8 + i, dropout=0.0) for i, r in enumerate(all_rows)
    ]
    n = len(all_rows)
    return chain(
        ClusterFeatures(attrs, masks),
        list2ragged(),
        with_array(concatenate(*embeds)),
        with_array(Maxout(width, width * n, nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
