"""`newsbeam evaluate quotes`: BRAT and SpkAtt readers, the scoring, and the command."""

from __future__ import annotations

from pathlib import Path

from newsbeam.evaluation.attribution import read_attribution_corpus, read_brat_folder, read_spkatt
from newsbeam.evaluation.quotes import score_doc
from newsbeam.pipelines.cli import main

DATA = Path(__file__).parent / "data" / "attribution"


def brat_doc():
    (doc,) = read_brat_folder(DATA / "brat", "en")
    return doc


def test_brat_reader_keeps_discontinuous_content_and_one_annotator_per_article():
    doc = brat_doc()
    assert doc.doc_id == "harbour" and len(doc.attributions) == 3  # not the _zz annotator's one
    split, reported, called = doc.attributions
    assert [doc.text[s:e] for s, e in split.content] == [
        '"We will rebuild the harbour,"',
        '"It will take two years."',
    ]
    assert [doc.text[s:e] for s, e in split.source] == ["Mayor Laura Fenwick"]
    assert [a.kind(doc.text) for a in doc.attributions] == ["direct", "indirect", "indirect"]
    assert doc.text[reported.cue[0][0] : reported.cue[0][1]] == "said"


def test_spkatt_reader_rebuilds_the_text_and_maps_token_ids_to_offsets():
    doc = read_spkatt(DATA / "spkatt" / "rede.json")
    assert doc.text.splitlines()[0] == "Ich sage Ihnen: Das Gesetz ist gescheitert."
    # the cue without a message (a motion being debated) is not a speech event
    assert len(doc.attributions) == 2
    first = doc.attributions[0]
    assert [doc.text[s:e] for s, e in first.content] == ["Das Gesetz ist gescheitert"]
    assert [doc.text[s:e] for s, e in first.source] == ["Ich"]
    second = doc.attributions[1]
    assert [doc.text[s:e] for s, e in second.source] == ["Die Ministerin"]


def _row(doc, kind, text, speaker_text=None, cue_text=None, nth=1):
    def find(piece, n=1):
        i = -1
        for _ in range(n):
            i = doc.text.index(piece, i + 1)
        return i, i + len(piece)

    start, end = find(text)
    row = {"kind": kind, "start_char": start, "end_char": end, "speaker": None}
    row["speaker_start"] = row["speaker_end"] = row["cue_start"] = row["cue_end"] = None
    if speaker_text:
        row["speaker_start"], row["speaker_end"] = find(speaker_text, nth)
        row["speaker"] = speaker_text
    if cue_text:
        row["cue_start"], row["cue_end"] = find(cue_text, nth)
    return row


def test_scoring_counts_overlaps_speakers_and_cues():
    doc = brat_doc()
    rows = [
        _row(doc, "direct", "We will rebuild the harbour", "Laura Fenwick", "said"),
        _row(doc, "direct", "It will take two years.", "Laura Fenwick", "said"),  # the split half
        _row(doc, "indirect", "the cost would be shared", "Mayor Laura Fenwick", "said", nth=1),
        _row(doc, "direct", "Harbour Day"),  # spurious: nobody said it
        _row(doc, "mention", "fantasy"),  # a mention claims no speech: not scored
    ]
    result = score_doc(doc, rows)
    s = result.scores
    direct, indirect, everything = s.found["direct"], s.found["indirect"], s.found["all"]
    assert (direct.system, direct.matched_system, direct.gold, direct.matched_gold) == (3, 2, 1, 1)
    assert (indirect.system, indirect.matched_system, indirect.gold, indirect.matched_gold) == (
        1,
        1,
        2,
        1,
    )
    assert (everything.system, everything.gold, everything.matched_gold) == (4, 3, 2)
    # both halves name the gold source; the indirect row points at the wrong mention
    assert (s.speaker_rows["direct"], s.speaker_strict["direct"]) == (2, 2)
    assert (s.speaker_rows["indirect"], s.speaker_strict["indirect"]) == (1, 0)
    assert s.speaker_lenient["indirect"] == 1  # it names Fenwick, the gold source, all the same
    assert s.cue_right["direct"] == 2 and s.cue_right["indirect"] == 0
    assert [doc.text[a.start : a.end][:9] for a in result.missed] == ["the plan "]
    assert [r["start_char"] for r in result.spurious] == [rows[3]["start_char"]]
    assert s.mentions == 1


def test_the_command_scores_both_corpora_per_language(capsys):
    assert main(["evaluate", "quotes", str(DATA / "brat"), str(DATA / "spkatt"), "--errors"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("$ newsbeam evaluate quotes")
    assert "\nde: 1 documents" in out and "\nen: 1 documents" in out
    english = out.split("\nen: ", 1)[1]
    direct_line = next(line for line in english.splitlines() if line.strip().startswith("direct"))
    assert "R 100.0" in direct_line  # the split quotation is found
    # both halves go to Laura Fenwick, "fantasy" to the critics who called the plan that
    assert "100.0% / 100.0% of    3" in direct_line


def test_nothing_to_score_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    docs, skipped = read_attribution_corpus([str(tmp_path / "empty"), str(tmp_path / "missing")])
    assert docs == [] and skipped == [f"{tmp_path / 'missing'}: no such file or folder"]
    try:
        main(["evaluate", "quotes", str(tmp_path / "empty")])
    except SystemExit as exc:
        assert "no BRAT or SpkAtt documents" in str(exc)
    else:
        raise AssertionError("expected SystemExit")


def test_a_broken_annotation_line_is_listed_not_dropped(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Ann said it rained.", encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tSource 0 3\tAnn\nT2\tCue x y\tsaid\nT3\tContent 9 18\tit rained\n"
        "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T2 Cue:T2\n",
        encoding="utf-8",
    )
    docs, skipped = read_attribution_corpus([str(folder)])
    assert len(docs) == 1 and len(docs[0].attributions) == 1
    assert [s.split(": ", 1)[1] for s in skipped] == [
        "malformed span line, left out",
        "attribution without a content span, left out",
    ]
