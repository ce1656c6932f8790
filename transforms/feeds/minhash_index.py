"""Near-duplicates (syndicated copies) by MinHash over word shingles (datasketch)."""

from __future__ import annotations

import re
from functools import lru_cache

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


@lru_cache(maxsize=1)
def _permutations() -> tuple:
    """The scheme's permutations, made once: MinHash draws them anew for every
    signature otherwise (a random generator each, and 512 bytes kept per article)."""
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations  # type: ignore[no-any-return]


def _minhash(values: list[int]) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM,
        hashvalues=np.array(values, dtype=np.uint64),
        permutations=_permutations(),
        scheme=SCHEME,
    )


class NearDuplicateIndex:
    """Signatures of articles already kept; `match` finds the one a new text copies.

    A stream keeps one for its whole life: it holds each article's hash values
    (an array of NUM_PERM) and the LSH's band keys, not MinHash objects."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._sigs: dict[str, np.ndarray] = {}

    def add(self, key: str, values: list[int]) -> None:
        if key not in self._sigs:
            m = _minhash(values)
            self._lsh.insert(key, m)
            self._sigs[key] = m.hashvalues

    def match(self, values: list[int]) -> tuple[str, float] | None:
        m = _minhash(values)
        best = max(
            ((k, _jaccard(m.hashvalues, self._sigs[k])) for k in self._lsh.query(m)),
            key=lambda p: p[1],
            default=None,
        )
        return best if best and best[1] >= THRESHOLD else None


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash.jaccard: the share of equal hash values."""
    return float(np.count_nonzero(a == b)) / len(a)
