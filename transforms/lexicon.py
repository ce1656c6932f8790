"""Per-language data files (transforms/lexicons/<lang>/<name>.yaml), loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LEXICON_DIR = Path(__file__).parent / "lexicons"


@lru_cache(maxsize=64)
def load_lexicon(language: str, name: str) -> dict:
    """The parsed YAML file, or {} when the language has no such file."""
    path = LEXICON_DIR / language / f"{name}.yaml"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}
