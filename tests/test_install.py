"""The install cannot drift: the lock pins everything pyproject asks for, this
environment was installed from it, and building the package is quiet."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCKED_EXTRAS = ("test", "bench", "dev")


def lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def declared() -> list[Requirement]:
    project = PYPROJECT["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in LOCKED_EXTRAS:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    found += [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    return [r for r in found if canonicalize_name(r.name) != "newsbeam"]


def test_the_lock_pins_every_declared_dependency_within_its_range():
    pins = lock()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is declared but not in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside {requirement}"
        )


def test_this_environment_was_installed_from_the_lock():
    pins = lock()
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()
    }
    drift = {n: (installed[n], v) for n, v in pins.items() if n in installed and installed[n] != v}
    assert not drift, f"installed vs locked: {drift} (make lock, or reinstall with make)"
    main = [canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]]
    assert set(main) <= set(installed)


def test_the_html_cleaner_that_trafilatura_needs_is_declared_and_imports():
    names = {canonicalize_name(r.name) for r in declared()}
    assert "lxml-html-clean" in names
    subprocess.run([sys.executable, "-c", "import trafilatura, lxml.html.clean"], check=True)


def test_every_data_folder_is_a_declared_package():
    packages = set(PYPROJECT["tool"]["setuptools"]["packages"])
    for folder in [*(ROOT / "transforms" / "lexicons").iterdir(), ROOT / "models" / "de_newsbeam"]:
        for sub in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
            if sub.name == "__pycache__":
                continue
            top = "transforms" if "transforms" in sub.parts else "models"
            rel = sub.relative_to(ROOT / top).parts
            assert ".".join(("newsbeam", top, *rel)) in packages, f"{sub} is not a package"


@pytest.mark.slow
def test_building_the_package_prints_no_setuptools_warning(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v"]
        + ["--disable-pip-version-check", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    log = built.stdout + built.stderr
    assert not re.search(r"Package would be ignored|is absent from the `packages`", log)
    assert "SetuptoolsDeprecationWarning" not in log, log[-3000:]
    assert list(tmp_path.glob("newsbeam-*.whl"))
