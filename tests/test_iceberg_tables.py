"""The lake's tables as Iceberg tables (groundwork for the Iceberg sink): every
table exists empty with its schema, field ids and docs, partitioned by day, in
the embedded SQLite catalog and in a real Iceberg REST catalog (SeaweedFS)."""

from __future__ import annotations

import datetime
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsbeam.schemas import PARTITION_COLUMN, PUBLIC_TABLES, TABLES
from newsbeam.transforms.lake import LakeConfig
from newsbeam.transforms.lake.iceberg import (
    CatalogError,
    catalog_config,
    ensure_tables,
    file_schema,
    open_catalog,
)


def test_every_table_exists_empty_with_ids_docs_and_a_day_partition(tmp_path):
    lake = LakeConfig(str(tmp_path / "lake"))
    config = catalog_config(lake)
    assert config.properties["uri"].endswith("/lake/_catalog/catalog.db")
    tables = ensure_tables(open_catalog(config), lake, config.kind)
    assert sorted(tables) == sorted(PUBLIC_TABLES)
    for name, table in tables.items():
        schema = table.schema()
        assert [f.name for f in schema.fields] == [*TABLES[name].names, PARTITION_COLUMN]
        assert [f.field_id for f in schema.fields] == list(range(1, len(schema.fields) + 1))
        docs = {f.name: (f.metadata or {}).get(b"doc", b"").decode() for f in TABLES[name]}
        assert all(schema.find_field(n).doc == d for n, d in docs.items() if d)
        assert [f.name for f in table.spec().fields] == [PARTITION_COLUMN]
        assert table.scan().to_arrow().num_rows == 0  # readable before the first row
        assert table.location() == f"file://{tmp_path / 'lake'}/{name}"
    again = ensure_tables(open_catalog(config), lake, config.kind)  # idempotent
    assert again["articles"].metadata_location == tables["articles"].metadata_location


def test_a_data_file_written_with_the_file_schema_is_added_to_its_day(tmp_path):
    lake = LakeConfig(str(tmp_path / "lake"))
    config = catalog_config(lake)
    table = ensure_tables(open_catalog(config), lake, config.kind)["errors"]
    day = datetime.date(2025, 8, 26)
    row = {name: None for name in TABLES["errors"].names}
    row |= {"error_id": "e1", "run_id": "r1", "source": "x.txt", "stage": "read", "kind": "empty",
            "message": "empty", "input_excerpt": "",
            "occurred_at": datetime.datetime(2025, 8, 26, tzinfo=datetime.UTC), "date": day}  # fmt: skip
    path = tmp_path / "lake" / "errors" / "data" / "date=2025-08-26" / "f.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([row], schema=file_schema("errors")), path)
    table.add_files([f"file://{path}"])
    (found,) = table.scan().to_arrow().to_pylist()
    assert (found["error_id"], found["date"]) == ("e1", day)
    (task,) = table.scan().plan_files()
    assert task.file.partition[0] == (day - datetime.date(1970, 1, 1)).days  # Iceberg's days


def test_an_s3_lake_must_name_its_catalog_and_uris_are_checked():
    with pytest.raises(CatalogError, match="needs a catalog"):
        catalog_config(LakeConfig("s3://bucket/lake", "http://127.0.0.1:9000"))
    with pytest.raises(CatalogError, match="rest\\+http"):
        catalog_config(LakeConfig("./lake"), "ftp://catalog")
    rest = catalog_config(
        LakeConfig("s3://bucket/lake", "http://127.0.0.1:9000", "us-east-1"),
        "rest+http://127.0.0.1:8181?warehouse=s3://warehouse/&rest.sigv4-enabled=true",
    )
    assert rest.kind == "rest" and rest.properties["uri"] == "http://127.0.0.1:8181"
    assert rest.properties["warehouse"] == "s3://warehouse/"
    assert rest.properties["s3.endpoint"] == "http://127.0.0.1:9000"


@pytest.mark.s3
@pytest.mark.slow
def test_the_tables_exist_in_a_real_iceberg_rest_catalog(tmp_path, monkeypatch):
    from tests.s3server import start_s3_server

    server = start_s3_server(tmp_path / "weed", "ice-key", "ice-Secret-7", table_bucket="warehouse")
    try:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        lake = LakeConfig("s3://warehouse/lake", server.endpoint, "us-east-1")
        uri = (
            f"rest+http://127.0.0.1:{server.ports['s3.port.iceberg']}?warehouse=s3://warehouse/"
            "&rest.sigv4-enabled=true&rest.signing-name=s3tables&rest.signing-region=us-east-1"
        )
        config = catalog_config(lake, uri)
        tables = None
        for _ in range(60):  # weed makes the table bucket a moment after S3 answers
            try:
                tables = ensure_tables(open_catalog(config), lake, config.kind)
                break
            except Exception as exc:
                if "table bucket" not in str(exc):
                    raise
                time.sleep(0.5)
        assert tables is not None
        assert sorted(tables) == sorted(PUBLIC_TABLES)
        assert tables["articles"].location().startswith("s3://warehouse/")
        assert tables["entities"].scan().to_arrow().num_rows == 0
    finally:
        server.stop()
