"""Shared fixtures: paths, a real S3 server, and running the CLI in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.fs as pafs
import pytest

from tests.s3server import start_s3_server

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_0a2d62a9830e133e.txt"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = start_s3_server(tmp_path_factory.mktemp("seaweed"), "newsbeam-test", "s3cr3t-Key-42")
    yield server
    server.stop()


@pytest.fixture()
def own_server(tmp_path):
    """An S3 server of the test's own, for tests that stop or kill it."""
    server = start_s3_server(tmp_path / "weed", "fault-test", "fault-Secret-99")
    yield server
    server.stop()


@pytest.fixture()
def s3_env(s3_server, monkeypatch):
    for key, value in s3_server.env().items():
        monkeypatch.setenv(key, value)
    return s3_server


def s3_filesystem(server) -> pafs.S3FileSystem:
    host = server.endpoint.split("://", 1)[1]
    return pafs.S3FileSystem(
        access_key=server.access_key,
        secret_key=server.secret_key,
        endpoint_override=host,
        scheme="http",
        region="us-east-1",
        allow_bucket_creation=True,
    )


def read_table(root, table: str, filesystem=None):
    """A lake table as pyarrow, the way a downstream reader opens it: through the
    Iceberg tables as of the last committed run. `root` is a local lake folder or
    a LakeConfig; None when the table has no committed row."""
    from newsbeam.transforms.lake import LakeConfig
    from newsbeam.transforms.lake.tables import read_table as read_lake_table

    config = root if isinstance(root, LakeConfig) else LakeConfig(str(root))
    found = read_lake_table(config.with_env_defaults(), table)
    return found if found.num_rows else None


@pytest.fixture()
def seed_dir(tmp_path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


@pytest.fixture(scope="session")
def nlp_de():
    from newsbeam.models import registry

    return registry.load("de")


@pytest.fixture(scope="session")
def nlp_en():
    from newsbeam.models import registry

    return registry.load("en")


def analyse(nlp, text, language, published="2025-08-26"):
    """(doc, article) for a text, as the NLP step would hand them to an extractor."""
    from newsbeam.transforms.sources.common import make_article

    article = make_article("test.txt", text, published=published, language=language)
    return nlp(article.text), article


def jsonl_corpus(path: Path, ids, seed: int, language: str = "de", published: str | None = None):
    """Generated articles (benchmarks.corpus) as JSON lines, one per id, URL by id."""
    import json

    from benchmarks.corpus import articles

    ids = list(ids)
    texts = list(articles(max(ids) + 1, seed=seed))
    extra = {"published": published} if published else {}
    path.write_text("".join(
        json.dumps({"url": f"https://x.example/{i}", "text": texts[i], "language": language,
                    **extra}) + "\n"
        for i in ids
    ))  # fmt: skip
    return path
