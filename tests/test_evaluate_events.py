"""`newsbeam evaluate events`: PLOVER record, JSON-lines and CSV readers, scoring, command."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbeam.evaluation.events import Result, Scores, same_party
from newsbeam.evaluation.plover import CodedSentence, fill, normalise_type, read_plover_corpus
from newsbeam.pipelines.cli import main

DATA = Path(__file__).parent / "data" / "plover"


def test_readers_take_the_three_layouts():
    sentences, skipped = read_plover_corpus([str(DATA)])
    by_id = {s.doc_id: s for s in sentences}
    first = by_id["T-0001"]  # trailing commas, braces, an older type name
    assert (first.text, first.type, first.mode) == (
        "Norway condemned Chile for the arrests.", "ACCUSE", "disapprove",
    )  # fmt: skip
    assert (first.actors, first.targets) == (["Norway"], ["Chile"])
    assert by_id["T-0002"].targets == []
    assert by_id["sentences-1"].targets == ["Paraguay"] and by_id["sentences-1"].mode == "yield"
    assert by_id["headlines-1"].text == "France Threatens Japan with Sanctions"
    assert by_id["headlines-2"].text == "Thousands Rally in Oslo Against Fuel Prices"
    assert by_id["headlines-2"].mode == "demo"
    assert any("sentences.jsonl:3: not JSON" in s for s in skipped)


def test_placeholders_and_old_type_names():
    assert fill("{country_1} and {country_3} in {city}", 1) == "Kenya and India in Oslo"
    assert normalise_type("demand", "") == ("REQUEST", None)
    assert normalise_type("INVESTIGATE", None) == ("ACCUSE", "investigate")


def test_parties_match_by_a_shared_word():
    assert same_party("Hungarian officials", ["Hungarian", "Romanian"])
    assert not same_party("the government", ["Hungary"])
    assert not same_party(None, ["Hungary"])


def test_scoring_counts_type_coverage_mode_and_parties():
    gold = CodedSentence("x", "t", "REQUEST", "yield", actors=["Uruguay"], targets=["Paraguay"])
    s = Scores()
    s.add(Result(gold, [{"type": "REQUEST", "mode": "yield", "actor": "Uruguay",
                         "target": "Brazil"}]))  # fmt: skip
    s.add(Result(CodedSentence("y", "t", "PROTEST", None), [{"type": "ASSAULT"}]))
    s.add(Result(CodedSentence("z", "t", "AID", None), []))
    assert (s.sentences, s.covered, s.typed) == (3, 2, 1)
    assert (s.mode_right, s.mode_gold, s.actor_right, s.target_right) == (1, 1, 1, 0)
    assert s.per_type["PROTEST"]["as ASSAULT"] == 1 and s.per_type["AID"]["as nothing"] == 1


def test_the_command_scores_each_file(capsys):
    assert main(["evaluate", "events", str(DATA), "--errors"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("$ newsbeam evaluate events")
    records = out.split("records.txt: ", 1)[1].split("\n\n")[0]
    assert records.startswith("2 sentences\n") and "type accuracy  100.0%" in records
    assert "actor          100.0% of 2" in records
    jsonl = out.split("sentences.jsonl: ", 1)[1].split("\n\n")[0]
    # the weather sentence codes no event: a miss, listed under --errors
    assert "type accuracy   50.0%   coverage  50.0%" in jsonl
    assert "sentences-2\tCONSULT\tgot -\tThe weather was mild all week." in out


def test_nothing_to_score_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no PLOVER-coded sentences"):
        main(["evaluate", "events", str(tmp_path)])
