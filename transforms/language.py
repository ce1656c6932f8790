"""Language of each article: the header or feed metadata wins, else py3langid decides."""

from __future__ import annotations

from functools import lru_cache

from newsbeam.transforms.records import Article

# Enough text for a confident guess; more only costs time.
DETECT_CHARS = 2_000


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) for a text; (None, 0.0) when there is nothing to read."""
    sample = text[:DETECT_CHARS]
    if not any(c.isalpha() for c in sample):
        return None, 0.0
    code, prob = _identifier().classify(sample)
    return code, float(prob)


def with_language(article: Article) -> Article:
    if article.language:
        return article
    code, _ = detect_language(article.text)
    if code is None:
        return article
    return article.replace(language=code, language_source="detected")
