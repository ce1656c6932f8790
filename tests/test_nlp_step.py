"""The NLP step's DoFn without a runner: what it leaves behind on a worker."""

from __future__ import annotations

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
