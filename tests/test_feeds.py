"""Feed ingestion against a real HTTP server on 127.0.0.1: polite polling,
conditional GET, new items only, duplicates, and every fault a feed can throw."""

from __future__ import annotations

import pytest

from newsbeam.pipelines.tick import TickConfig, run_tick
from newsbeam.transforms.feeds.canonical import canonical_url
from newsbeam.transforms.feeds.feedlist import load_feed_list, parse_interval
from newsbeam.transforms.feeds.http import HttpLimits
from newsbeam.transforms.lake import LakeConfig
from tests.conftest import read_table
from tests.feedserver import FeedServer, Route, atom, page, rdf, rss

STORIES = {
    "/de/gipfel.html": ("Gipfel in Alaska", [
        "Donald Trump hat sich in Alaska mit Wladimir Putin getroffen, um über den Krieg in der Ukraine zu sprechen.",
        "Das Treffen dauerte nach Angaben beider Seiten fast drei Stunden und endete ohne eine gemeinsame Erklärung.",
        "Beobachter in Berlin und Brüssel reagierten zurückhaltend auf die Ergebnisse der Gespräche in Anchorage.",
    ]),
    "/de/haushalt.html": ("Haushalt beschlossen", [
        "Der Bundestag hat am Freitag den Haushalt für das kommende Jahr mit großer Mehrheit beschlossen.",
        "Finanzminister Lars Klingbeil sprach von einem soliden Kompromiss zwischen den Koalitionspartnern in Berlin.",
        "Die Opposition kritisierte die hohen neuen Schulden und kündigte eine Klage in Karlsruhe an.",
    ]),
    "/de/bahn.html": ("Streik bei der Bahn", [
        "Die Lokführergewerkschaft hat für Montag einen bundesweiten Streik im Personenverkehr angekündigt.",
        "Reisende müssen sich nach Angaben der Deutschen Bahn auf massive Ausfälle und Verspätungen einstellen.",
        "Die Tarifverhandlungen waren in der vergangenen Woche in Frankfurt ohne Ergebnis abgebrochen worden.",
    ]),
    "/de/wetter.html": ("Hitze im Süden", [
        "Der Deutsche Wetterdienst warnt für das Wochenende vor extremer Hitze in Bayern und Baden-Württemberg.",
        "In München werden Temperaturen von bis zu achtunddreißig Grad erwartet, so heiß wie seit Jahren nicht.",
        "Die Behörden rufen dazu auf, viel zu trinken und die Mittagssonne möglichst zu meiden.",
    ]),
    "/en/ports.html": ("Ports deal signed", [
        "Norwegian Trade Minister Ingrid Halvorsen and Canadian Trade Minister David Okafor signed a shipping agreement in Oslo.",
        "The deal ends two years of negotiations and cuts costs for exporters in both countries, officials said.",
        "Environmental groups criticized the agreement and warned about the risk to coastal waters.",
    ]),
}  # fmt: skip


def serve_story(server, path, canonical=None):
    title, paragraphs = STORIES[path]
    server.routes[path] = Route(page(title, paragraphs, canonical), "text/html; charset=utf-8")


def item(path, title=None):
    return (path, title or STORIES[path][0], STORIES[path][1][0])


def tick(tmp_path, feeds_file, **kwargs):
    # The test server is on 127.0.0.1, which newsbeam refuses unless told otherwise.
    limits = kwargs.pop(
        "http",
        HttpLimits(timeout_s=2.0, max_bytes=200_000, max_retry_wait_s=3.0, allow_private=True),
    )
    config = TickConfig(
        [str(feeds_file)], LakeConfig(str(tmp_path / "lake")), delay_s=0.0, http=limits, **kwargs
    )
    return run_tick(config)


def table(tmp_path, name):
    found = read_table(tmp_path / "lake", name)
    return [] if found is None else found.to_pylist()


@pytest.fixture()
def server():
    with FeedServer() as s:
        s.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        yield s


