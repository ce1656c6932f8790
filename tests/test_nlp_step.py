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
        docs = original(model, texts)
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
