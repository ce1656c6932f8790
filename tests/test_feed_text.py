"""Feeds read as feedparser reads them: encodings detected, xml:lang per item,
text and titles as plain text decoded by their content type, headlines kept,
error reasons that name the real cause. Every feed here is written for the test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsbeam.transforms.language import with_language
from newsbeam.transforms.records import Article, ErrorRecord
from newsbeam.transforms.sources.feed_file import parse_feed
from newsbeam.transforms.sources.html_file import parse_html_file

RUSSIAN = (
    "Министры иностранных дел встретились в понедельник в Берлине, чтобы обсудить "
    "положение в регионе. По словам участников, переговоры были долгими и трудными, "
    "но в конце концов стороны договорились продолжить встречу через неделю."
)


def rss(items: str, head: str = '<?xml version="1.0"?>', channel: str = "") -> bytes:
    return f'{head}<rss version="2.0"><channel><title>T</title>{channel}{items}</channel></rss>'.encode()


def only_articles(records):
    return [r for r in records if isinstance(r, Article)]


def test_an_undeclared_koi8_feed_is_decoded_and_the_guess_is_recorded():
    body = f"<item><title>Встреча</title><description>{RUSSIAN}</description></item>"
    data = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Новости</title>{body}</channel></rss>'
    records = list(parse_feed("ru.xml", data.encode("koi8-r")))
    (article,) = only_articles(records)
    assert article.text == RUSSIAN and article.title == "Встреча"
    (error,) = [r for r in records if isinstance(r, ErrorRecord)]
    assert error.kind == "encoding_guessed" and "KOI8-R" in error.message.upper()


def test_a_correctly_declared_feed_gets_no_encoding_error():
    data = rss(f"<item><title>x</title><description>{RUSSIAN}</description></item>",
               head='<?xml version="1.0" encoding="koi8-r"?>')  # fmt: skip
    records = list(parse_feed("ru.xml", data.decode().encode("koi8-r")))
    assert [r for r in records if isinstance(r, ErrorRecord)] == []
    assert only_articles(records)[0].text == RUSSIAN


def test_item_level_xml_lang_wins_over_the_feed_language():
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>Nachrichten</title>
<entry><title>Ein Titel</title><link href="https://example.org/1"/><updated>2025-08-26T09:00:00Z</updated>
<summary xml:lang="en">The foreign ministers met on Monday.</summary></entry>
<entry><title>Zweiter</title><link href="https://example.org/2"/><updated>2025-08-26T09:00:00Z</updated>
<summary>Die Minister trafen sich am Montag.</summary></entry></feed>"""
    english, german = parse_feed("f.atom", data)
    assert (english.language, german.language) == ("en", "de")


@pytest.mark.parametrize(
    ("description", "text"),
    [
        ("don&amp;#x2019;t stop", "don\u2019t stop"),
        ("AT&amp;amp;T and others", "AT&T and others"),
        ("&lt;p&gt;AT&amp;amp;T&lt;/p&gt;", "AT&T"),
    ],
)
def test_html_entities_are_decoded_even_without_a_tag(description, text):
    (article,) = parse_feed(
        "f.xml", rss(f"<item><title>t</title><description>{description}</description></item>")
    )
    assert article.text == text