def test_feed_lists_in_three_formats_and_a_check_that_names_lines(tmp_path):
    (tmp_path / "feeds.txt").write_text(
        "# news\nhttps://a.example/feed.xml\nftp://b.example/x\nhttps://a.example/feed.xml\n"
    )
    (tmp_path / "feeds.yaml").write_text(
        "feeds:\n  - url: https://a.example/rss\n    name: A\n    language: de\n    interval: 10m\n"
        "  - url: https://b.example/rss\n    enabled: false\n  - name: no url\n  - url: https://c.example/rss\n    colour: red\n"
    )
    (tmp_path / "feeds.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="News">'
        '<outline text="A" title="A" type="rss" xmlUrl="https://a.example/rss"/>'
        '<outline text="B" xmlUrl="https://b.example/atom"/></outline></body></opml>'
    )
    text = load_feed_list(tmp_path / "feeds.txt")
    assert [f.url for f in text.feeds] == ["https://a.example/feed.xml"]
    assert text.problems == [
        "line 3: 'ftp://b.example/x' is not an http(s) URL",
        "line 4: https://a.example/feed.xml is listed twice",
    ]
    yml = load_feed_list(tmp_path / "feeds.yaml")
    assert [(f.name, f.language, f.interval_s, f.enabled) for f in yml.feeds] == [
        ("A", "de", 600, True),
        ("b.example", None, 900, False),
    ]
    assert yml.problems == ["line 8: each feed needs a `url`", "line 9: unknown keys ['colour']"]
    opml = load_feed_list(tmp_path / "feeds.opml")
    assert [f.url for f in opml.feeds] == [
        "https://a.example/rss",
        "https://b.example/atom",
    ] and not opml.problems
    assert parse_interval("15m") == 900 and parse_interval("2h") == 7200


