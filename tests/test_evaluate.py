"""`newsbeam evaluate timex`: readers, alignment and TempEval-3 figures, scored exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newsbeam.evaluation.documents import GoldSpan
from newsbeam.evaluation.spans import align
from newsbeam.evaluation.timeml import read_inline
from newsbeam.evaluation.timex import Extent, score_doc
from newsbeam.pipelines.cli import main

FIXTURE = Path(__file__).parent / "data" / "timeml" / "apple.tml"


def test_the_timeml_reader_gives_text_offsets_values_and_the_creation_date():
    doc = read_inline(FIXTURE)
    assert doc.dct == date(2011, 2, 16) and doc.language == "en" and doc.kind == "news"
    assert [(doc.text[s.start : s.end], s.type, s.value) for s in doc.spans] == [
        ("Monday", "DATE", "2011-02-14"),
        ("three years", "DURATION", "P3Y"),
        ("May 2008", "DATE", "2008-05"),
        ("last week", "DATE", "2011-W07"),
        ("these days", "DATE", "PRESENT_REF"),
        ("the spring of 2009", "DATE", "2009-SP"),
    ]
    assert "<" not in doc.text and "tomorrow" in doc.text


def test_alignment_is_one_to_one_and_prefers_exact_then_larger_overlaps():
    gold = [GoldSpan(0, 10, "DATE"), GoldSpan(20, 30, "DATE")]
    system = [Extent(2, 8, "DATE", "x"), Extent(0, 10, "DATE", "y"), Extent(25, 40, "DATE", "z")]
    found = align(system, gold)
    assert [(s.value, g.start) for s, g in found.pairs] == [("y", 0), ("z", 20)]
    assert [s.value for s in found.spurious] == ["x"] and found.missed == []


def test_scores_count_relaxed_strict_type_and_value_matches():
    doc = read_inline(FIXTURE)
    spans = {doc.text[s.start : s.end]: s for s in doc.spans}
    at = doc.text.index
    system = [
        Extent(at("Monday"), at("Monday") + 6, "DATE", "2011-02-14"),  # right
        Extent(at("May"), at("May") + 3, "DATE", "2008-05"),  # part of the span: relaxed only
        Extent(at("last week"), at("last week") + 9, "DURATION", "P1W"),  # wrong type and value
        Extent(at("tomorrow"), at("tomorrow") + 8, "DATE", "2011-02-17"),  # not annotated
    ]
    scores = score_doc(doc, system).scores
    assert (scores.relaxed.matched_system, scores.relaxed.system, scores.relaxed.gold) == (3, 4, 6)
    assert scores.strict.matched_gold == 2 and scores.value.matched_gold == 2
    assert scores.strict_value.matched_gold == 1 and scores.typed == 2
    assert round(scores.relaxed.f1, 4) == round(2 * (3 / 4) * (3 / 6) / (3 / 4 + 3 / 6), 4)
    assert spans["Monday"].value == "2011-02-14"


def test_the_command_runs_the_extractor_and_prints_the_figures(capsys):
    assert main(["evaluate", "timex", str(FIXTURE), "--errors"]) == 0
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if line.startswith("en ")]
    # gold 6, found 6: Monday, three years, May 2008, last week (value 2011-W06, the
    # ISO week before; gold says W07), spring of 2009 (relaxed: gold has "the"), and
    # tomorrow (not annotated); "these days" is missed, "may" is a verb.
    assert row.split()[1:4] == ["1", "6", "6"]
    assert "P  83.3  R  83.3  F1  83.3" in row  # relaxed span
    assert "P  66.7  R  66.7  F1  66.7" in row  # strict span, and value
    assert row.rstrip().endswith("50.0")  # strict span and value
    assert "MISS" in out and "[these days]" in out
    assert "EXTRA" in out and "[tomorrow]" in out
    assert "VALUE" in out and "sys 2011-W06  gold 2011-W07" in out


def test_documents_that_cannot_be_scored_are_listed_with_the_reason(tmp_path, capsys):
    (tmp_path / "good.tml").write_text(FIXTURE.read_text())
    (tmp_path / "no_date.tml").write_text(
        "<TimeML><TEXT>It rained on <TIMEX3 tid='t1' type='DATE' value='XXXX'>Monday</TIMEX3>."
        "</TEXT></TimeML>"
    )
    broken = tmp_path / "intra-doc_annotation" / "topic"
    broken.mkdir(parents=True)
    (broken / "cut.xml").write_text("<Document><token t_id='1'>Apple")
    assert main(["evaluate", "timex", str(tmp_path), str(tmp_path / "missing")]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("en ")][0].split()[1] == "1"
    assert "not scored (3):" in out
    assert "no_date.tml: no document creation time to anchor on" in out
    assert "cut.xml: unreadable (ParseError" in out
    assert "missing: no such file or folder" in out
