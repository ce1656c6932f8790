"""The lake's tables as Apache Iceberg tables: schemas, day partitions, catalogs.

The table schemas of schemas/ with stable field ids and their docs as column comments,
a `date` column that partitions each table by day (the article's publication
date; for errors the day they occurred), and the catalogs a lake can name:
- a local lake needs no server: pyiceberg's SQL catalog on a SQLite file
  inside it (`<lake>/_catalog/catalog.db`), tables at `<lake>/<table>`;
- an S3 lake names one with `--catalog URI` or `NEWSBEAM_CATALOG`:
  `postgresql://user@host/db` (SQL catalog on PostgreSQL; the password from
  PGPASSWORD; `?host=/socket/dir` for a Unix socket), or an Iceberg REST
  catalog, `rest+http://host:port` with its properties as query parameters
  (e.g. `?warehouse=s3://warehouse/&rest.sigv4-enabled=true`).
S3 endpoint and credentials reach the catalog's FileIO from the lake's
settings and the environment, never from the URI.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyarrow as pa

from newsbeam.schemas import PARTITION_COLUMN, PUBLIC_TABLES, TABLES
from newsbeam.transforms.lake.filesystem import CATALOG_ENV, LakeConfig

NAMESPACE = "newsbeam"
PARTITION_DOC = "partition: the article's publication day (errors: the day they occurred), UTC"
# Field ids 1..n follow the schema's column order; the partition field gets this one.
PARTITION_FIELD_ID = 1000
# Appends stay fast appends (a manifest per run and table): merging manifests on
# append cost more per commit than it saved (benchmarks/commit_time.py, 100 runs).
TABLE_PROPERTIES: dict[str, str] = {}


class CatalogError(ValueError):
    """The catalog settings cannot work; the message says what to write instead."""


def file_schema(table: str) -> pa.Schema:
    """The pyarrow schema of a table's data files: the table's columns plus `date`."""
    schema = TABLES[table]
    doc = {"doc": PARTITION_DOC}
    return schema.append(pa.field(PARTITION_COLUMN, pa.date32(), nullable=False, metadata=doc))


def iceberg_schema(table: str):  # type: ignore[no-untyped-def]
    """The Iceberg schema of a table: field ids by position, docs as column comments."""
    from pyiceberg.schema import Schema
    from pyiceberg.types import NestedField

    fields = []
    for field_id, field in enumerate(file_schema(table), start=1):
        doc = (field.metadata or {}).get(b"doc", b"").decode() or None
        fields.append(
            NestedField(
                field_id=field_id,
                name=field.name,
                field_type=_iceberg_type(field.type, 10_000 + field_id),
                required=not field.nullable,
                doc=doc,
            )
        )
    return Schema(*fields)


def partition_spec(schema):  # type: ignore[no-untyped-def]
    """Identity on `date`: one partition per day."""
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import IdentityTransform

    source = schema.find_field(PARTITION_COLUMN)
    field = PartitionField(
        source_id=source.field_id,
        field_id=PARTITION_FIELD_ID,
        transform=IdentityTransform(),
        name=PARTITION_COLUMN,
    )
    return PartitionSpec(field)


def _iceberg_type(arrow: pa.DataType, element_id: int):  # type: ignore[no-untyped-def]
    from pyiceberg import types as t

    simple = {
        pa.string(): t.StringType(),
        pa.int32(): t.IntegerType(),
        pa.int64(): t.LongType(),
        pa.float32(): t.FloatType(),
        pa.float64(): t.DoubleType(),
        pa.bool_(): t.BooleanType(),
        pa.date32(): t.DateType(),
        pa.timestamp("us", tz="UTC"): t.TimestamptzType(),
    }
    if arrow in simple:
        return simple[arrow]
    if pa.types.is_list(arrow) and arrow.value_type in simple:
        return t.ListType(element_id, simple[arrow.value_type], element_required=False)
    raise TypeError(f"no Iceberg type for {arrow}")


@dataclass(frozen=True)
class CatalogConfig:
    """Which catalog serves a lake, and the properties pyiceberg needs to open it."""

    kind: str  # sql | rest
    properties: dict[str, str]
    namespace: str = NAMESPACE


def catalog_config(lake: LakeConfig, uri: str | None = None) -> CatalogConfig:
    """The catalog of a lake: `uri` (or the lake's, or $NEWSBEAM_CATALOG), else the
    embedded SQLite catalog of a local lake. An S3 lake must name one. A REST
    catalog can serve several lakes: each gets a namespace named after it
    (s3://news/lake -> news_lake) unless the URI says `?namespace=`."""
    uri = uri or lake.catalog or os.environ.get(CATALOG_ENV)
    if not uri:
        if lake.is_s3:
            raise CatalogError(
                f"an S3 lake needs a catalog: --catalog rest+http://HOST:PORT (Iceberg REST) "
                f"or postgresql://USER@HOST/DB, or ${CATALOG_ENV}"
            )
        root = os.path.abspath(lake.uri)
        return CatalogConfig(
            "sql",
            {"uri": f"sqlite:///{root}/_catalog/catalog.db", "warehouse": f"file://{root}"},
        )
    parts = urlsplit(uri)
    options = dict(parse_qsl(parts.query))
    if parts.scheme.startswith(("postgresql", "sqlite")):
        # warehouse and namespace are newsbeam's; the other parameters are the
        # database's (host=/run/postgresql for a socket, sslmode=...) and stay in its URL.
        warehouse = options.pop("warehouse", _lake_warehouse(lake))
        namespace = options.pop("namespace", None) or _lake_namespace(lake)
        # The driver pyiceberg[sql-postgres] installs (SQLAlchemy 2.1 would pick psycopg 3).
        scheme = "postgresql+psycopg2" if parts.scheme == "postgresql" else parts.scheme
        url = urlunsplit((scheme, parts.netloc, parts.path, urlencode(options), ""))
        return CatalogConfig("sql", {"uri": url, "warehouse": warehouse, **_s3(lake)}, namespace)
    if parts.scheme in ("rest+http", "rest+https", "http", "https"):
        scheme = parts.scheme.removeprefix("rest+")
        rest = urlunsplit((scheme, parts.netloc, parts.path, "", ""))
        namespace = options.pop("namespace", "") or _lake_namespace(lake)
        return CatalogConfig("rest", {"uri": rest, **options, **_s3(lake)}, namespace)
    raise CatalogError(
        f"catalog {uri!r}: use rest+http://HOST:PORT, postgresql://USER@HOST/DB "
        "or sqlite:////PATH/catalog.db"
    )


def _lake_namespace(lake: LakeConfig) -> str:
    where = lake.uri.split("://", 1)[-1] if lake.is_s3 else os.path.abspath(lake.uri)
    return re.sub(r"\W+", "_", where).strip("_") or NAMESPACE


def _lake_warehouse(lake: LakeConfig) -> str:
    return lake.uri if lake.is_s3 else f"file://{os.path.abspath(lake.uri)}"


def _s3(lake: LakeConfig) -> dict[str, str]:
    """The FileIO's S3 settings: endpoint and region from the lake, keys from the environment."""
    if not lake.is_s3:
        return {}
    found = {
        "s3.endpoint": lake.s3_endpoint,
        "s3.region": lake.s3_region or "us-east-1",
        "s3.access-key-id": os.environ.get("AWS_ACCESS_KEY_ID"),
        "s3.secret-access-key": os.environ.get("AWS_SECRET_ACCESS_KEY"),
    }
    return {k: v for k, v in found.items() if v}


def open_catalog(config: CatalogConfig):  # type: ignore[no-untyped-def]
    """The pyiceberg catalog (for a SQLite file, its folder is made first)."""
    from pyiceberg.catalog import load_catalog

    uri = config.properties.get("uri", "")
    if uri.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(uri.removeprefix("sqlite:///")), exist_ok=True)
    return load_catalog(NAMESPACE, type=config.kind, **config.properties)


def ensure_tables(catalog, lake: LakeConfig, kind: str, namespace: str = NAMESPACE) -> dict:  # type: ignore[no-untyped-def]
    """Every public table, created empty with its schema where missing; name -> Table.
    A SQL catalog puts them at `<lake>/<table>`; a REST catalog where it decides."""
    catalog.create_namespace_if_not_exists(namespace)
    tables = {}
    for name in PUBLIC_TABLES:
        schema = iceberg_schema(name)
        location = f"{_lake_warehouse(lake).rstrip('/')}/{name}" if kind == "sql" else None
        found = catalog.create_table_if_not_exists(
            f"{namespace}.{name}",
            schema=schema,
            partition_spec=partition_spec(schema),
            location=location,
            properties=TABLE_PROPERTIES,
        )
        tables[name] = evolve(found, schema)
    return tables


def evolve(table, schema):  # type: ignore[no-untyped-def]
    """Add the columns a newer newsbeam declares to a table an older one made
    (their rows read as null); the columns it has are never changed. Every
    table has a name mapping: the Parquet files newsbeam writes carry no
    Iceberg field ids, readers match their columns by name."""
    from pyiceberg.table import TableProperties

    have = {f.name for f in table.schema().fields}
    if not all(f.name in have for f in schema.fields):
        with table.update_schema() as update:
            update.union_by_name(schema)
    if table.metadata.name_mapping() is None:
        mapping = table.schema().name_mapping.model_dump_json()
        with table.transaction() as txn:
            txn.set_properties(**{TableProperties.DEFAULT_NAME_MAPPING: mapping})
    return table
