"""Readers for annotated time expressions: TimeML (.tml), MEANTIME CAT XML, TIMEX2.

- TimeML `.tml`: inline `<TIMEX3 tid type value [mod]>` in `<TEXT>`, the
  document creation time in `<DCT><TIMEX3 functionInDocument="CREATION_TIME">`.
- MEANTIME (NewsReader CAT XML): tokens with ids, `<TIMEX3>` markables that
  point at tokens; the text is rebuilt from the tokens (no space before
  closing punctuation, none after opening), offsets follow that text, and it
  ends where the annotation does (MEANTIME marks the first sentences only). The
  TIMEX3 with functionInDocument CREATION_TIME gives the date; it is gold like
  the others when it is anchored in the text (the dateline).
- TIMEX2 inline (WikiWars `keyinline/*.key.xml`, ACE/TERN style): `<TIMEX2
  val=... [mod=...]>` in `<TEXT>`, possibly nested; `<DATETIME>` gives the date.
Every reader returns GoldDocs with character offsets into the text it returns.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from newsbeam.evaluation.documents import GoldDoc, GoldSpan, existing_paths

_TAG = re.compile(r"<(/?)(TIMEX[23])\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_NO_SPACE_BEFORE = {
    ",", ".", ":", ";", "!", "?", ")", "]", "}", "%", "'s", "'", "n't", "'re", "'ve", "'ll",
    "'d", "'m", "''",
}  # fmt: skip
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``"}


def _day(value: str | None) -> date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def read_inline(path: Path, language: str | None = None) -> GoldDoc:
    """A TimeML (.tml) or TIMEX2-inline document: text without tags, spans by offset."""
    raw = path.read_text(encoding="utf-8")
    dct = None
    dct_block = re.search(r"<(DCT|DATETIME)>(.*?)</\1>", raw, re.S | re.I)
    if dct_block:
        attrs = dict(_ATTR.findall(dct_block[2]))
        attrs = {k.lower(): v for k, v in attrs.items()}
        dct = _day(attrs.get("value") or attrs.get("val") or dct_block[2].strip()[:10])
        dct = dct or _day(re.sub(r"<[^>]+>", "", dct_block[2]).strip())
    body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S | re.I)
    inner = body[1] if body else raw
    text_parts: list[str] = []
    length = 0
    stack: list[tuple[int, dict[str, str]]] = []
    spans: list[GoldSpan] = []
    position = 0
    for match in _TAG.finditer(inner):
        chunk = _plain(inner[position : match.start()])
        text_parts.append(chunk)
        length += len(chunk)
        position = match.end()
        closing, _name, attributes = match.groups()
        if not closing:
            attrs = {k.lower(): v for k, v in _ATTR.findall(attributes)}
            stack.append((length, attrs))
        elif stack:
            start, attrs = stack.pop()
            if attrs.get("functionindocument") == "CREATION_TIME" and body is None:
                continue
            spans.append(_span(start, length, attrs))
    text_parts.append(_plain(inner[position:]))
    text = "".join(text_parts)
    lang = language or _language_of(raw, path)
    kind = "narrative" if re.search(r"wikipedia|HISTORY", raw[:500], re.I) else "news"
    return GoldDoc(path.stem.split(".")[0], text, lang, dct, kind, spans, str(path))


def _plain(chunk: str) -> str:
    """Markup other than TIMEX tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", chunk))


def _span(start: int, end: int, attrs: dict[str, str]) -> GoldSpan:
    value = attrs.get("value") or attrs.get("val")
    type_ = attrs.get("type") or _timex2_type(value)
    return GoldSpan(start, end, type_.upper(), value, attrs.get("mod"))


def _timex2_type(value: str | None) -> str:
    """TIMEX2 has no type attribute: the value says it (TimeML's types)."""
    if not value:
        return "DATE"
    if value.startswith("P"):
        return "DURATION"
    if "T" in value and re.search(r"T\d", value):
        return "TIME"
    if re.search(r"T(MO|AF|EV|NI|DT)$", value):
        return "TIME"
    return "DATE"


