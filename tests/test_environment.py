"""pyproject.toml and environment.yml describe the same environment, TensorFlow comes by platform, and the
Windows instructions in the README run the same checks as the Makefile."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")

# Packages environment.yml needs although pyproject.toml does not declare them: the interpreter and its installer.
CONDA_ONLY = {"python", "pip"}

#: The four platforms the course supports natively, as PEP 508 marker variables (what Python reports there).
PLATFORMS = {
    "Linux x86-64": {"sys_platform": "linux", "platform_machine": "x86_64", "platform_system": "Linux"},
    "Windows x86-64": {"sys_platform": "win32", "platform_machine": "AMD64", "platform_system": "Windows"},
    "macOS arm64": {"sys_platform": "darwin", "platform_machine": "arm64", "platform_system": "Darwin"},
    "Linux aarch64": {"sys_platform": "linux", "platform_machine": "aarch64", "platform_system": "Linux"},
}
TENSORFLOW = {"tensorflow", "tensorflow-cpu"}


def _key(req: Requirement) -> tuple[str, str, str]:
    return canonicalize_name(req.name), str(req.specifier), str(req.marker or "")


def pyproject_requirements() -> list[Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = data["dependencies"] + [s for group in data["optional-dependencies"].values() for s in group]
    return [Requirement(s) for s in specs]


def environment_requirements() -> tuple[SpecifierSet, list[Requirement]]:
    """(the python specifier, every other package) of environment.yml, conda and pip sections alike."""
    python, reqs = None, []
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s+-\s+(.+)$", line)
        if not m or line.strip().endswith(":") or m.group(1).startswith(("-e", "conda-forge")):
            continue
        text = m.group(1).strip()
        req = Requirement(text[1:-1] if text[0] == text[-1] == '"' else text)
        if req.name == "python":
            python = req.specifier
        elif req.name not in CONDA_ONLY:
            reqs.append(req)
    return python, reqs


def test_both_files_give_the_same_packages_ranges_and_markers():
    assert sorted(map(_key, pyproject_requirements())) == sorted(map(_key, environment_requirements()[1]))


def test_python_versions_agree():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert environment_requirements()[0] == SpecifierSet(data["requires-python"])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_exactly_one_tensorflow_applies_on_each_platform(platform):
    env = {**default_environment(), **PLATFORMS[platform]}
    for reqs in (pyproject_requirements(), environment_requirements()[1]):
        chosen = [r.name for r in reqs if canonicalize_name(r.name) in TENSORFLOW
                  and (r.marker is None or r.marker.evaluate(env))]
        assert len(chosen) == 1, f"{platform}: {chosen}"
        # tensorflow-cpu has wheels only for Linux and Windows on x86-64.
        expected = "tensorflow-cpu" if platform in ("Linux x86-64", "Windows x86-64") else "tensorflow"
        assert chosen == [expected]


def test_readme_marker_table_matches_pyproject():
    readme = (ROOT / "README.md").read_text()
    for platform in PLATFORMS:
        env = {**default_environment(), **PLATFORMS[platform]}
        chosen = next(r.name for r in pyproject_requirements() if canonicalize_name(r.name) in TENSORFLOW
                      and r.marker.evaluate(env))
        assert re.search(rf"^\| {re.escape(platform)} \|.*`{re.escape(chosen)}`", readme, re.M), platform


def _normalise(line: str) -> list[str]:
    """One command line as words, without the folder of the environment's programs (Makefile or Windows)."""
    line = line.split("&&")[-1].replace("\\", "/")
    for prefix in ("$(BIN)/", ".venv/Scripts/", "../"):
        line = line.replace(prefix, "")
    return shlex.split(line)


def _make_recipe(target: str) -> list[str]:
    """The command lines of one Makefile target."""
    text = (ROOT / "Makefile").read_text()
    m = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.M)
    assert m, f"no target {target} in the Makefile"
    return [line.strip() for line in m.group(1).splitlines()]


def _windows_block() -> str:
    readme = (ROOT / "README.md").read_text()
    m = re.search(r"### Windows.*?```bat\n(.*?)```", readme, re.S)
    assert m, "the README has no Windows block"
    return m.group(1)


@pytest.mark.parametrize("target", ["lint", "test-unit", "test-clean", "test-notebooks", "data", "models", "run",
                                    "lab"])
def test_readme_windows_lines_run_what_the_makefile_runs(target):
    windows = [_normalise(line) for line in _windows_block().splitlines() if line.strip()]
    for line in _make_recipe(target):
        assert _normalise(line) in windows, f"make {target} runs `{line}`, which the README's Windows block lacks"


def test_readme_windows_install_uses_the_makefile_extras():
    install = next(line for line in _make_recipe("$(STAMP)") if " -e " in line)
    assert _normalise(install)[-2:] == ["-e", ".[cpu,dev]"]
    assert any(_normalise(line)[-2:] == ["-e", ".[cpu,dev]"] for line in _windows_block().splitlines())


def test_readme_windows_block_sets_the_makefile_environment():
    exported = re.findall(r"^export (\w+) := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    block = _windows_block()
    for name, value in exported:
        assert f"set {name}={value}" in block
