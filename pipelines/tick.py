"""One feed-ingestion tick as one Beam batch job (`newsbeam ingest FEEDS --once`).

    feeds -> PollFeeds -> items -> DropKnownUrls -> FetchPages (per host) -> articles
    articles -> DropKnownIds (rel=canonical) -> DropSameContent -> DropNearDuplicates
             -> AnalyzeArticles -> rows; duplicates, errors and one `feeds` row per poll
The driver commits the run, then folds the polls' validators into _state/feeds.json.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import apache_beam as beam

from newsbeam.pipelines.ingest import new_run_id
from newsbeam.pipelines.staged_run import open_for_run, run_staged
from newsbeam.schemas import TABLES
from newsbeam.transforms.feeds.drop_near_duplicates import DropNearDuplicates
from newsbeam.transforms.feeds.feedlist import FeedSpec, load_feed_list
from newsbeam.transforms.feeds.http import HttpLimits
from newsbeam.transforms.feeds.pages import DEFAULT_DELAY_S, DEFAULT_PER_HOST, FetchPagesFn
from newsbeam.transforms.feeds.poll import ITEMS, POLLS, FeedItem, PollFeedFn, feed_row
from newsbeam.transforms.feeds.state import read_feed_state, updated_state, write_feed_state
from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.commit import commit_run, committed_runs
from newsbeam.transforms.lake.dedupe import SplitKnown
from newsbeam.transforms.lake.staging import WriteRunTables
from newsbeam.transforms.lake.tables import data_files
from newsbeam.transforms.language import with_language
from newsbeam.transforms.nlp import AnalyzeArticles
from newsbeam.transforms.records import stable_id
from newsbeam.transforms.rows import duplicate_row, error_row
from newsbeam.transforms.sources.common import make_article
from newsbeam.transforms.split import SplitByKind

ERRORS = "errors"
ARTICLES = "articles"


@dataclass
class TickConfig:
    feed_lists: list[str]
    lake: LakeConfig
    models: dict[str, str] = field(default_factory=dict)
    num_shards: int = 2
    beam_args: list[str] = field(default_factory=list)
    per_host: int = DEFAULT_PER_HOST
    delay_s: float = DEFAULT_DELAY_S
    http: HttpLimits = field(default_factory=HttpLimits)


@dataclass
class TickSummary:
    run_id: str
    feeds: int = 0
    not_modified: int = 0
    unchanged: int = 0
    feed_errors: int = 0
    new_articles: int = 0
    duplicates: int = 0
    errors: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"tick {self.run_id}: feeds {self.feeds} polled, "
            f"{self.not_modified} not modified (304), {self.unchanged} unchanged, "
            f"{self.feed_errors} failed; {self.new_articles} new articles, "
            f"{self.duplicates} duplicates, {self.errors} errors; {self.seconds:.1f} s"
        )


def item_id(item: FeedItem) -> str:
    return stable_id("url", item.canonical)


def item_duplicate(item: FeedItem, kept_id: str) -> tuple:
    article = make_article(
        item.url, item.summary or item.title or item.url, title=item.title, url=item.canonical
    )
    return duplicate_row(article.replace(feed_url=item.feed_url), kept_id, "same_url")


def build(
    p: beam.Pipeline,
    feeds: list[FeedSpec],
    state: dict,
    config: TickConfig,
    run_id: str,
    lake: Lake,
) -> None:
    cfg = config.lake
    article_files = data_files(cfg, "articles")
    polled = (
        p
        | "ListFeeds" >> beam.Create([(f, state.get(f.url, {})) for f in feeds])
        | "PollFeeds" >> beam.ParDo(PollFeedFn(config.http))
        | "ItemsPollsErrors" >> SplitByKind(ITEMS, POLLS, ERRORS)
    )
    # URLs the lake has are not fetched again; one URL twice in a tick is fetched once.
    urls = polled["items"] | "DropKnownUrls" >> SplitKnown(
        lambda i: i.canonical, cfg, article_files, "canonical_url", item_id
    )
    pages = (
        urls["kept"]
        | "KeyByHost" >> beam.Map(lambda i: (urlsplit(i.url).netloc, i))
        | "GroupByHost" >> beam.GroupByKey()
        | "FetchPages" >> beam.ParDo(FetchPagesFn(config.per_host, config.delay_s, config.http))
        | "ArticlesOrErrors" >> SplitByKind(ARTICLES, ERRORS)
    )
    articles = pages["articles"] | "DetectLanguage" >> beam.Map(with_language)
    by_id = articles | "DropKnownIds" >> SplitKnown(
        lambda a: a.article_id, cfg, article_files, "article_id"
    )
    by_content = by_id["kept"] | "DropSameContent" >> SplitKnown(
        lambda a: a.content_hash,
        cfg,
        article_files,
        "content_hash",
        lambda a: a.article_id,
    )
    distinct = by_content["kept"] | "DropNearDuplicates" >> DropNearDuplicates(
        cfg, lake.list_files("_minhash", ".parquet")
    )

    analysed = distinct["kept"] | "AnalyzeArticles" >> AnalyzeArticles(config.models)
    duplicate_rows = (
        urls["duplicates"] | "UrlDuplicates" >> beam.MapTuple(item_duplicate),
        by_id["duplicates"]
        | "IdDuplicates" >> beam.MapTuple(lambda a, k: duplicate_row(a, k, "same_url")),
        by_content["duplicates"]
        | "ContentDuplicates" >> beam.MapTuple(lambda a, k: duplicate_row(a, k, "same_content")),
        by_content["known"]
        | "KnownContent" >> beam.MapTuple(lambda a, k: duplicate_row(a, k, "same_content")),
        distinct["duplicates"]
        | "NearDuplicateRows"
        >> beam.MapTuple(lambda a, k, s: duplicate_row(a, k, "near_duplicate", s)),
    ) | "AllDuplicates" >> beam.Flatten()
    errors = (polled[ERRORS], pages[ERRORS]) | "AllErrors" >> beam.Flatten()

    outcomes = (
        urls["known"] | "OutcomeKnownUrl" >> beam.MapTuple(lambda i, _k: (i.feed_url, "known")),
        by_id["known"] | "OutcomeKnownId" >> beam.MapTuple(lambda a, _k: (a.feed_url, "known")),
        duplicate_rows | "OutcomeDuplicate" >> beam.Map(lambda r: (r[2]["feed_url"], "duplicate")),
        distinct["kept"] | "OutcomeNew" >> beam.Map(lambda a: (a.feed_url, "new")),
        pages[ERRORS]
        | "PageErrorsWithoutArticle" >> beam.Filter(lambda e: e.article_id is None)
        | "OutcomeError" >> beam.Map(lambda e: (e.extra.get("feed_url"), "error")),
    ) | "AllOutcomes" >> beam.Flatten()
    polls = polled[POLLS] | "KeyPolls" >> beam.Map(lambda r: (r["feed_url"], r))
    feed_rows = (
        {"poll": polls, "outcomes": outcomes}
        | "JoinPolls" >> beam.CoGroupByKey()
        | "FeedRows" >> beam.Map(feed_row)
    )

    small = (
        analysed | "AnalysisErrors" >> beam.Filter(lambda row: row[0] == "errors"),
        duplicate_rows,
        errors | "ErrorRows" >> beam.Map(error_row),
        distinct["signatures"],
        feed_rows,
    ) | "SmallRows" >> beam.Flatten()
    in_place = analysed | "AnalysedRows" >> beam.Filter(lambda row: row[0] != "errors")
    {"in_place": in_place, "grouped": small} | "WriteTables" >> WriteRunTables(
        cfg, run_id, config.num_shards
    )


def load_feeds(paths: list[str]) -> list[FeedSpec]:
    feeds: list[FeedSpec] = []
    for path in paths:
        try:
            # A feed on a private address is not a problem of the list here: the
            # fetcher refuses it (unless allowed) with a row in `feeds` for that feed.
            loaded = load_feed_list(path, allow_private=True)
        except OSError as exc:
            raise SystemExit(f"newsbeam: cannot read the feed list {path}: {exc.strerror}") from exc
        if loaded.problems:
            raise SystemExit(
                f"{path}: " + "; ".join(loaded.problems) + " (see `newsbeam feeds check`)"
            )
        feeds.extend(f for f in loaded.feeds if f.enabled)
    return feeds


def run_tick(config: TickConfig) -> TickSummary:
    started = time.monotonic()
    config.lake, lake, _ = open_for_run(config.lake)
    run_id = new_run_id()
    feeds = load_feeds(config.feed_lists)
    state = read_feed_state(lake)
    seen = committed_runs(lake)
    run_staged(
        lake, run_id, config.beam_args, lambda p: build(p, feeds, state, config, run_id, lake)
    )
    committed = commit_run(lake, run_id, seen=seen)
    polls = _read_this_run(lake, committed.files, "feeds")
    write_feed_state(lake, updated_state(state, polls))
    statuses = Counter(p["status"] for p in polls)
    return TickSummary(
        run_id=run_id,
        feeds=len(polls),
        not_modified=statuses["not_modified"],
        unchanged=statuses["unchanged"],
        feed_errors=sum(n for s, n in statuses.items() if s.startswith("error")),
        new_articles=committed.rows.get("articles", 0),
        duplicates=committed.rows.get("duplicates", 0),
        errors=committed.rows.get("errors", 0),
        seconds=time.monotonic() - started,
        rows=committed.rows,
    )


def _read_this_run(lake: Lake, files: list[str], table: str) -> list[dict]:
    import pyarrow.parquet as pq

    names = TABLES[table].names
    rows: list[dict] = []
    for path in files:
        if f"/{table}/data/" in path:
            found = pq.read_table(lake.path(path), filesystem=lake.fs, columns=names)
            rows += found.to_pylist()
    return rows