def test_plain_text_content_is_not_parsed_as_html_and_titles_are_plain_text():
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title type="html">Example &lt;b&gt;Atom&lt;/b&gt;</title><link href="https://e.org/1"/>
<updated>2025-08-26T09:00:00Z</updated><content type="text">If a &lt;b and c&gt; d, then e.</content></entry>
<entry><title type="html">&lt;img src="x.png"&gt;</title><link href="https://e.org/2"/>
<updated>2025-08-26T09:00:00Z</updated><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry>
</feed>"""
    first, second = parse_feed("f.atom", data)
    assert first.text == "If a <b and c> d, then e."
    assert first.title == "Example Atom"
    assert second.title is None and second.text == "Body"


def test_an_item_with_neither_title_nor_text_names_that_cause():
    records = list(parse_feed("f.xml", rss("<item><link>https://e.org/1</link></item>")))
    (error,) = records
    assert error.kind == "empty_item" and "no title and no text" in error.message


def test_a_title_only_item_in_a_feed_with_an_xml_glitch_is_kept():
    data = rss("<item><title>Nur ein Titel</title><link>https://e.org/1?a=1&b=2</link></item>")
    (article,) = only_articles(parse_feed("f.xml", data))
    assert (article.text, article.text_source) == ("Nur ein Titel", "title")


def test_a_readable_feed_without_items_is_empty_not_unparseable():
    with pytest.raises(Exception) as info:
        list(parse_feed("f.xml", rss("", channel="<description>nichts</description>")))
    assert info.value.kind == "empty_feed"
    with pytest.raises(Exception) as info:
        list(parse_feed("f.xml", b"<html><body>not a feed</body></html>"))
    assert info.value.kind == "bad_feed"


def test_a_two_word_summary_is_not_guessed_but_the_feed_language_is_used():
    (bare,) = parse_feed(
        "f.xml",
        rss("<item><title>Example</title><description>Example summary</description></item>"),
    )
    assert (with_language(bare).language, with_language(bare).language_source) == (
        "und",
        "undetermined",
    )
    (declared,) = parse_feed("f.xml", rss("<item><title>Example</title><description>Example summary</description></item>",
                                          channel="<language>en-us</language>"))  # fmt: skip
    assert with_language(declared).language == "en"


PAGE = """<!doctype html><html lang="de"><head>
<title>Zinsen steigen weiter | Börsen-Zeitung</title>
<meta property="og:title" content="Zinsen steigen weiter | Börsen-Zeitung">
<meta property="og:site_name" content="Börsen-Zeitung">
<meta property="article:published_time" content="2025-08-26T08:00:00+02:00">
</head><body><header><nav>Startseite Märkte</nav></header><article><h1>Zinsen steigen weiter</h1>
<p>Die Europäische Zentralbank hat am Dienstag die Zinsen erneut angehoben, wie die Notenbank in Frankfurt mitteilte.</p>
<p>Ökonomen hatten mit diesem Schritt gerechnet, nachdem die Inflation im Euroraum zuletzt wieder gestiegen war.</p>
<p>Die Entscheidung fiel nach Angaben aus Notenbankkreisen einstimmig, weitere Schritte seien nicht ausgeschlossen.</p>
</article></body></html>"""


def test_a_saved_page_keeps_its_declared_language_its_time_of_day_and_its_headline():
    (article,) = parse_html_file("page.html", PAGE.encode())
    assert (article.language, article.language_source) == ("de", "metadata")
    assert article.published_at == datetime(2025, 8, 26, 6, 0, tzinfo=UTC)
    assert article.title == "Zinsen steigen weiter"
    assert article.text.startswith("Die Europäische Zentralbank")


def test_the_json_ld_headline_wins_and_a_site_suffix_is_stripped():
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Kanzler reist nach Paris", "datePublished": "2025-09-01T17:30:00+02:00"}</script>'
    )
    page = PAGE.replace("<h1>Zinsen steigen weiter</h1>", "").replace("</head>", ld + "</head>")
    (article,) = parse_html_file("page.html", page.encode())
    assert article.title == "Kanzler reist nach Paris"
    assert article.published_at == datetime(2025, 9, 1, 15, 30, tzinfo=UTC)
    no_headline = PAGE.replace("<h1>Zinsen steigen weiter</h1>", "")
    (article,) = parse_html_file("page.html", no_headline.encode())
    assert article.title == "Zinsen steigen weiter"  # "| Börsen-Zeitung" is the site's name


def test_a_polled_item_with_only_a_headline_falls_back_to_it_when_its_page_fails():
    from newsbeam.transforms.feeds.pages import summary_article
    from newsbeam.transforms.feeds.poll import FeedItem

    item = FeedItem(
        feed_url="https://e.org/rss", url="https://e.org/a", canonical="https://e.org/a",
        title="Kanzler reist nach Paris", summary="", published=None, language="de",
    )  # fmt: skip
    article = summary_article(item, datetime(2025, 9, 1, tzinfo=UTC))
    assert (article.text, article.text_source) == ("Kanzler reist nach Paris", "title")


def test_polling_reads_item_titles_and_item_language_like_saved_feeds():
    from newsbeam.transforms.feeds.feedlist import FeedSpec
    from newsbeam.transforms.feeds.poll import parse_items

    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>x</title>
<entry><title type="html">Example &lt;b&gt;Atom&lt;/b&gt;</title><link href="https://e.org/1"/>
<updated>2025-08-26T09:00:00Z</updated><summary xml:lang="en">Only the headline counts.</summary></entry>
<entry><title>Nur Titel</title><link href="https://e.org/2"/><updated>2025-08-26T09:00:00Z</updated></entry>
</feed>"""
    items, problems = parse_items(FeedSpec("https://e.org/atom", "e"), data)
    assert problems == []
    assert [(i.title, i.summary, i.language) for i in items] == [
        ("Example Atom", "Only the headline counts.", "en"),
        ("Nur Titel", "", "de"),
    ]
