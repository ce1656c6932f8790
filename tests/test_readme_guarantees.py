"""The README's Guarantees section names a test for every promise, and each test exists."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def guarantees_rows() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Guarantees", 1)[1].split("\nLimits", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return rows[1:]  # without the header


def test_every_promise_names_tests_that_exist():
    sources = {p.name: p.read_text() for p in (ROOT / "tests").glob("test_*.py")}
    rows = guarantees_rows()
    assert len(rows) >= 10
    for row in rows:
        tests_cell = row.rstrip(" |").rsplit(" | ", 1)[-1]
        named = re.findall(r"`(?:(test_\w+\.py)(?:::)?)?(test_\w+)?`", tests_cell)
        assert named, f"a promise without a test: {row[:80]}"
        for file, name in named:
            if file:
                assert file in sources, f"{file} does not exist"
            if name and not name.endswith("_"):
                where = [sources[file]] if file else list(sources.values())
                assert any(f"def {name}" in text for text in where), f"no test {name}"
