"""End to end on the DirectRunner into a local lake: tables, idempotency, bad input, atomicity."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from newsbeam.pipelines import ingest
from newsbeam.schemas import TABLES
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake import commit as commit_module
from newsbeam.transforms.lake.staging import StageRowsFn
from tests.conftest import SEED, read_table

SEED_PEOPLE = {
    "Donald Trump", "Wladimir Putin", "Wolodymyr Selenskyj", "Marco Rubio", "Kaja Kallas",
    "Johann Wadephul",
}  # fmt: skip


def run_ingest(sources, lake, **kwargs) -> ingest.RunSummary:
    config = ingest.IngestConfig(sources=[str(s) for s in sources], lake=LakeConfig(str(lake)))
    for key, value in kwargs.items():
        setattr(config, key, value)
    return ingest.run(config)


def table_files(lake):
    """The data files the lake's tables hold as of the last commit, as
    `<table>/date=D/<file>` (what a reader can see)."""
    from newsbeam.schemas import PUBLIC_TABLES
    from newsbeam.transforms.lake.tables import data_files

    config = LakeConfig(str(lake))
    found = []
    for table in PUBLIC_TABLES:
        for uri in data_files(config, table):
            date, name = uri.rsplit("/", 2)[-2:]
            found.append(f"{table}/{date}/{name}")
    return sorted(found)


@pytest.mark.slow
def test_cli_ingests_the_seed_into_partitioned_tables(seed_dir, tmp_path):
    lake = tmp_path / "lake"
    proc = subprocess.run(
        [sys.executable, "-m", "newsbeam.pipelines.cli", "ingest", str(seed_dir), "--output", str(lake)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "articles written   1" in proc.stdout
    assert str(lake) in proc.stdout

    articles = read_table(lake, "articles").to_pylist()
    assert len(articles) == 1
    (article,) = articles
    assert article["language"] == "de"
    assert article["published_at"] == datetime(2025, 8, 26, tzinfo=UTC)
    assert str(article["date"]) == "2025-08-26"
    assert article["nlp_status"] == "ok"
    assert article["text"].endswith("(afp/red)")
    for path in table_files(lake):
        assert path.split("/")[1] == "date=2025-08-26" or path.startswith("errors/")

    entities = read_table(lake, "entities").to_pylist()
    people = {e["canonical"] for e in entities if e["label"] == "PER"}
    missing = SEED_PEOPLE - people
    assert not missing, f"German pipeline missed persons: {missing}"
    trump_keys = {e["entity_key"] for e in entities if e["text"] in ("Trump", "Donald Trump")}
    assert trump_keys == {"per:donald-trump"}
    for e in entities:
        assert article["text"][e["start_char"] : e["end_char"]] == e["text"]


@pytest.mark.slow
def test_second_run_of_the_same_input_adds_no_rows(seed_dir, tmp_path):
    lake = tmp_path / "lake"
    (seed_dir / "bad.jsonl").write_text('{"text": "Ein Satz.", "language": "de"}\nnot json\n')
    first = run_ingest([seed_dir], lake)
    counts = {t: read_table(lake, t).num_rows for t in ("articles", "entities", "errors")}
    second = run_ingest([seed_dir], lake)
    again = {t: read_table(lake, t).num_rows for t in ("articles", "entities", "errors")}
    assert counts == again
    assert first.articles_written == 2 and second.articles_written == 0
    assert second.already_in_lake == 2 and second.rows == {}
    assert first.balanced and second.balanced


@pytest.mark.slow
def test_bad_inputs_land_in_errors_and_every_input_is_accounted_for(seed_dir, tmp_path):
    bad = seed_dir
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (bad / "latin1.txt").write_bytes("date 2025-08-26 Grüße aus Köln".encode("latin-1"))
    (bad / "broken.xml").write_text("<rss><channel><title>x</title><item><title>a</ti")
    (bad / "lines.jsonl").write_text(
        '{"url": "https://example.org/1", "text": "Olaf Scholz sprach in Berlin.", "language": "de"}\n'
        "{this is not json\n"
    )
    (bad / "dupe.txt").write_bytes(SEED.read_bytes())  # same article, other file
    lake = tmp_path / "lake"
    summary = run_ingest([bad], lake)

    errors = read_table(lake, "errors").to_pylist()
    by_source = {e["source"].rsplit("/", 1)[1]: e for e in errors}
    assert by_source["empty.txt"]["kind"] == "empty"
    assert by_source["binary.txt"]["kind"] == "binary"
    assert by_source["latin1.txt"]["kind"] == "not_utf8"
    assert "UTF-8" in by_source["latin1.txt"]["message"]
    assert by_source["broken.xml#item0"]["kind"] == "bad_feed"  # salvaged item, no text
    assert by_source["lines.jsonl#L2"]["kind"] == "bad_json"
    assert by_source["lines.jsonl#L2"]["input_excerpt"] == "{this is not json"
    assert all(e["message"] for e in errors)

    articles = read_table(lake, "articles").num_rows
    assert articles == 2 and summary.duplicates == 1
    assert summary.inputs == 8
    assert summary.inputs == articles + len(errors) + summary.duplicates
    assert summary.balanced


def test_inputs_are_grouped_into_chunks_by_size(tmp_path):
    sizes = {"a": 600, "b": 600, "c": 2000, "d": 100, "e": 100}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    paths = [str(tmp_path / n) for n in sizes] + [str(tmp_path / "missing")]
    chunks = ingest.chunk_inputs(paths, 1000)
    assert [[p.rsplit("/", 1)[1] for p in c] for c in chunks] == [
        ["a"],
        ["b"],
        ["c"],
        ["d", "e", "missing"],
    ]
    assert ingest.chunk_inputs([], 1000) == [[]]


@pytest.mark.slow
def test_a_large_input_runs_as_several_committed_jobs_with_the_same_tables(seed_dir, tmp_path):
    lines = [
        {"url": f"https://example.org/{i}", "language": "de", "published": "2025-08-2" + str(i),
         "text": f"Olaf Scholz sprach am Montag in Berlin mit {name} über die Ukraine."}
        for i, name in enumerate(["Emmanuel Macron", "Joe Biden", "Kaja Kallas", "Marco Rubio"])
    ]  # fmt: skip
    for i, line in enumerate(lines):
        (seed_dir / f"part{i}.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n")
    (seed_dir / "dupe.txt").write_bytes(SEED.read_bytes())
    whole = run_ingest([seed_dir], tmp_path / "whole")
    chunked = run_ingest([seed_dir], tmp_path / "chunked", chunk_mb=0.0001)  # one file per job

    assert len(chunked.chunk_runs) == 6 and len(whole.chunk_runs) == 1
    assert f"6 runs ({chunked.chunk_runs[0]} ... {chunked.chunk_runs[-1]})" in chunked.render()
    runs = json.loads((tmp_path / "chunked/_runs" / f"{chunked.chunk_runs[-1]}.json").read_text())
    assert runs["status"] == "committed"
    assert chunked.inputs == whole.inputs == 6 and chunked.balanced and whole.balanced
    assert chunked.articles_written == whole.articles_written == 5
    # The copy in another file is a duplicate in one job, already in the lake across jobs.
    assert whole.duplicates == 1 and chunked.duplicates + chunked.already_in_lake == 1
    for table in ("entities", "persons", "timex"):
        a = read_table(tmp_path / "whole", table).sort_by([("article_id", "ascending")])
        b = read_table(tmp_path / "chunked", table).sort_by([("article_id", "ascending")])
        assert a.num_rows == b.num_rows > 0
        assert a.column("article_id").equals(b.column("article_id"))


@pytest.mark.slow
def test_two_worker_processes_write_the_same_tables(seed_dir, tmp_path):
    one = run_ingest([seed_dir], tmp_path / "one")
    two = run_ingest(
        [seed_dir],
        tmp_path / "two",
        beam_args=["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
    )
    assert one.rows == two.rows and one.rows["entities"] > 0
    a = read_table(tmp_path / "one", "entities").sort_by("start_char").column("text")
    b = read_table(tmp_path / "two", "entities").sort_by("start_char").column("text")
    assert a.equals(b)


@pytest.mark.slow
def test_a_failing_run_leaves_no_table_files(seed_dir, tmp_path, monkeypatch):
    lake = tmp_path / "lake"
    original = Lake.write_parquet

    def fail_on_entities(self, rel, batches, schema):
        original(self, rel, batches, schema)
        if "/entities/" in rel:
            raise OSError("disk went away")

    monkeypatch.setattr(Lake, "write_parquet", fail_on_entities)
    with pytest.raises(Exception, match="disk went away"):
        run_ingest([seed_dir], lake)
    assert table_files(lake) == []


def test_an_interrupted_commit_is_finished_by_the_next_run(tmp_path, monkeypatch):
    lake = Lake(LakeConfig(str(tmp_path / "lake")))
    fn = StageRowsFn(lake.config, "r1")
    fn.setup()
    fn.start_bundle()
    article = {name: None for name in TABLES["articles"].names}
    article |= {"article_id": "a1", "source": "x.txt", "text": "Text.", "nlp_status": "ok",
                "published_source": "none", "language_source": "none", "text_source": "file",
                "content_hash": "h", "word_count": 1, "char_count": 5,
                "ingested_at": datetime(2025, 8, 26, tzinfo=UTC)}  # fmt: skip
    fn.process(("articles", "2025-08-26", article))
    staged = [wv.value for wv in fn.finish_bundle()]
    lake.write_json("_staging/r1/_files.json", {"files": staged})
    monkeypatch.setattr(commit_module, "_finish", lambda lake, manifest, **_: None)
    commit_module.commit_run(lake, "r1")  # "crashes" right after the manifest
    manifest = json.loads((tmp_path / "lake/_runs/r1.json").read_text())
    assert manifest["status"] == "committing"
    assert table_files(tmp_path / "lake") == []
    assert read_table(tmp_path / "lake", "articles") is None
    monkeypatch.undo()
    assert commit_module.recover(lake) == ["r1"]
    (committed,) = table_files(tmp_path / "lake")
    assert committed.startswith("articles/date=2025-08-26/r1-")
    assert read_table(tmp_path / "lake", "articles").column("article_id").to_pylist() == ["a1"]
    assert json.loads((tmp_path / "lake/_runs/r1.json").read_text())["status"] == "committed"
    assert commit_module.recover(lake) == []  # rolled forward once, not twice


@pytest.mark.slow
def test_an_extractor_that_raises_costs_only_its_own_rows(seed_dir, tmp_path, monkeypatch):
    from newsbeam.transforms import extract

    def broken(doc, article):
        raise RuntimeError("extractor bug on purpose")

    monkeypatch.setitem(extract.EXTRACTORS, "events", broken)
    (seed_dir / "second.jsonl").write_text(
        '{"text": "Olaf Scholz sprach am Montag in Berlin.", "language": "de"}\n'
    )
    summary = run_ingest([seed_dir], tmp_path / "lake")
    assert summary.articles_written == 2 and summary.balanced
    assert read_table(tmp_path / "lake", "events") is None
    assert read_table(tmp_path / "lake", "entities").num_rows > 0
    errors = read_table(tmp_path / "lake", "errors").to_pylist()
    assert sorted(e["stage"] for e in errors) == ["extract:events", "extract:events"]
    assert all("extractor bug on purpose" in e["message"] and e["article_id"] for e in errors)


@pytest.fixture()
def tiny_disk(tmp_path):
    """A 32 KiB tmpfs (the tests run as root, as CI does): a full disk, for real."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount_point)], check=True
    )
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.slow
def test_a_full_disk_fails_the_run_cleanly_and_a_rerun_with_space_completes(tiny_disk, tmp_path):
    from benchmarks.corpus import articles

    corpus = tmp_path / "corpus.jsonl"
    # Finnish: no pipeline serves it, so no NLP time is spent; the texts still fill the disk.
    corpus.write_text("".join(
        json.dumps({"url": f"https://x.example/{i}", "text": t, "language": "fi"}) + "\n"
        for i, t in enumerate(articles(40, seed=9))
    ))  # fmt: skip
    lake = tiny_disk / "lake"
    cmd = [
        sys.executable,
        "-m",
        "newsbeam.pipelines.cli",
        "ingest",
        str(corpus),
        "--output",
        str(lake),
    ]
    failed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 2, failed.stdout + failed.stderr[-2000:]
    assert "No space left on device" in failed.stderr
    visible = [
        p
        for p in lake.rglob("*.parquet")
        if not any(part.startswith("_") for part in p.relative_to(lake).parts)
    ]
    assert visible == []
    subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_disk)], check=True)
    ok = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and "articles written   40" in ok.stdout, ok.stderr[-2000:]
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert "already in lake    40" in again.stdout
