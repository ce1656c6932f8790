"""Language of each article: the header or feed metadata wins, else py3langid decides."""

from __future__ import annotations

from functools import lru_cache

from newsbeam.transforms.records import Article

# Enough text for a confident guess; more only costs time.
DETECT_CHARS = 2_000
# Below these a guess is not worth having (see with_language).
MIN_DETECT_LETTERS = 40
MIN_DETECT_PROBABILITY = 0.90
UNDETERMINED = "und"  # ISO 639-2 for "undetermined"


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
    """The declared language wins; else a confident guess; else `und` (undetermined).

    py3langid guesses from character n-grams and is sure of itself even on two
    words ("Example summary" -> sv, 0.98): below MIN_DETECT_LETTERS letters or
    MIN_DETECT_PROBABILITY a guess would only send the article to a wrong
    pipeline, so the article is marked `und` and the NLP step says why."""
    if article.language:
        return article
    code, probability = detect_language(article.text)
    letters = sum(c.isalpha() for c in article.text[:DETECT_CHARS])
    if code is None or letters < MIN_DETECT_LETTERS or probability < MIN_DETECT_PROBABILITY:
        return article.replace(language=UNDETERMINED, language_source="undetermined")
    return article.replace(language=code, language_source="detected")
