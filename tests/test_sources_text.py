from datetime import UTC, datetime

import pytest

from newsbeam.transforms.sources.common import SourceError, decode_text
from newsbeam.transforms.sources.text_file import parse_text_file, split_header
from tests.conftest import SEED


def test_seed_inline_date_header_is_the_publication_date():
    (article,) = parse_text_file(str(SEED), SEED.read_bytes())
    assert article.published_at == datetime(2025, 8, 26, tzinfo=UTC)
    assert article.published_source == "header"
    assert article.text.startswith("US-Präsident Donald Trump hat eigenen Angaben zufolge")
    assert article.text.endswith("(afp/red)")
    assert "date 2025" not in article.text
    assert article.title is None  # the seed has no headline; none is invented


def test_header_lines_before_the_text():
    header, body = split_header("title: Gipfel in Alaska\ndate: 2025-08-15\nlanguage: de\n\nText.")
    assert header == {"title": "Gipfel in Alaska", "date": "2025-08-15", "language": "de"}
    assert body.strip() == "Text."


def test_text_starting_with_the_word_date_is_not_a_header():
    header, body = split_header("Date night is back in fashion, say the planners.")
    assert header == {}
    assert body.startswith("Date night")


def test_same_text_gives_the_same_id_from_any_path():
    data = b" date 2025-08-26 Ein kurzer Text."
    (a,) = parse_text_file("/a/x.txt", data)
    (b,) = parse_text_file("/b/y.txt", data)
    assert a.article_id == b.article_id


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Grüße aus Köln".encode("latin-1"), "not_utf8"),
    ],
)
def test_unreadable_text_raises_a_source_error_with_a_kind(data, kind):
    with pytest.raises(SourceError) as info:
        decode_text(data)
    assert info.value.kind == kind


def test_utf16_with_bom_and_utf8_bom_are_read():
    assert decode_text("Grüße".encode("utf-16")) == "Grüße"
    assert decode_text(b"\xef\xbb\xbfGr\xc3\xbc\xc3\x9fe") == "Grüße"


def test_not_utf8_message_says_where_and_what_to_do():
    with pytest.raises(SourceError) as info:
        decode_text(b"abc\xe4def")
    assert "offset 3" in info.value.message and "UTF-8" in info.value.message
