"""Shared helpers for source parsers: decoding bytes, parsing dates, building Articles."""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

from newsbeam.transforms.records import MAX_ERROR_INPUT_CHARS, Article, ErrorRecord, stable_id

# Share of control characters above which a file is treated as binary, not text.
MAX_CONTROL_CHAR_SHARE = 0.05

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class SourceError(Exception):
    """A whole input cannot be read; `kind` is the short reason for the errors table."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; refuse anything else."""
    if not data.strip():
        raise SourceError("empty", "the input is empty or only whitespace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:8192]:
            raise SourceError("binary", "the input contains NUL bytes: a binary file, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(
                "not_utf8",
                f"the input is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start}); re-save it as UTF-8",
            ) from exc
    sample = text[:8192]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > MAX_CONTROL_CHAR_SHARE:
        raise SourceError("binary", "the input is mostly control characters: binary, not text")
    return text


def normalise_text(text: str) -> str:
    """NFC, unified newlines, no control characters, no runs of spaces or blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def parse_datetime(value: object) -> datetime | None:
    """Parse an ISO-ish date or datetime to tz-aware UTC; naive values are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = dateutil_parser.isoparse(str(value).strip())
        except (ValueError, OverflowError):
            try:
                parsed = dateutil_parser.parse(str(value).strip())
            except (ValueError, OverflowError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def normalise_language(value: object) -> str | None:
    """'de-DE', 'DE', 'de_at' -> 'de'; anything unusable -> None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def make_article(
    source: str,
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    published: object = None,
    published_source: str = "metadata",
    language: object = None,
    language_source: str = "metadata",
) -> Article:
    """Build an Article with a stable id: the URL when known, else the text itself."""
    clean = normalise_text(text)
    if not clean:
        raise SourceError("empty", "the article has no text")
    clean_title = normalise_text(title) if title else None
    published_at = parse_datetime(published)
    lang = normalise_language(language)
    article_id = stable_id("url", url) if url else stable_id("text", clean_title or "", clean)
    return Article(
        article_id=article_id,
        source=source,
        text=clean,
        title=clean_title or None,
        url=url or None,
        published_at=published_at,
        published_source=published_source if published_at else "none",
        language=lang,
        language_source=language_source if lang else "none",
    )


def error_from(source: str, exc: SourceError, stage: str, raw: str | bytes = "") -> ErrorRecord:
    return ErrorRecord(
        source=source,
        stage=stage,
        kind=exc.kind,
        message=exc.message,
        input_excerpt=excerpt(raw),
    )


def excerpt(raw: str | bytes) -> str:
    """A printable, bounded excerpt of raw input for an error row."""
    if isinstance(raw, bytes):
        raw = raw[: MAX_ERROR_INPUT_CHARS * 2].decode("utf-8", errors="backslashreplace")
    return raw[:MAX_ERROR_INPUT_CHARS]