def test_feeds_check_command_reports_problems_and_exit_status(tmp_path):
    from newsbeam.pipelines.cli import main

    (tmp_path / "bad.txt").write_text("not a url\n")
    (tmp_path / "good.txt").write_text("https://a.example/feed.xml\n")
    assert main(["feeds", "check", str(tmp_path / "bad.txt")]) == 1
    assert main(["feeds", "check", str(tmp_path / "good.txt")]) == 0


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://www.Example.org/a/?utm_source=x&id=3&fbclid=y#top", "https://example.org/a?id=3"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
    ],
)
def test_canonical_urls(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.slow
def test_second_poll_is_a_304_and_fetches_nothing_else(server, tmp_path):
    server.routes["/de/rss"] = Route(
        rss(server.base, [item("/de/gipfel.html"), item("/de/haushalt.html")])
    )
    for path in ("/de/gipfel.html", "/de/haushalt.html"):
        serve_story(server, path)
    (tmp_path / "feeds.txt").write_text(f"{server.base}/de/rss\n")
    first = tick(tmp_path, tmp_path / "feeds.txt")
    assert first.new_articles == 2 and first.not_modified == 0
    requests_before = len(server.requests)
    second = tick(tmp_path, tmp_path / "feeds.txt")
    assert second.not_modified == 1 and second.new_articles == 0
    assert [p for p, _ in server.requests[requests_before:]] == ["/de/rss"]
    assert server.requests[-1][1]["if-none-match"]
    polls = sorted(table(tmp_path, "feeds"), key=lambda r: r["polled_at"])
    assert [p["status"] for p in polls] == ["ok", "not_modified"]
    assert (polls[0]["items"], polls[0]["new"]) == (2, 2)
    articles = table(tmp_path, "articles")
    assert {a["text_source"] for a in articles} == {"page"}
    assert {a["authors"] for a in articles} == {"Anna Beispiel"}
    assert all(a["published_source"] == "feed" for a in articles)


@pytest.mark.slow
def test_a_feed_that_gains_two_items_yields_exactly_two_new_articles(server, tmp_path):
    for path in STORIES:
        serve_story(server, path)
    server.routes["/de/rdf"] = Route(
        rdf(server.base, [item("/de/gipfel.html")]), "application/rdf+xml"
    )
    server.routes["/en/atom"] = Route(
        atom(server.base, [item("/en/ports.html")]), "application/atom+xml"
    )
    (tmp_path / "feeds.txt").write_text(f"{server.base}/de/rdf\n{server.base}/en/atom\n")
    assert tick(tmp_path, tmp_path / "feeds.txt").new_articles == 2
    server.routes["/de/rdf"] = Route(
        rdf(server.base, [item("/de/bahn.html"), item("/de/wetter.html"), item("/de/gipfel.html")]),
        "application/rdf+xml",
    )
    second = tick(tmp_path, tmp_path / "feeds.txt")
    assert second.new_articles == 2 and second.not_modified == 1
    languages = {a["title"]: a["language"] for a in table(tmp_path, "articles")}
    assert languages == {
        "Gipfel in Alaska": "de",
        "Ports deal signed": "en",
        "Streik bei der Bahn": "de",
        "Hitze im Süden": "de",
    }
    polls = [p for p in table(tmp_path, "feeds") if p["feed_url"].endswith("/de/rdf")]
    assert sorted((p["new"], p["known"]) for p in polls) == [(1, 0), (2, 1)]


@pytest.mark.slow
def test_tracking_parameters_and_syndicated_copies_end_as_one_article_plus_duplicates(
    server, tmp_path
):
    serve_story(server, "/de/gipfel.html")
    title, paragraphs = STORIES["/de/gipfel.html"]
    # A partner site runs the same story under its own headline and a one-line intro.
    server.routes["/partner/story-123.html"] = Route(
        page("Trump und Putin beraten in Anchorage", ["Von unserem Partnerdienst.", *paragraphs]),
        "text/html",
    )
    server.routes["/de/rss"] = Route(
        rss(
            server.base,
            [
                item("/de/gipfel.html"),
                ("/de/gipfel.html?utm_source=rss&utm_medium=feed", title, "x"),
            ],
        )
    )
    server.routes["/partner/rss"] = Route(
        rss(server.base, [("/partner/story-123.html", "Trump und Putin beraten", "y")])
    )
    (tmp_path / "feeds.txt").write_text(f"{server.base}/de/rss\n{server.base}/partner/rss\n")
    summary = tick(tmp_path, tmp_path / "feeds.txt")
    assert summary.new_articles == 1
    (kept,) = table(tmp_path, "articles")
    duplicates = table(tmp_path, "duplicates")
    assert sorted(d["reason"] for d in duplicates) == ["near_duplicate", "same_url"]
    assert {d["duplicate_of"] for d in duplicates} == {kept["article_id"]}
    near = next(d for d in duplicates if d["reason"] == "near_duplicate")
    assert near["similarity"] >= 0.7 and near["title"] == "Trump und Putin beraten in Anchorage"
    assert server.hits("/de/gipfel.html") == 1  # the tracking-parameter copy was never fetched


@pytest.mark.slow
def test_every_fault_ends_in_feeds_or_errors_and_the_tick_finishes(server, tmp_path):
    serve_story(server, "/de/gipfel.html")
    base = server.base
    server.routes.update(
        {
            "/retry/rss": Route(rss(base, [item("/de/gipfel.html")]), statuses=[500]),
            "/limited/rss": Route(b"", statuses=[429, 429, 429], headers={"Retry-After": "1"}),
            "/slow/rss": Route(rss(base, []), delay_s=4.0),
            "/loop/rss": Route(redirect_to="/loop/rss"),
            "/huge/rss": Route(b"<rss>" + b"x" * 100_000, chunks=5),
            "/broken/rss": Route(b"<?xml version='1.0'?><rss><channel><item><title>kaputt"),
            "/robots/rss": Route(
                rss(base, [("/private/secret.html", "Geheim", "Nur die Zusammenfassung.")])
            ),
            "/private/secret.html": Route(
                page("Geheim", ["Darf nicht gelesen werden."] * 3), "text/html"
            ),
        }
    )
    names = [
        "/missing/rss",
        "/retry/rss",
        "/limited/rss",
        "/slow/rss",
        "/loop/rss",
        "/huge/rss",
        "/broken/rss",
        "/robots/rss",
    ]
    (tmp_path / "feeds.txt").write_text("".join(f"{base}{n}\n" for n in names))
    summary = tick(tmp_path, tmp_path / "feeds.txt")
    polls = {p["feed_url"].removeprefix(base): p for p in table(tmp_path, "feeds")}
    assert polls["/missing/rss"]["status"] == "error:http_404"
    assert (polls["/retry/rss"]["status"], polls["/retry/rss"]["attempts"]) == ("ok", 2)
    assert (
        polls["/limited/rss"]["status"] == "error:http_status"
        and polls["/limited/rss"]["attempts"] is None
    )
    assert polls["/slow/rss"]["status"] == "error:timeout"
    assert polls["/loop/rss"]["status"] == "error:redirect_loop"
    assert polls["/huge/rss"]["status"] == "error:too_large"
    assert polls["/broken/rss"]["status"] in ("error:bad_feed", "ok")
    errors = table(tmp_path, "errors")
    robots = [e for e in errors if e["source"].endswith("/private/secret.html")]
    assert [e["kind"] for e in robots] == ["robots_disallowed"]
    assert server.hits("/private/secret.html") == 0
    articles = {a["title"]: a for a in table(tmp_path, "articles")}
    assert articles["Geheim"]["text_source"] == "feed_summary"  # the summary stands in, flagged
    assert "Gipfel in Alaska" in articles
    kinds = {e["source"].removeprefix(base): e["kind"] for e in errors}
    for feed in ("/missing/rss", "/limited/rss", "/slow/rss", "/loop/rss", "/huge/rss"):
        assert feed in kinds, f"{feed} has no error row"
    assert summary.feeds == len(names)


@pytest.mark.slow
def test_ingest_once_runs_one_tick_from_the_command_line(server, tmp_path, capsys):
    from newsbeam.pipelines.cli import main

    serve_story(server, "/en/ports.html")
    server.routes["/en/atom"] = Route(
        atom(server.base, [item("/en/ports.html")]), "application/atom+xml"
    )
    (tmp_path / "feeds.yaml").write_text(
        f"- url: {server.base}/en/atom\n  name: ports\n  language: en\n"
    )
    args = [
        "ingest",
        str(tmp_path / "feeds.yaml"),
        "--once",
        "--output",
        str(tmp_path / "lake"),
        "--delay",
        "0",
        "--allow-private-addresses",  # the test server is on 127.0.0.1
    ]
    assert main(args) == 0
    assert "1 new articles" in capsys.readouterr().out
    (poll,) = table(tmp_path, "feeds")
    assert (poll["feed_name"], poll["status"], poll["new"]) == ("ports", "ok", 1)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("file:///etc/passwd", "bad_scheme"),
        ("gopher://example.org/", "bad_scheme"),
        ("http://127.0.0.1:8080/feed", "blocked_address"),
        ("http://localhost/feed", "blocked_address"),
        ("http://169.254.169.254/latest/meta-data/", "blocked_address"),
        ("http://10.1.2.3/", "blocked_address"),
        ("http://[::1]/", "blocked_address"),
        ("http://[::ffff:192.168.0.1]/", "blocked_address"),
        # shared address space (carrier-grade NAT), with a cloud metadata address in it
        ("http://100.64.0.1/", "blocked_address"),
        ("http://100.100.100.200/latest/meta-data/", "blocked_address"),
        ("http://198.18.0.1/", "blocked_address"),  # benchmarking
        ("http://0.0.0.0/", "blocked_address"),
        ("http://224.0.0.1/", "blocked_address"),  # multicast
        ("http://[fe80::1]/", "blocked_address"),
        ("http://[fd00::1]/", "blocked_address"),  # unique local
        # IPv6 forms that wrap a private IPv4: 6to4, NAT64 (both prefixes), Teredo
        ("http://[2002:a9fe:a9fe::1]/", "blocked_address"),
        ("http://[2002:c0a8:0101::1]/", "blocked_address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "blocked_address"),
        ("http://[64:ff9b::7f00:1]/", "blocked_address"),
        ("http://[64:ff9b:1::a9fe:a9fe]/", "blocked_address"),
        ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "blocked_address"),
    ],
)
def test_fetching_refuses_other_schemes_and_non_public_addresses(url, kind):
    from newsbeam.transforms.feeds.http import FetchError, check_destination

    with pytest.raises(FetchError) as info:
        check_destination(url)
    assert info.value.kind == kind


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "[2606:4700:4700::1111]", "[2002:0808:0808::1]", "[64:ff9b::808:808]"],
)
def test_public_addresses_and_wrappers_of_public_ipv4_pass_the_guard(address):
    from newsbeam.transforms.feeds.http import check_destination

    check_destination(f"http://{address}/feed")  # no FetchError


