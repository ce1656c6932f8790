"""The lake: a local folder or an S3 bucket, behind one pyarrow.fs code path.

pyarrow.fs is the one data path for local disk, MinIO, SeaweedFS and AWS S3:
the same library writes Parquet and talks S3 (with an endpoint override), so
local and S3 runs share every line of sink code.
"""

from __future__ import annotations

import json
import os
import posixpath
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

# Bounded retries: a dead S3 endpoint fails the run in seconds, not hours.
S3_MAX_ATTEMPTS = 4
S3_CONNECT_TIMEOUT_S = 5.0
S3_REQUEST_TIMEOUT_S = 60.0
PARQUET_COMPRESSION = "zstd"

ENDPOINT_ENV = ("NEWSBEAM_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION")
CATALOG_ENV = "NEWSBEAM_CATALOG"


def _first_env(names: tuple[str, ...]) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


@dataclass(frozen=True)
class LakeConfig:
    """Where the lake is. Picklable; credentials stay in the environment, never in here."""

    uri: str
    s3_endpoint: str | None = None
    s3_region: str | None = None
    catalog: str | None = None  # Iceberg catalog URI (see iceberg.py); None: embedded

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")

    def with_env_defaults(self) -> LakeConfig:
        catalog = self.catalog or os.environ.get(CATALOG_ENV) or None
        if not self.is_s3:
            return LakeConfig(os.path.abspath(self.uri), catalog=catalog)
        return LakeConfig(
            self.uri,
            self.s3_endpoint or _first_env(ENDPOINT_ENV),
            self.s3_region or _first_env(REGION_ENV) or "us-east-1",
            catalog,
        )

    def problem(self) -> str | None:
        """What is wrong with the settings themselves, before any request is made."""
        if self.is_s3 and self.s3_endpoint and "://" not in self.s3_endpoint:
            return (
                f"the S3 endpoint {self.s3_endpoint!r} has no scheme: write "
                f"http://{self.s3_endpoint} (or https://...)"
            )
        if self.is_s3 and not urlparse(self.uri).netloc:
            return f"{self.uri!r} names no bucket: write s3://BUCKET/PREFIX"
        if self.is_s3 and not self.catalog:
            return (
                "an S3 lake needs an Iceberg catalog: --catalog rest+http://HOST:PORT "
                f"(Iceberg REST) or postgresql://USER@HOST/DB, or ${CATALOG_ENV}"
            )
        return None

    def display(self) -> str:
        if self.is_s3 and self.s3_endpoint:
            return f"{self.uri} (endpoint {self.s3_endpoint})"
        return self.uri


def open_filesystem(config: LakeConfig) -> tuple[pafs.FileSystem, str]:
    """(filesystem, root path inside it) for a lake."""
    if not config.is_s3:
        return pafs.LocalFileSystem(), os.path.abspath(config.uri)
    parsed = urlparse(config.uri)
    kwargs: dict = {
        "region": config.s3_region or "us-east-1",
        "connect_timeout": S3_CONNECT_TIMEOUT_S,
        "request_timeout": S3_REQUEST_TIMEOUT_S,
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=S3_MAX_ATTEMPTS),
        "allow_bucket_creation": False,
        "allow_bucket_deletion": False,
    }
    if config.s3_endpoint:
        endpoint = urlparse(config.s3_endpoint)
        if endpoint.scheme:
            kwargs["endpoint_override"] = endpoint.netloc
            kwargs["scheme"] = endpoint.scheme
        else:
            kwargs["endpoint_override"] = config.s3_endpoint
    return pafs.S3FileSystem(**kwargs), (parsed.netloc + parsed.path).rstrip("/")


