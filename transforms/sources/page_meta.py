"""What a news page says about itself: language, publication time, headline.

trafilatura finds the main text well, but gives the date without its time
(an 08:00+02:00 article became 00:00 UTC), ignores `<html lang>`, and takes the
social-media title with the site's name ("... | Börsen-Zeitung", "... - WELT").
The page's own metadata says these better: JSON-LD (schema.org NewsArticle),
the Open Graph / article meta tags, `<html lang>` and the visible `<h1>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

import lxml.etree
import lxml.html

from newsbeam.transforms.sources.common import normalise_language, parse_datetime

# Meta tags that carry the publication time, in order of trust.
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
)
SITE_META = ("og:site_name", "application-name", "twitter:site")
ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "webpage"}
# Separators between a headline and the site's name in a <title> or og:title.
_SUFFIX = re.compile(r"^(?P<head>.+?)\s+(?:[|–—:]|-|::|•)\s+(?P<site>[^|–—•]+)$")
MAX_HEADLINE_CHARS = 400


@dataclass(frozen=True)
class PageMeta:
    language: str | None = None
    published: datetime | None = None
    headline: str | None = None
    site_name: str | None = None


def page_meta(html: str | bytes, url: str | None = None) -> PageMeta:
    if isinstance(html, bytes):
        # The charset trafilatura finds (headers aside, it reads the page as
        # trafilatura does); lxml alone takes undeclared UTF-8 for Latin-1.
        # (Imported here, as in html_file: only HTML inputs need trafilatura.)
        from trafilatura.utils import decode_file

        html = decode_file(html)
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return PageMeta()
    meta = _meta_tags(root)
    ld = list(_json_ld_articles(root))
    site = next((meta[k] for k in SITE_META if meta.get(k)), None) or _ld_site(ld)
    return PageMeta(
        language=_language(root, meta),
        published=_published(root, meta, ld),
        headline=_headline(root, ld, site, url),
        site_name=site,
    )


def strip_site_name(title: str, site: str | None, url: str | None = None) -> str:
    """'Zinsen steigen | Börsen-Zeitung' -> 'Zinsen steigen' when the suffix is the site."""
    match = _SUFFIX.match(title.strip())
    if not match:
        return title.strip()
    suffix = _plain(match.group("site"))
    names = [_plain(site)] if site else []
    if url and (host := urlparse(url).hostname):
        names.append(_plain(host.removeprefix("www.").rsplit(".", 1)[0]))
    if suffix and any(n and (suffix in n or n in suffix) for n in names):
        return match.group("head").strip()
    return title.strip()


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _meta_tags(root: lxml.html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in root.iter("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop") or ""
        key = key.strip().lower() or (tag.get("http-equiv") or "").strip().lower()
        value = (tag.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _json_ld_articles(root: lxml.html.HtmlElement) -> Iterator[dict]:
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text_content() or "null")
        except ValueError:
            continue
        for item in _walk_ld(data):
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(str(k).lower() in ARTICLE_TYPES for k in kinds):
                yield item


def _walk_ld(data: object) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk_ld(data.get("@graph"))


def _ld_site(ld: list[dict]) -> str | None:
    for item in ld:
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return publisher["name"]
    return None


def _language(root: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    html_tag = root if root.tag == "html" else root.getroottree().getroot()
    for value in (html_tag.get("lang"), meta.get("content-language"), meta.get("og:locale")):
        if code := normalise_language(value):
            return code
    return None


def _published(
    root: lxml.html.HtmlElement, meta: dict[str, str], ld: list[dict]
) -> datetime | None:
    candidates = [item.get("datePublished") for item in ld]
    candidates += [meta.get(key) for key in PUBLISHED_META]
    candidates += [t.get("datetime") for t in root.iter("time")]
    for value in candidates:
        if isinstance(value, str) and (parsed := parse_datetime(value)):
            return parsed
    return None


def _headline(
    root: lxml.html.HtmlElement, ld: list[dict], site: str | None, url: str | None
) -> str | None:
    candidates = [item.get("headline") for item in ld]
    candidates += [" ".join(h1.text_content().split()) for h1 in root.iter("h1")][:1]
    for value in candidates:
        if isinstance(value, str) and 0 < len(value.strip()) <= MAX_HEADLINE_CHARS:
            return strip_site_name(" ".join(value.split()), site, url)
    return None