@pytest.mark.slow
def test_a_feed_on_loopback_is_refused_by_default_and_a_redirect_to_it_too(server, tmp_path):
    server.routes["/de/rss"] = Route(rss(server.base, []))
    (tmp_path / "feeds.txt").write_text(f"{server.base}/de/rss\n")
    summary = tick(tmp_path, tmp_path / "feeds.txt", http=HttpLimits(timeout_s=2.0))
    assert summary.feed_errors == 1 and server.requests == []
    (poll,) = table(tmp_path, "feeds")
    assert (
        poll["status"] == "error:blocked_address" and "--allow-private-addresses" in poll["message"]
    )


def test_every_redirect_hop_is_checked(server):
    from newsbeam.transforms.feeds.http import FetchError, PoliteClient

    server.routes["/hop"] = Route(redirect_to="http://169.254.169.254/latest/meta-data/")
    client = PoliteClient(allow_private=False)
    with pytest.raises(FetchError) as info:
        client.get(f"{server.base}/hop")  # the first hop itself is loopback: refused
    assert info.value.kind == "blocked_address"
    checked = []
    import newsbeam.transforms.feeds.http as http

    original = http.check_destination

    def spy(url, allow_private=False):
        checked.append(url)
        if "169.254" in url:
            return original(url, False)
        return None

    http.check_destination = spy
    try:
        with pytest.raises(FetchError) as info:
            PoliteClient(allow_private=False).get(f"{server.base}/hop")
    finally:
        http.check_destination = original
    assert info.value.kind == "blocked_address"
    assert checked == [f"{server.base}/hop", "http://169.254.169.254/latest/meta-data/"]
