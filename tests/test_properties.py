"""Property-based: random text and random feed-like XML through the parsers and
extractors. No exception escapes, offsets stay inside the text, rows fit schemas."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbeam.schemas import TABLES, missing_required
from newsbeam.transforms.extract import EXTRACTORS
from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.common import SourceError, make_article
from newsbeam.transforms.sources.feed_file import parse_feed
from newsbeam.transforms.sources.jsonl_file import parse_jsonl_file
from newsbeam.transforms.sources.text_file import parse_text_file

NEWSY = st.text(
    alphabet=st.sampled_from(
        list(
            "abcdefghijklmnopqrstuvwxyzäöüß ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ.,:;!?\"„“»«‚‘'()-\n\u200b0123456789"
        )
    ),
    max_size=400,
)
WORDS = st.lists(
    st.sampled_from(
        ["Trump", "sagte", "am", "Montag", "„Ja“", "Putin", "in", "Kiew", "Mitte", "August", "er", "habe",
         "zugestimmt", "telefonierte", "mit", "Rubio", ",", ".", "US-Präsident", "Moskau", "dementierte", "\n\n"]
    ),
    max_size=60,
).map(" ".join)  # fmt: skip
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_parsers_turn_any_bytes_into_articles_or_errors(data):
    for parser in (parse_text_file, parse_jsonl_file, parse_feed):
        try:
            records = list(parser("x", data))
        except SourceError as exc:
            assert exc.kind and exc.message
            continue
        assert all(isinstance(r, Article | ErrorRecord) for r in records)


@SETTINGS
@given(title=NEWSY, body=NEWSY, link=st.text(max_size=40))
def test_feed_like_xml_never_raises_anything_but_a_source_error(title, body, link):
    xml = f"<rss><channel><item><title>{title}</title><link>{link}</link><description>{body}</description></item></channel></rss>"
    try:
        records = list(parse_feed("f.xml", xml.encode("utf-8", "surrogatepass")))
    except SourceError:
        return
    assert all(isinstance(r, Article | ErrorRecord) for r in records)


def check_rows(table, rows, text):
    for row in rows:
        assert missing_required(table, row) == [], (table, row)
        if "start_char" in row:
            assert 0 <= row["start_char"] <= row["end_char"] <= len(text)
    pa.Table.from_pylist([{**r, "run_id": "r"} for r in rows], schema=TABLES[table])


@pytest.mark.parametrize("language", ["de", "en"])
@SETTINGS
@given(text=st.one_of(WORDS, NEWSY))
def test_extractors_on_random_text(request, language, text):
    nlp = request.getfixturevalue(f"nlp_{language}")
    try:
        article = make_article("x.txt", text, language=language, published="2025-08-26")
    except SourceError:
        return
    doc = nlp(article.text)
    for table, extractor in EXTRACTORS.items():
        check_rows(table, extractor(doc, article), article.text)
