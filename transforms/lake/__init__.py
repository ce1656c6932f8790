"""The lake: where the tables live and how a run's rows get into them.

- filesystem: a local folder or an S3 bucket behind one pyarrow.fs code path
- staging: the Beam sinks that write a run's rows as Parquet files
- dedupe: keys the lake already has, joined out of a run's records
- commit: the driver's commit of a run's files into the tables
- lock: one writer at a time where it matters
"""

from newsbeam.transforms.lake.filesystem import (
    CREDENTIAL_ENV,
    ENDPOINT_ENV,
    Lake,
    LakeConfig,
    explain_s3_error,
    open_filesystem,
)

__all__ = [
    "CREDENTIAL_ENV",
    "ENDPOINT_ENV",
    "Lake",
    "LakeConfig",
    "explain_s3_error",
    "open_filesystem",
]
