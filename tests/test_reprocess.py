"""`newsbeam reprocess`: rows of the selected articles replaced, one snapshot per table."""

from __future__ import annotations

from collections import Counter

import pytest

from newsbeam.pipelines.cli import main
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.replace import REPLACED_TABLES
from newsbeam.transforms.lake.tables import read_lake, read_pointer, table

pytestmark = pytest.mark.slow

NLP_ROW_TABLES = ("entities", "persons", "quotes", "timex", "places", "events")


def rows_by_article(lake: dict, name: str) -> Counter:
    return Counter(lake[name].column("article_id").to_pylist())


def run_snapshots(config: LakeConfig, run_id: str) -> dict[str, int]:
    """Per table: how many snapshots the run made."""
    found = {}
    for name in REPLACED_TABLES:
        made = [
            s
            for s in table(config, name).snapshots()
            if s.summary is not None and s.summary.get("newsbeam.run_id") == run_id
        ]
        found[name] = len(made)
    return found


def test_a_mistyped_model_no_longer_leaves_an_article_unanalysed_forever(tmp_path, capsys):
    lake = tmp_path / "lake"
    assert main(["ingest", "seeds", "--output", str(lake), "--model", "de=de_core_nwes_sm"]) == 0
    config = LakeConfig(str(lake))
    before = read_lake(config)
    status = dict(zip(before["articles"]["language"].to_pylist(),
                      before["articles"]["nlp_status"].to_pylist(), strict=True))  # fmt: skip
    assert status == {"de": "error", "en": "ok"}
    ids = dict(zip(before["articles"]["language"].to_pylist(),
                   before["articles"]["article_id"].to_pylist(), strict=True))  # fmt: skip
    assert rows_by_article(before, "entities")[ids["de"]] == 0
    assert Counter(before["errors"]["kind"].to_pylist())["no_model"] == 1
    capsys.readouterr()

    # The same typo again: nothing serves German, so nothing is done, and it says why.
    assert main(["reprocess", str(lake), "--model", "de=de_core_nwes_sm"]) == 0
    out = capsys.readouterr().out
    assert "reprocessed             0" in out and "no pipeline serves it" in out

    assert main(["reprocess", str(lake), "--where", "nlp_status = 'error'"]) == 0
    run_id = read_pointer(Lake(config))["run_id"]
    after = read_lake(config)
    articles = {r["article_id"]: r for r in after["articles"].to_pylist()}
    assert len(articles) == 2 and after["articles"].num_rows == 2
    assert articles[ids["de"]]["nlp_status"] == "ok"
    assert articles[ids["de"]]["pipeline"].startswith("newsbeam-")
    assert articles[ids["de"]]["run_id"] == run_id
    # The German article now has its rows; the English article's rows are untouched.
    for name in NLP_ROW_TABLES:
        for row in after[name].to_pylist():
            if row["article_id"] == ids["de"]:
                assert (
                    row["run_id"] == run_id and row["pipeline"] == articles[ids["de"]]["pipeline"]
                )
        assert rows_by_article(after, name)[ids["en"]] == rows_by_article(before, name)[ids["en"]]
        en_before = [r for r in before[name].to_pylist() if r["article_id"] == ids["en"]]
        en_after = [r for r in after[name].to_pylist() if r["article_id"] == ids["en"]]
        assert sorted(map(repr, en_before)) == sorted(map(repr, en_after)), name
    assert rows_by_article(after, "entities")[ids["de"]] > 5
    assert rows_by_article(after, "timex")[ids["de"]] > 0
    # The no_model error of the German article is gone with the analysis that made it.
    assert "no_model" not in after["errors"]["kind"].to_pylist()
    # One snapshot per table at most, for tables whose rows changed exactly one.
    made = run_snapshots(config, run_id)
    assert set(made.values()) <= {0, 1}
    assert made["articles"] == made["entities"] == made["errors"] == 1

    # A second reprocess with the same pipeline finds everything current: no commit.
    history = len(read_pointer(Lake(config))["history"])
    assert main(["reprocess", str(lake)]) == 0
    assert "already current         2" in capsys.readouterr().out
    assert len(read_pointer(Lake(config))["history"]) == history
    assert {n: t.num_rows for n, t in read_lake(config).items()} == {
        n: t.num_rows for n, t in after.items()
    }


def test_force_reprocesses_one_language_only_and_leaves_each_row_once(tmp_path, capsys):
    lake = tmp_path / "lake"
    assert main(["ingest", "seeds", "--output", str(lake)]) == 0
    config = LakeConfig(str(lake))
    before = read_lake(config)
    en = [r["article_id"] for r in before["articles"].to_pylist() if r["language"] == "en"]
    assert main(["reprocess", str(lake), "--language", "en", "--force"]) == 0
    run_id = read_pointer(Lake(config))["run_id"]
    after = read_lake(config)
    for name in ("articles", *NLP_ROW_TABLES):
        assert after[name].num_rows == before[name].num_rows, name  # replaced, not added
        for row in after[name].to_pylist():
            assert (row["run_id"] == run_id) == (row["article_id"] in en), (name, row)
    # Time travel: the lake as of the ingest still reads the old rows.
    first = read_pointer(Lake(config))["history"][0]["run_id"]
    old = read_lake(config, as_of_run=first)
    assert set(old["entities"]["run_id"].to_pylist()) == {first}


def test_filters_select_articles_and_a_bad_filter_is_a_clear_error(tmp_path, capsys):
    lake = tmp_path / "lake"
    assert main(["ingest", "seeds", "--output", str(lake)]) == 0
    capsys.readouterr()
    assert main(["reprocess", str(lake), "--force", "--since", "2100-01-01"]) == 0
    assert "articles matched        0" in capsys.readouterr().out
    assert main(["reprocess", str(lake), "--force", "--where", "language = 'xx'"]) == 0
    assert "articles matched        0" in capsys.readouterr().out
    assert main(["reprocess", str(lake), "--where", "nlp_status = = 'error'"]) == 2
    assert "is not a row filter" in capsys.readouterr().err
    assert main(["reprocess", str(lake), "--where", "no_such_column = 1"]) == 2
    assert "no_such_column" in capsys.readouterr().err


@pytest.mark.s3
def test_reprocess_on_an_s3_lake_with_a_rest_catalog(s3_server, s3_env, tmp_path, capsys):
    from tests.conftest import jsonl_corpus, s3_filesystem

    s3_filesystem(s3_server).create_dir("again")
    target = "s3://again/lake"
    # Three German articles of one day share each table's files: replacing two of
    # them rewrites those files with the third one's rows (copy-on-write on S3).
    corpus = jsonl_corpus(tmp_path / "de.jsonl", range(3), seed=3, published="2025-08-26")
    assert main(["ingest", str(corpus), "--output", target, "--model", "de=nope_de"]) == 0
    config = s3_server.lake_config(target)
    ids = sorted(read_lake(config)["articles"]["article_id"].to_pylist())
    assert main(["reprocess", target, "--where", f"article_id IN ('{ids[0]}', '{ids[1]}')"]) == 0
    after = read_lake(config)
    status = dict(zip(after["articles"]["article_id"].to_pylist(),
                      after["articles"]["nlp_status"].to_pylist(), strict=True))  # fmt: skip
    assert status == {ids[0]: "ok", ids[1]: "ok", ids[2]: "error"}
    assert set(after["entities"]["article_id"].to_pylist()) == {ids[0], ids[1]}
    errors = Counter(after["errors"]["article_id"].to_pylist())
    assert errors == {ids[2]: 1}  # the third article's no_model error stays
