"""`newsbeam evaluate places`: the GeoVirus and TR-News readers, the scoring, the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbeam.evaluation.places import distance_km, marks_demonyms, score_doc
from newsbeam.evaluation.toponyms import Toponym, ToponymDoc, read_toponym_corpus
from newsbeam.pipelines.cli import main

DATA = Path(__file__).parent / "data" / "toponyms"


def test_readers_take_both_layouts_and_mend_shifted_offsets():
    docs, skipped = read_toponym_corpus([str(DATA), str(DATA / "missing.xml")])
    assert skipped == [f"{DATA / 'missing.xml'}: no such file or folder"]
    by_file = {Path(d.source).name: d for d in docs}
    geo = by_file["geovirus-like.xml"]
    # the file counts from one; every toponym is moved onto its phrase
    assert [geo.text[t.start : t.end] for t in geo.toponyms] == [
        "Nairobi", "Kenya", "Lyon", "France",
    ]  # fmt: skip
    tr = by_file["trnews-like.xml"]
    assert tr.doc_id == "t1" and tr.toponyms[0] == Toponym(4, 11, "Turkish", 39.0, 35.0)
    assert tr.toponyms[-1].lat is None  # recognition only


def test_a_toponym_far_from_its_offsets_is_listed(tmp_path):
    (tmp_path / "bad.xml").write_text(
        "<articles><article><text>Rain in Oslo.</text><locations><location><name>Bergen</name>"
        "<start>8</start><end>14</end><lat>60.4</lat><lon>5.3</lon></location></locations>"
        "</article></articles>",
        encoding="utf-8",
    )
    docs, skipped = read_toponym_corpus([str(tmp_path)])
    assert docs[0].toponyms == [] and "'Bergen' not within 40 characters of 8" in skipped[0]


def test_distance():
    assert distance_km(51.5, -0.13, 48.86, 2.35) == pytest.approx(343, abs=3)  # London-Paris


def test_scoring_recognition_and_distance():
    doc = ToponymDoc(
        "d", "In Oslo and Bergen and Rome.", "en", "x.xml",
        [Toponym(3, 7, "Oslo", 59.91, 10.75), Toponym(12, 18, "Bergen", 60.39, 5.32),
         Toponym(23, 27, "Rome", None, None)],
    )  # fmt: skip
    rows = [
        {"start_char": 3, "end_char": 7, "lat": 59.9, "lon": 10.7, "name": "Oslo"},
        {"start_char": 12, "end_char": 18, "lat": 52.37, "lon": 9.73, "name": "Bergen"},
        {"start_char": 0, "end_char": 2, "lat": None, "lon": None, "name": None},
    ]
    result = score_doc(doc, rows)
    s = result.scores
    assert (s.found.matched_gold, s.found.system, s.found.gold) == (2, 3, 3)
    assert (s.placeable, s.within, s.no_point) == (2, 1, 0)  # Rome has no gold point
    assert [row["name"] for row, _, _ in result.too_far] == ["Bergen"]
    assert [g.text for g in result.missed] == ["Rome"]


def test_demonym_rows_count_only_where_the_gold_marks_adjectives():
    doc = ToponymDoc("d", "The Turkish envoy.", "en", "x.xml", [])
    rows = [{"start_char": 4, "end_char": 11, "lat": 39, "lon": 35, "form": "demonym"}]
    assert score_doc(doc, rows, with_demonyms=False).scores.found.system == 0
    assert score_doc(doc, rows, with_demonyms=True).scores.found.system == 1
    docs, _ = read_toponym_corpus([str(DATA)])
    marks = {Path(d.source).name: marks_demonyms([d]) for d in docs}
    assert marks == {"geovirus-like.xml": False, "trnews-like.xml": True}


def test_the_command_scores_each_file(capsys):
    assert main(["evaluate", "places", str(DATA), "--errors"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("$ newsbeam evaluate places")
    geo, tr = out.split("geovirus-like.xml: ", 1)[1], out.split("trnews-like.xml: ", 1)[1]
    assert geo.startswith("1 documents, 4 gold toponyms, 4 rows\n")
    assert "accuracy@161 km        100.0% of 4 recognised" in geo
    # the demonym "Turkish" is a row here; Georgia among Ankara and Tbilisi is the
    # country; the made-up town is missed
    assert tr.startswith("1 documents, 5 gold toponyms, 4 rows\n")
    assert "R  80.0" in tr and "accuracy@161 km        100.0% of 4" in tr
    assert "t1\tmissed\t" in out and "[Smalltownia]" in out


def test_nothing_to_score_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no GeoVirus or TR-News documents"):
        main(["evaluate", "places", str(tmp_path)])
