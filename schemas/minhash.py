"""`_minhash` (hidden): MinHash signatures of kept articles, for near-duplicate checks."""

import pyarrow as pa

from newsbeam.schemas._fields import col

NAME = "_minhash"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "the article", False),
        col("run_id", pa.string(), "the run that wrote it", False),
        col(
            "signature",
            pa.list_(pa.uint64()),
            "MinHash values (datasketch, 64 permutations)",
            False,
        ),
    ]
)
