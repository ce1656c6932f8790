"""The NLP step's DoFn without a runner: what it leaves behind on a worker."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from newsbeam.transforms import nlp
from newsbeam.transforms.records import Article


def test_docs_are_released_after_their_rows_are_made(monkeypatch):
    """Per-Doc caches point back at the Doc; the step must break that cycle (memory)."""
    seen = []
    original = nlp.AnalyzeBatchFn._pipe

    def keep(model, texts):
        docs = list(original(model, texts))
        seen.extend(docs)
        return docs

    monkeypatch.setattr(nlp.AnalyzeBatchFn, "_pipe", staticmethod(keep))
    fn = nlp.AnalyzeBatchFn()
    fn.setup()
    text = 'Kanzler Olaf Scholz sagte am Montag in Berlin: "Wir helfen der Ukraine."'
    articles = [
        Article(f"a{i}", f"s{i}", text, published_at=datetime(2025, 8, 26, tzinfo=UTC),
                language="de")
        for i in range(3)
    ]  # fmt: skip
    rows = list(fn.process(articles))

    assert {table for table, _date, _row in rows} >= {"articles", "entities", "persons", "quotes"}
    assert len(seen) == 3
    assert all(doc.user_data == {} for doc in seen)


def test_the_heap_is_settled_once_per_language_after_its_first_batch(monkeypatch):
    """The loaded pipeline and lexicons leave the cyclic GC's reach (a worker exits
    in 0.1 s instead of 0.9 s), once per language and process, not per batch."""
    settled = []
    settle = nlp.settle_heap
    monkeypatch.setattr(nlp, "settle_heap", lambda: settled.append(settle()))
    monkeypatch.setattr(nlp, "SETTLED", set())
    gc.unfreeze()
    try:
        fn = nlp.AnalyzeBatchFn()
        fn.setup()
        article = Article("a", "s", "Kanzler Olaf Scholz sprach in Berlin.", language="de")
        list(fn.process([article]))
        assert gc.get_freeze_count() > 100_000
        assert set(nlp.SETTLED) == {"de"}
        list(fn.process([article.replace(article_id="b")]))
        other = nlp.AnalyzeBatchFn()  # another DoFn instance in the same process
        other.setup()
        list(other.process([article.replace(article_id="c")]))
        assert len(settled) == 1
    finally:
        gc.unfreeze()


def test_extractors_read_the_text_they_were_given_and_one_list_of_tokens():
    from newsbeam.models import registry
    from newsbeam.transforms.extract.doc_cache import forget
    from newsbeam.transforms.extract.entities import doc_tokens, remember_text

    model = registry.load("de")
    text = "„Wir helfen“, sagte Kanzler Olaf Scholz am Montag in Berlin. Die Lage sei ernst."
    article = Article("a", "s", text, published_at=datetime(2025, 8, 26, tzinfo=UTC),
                      language="de")  # fmt: skip
    plain = model(text)
    given = model(text)
    remember_text(given, text)
    assert doc_tokens(given) == list(given)
    assert nlp.analyse_doc(given, article) == nlp.analyse_doc(plain, article)
    forget(given)
    forget(plain)


def comparable(rows) -> list:
    return [(t, d, {k: v for k, v in r.items() if k != "ingested_at"}) for t, d, r in rows]


def test_a_long_running_worker_forgets_the_new_words_of_each_batch_but_not_its_rows():
    """spaCy keeps every new string it meets: a stream's worker grew with every
    article. After a language's first batch, each batch runs in a memory zone."""
    fn = nlp.AnalyzeBatchFn()
    fn.setup()
    when = datetime(2025, 8, 26, tzinfo=UTC)

    def batch(n: int, name: str) -> list[Article]:
        text = (f'Kanzlerin Zyxwa {name} sagte am Montag in Berlin: "Wir helfen der '
                f'Qwertzstadt{name}." Die Firma Blorpex{name} AG widersprach.')  # fmt: skip
        return [Article(f"{name}{i}", "s", text, published_at=when, language="de")
                for i in range(n)]  # fmt: skip

    list(fn.process(batch(2, "Aabbel")))  # the first batch: outside a zone
    vocab = fn._pipeline("de").vocab
    size = len(vocab.strings)
    zoned = {name: list(fn.process(batch(2, name))) for name in ("Ccddel", "Eeffel")}
    assert len(vocab.strings) == size  # the batches' new words are gone again
    assert "Ccddel" not in vocab.strings and "Aabbel" in vocab.strings
    for name, rows in zoned.items():
        fresh = nlp.AnalyzeBatchFn()  # the same batch as a worker's first: no zone
        fresh.setup()
        assert comparable(rows) == comparable(fresh.process(batch(2, name)))
        texts = {row.get("text") for table, _d, row in rows if table == "entities"}
        assert f"Zyxwa {name}" in texts


