"""The typed records that cross pipeline stages: articles and error (dead-letter) rows."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

# An input excerpt kept in an error row: enough to see and replay the problem,
# small enough that one hostile file cannot bloat the errors table.
MAX_ERROR_INPUT_CHARS = 4_000


def stable_id(*parts: str, length: int = 16) -> str:
    """A short, deterministic hex id over the given parts (same input, same id)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class Article:
    """One normalised article, as every stage after the source parsers sees it."""

    article_id: str
    source: str  # where it came from: file path (with #line or #item), or URL
    text: str
    title: str | None = None
    url: str | None = None
    published_at: datetime | None = None  # tz-aware UTC
    published_source: str = "none"  # header | metadata | feed | none
    language: str | None = None
    language_source: str = "none"  # header | metadata | detected | none
    fetched_at: datetime | None = None
    canonical_url: str | None = None
    authors: str | None = None
    text_source: str = "file"  # file | page | feed_summary | title (a headline, nothing else)
    feed_url: str | None = None

    @property
    def content_hash(self) -> str:
        """Same words in the same order -> same hash (case and spacing ignored)."""
        return stable_id("content", " ".join(self.text.casefold().split()))

    def replace(self, **changes: object) -> Article:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ErrorRecord:
    """A dead letter: something that could not be turned into rows, and why."""

    source: str
    stage: str  # read | parse | language | nlp | extract:<name> | write
    kind: str  # short machine-readable reason, e.g. "not_utf8", "no_model"
    message: str  # what a person can act on
    input_excerpt: str = ""  # enough of the input to replay it
    article_id: str | None = None  # set when the article itself was kept
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def error_id(self) -> str:
        # Same source, stage, reason and input -> same id, so reruns dedupe.
        return stable_id(self.source, self.stage, self.kind, self.input_excerpt)
