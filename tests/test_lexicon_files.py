"""newsbeam's YAML data files read the same through libyaml as through PyYAML's own loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsbeam.transforms import lexicon

ROOT = Path(lexicon.__file__).parent
FILES = sorted(ROOT.glob("lexicons/*/*.yaml")) + sorted(ROOT.glob("geo/*.yaml"))


def test_there_are_data_files_to_read():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_data_file_reads_the_same_with_either_loader(path):
    with path.open(encoding="utf-8") as handle:
        expected = yaml.load(handle, Loader=yaml.SafeLoader)  # noqa: S506
    assert lexicon.read_yaml(path) == expected
