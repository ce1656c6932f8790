"""Reading the lake from DuckDB and Polars, as of one committed run.

Every reader goes by `_state/snapshots.json` (tables.py): the snapshot of each
table as of the last committed run, so tables agree with each other. pyiceberg
readers use `tables.read_table` / `read_lake`; these helpers give the same
view to DuckDB (its Iceberg extension, loaded offline from the PyPI packages
`duckdb-extension-iceberg`, `-httpfs` and `-avro`, installed with
`newsbeam[readers]`) and to Polars.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsbeam.schemas import PUBLIC_TABLES
from newsbeam.transforms.lake.filesystem import Lake, LakeConfig
from newsbeam.transforms.lake.tables import snapshots_as_of, table

if TYPE_CHECKING:
    import duckdb
    import polars

DUCKDB_EXTENSIONS = ("avro", "httpfs", "iceberg")


def duckdb_extension(name: str) -> str:
    """The extension file the PyPI package `duckdb-extension-NAME` holds for this DuckDB."""
    import duckdb

    try:
        package = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        raise RuntimeError(
            f"DuckDB's {name} extension is not installed: pip install 'newsbeam[readers]'"
        ) from None
    folder = Path(str(package.__file__)).parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob("*.duckdb_extension"))
    if not found:
        raise RuntimeError(
            f"duckdb-extension-{name} has no file for DuckDB {duckdb.__version__} "
            f"(in {folder.parent}): install the same version of both"
        )
    return str(found[0])


def duckdb_connect(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """DuckDB with the Iceberg extension loaded from local files: no download."""
    import duckdb

    con = duckdb.connect(
        database,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    for name in DUCKDB_EXTENSIONS:
        con.execute(f"LOAD '{duckdb_extension(name)}'")
    return con


def duckdb_views(
    con: duckdb.DuckDBPyConnection, config: LakeConfig, as_of_run: str | None = None
) -> list[str]:
    """One view per table (`articles`, `entities`, ...) in `con`: the lake as of
    the last committed run, or `as_of_run`. An S3 lake's endpoint and keys
    become a DuckDB secret. Returns the view names."""
    config = config.with_env_defaults()
    if config.is_s3:
        _s3_secret(con, config)
    snapshots = snapshots_as_of(Lake(config), as_of_run)
    for name in PUBLIC_TABLES:
        location = table(config, name).metadata_location
        snapshot = snapshots.get(name)
        if snapshot is None:  # no committed row yet: the schema, no rows
            query = f"SELECT * FROM iceberg_scan('{location}') LIMIT 0"
        else:
            query = f"SELECT * FROM iceberg_scan('{location}', snapshot_from_id={int(snapshot)})"
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {query}')
    return list(PUBLIC_TABLES)


def _s3_secret(con: duckdb.DuckDBPyConnection, config: LakeConfig) -> None:
    endpoint = urlsplit(config.s3_endpoint or "")
    settings = {
        "TYPE": "s3",
        "KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", ""),
        "SECRET": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
        "REGION": config.s3_region or "us-east-1",
    }
    if endpoint.netloc:
        settings |= {
            "ENDPOINT": endpoint.netloc,
            "URL_STYLE": "path",
            "USE_SSL": "true" if endpoint.scheme == "https" else "false",
        }
    body = ", ".join(
        f"{k} {v}" if k in ("TYPE", "USE_SSL") else f"{k} '{v}'" for k, v in settings.items()
    )
    con.execute(f"CREATE OR REPLACE SECRET newsbeam_lake ({body})")


def polars_frame(config: LakeConfig, name: str, as_of_run: str | None = None) -> polars.LazyFrame:
    """A table as a Polars LazyFrame, as of the last committed run (or `as_of_run`)."""
    import polars as pl

    from newsbeam.transforms.lake.iceberg import file_schema

    config = config.with_env_defaults()
    snapshot = snapshots_as_of(Lake(config), as_of_run).get(name)
    if snapshot is None:
        return pl.from_arrow(file_schema(name).empty_table()).lazy()  # type: ignore[union-attr]
    return pl.scan_iceberg(table(config, name), snapshot_id=snapshot)
