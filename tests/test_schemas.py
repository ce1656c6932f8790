import re
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from newsbeam.schemas import PARTITION_COLUMN, PUBLIC_TABLES, TABLES, missing_required
from newsbeam.schemas._fields import docs
from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.rows import article_row, error_row
from tests.conftest import ROOT


@pytest.mark.parametrize("table", sorted(PUBLIC_TABLES))
def test_every_column_is_documented_in_the_schema_and_the_readme(table):
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
    for name, _type, doc in docs(TABLES[table]):
        assert doc, f"{table}.{name} has no description"
        assert re.search(rf"^\| `{name}` \|", section, re.M), f"README lacks {table}.{name}"


def test_article_and_error_rows_fit_their_schemas():
    article = Article(
        article_id="a1",
        source="x.txt",
        text="Ein Text mit vier Wörtern.",
        published_at=datetime(2025, 8, 26, tzinfo=UTC),
        published_source="header",
        language="de",
        language_source="header",
    )
    table, date, row = article_row(article, "ok", "de_newsbeam-0.1.0")
    assert (table, date) == ("articles", "2025-08-26")
    assert row["word_count"] == 5
    assert missing_required("articles", row) == []
    pa.Table.from_pylist([{**row, "run_id": "r"}], schema=TABLES["articles"])

    etable, _edate, erow = error_row(ErrorRecord("x.txt", "parse", "empty", "no text"))
    assert etable == "errors" and missing_required("errors", erow) == []
    pa.Table.from_pylist([{**erow, "run_id": "r"}], schema=TABLES["errors"])


def test_missing_required_names_the_empty_columns():
    assert missing_required("entities", {"article_id": "a", "text": None}) == [
        "mention_index", "text", "label", "start_char", "end_char", "sentence_index",
        "canonical", "entity_key", "source_component",
    ]  # fmt: skip


def test_error_ids_are_stable_and_distinguish_inputs():
    a = ErrorRecord("x.jsonl#L2", "parse", "bad_json", "m", "{broken")
    b = ErrorRecord("x.jsonl#L2", "parse", "bad_json", "other wording", "{broken")
    c = ErrorRecord("x.jsonl#L3", "parse", "bad_json", "m", "{broken")
    assert a.error_id == b.error_id != c.error_id


@pytest.mark.parametrize("table", sorted(TABLES))
def test_no_column_is_shadowed_by_the_partition_column(table):
    # Hive readers (DuckDB, pyarrow) put the partition value in `date`: a column of
    # that name inside the files would be silently replaced by it.
    assert PARTITION_COLUMN not in TABLES[table].names
