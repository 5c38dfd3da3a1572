"""pyproject.toml and environment.yml describe the same environment; the Colab cell is the one in helpers.colab."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")

# Packages environment.yml needs although pyproject.toml does not declare them: the interpreter and its installer.
CONDA_ONLY = {"python", "pip"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = data["dependencies"] + [s for group in data["optional-dependencies"].values() for s in group]
    return {_name(s): s.replace(" ", "") for s in specs}


def environment_packages() -> dict[str, str]:
    specs = []
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.\-\[\]]+.*)$", line)
        if m and not m.group(1).startswith(("-e", "conda-forge")) and not line.strip().endswith(":"):
            specs.append(m.group(1).strip())
    return {_name(s): s.replace(" ", "") for s in specs if _name(s) not in CONDA_ONLY}


def test_both_files_name_the_same_packages():
    assert sorted(pyproject_packages()) == sorted(environment_packages())


def test_both_files_give_the_same_version_ranges():
    py, env = pyproject_packages(), environment_packages()
    assert {k: py[k] for k in py} == {k: env[k] for k in py}


def test_python_versions_agree():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert data["requires-python"] == ">=3.10"
    assert "python>=3.10" in (ROOT / "environment.yml").read_text()
