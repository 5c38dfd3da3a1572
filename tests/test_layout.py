"""The package as installed (a wheel, as Colab's ``pip install git+...`` builds it) holds every sub-package."""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path

import pytest

import helpers

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.xfail(reason="pyproject.toml (owned by another engineer) lists only 'helpers' under [tool.setuptools] "
                          "packages, so a wheel leaves out helpers/harmonize/: add 'helpers.harmonize' there",
                   strict=False)
def test_every_sub_package_is_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    subpackages = {f"helpers.{m.name}" for m in pkgutil.iter_modules(helpers.__path__) if m.ispkg}
    assert subpackages == {"helpers.harmonize"}
    listed = set(config.get("packages", []))
    found_by_pattern = "find" in config.get("packages", {}) if isinstance(config.get("packages"), dict) else False
    assert found_by_pattern or subpackages <= listed, f"not packaged: {sorted(subpackages - listed)}"