class Lake:
    """Paths and atomic file operations relative to the lake root."""

    def __init__(self, config: LakeConfig) -> None:
        self.config = config
        self.fs, self.root = open_filesystem(config)
        self._local = isinstance(self.fs, pafs.LocalFileSystem)

    def path(self, *parts: str) -> str:
        """A path in the filesystem: lake-relative parts, or one absolute URI
        (file:///..., s3://bucket/..., as Iceberg names its data files)."""
        if len(parts) == 1 and "://" in parts[0]:
            uri = parts[0]
            return uri.removeprefix("file://") if self._local else uri.split("://", 1)[1]
        return posixpath.join(self.root, *parts)

    def uri(self, rel: str) -> str:
        """The absolute URI of a lake-relative path."""
        return f"s3://{self.path(rel)}" if not self._local else f"file://{self.path(rel)}"

    def relative(self, path: str) -> str:
        return posixpath.relpath(path, self.root)

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def list_files(self, rel_dir: str, suffix: str = "") -> list[str]:
        """Relative paths of all files below a folder (none if it does not exist)."""
        selector = pafs.FileSelector(self.path(rel_dir), recursive=True, allow_not_found=True)
        infos = self.fs.get_file_info(selector)
        return sorted(
            self.relative(i.path)
            for i in infos
            if i.type == pafs.FileType.File and i.path.endswith(suffix)
        )

    def list_dirs(self, rel_dir: str) -> list[str]:
        """Names of the folders directly below a folder (none if it does not exist)."""
        selector = pafs.FileSelector(self.path(rel_dir), recursive=False, allow_not_found=True)
        infos = self.fs.get_file_info(selector)
        return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)

    def write_parquet(self, rel: str, batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> None:
        self._ensure_parent(rel)
        with (
            self.fs.open_output_stream(self.path(rel)) as sink,
            pq.ParquetWriter(sink, schema, compression=PARQUET_COMPRESSION) as writer,
        ):
            for batch in batches:
                writer.write_batch(batch)

    def read_parquet_columns(self, rel: str, columns: list[str]) -> dict[str, list]:
        """Some columns of one Parquet file, read in one go (names may repeat)."""
        names = list(dict.fromkeys(columns))
        table = pq.read_table(self.path(rel), columns=names, filesystem=self.fs)
        return {name: table.column(name).to_pylist() for name in names}

    def read_parquet_table(self, rel: str) -> pa.Table:
        return pq.read_table(self.path(rel), filesystem=self.fs)

    def delete_file(self, rel: str) -> None:
        self.fs.delete_file(self.path(rel))

    def parquet_rows(self, rel: str) -> int:
        with self.fs.open_input_file(self.path(rel)) as handle:
            return pq.ParquetFile(handle).metadata.num_rows

    def write_json(self, rel: str, obj: object) -> None:
        """Write a small JSON document so that readers see the old or the new one, whole."""
        data = json.dumps(obj, indent=1, sort_keys=True, default=str).encode()
        self._ensure_parent(rel)
        if self._local:
            tmp = self.path(rel) + f".tmp-{uuid.uuid4().hex}"
            with self.fs.open_output_stream(tmp) as out:
                out.write(data)
            self.fs.move(tmp, self.path(rel))  # rename is atomic on one filesystem
        else:
            with self.fs.open_output_stream(self.path(rel)) as out:  # a PUT is atomic
                out.write(data)

    def read_json(self, rel: str) -> dict:
        with self.fs.open_input_stream(self.path(rel)) as handle:
            return json.loads(handle.read())

    def move(self, src_rel: str, dst_rel: str) -> None:
        self._ensure_parent(dst_rel)
        self.fs.move(self.path(src_rel), self.path(dst_rel))

    def delete_dir(self, rel: str) -> None:
        if self.exists(rel):
            self.fs.delete_dir(self.path(rel))

    def _ensure_parent(self, rel: str) -> None:
        if self._local:
            self.fs.create_dir(posixpath.dirname(self.path(rel)), recursive=True)


CREDENTIAL_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
_DENIED = (
    "ACCESS_DENIED",
    "ACCESS DENIED",
    "INVALIDACCESSKEYID",
    "SIGNATUREDOESNOTMATCH",
    "UNABLE TO LOCATE CREDENTIALS",
)


def explain_s3_error(message: str) -> str:
    """An S3 error, with the missing credential variables named when access was denied."""
    if not any(word in message.upper() for word in _DENIED):
        return message
    unset = [name for name in CREDENTIAL_ENV if not os.environ.get(name)]
    if unset and not os.environ.get("AWS_PROFILE"):
        return f"{message} ({' and '.join(unset)} not set: export them, or set AWS_PROFILE)"
    return f"{message} (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for this bucket)"
