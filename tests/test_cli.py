"""The command line refuses mistakes instead of guessing: typos, missing inputs,
bad feed lists and bad S3 settings end with a clear message and a non-zero exit."""

from __future__ import annotations

import pytest

from newsbeam.pipelines.beam_options import unknown_options
from newsbeam.pipelines.cli import beam_runner, direct_runner_args, main
from tests.conftest import read_table


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("--ouput", "--output"), ("--wokers", "--workers"), ("--runer=FlinkRunner", "--runner")],
)
def test_a_mistyped_option_is_an_error_with_a_suggestion(capsys, tmp_path, typo, meant):
    code, _, err = run(capsys, "ingest", str(tmp_path), typo, "x")
    assert code == 2
    assert f"unknown option {typo.split('=')[0]}" in err and f"did you mean {meant}?" in err
    assert not (tmp_path / "lake").exists()


def test_only_options_that_beam_defines_pass_through():
    assert unknown_options(["--runner=FlinkRunner", "--flink_master", "127.0.0.1:8081"]) == []
    assert unknown_options(["--direct_num_workers=2", "--environment_type=EXTERNAL"]) == []
    assert unknown_options(["--flink_mastr=x"]) == ["--flink_mastr=x"]


def test_schedule_refuses_unknown_options_too(capsys, tmp_path):
    code, _, err = run(capsys, "schedule", str(tmp_path / "feeds.txt"), "--evry", "5m")
    assert code == 2 and "did you mean --every?" in err


def test_an_empty_folder_or_a_glob_matching_nothing_reads_nothing_and_fails(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    lake = tmp_path / "lake"
    code, _, err = run(capsys, "ingest", str(tmp_path / "empty"), "--output", str(lake))
    assert code == 1 and "no input files in this folder" in err and "nothing to read" in err
    code, _, err = run(capsys, "ingest", str(tmp_path / "*.jsonl"), "--output", str(lake))
    assert code == 1 and "no file matches this pattern" in err
    assert not lake.exists()  # no job was started


@pytest.mark.slow
def test_a_path_that_does_not_exist_is_no_such_file_and_the_run_fails(capsys, tmp_path):
    lake = tmp_path / "lake"
    code, out, err = run(capsys, "ingest", str(tmp_path / "seed/"), "--output", str(lake))
    assert code == 1
    assert "inputs read        1" in out and "none of the 1 inputs could be read" in err
    (error,) = read_table(lake, "errors").to_pylist()
    assert error["kind"] == "not_found" and "no such file" in error["message"]


def test_feeds_check_of_a_missing_file_says_so_without_a_traceback(capsys, tmp_path):
    code, _, err = run(capsys, "feeds", "check", str(tmp_path / "missing.opml"))
    assert code == 2 and "cannot read" in err and "missing.opml" in err
    assert "Traceback" not in err


def test_feeds_check_flags_private_addresses_language_names_and_non_boolean_flags(capsys, tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "- url: http://127.0.0.1/rss\n"
        "- url: https://a.example/rss\n  language: german\n"
        "- url: https://b.example/rss\n  enabled: maybe\n"
        "- url: https://c.example/rss\n  language: de-AT\n  enabled: false\n"
        "- url: http://[::ffff:10.0.0.1]/rss\n"
    )
    code, out, _ = run(capsys, "feeds", "check", str(feeds))
    assert code == 1
    lines = out.splitlines()
    assert any("line 1" in x and "non-public address" in x for x in lines)
    assert any("line 2" in x and "'german'" in x and "did you mean de?" in x for x in lines)
    assert any("line 4" in x and "true or false" in x and "'maybe'" in x for x in lines)
    assert any("line 9" in x and "non-public address" in x for x in lines)
    assert "1 feeds (0 enabled), 4 problems" in lines[-1]
    code, out, _ = run(capsys, "feeds", "check", str(feeds), "--allow-private-addresses")
    assert "3 feeds (2 enabled), 2 problems" in out.splitlines()[-1]


def test_an_s3_endpoint_without_a_scheme_is_refused_before_any_request(capsys, tmp_path):
    code, _, err = run(
        capsys, "ingest", str(tmp_path), "--output", "s3://bucket/lake",
        "--s3-endpoint", "127.0.0.1:8333",
    )  # fmt: skip
    assert code == 2 and "has no scheme" in err and "http://127.0.0.1:8333" in err
    assert "TLS" not in err and "SSL" not in err


def test_workers_become_direct_runner_options_only_for_the_direct_runner():
    direct = direct_runner_args(2, [])
    assert "--direct_num_workers=2" in direct and "--direct_running_mode=multi_processing" in direct
    assert direct_runner_args(2, ["--runner=DirectRunner"])[1:] == direct
    for flink in (["--runner=FlinkRunner", "--parallelism=2"], ["--runner", "FlinkRunner"]):
        assert direct_runner_args(2, flink) == flink
        assert beam_runner(flink) == "FlinkRunner"
    assert direct_runner_args(0, []) == [] and beam_runner([]) == "DirectRunner"
