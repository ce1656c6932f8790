"""Feed lists: plain text (one URL a line), YAML (per-feed options) and OPML.

`load_feed_list` returns the feeds and, for `newsbeam feeds check`, every
problem with the line it is on.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pycountry
import yaml
from lxml import etree

DEFAULT_INTERVAL_S = 15 * 60
YAML_KEYS = {"url", "name", "language", "interval", "enabled"}


@dataclass(frozen=True)
class FeedSpec:
    url: str
    name: str
    language: str | None = None
    interval_s: int = DEFAULT_INTERVAL_S
    enabled: bool = True


@dataclass
class FeedList:
    feeds: list[FeedSpec] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 3: ..."


def parse_interval(value: object) -> int:
    """15m, 2h, 90s, 900 -> seconds."""
    if isinstance(value, int) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", str(value))
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"bad interval {value!r}: use 90s, 15m, 2h or 1d")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def url_problem(url: str, allow_private: bool = False) -> str | None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        return f"{url!r} is not an http(s) URL"
    if not parsed.hostname:
        return f"{url!r} has no host"
    if not allow_private and _names_private_host(parsed.hostname):
        return (
            f"{url} is on a non-public address, which ingest refuses "
            "(allow it with --allow-private-addresses)"
        )
    return None


def _names_private_host(host: str) -> bool:
    """A host that is non-public by its very name or address (no DNS is asked)."""
    from newsbeam.transforms.feeds.http import _blocked

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return _blocked(ipaddress.ip_address(host))
    except ValueError:
        return False  # a name: only the fetch can tell where it points


def language_problem(value: object) -> str | None:
    """None for an ISO 639 code (de, en, deu); else what to write instead."""
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}([-_][A-Za-z]{2,4})?", text):
        code = text.split("-")[0].split("_")[0]
        if pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code):
            return None
    hint = ""
    try:
        match = pycountry.languages.lookup(text)
        if getattr(match, "alpha_2", None):
            hint = f" (did you mean {match.alpha_2}?)"
    except LookupError:
        pass
    return f"language {value!r} is not an ISO 639 code such as de or en{hint}"


def _add(
    result: FeedList, seen: set[str], where: str, spec: FeedSpec, allow_private: bool = False
) -> None:
    problem = url_problem(spec.url, allow_private) or language_problem(spec.language)
    if problem:
        result.problems.append(f"{where}: {problem}")
    elif spec.url in seen:
        result.problems.append(f"{where}: {spec.url} is listed twice")
    else:
        seen.add(spec.url)
        result.feeds.append(spec)


def load_text(text: str, allow_private: bool = False) -> FeedList:
    result, seen = FeedList(), set[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        url = line.split("#", 1)[0].strip()
        if url:
            spec = FeedSpec(url=url, name=urlparse(url).netloc)
            _add(result, seen, f"line {number}", spec, allow_private)
    return result


def load_yaml(text: str, allow_private: bool = False) -> FeedList:
    result, seen = FeedList(), set[str]()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        return FeedList(problems=[f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"])
    entries = data.get("feeds") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return FeedList(problems=["file: expected a list of feeds (or a `feeds:` key)"])
    lines = _yaml_item_lines(text)
    for index, entry in enumerate(entries):
        where = f"line {lines[index]}" if index < len(lines) else f"feed {index + 1}"
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict) or "url" not in entry:
            result.problems.append(f"{where}: each feed needs a `url`")
            continue
        unknown = set(entry) - YAML_KEYS
        if unknown:
            result.problems.append(f"{where}: unknown keys {sorted(unknown)}")
            continue
        try:
            interval = parse_interval(entry.get("interval", DEFAULT_INTERVAL_S))
        except ValueError as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            result.problems.append(f"{where}: enabled must be true or false, not {enabled!r}")
            continue
        url = str(entry["url"])
        spec = FeedSpec(
            url=url,
            name=str(entry.get("name") or urlparse(url).netloc),
            language=entry.get("language"),
            interval_s=interval,
            enabled=enabled,
        )
        _add(result, seen, where, spec, allow_private)
    return result


def _yaml_item_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if re.match(r"\s*-\s", line)]


def load_opml(data: bytes, allow_private: bool = False) -> FeedList:
    result, seen = FeedList(), set[str]()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return FeedList(problems=[f"line {exc.lineno}: not valid OPML/XML ({exc.msg})"])
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl")
        if not url:
            continue
        name = outline.get("title") or outline.get("text") or urlparse(url).netloc
        lang = outline.get("language")
        _add(result, seen, f"line {outline.sourceline}", FeedSpec(url, name, lang), allow_private)
    if not result.feeds and not result.problems:
        result.problems.append("file: no <outline xmlUrl=...> entries")
    return result


def load_feed_list(path: str | Path, allow_private: bool = False) -> FeedList:
    """Read a feed list; a file that cannot be read raises OSError (FileNotFoundError...)."""
    path = Path(path)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".opml",) or (suffix == ".xml" and b"<opml" in data[:500]):
        return load_opml(data, allow_private)
    if suffix in (".yaml", ".yml"):
        return load_yaml(data.decode("utf-8", errors="replace"), allow_private)
    return load_text(data.decode("utf-8", errors="replace"), allow_private)
