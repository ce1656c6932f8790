"""Near-duplicates (syndicated copies) by MinHash over word shingles (datasketch)."""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SHINGLE_WORDS = 3
# Estimated Jaccard similarity at which two texts are copies of one story.
THRESHOLD = 0.7
# Fixed so that signatures stored in the lake stay comparable across versions.
SCHEME = "affine32"

_WORD = re.compile(r"\w+")


def signature(text: str) -> list[int]:
    words = _WORD.findall(text.casefold())
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS])
        for i in range(max(1, len(words) - SHINGLE_WORDS + 1))
    }
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    m.update_batch([s.encode() for s in shingles])
    return [int(v) for v in m.hashvalues]


def _minhash(values: list[int]) -> MinHash:
    return MinHash(num_perm=NUM_PERM, hashvalues=np.array(values, dtype=np.uint64), scheme=SCHEME)


class NearDuplicateIndex:
    """Signatures of articles already kept; `match` finds the one a new text copies."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._sigs: dict[str, MinHash] = {}

    def add(self, key: str, values: list[int]) -> None:
        if key not in self._sigs:
            m = _minhash(values)
            self._lsh.insert(key, m)
            self._sigs[key] = m

    def match(self, values: list[int]) -> tuple[str, float] | None:
        m = _minhash(values)
        best = max(
            ((k, m.jaccard(self._sigs[k])) for k in self._lsh.query(m)),
            key=lambda p: p[1],
            default=None,
        )
        return best if best and best[1] >= THRESHOLD else None