def test_each_worker_gets_an_equal_share_of_the_text_and_batches_stay_whole():
    """The DirectRunner deals one key to each of its N workers: the N slots must
    hold the same amount of text, within one article (not the same count)."""
    import random

    rng = random.Random(3)
    articles = [Article(f"a{i}", "s", "x" * rng.randint(1_500, 12_000)) for i in range(300)]
    fn = nlp.KeyBySlotFn(2)
    fn.start_bundle()
    slots: dict[object, list[Article]] = {}
    for article in articles:
        for key, kept in fn.process(article):
            slots.setdefault(key, []).append(kept)
    assert sorted(slots) == [0, 1]
    totals = [sum(len(a.text) for a in slot) for slot in slots.values()]
    assert abs(totals[0] - totals[1]) <= 12_000
    assert sorted(a.article_id for slot in slots.values() for a in slot) == sorted(
        a.article_id for a in articles
    )
    batches = list(nlp.into_batches(slots[0]))
    assert [a for b in batches for a in b] == slots[0]
    assert all(sum(len(a.text) for a in b[:-1]) < nlp.BATCH_CHARS for b in batches)
    assert all(len(b) <= nlp.MAX_BATCH for b in batches)
    # spaCy's own batches inside a call (NLP_BATCH) are full for news-length
    # articles: small calls made spaCy 5% slower.
    assert all(len(b) >= nlp.NLP_BATCH for b in batches[:-1])
    assert len(batches) < len(slots[0]) / nlp.NLP_BATCH + 1

    one = nlp.KeyBySlotFn(None)  # other runners: a key per batch, spread by hash
    one.start_bundle()
    keys = {key for article in articles for key, _ in one.process(article)}
    assert len(keys) > 50


def test_a_text_that_breaks_spacys_batch_gets_its_error_and_the_others_their_docs():
    """Docs come as nlp.pipe makes them; when a batch fails, the texts from there
    on are run one by one."""

    class Breaks:
        def pipe(self, texts, batch_size):
            for start in range(0, len(texts), 2):  # batches of two, like spaCy's
                batch = texts[start : start + 2]
                if "BOOM" in batch:
                    raise ValueError("bad text")
                yield from (f"doc:{t}" for t in batch)

        def __call__(self, text):
            if text == "BOOM":
                raise ValueError("bad text")
            return f"doc:{text}"

    out = list(nlp.AnalyzeBatchFn._pipe(Breaks(), ["a", "b", "c", "BOOM", "d"]))
    assert out[:3] == ["doc:a", "doc:b", "doc:c"]
    assert isinstance(out[3], ValueError)
    assert out[4] == "doc:d"
    assert list(nlp.AnalyzeBatchFn._pipe(Breaks(), ["a", "b", "c"])) == ["doc:a", "doc:b", "doc:c"]


def test_the_slots_follow_the_runner():
    """The DirectRunner's processes get a slot each (one slot in the driver: one
    key, so spaCy's batches are full); other runners spread keys by hash."""
    from apache_beam.options.pipeline_options import PipelineOptions

    def slots(*args: str) -> int | None:
        return nlp.worker_processes(PipelineOptions(list(args)))

    assert slots() == 1
    assert slots("--direct_running_mode=multi_processing", "--direct_num_workers=2") == 2
    assert slots("--runner=DirectRunner", "--direct_running_mode=multi_processing",
                 "--direct_num_workers=3") == 3  # fmt: skip
    assert slots("--runner=FlinkRunner") is None
    assert slots("--runner=PrismRunner") is None

    fn = nlp.KeyBySlotFn(1)
    fn.start_bundle()
    texts = ["x" * 9_000] * 40  # 360,000 characters: many KEY_CHARS
    keys = {
        key for i, text in enumerate(texts) for key, _ in fn.process(Article(f"a{i}", "s", text))
    }
    assert keys == {0}