def _language_of(raw: str, path: Path) -> str:
    declared = re.search(r'lang="(\w\w)', raw[:400])
    if declared:
        return declared[1]
    return "de" if "WikiWarsDE" in str(path) else "en"


def read_meantime(path: Path) -> GoldDoc:
    """A MEANTIME CAT XML document; the text is rebuilt from its tokens."""
    root = ET.parse(path).getroot()
    # MEANTIME annotates the title, the dateline and the first sentences only:
    # the text ends with the last sentence any markable points into, so that
    # expressions in unannotated sentences do not count as spurious.
    sentence_of = {t.get("t_id"): int(t.get("sentence", 0)) for t in root.iter("token")}
    markables = root.find("Markables")
    anchored = [
        sentence_of.get(a.get("t_id"), 0)
        for markable in (markables if markables is not None else [])
        for a in markable.iter("token_anchor")
    ]
    last_sentence = max(anchored, default=max(sentence_of.values(), default=0))
    offsets: dict[str, tuple[int, int]] = {}
    parts: list[str] = []
    length = 0
    previous_sentence = None
    previous = ""
    for token in root.iter("token"):
        word = token.text or ""
        sentence = token.get("sentence")
        if int(sentence or 0) > last_sentence:
            break
        if parts:
            if sentence != previous_sentence:
                sep = "\n"
            elif word in _NO_SPACE_BEFORE or previous in _NO_SPACE_AFTER:
                sep = ""
            else:
                sep = " "
            parts.append(sep)
            length += len(sep)
        offsets[token.get("t_id", "")] = (length, length + len(word))
        parts.append(word)
        length += len(word)
        previous_sentence, previous = sentence, word
    text = "".join(parts)
    spans = []
    dct = None
    for timex in root.iter("TIMEX3"):
        anchors = [offsets[a.get("t_id", "")] for a in timex.iter("token_anchor")]
        if timex.get("functionInDocument") == "CREATION_TIME":
            dct = _day(timex.get("value"))
        if not anchors:
            continue  # an empty (non-consuming) TIMEX3: not in the text
        start, end = min(a[0] for a in anchors), max(a[1] for a in anchors)
        spans.append(
            GoldSpan(start, end, (timex.get("type") or "DATE").upper(), timex.get("value"),
                     timex.get("mod") or None)
        )  # fmt: skip
    spans.sort(key=lambda s: s.start)
    if dct is None:  # a few documents lack CREATION_TIME: their dateline gives it
        dct = _dateline(text)
    return GoldDoc(
        root.get("doc_id", path.stem),
        text,
        root.get("lang", "en"),
        dct,
        "news",
        spans,
        str(path),
        group=path.parent.name,
    )


_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]  # fmt: skip


def _dateline(text: str) -> date | None:
    """A Wikinews dateline ("February 03, 2009") on the first lines."""
    match = re.search(r"\b([A-Z][a-z]+) (\d{1,2}), (\d{4})\b", text[:400])
    if match and match[1].lower() in _MONTHS:
        return date(int(match[3]), _MONTHS.index(match[1].lower()) + 1, int(match[2]))
    return None


def read_corpus(paths: list[str]) -> tuple[list[GoldDoc], list[str]]:
    """Every annotated document under the given files and folders, and the
    files that could not be scored, each with the reason (never dropped in silence)."""
    docs: list[GoldDoc] = []
    skipped: list[str] = []
    for path in existing_paths(paths, skipped):
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            try:
                doc = read_file(file)
            except (ET.ParseError, UnicodeDecodeError, ValueError) as exc:
                skipped.append(f"{file}: unreadable ({type(exc).__name__}: {exc})")
                continue
            if doc is None:
                continue
            if doc.dct is None:
                skipped.append(f"{file}: no document creation time to anchor on")
                continue
            docs.append(doc)
    return docs, skipped


def read_file(file: Path) -> GoldDoc | None:
    if not file.is_file():
        return None
    if file.suffix == ".tml":
        return read_inline(file)
    if file.name.endswith(".key.xml") and "keyinline" in file.parts:
        doc = read_inline(file)
        doc.group = file.parent.parent.name
        return doc
    if file.suffix == ".xml" and "intra-doc_annotation" in file.parts:
        return read_meantime(file)
    return None
