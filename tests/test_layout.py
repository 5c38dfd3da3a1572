"""The package as installed (a wheel, as Colab's ``pip install git+...`` builds it) holds every sub-package."""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path

import pytest
from setuptools import find_packages

import helpers

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
ROOT = Path(__file__).resolve().parent.parent


def test_every_sub_package_is_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packaged = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    on_disk = {"helpers"} | {m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers.") if m.ispkg}
    assert "helpers.harmonize" in on_disk
    assert packaged == on_disk
