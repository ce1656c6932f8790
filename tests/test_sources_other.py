from datetime import UTC, datetime

from newsbeam.transforms.records import Article
from newsbeam.transforms.sources import expand_sources, read_source
from newsbeam.transforms.sources.feed_file import parse_feed
from newsbeam.transforms.sources.html_file import parse_html_file
from newsbeam.transforms.sources.jsonl_file import parse_jsonl_file

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Nachrichten</title><language>de-DE</language>
<item><title>Gipfel in Alaska</title><link>https://example.org/a?id=1</link>
<pubDate>Fri, 15 Aug 2025 18:00:00 +0200</pubDate>
<description>&lt;p&gt;Trump traf Putin in Alaska.&lt;/p&gt;&lt;p&gt;Zweiter Absatz.&lt;/p&gt;</description></item>
<item><title>Ohne Text</title><link>https://example.org/b</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>News</title>
<entry><title>Talks</title><link href="https://example.com/talks"/>
<updated>2025-08-26T09:00:00Z</updated><content type="html">Rubio spoke with Kallas.</content></entry>
</feed>"""


def test_rss_items_become_articles_and_a_headline_alone_is_the_text_of_last_resort():
    first, second = parse_feed("feed.xml", RSS)
    assert isinstance(first, Article)
    assert first.url == "https://example.org/a?id=1"
    assert first.title == "Gipfel in Alaska"
    assert first.language == "de" and first.language_source == "metadata"
    assert first.published_at == datetime(2025, 8, 15, 16, 0, tzinfo=UTC)
    assert first.text == "Trump traf Putin in Alaska.\nZweiter Absatz."
    assert first.text_source == "file"
    assert isinstance(second, Article) and second.source == "feed.xml#item1"
    assert (second.text, second.title, second.text_source) == ("Ohne Text", "Ohne Text", "title")


def test_atom_entry_with_language_from_xml_lang():
    (entry,) = parse_feed("feed.atom", ATOM)
    assert entry.language == "en"
    assert entry.published_at == datetime(2025, 8, 26, 9, 0, tzinfo=UTC)


def test_jsonl_lines_are_separate_inputs():
    data = (
        b'{"url": "https://x.org/1", "title": "T", "published": "2025-08-26", '
        b'"text": "Ein Text.", "language": "de"}\n'
        b"{broken\n"
        b'{"title": "no text"}\n'
    )
    ok, bad_json, no_text = parse_jsonl_file("a.jsonl", data)
    assert isinstance(ok, Article) and ok.published_at == datetime(2025, 8, 26, tzinfo=UTC)
    assert (bad_json.kind, bad_json.source, bad_json.input_excerpt) == (
        "bad_json",
        "a.jsonl#L2",
        "{broken",
    )
    assert no_text.kind == "no_text"


def test_html_main_text_without_navigation():
    body = (
        "<p>" + "Die Außenminister berieten in Brüssel über die Lage in der Ukraine. " * 6 + "</p>"
    )
    html = (
        "<html lang='de'><head><title>Beratung</title>"
        "<meta property='article:published_time' content='2025-08-26T08:00:00Z'></head>"
        f"<body><nav><a href='/'>Startseite</a> Menü Login</nav><article><h1>Beratung</h1>{body}"
        "</article><footer>Impressum Datenschutz</footer></body></html>"
    )
    (article,) = parse_html_file("page.html", html.encode())
    assert article.title == "Beratung"
    assert article.text.startswith("Die Außenminister berieten")
    assert "Impressum" not in article.text and "Startseite" not in article.text
    assert (
        article.published_at is not None and article.published_at.date().isoformat() == "2025-08-26"
    )


def test_read_source_turns_every_failure_into_an_error_row(tmp_path):
    (tmp_path / "bad.xml").write_text("<rss><channel><item>no end")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    bad_feed = list(read_source(str(tmp_path / "bad.xml")))
    unknown = list(read_source(str(tmp_path / "notes.pdf")))
    missing = list(read_source(str(tmp_path / "missing.txt")))
    assert [e.kind for e in bad_feed] == ["bad_feed"]
    assert [e.kind for e in unknown] == ["unsupported_format"]
    assert [e.kind for e in missing] == ["not_found"]
    assert "no such file" in missing[0].message


def test_expand_sources_walks_folders_for_known_formats_and_keeps_named_files(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text("{}")
    (tmp_path / "README.md").write_text("not an article")
    (tmp_path / ".hidden.txt").write_text("x")
    found = expand_sources([str(tmp_path), str(tmp_path / "missing.txt")]).paths
    names = [p.rsplit("/", 1)[1] for p in found]
    assert names == ["a.txt", "b.jsonl", "missing.txt"]
    assert expand_sources([str(tmp_path / "**" / "*.jsonl")]).paths[0].endswith("sub/b.jsonl")
