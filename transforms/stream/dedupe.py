"""What the stream has seen: feed items by URL, stories by id, content and near-copies.

State lives in two places, and a restart loses neither:
- the lake: what earlier windows (and ticks, and ingests) committed is read
  once per worker (`LakeKeys`), so a restarted stream never writes it again;
- the pipeline: what this run saw but has not committed yet is Beam keyed
  state (FirstSightFn, keyed by canonical URL) or, for the one-key story
  check, the DoFn's memory; both start empty after a restart, so items whose
  window never committed are taken again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.coders import StrUtf8Coder
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from newsbeam.transforms.feeds.minhash_index import NearDuplicateIndex, signature
from newsbeam.transforms.feeds.poll import FeedItem
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.tables import data_files
from newsbeam.transforms.records import Article
from newsbeam.transforms.rows import partition_date

KEPT = "kept"
KNOWN = "known"
DUPLICATES = "duplicates"
SIGNATURES = "signatures"


@dataclass
class LakeKeys:
    """The keys of every article the lake holds: canonical URL, id and content hash -> id."""

    urls: dict[str, str] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    contents: dict[str, str] = field(default_factory=dict)
    signatures: list[tuple[str, list[int]]] = field(default_factory=list)

    @classmethod
    def read(cls, config: LakeConfig, with_signatures: bool = False) -> LakeKeys:
        lake = Lake(config)
        keys = cls()
        columns = ["article_id", "canonical_url", "content_hash"]
        for path in data_files(config, "articles"):
            found = lake.read_parquet_columns(path, columns)
            for aid, url, digest in zip(*(found[c] for c in columns), strict=True):
                keys.ids.add(aid)
                if url:
                    keys.urls.setdefault(url, aid)
                if digest:
                    keys.contents.setdefault(digest, aid)
        if with_signatures:
            for path in lake.list_files("_minhash", ".parquet"):
                found = lake.read_parquet_columns(path, ["article_id", "signature"])
                keys.signatures += zip(found["article_id"], found["signature"], strict=True)
        return keys


class FirstSightFn(beam.DoFn):
    """(canonical URL, item) -> (KEPT, item) the first time a URL shows up in any feed,
    (KNOWN, (item, id)) when the lake has it, (DUPLICATES, (item, id)) when another
    feed of this stream brought it first."""

    FIRST = ReadModifyWriteStateSpec("first", StrUtf8Coder())

    def __init__(self, lake: LakeConfig, id_of: Callable[[FeedItem], str]) -> None:
        self._lake_config = lake
        self._id_of = id_of

    def setup(self) -> None:
        self._known = LakeKeys.read(self._lake_config).urls

    def process(
        self,
        element: tuple[str, FeedItem],
        first=beam.DoFn.StateParam(FIRST),  # type: ignore[no-untyped-def]  # noqa: B008
    ) -> Iterator[tuple[str, object]]:
        url, item = element
        if url in self._known:
            yield KNOWN, (item, self._known[url])
            return
        kept = first.read()
        if kept is not None:
            yield DUPLICATES, (item, kept)
            return
        first.write(self._id_of(item))
        yield KEPT, item


class DistinctStoriesFn(beam.DoFn):
    """All articles of one tick (one key) -> (KEPT, article), (KNOWN | DUPLICATES,
    (article, id[, similarity])) and (SIGNATURES, _minhash row).

    Same article id (rel=canonical), same content, or a near-copy (MinHash) of
    an article the lake or this stream has: the first one stays. The indexes
    are this worker's memory, started from the lake in setup(); a retried
    bundle finds its own articles there and keeps them (they match themselves).
    """

    def __init__(self, lake: LakeConfig) -> None:
        self._lake_config = lake

    def setup(self) -> None:
        keys = LakeKeys.read(self._lake_config, with_signatures=True)
        self._lake_ids = keys.ids
        # article id -> (URL, content hash) of what this worker kept: the same
        # again is a retried bundle; another URL is a second page of one story
        self._mine: dict[str, tuple[str | None, str]] = {}
        self._contents = keys.contents
        self._near = NearDuplicateIndex()
        for article_id, values in keys.signatures:
            self._near.add(article_id, list(values))

    def process(self, element: tuple[object, Iterable[Article]]) -> Iterator[tuple[str, object]]:
        for article in sorted(
            element[1], key=lambda a: (a.published_at is None, a.published_at, a.article_id)
        ):
            yield from self._one(article)

    def _one(self, article: Article) -> Iterator[tuple[str, object]]:
        aid, digest = article.article_id, article.content_hash
        if aid in self._lake_ids:
            yield KNOWN, (article, aid)
            return
        if self._mine.get(aid, (article.url, digest)) != (article.url, digest):
            yield DUPLICATES, (article, aid, "same_url", None)
            return
        first = self._contents.get(digest)
        if first is not None and first != aid:
            yield DUPLICATES, (article, first, "same_content", None)
            return
        values = signature(article.text)
        match = self._near.match(values)
        if match is not None and match[0] != aid:
            yield DUPLICATES, (article, match[0], "near_duplicate", match[1])
            return
        self._mine[aid] = (article.url, digest)
        self._contents[digest] = aid
        self._near.add(aid, values)
        row = {"article_id": aid, "signature": values}
        yield SIGNATURES, ("_minhash", partition_date(article), row)
        yield KEPT, article
