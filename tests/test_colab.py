"""The course installs on Google Colab without replacing anything Colab preinstalls, and the README links to it.

Offline: Colab's versions come from ``tests/colab-versions.txt``, a dated copy of Colab's public package list.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import re
import sys
import types
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import helpers
from helpers.colab import COLAB_CELL, INSTALL_SPEC, REPO_URL, TAG

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Distributions that provide the same modules as one that Colab ships (our CPU build of TensorFlow).
SAME_MODULES = {"tensorflow-cpu": "tensorflow"}
#: Imported only inside ``try``, with a fallback: FluidSynth for nicer audio (helpers.audio).
OPTIONAL_IMPORTS = {"fluidsynth"}


def colab_versions() -> dict[str, Version]:
    lines = (ROOT / "tests" / "colab-versions.txt").read_text().splitlines()
    assert lines[0].startswith("#") and re.search(r"\d{4}-\d{2}-\d{2}", lines[0]), "header: source and date"
    pins = [line.split("==") for line in lines[1:] if line.strip() and not line.startswith("#")]
    return {canonicalize_name(name): Version(version) for name, version in pins}


def runtime_requirements() -> list[Requirement]:
    """What the Colab cell installs: the package's dependencies, no extras."""
    return [Requirement(s) for s in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]


def tensorflow_requirements() -> list[Requirement]:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return [Requirement(s) for s in extras["cpu"]]


def test_colab_versions_file_lists_what_the_course_shares_with_colab():
    colab = colab_versions()
    for name in ("ipython", "keras", "music21", "numpy", "matplotlib", "scikit-learn", "tensorflow"):
        assert name in colab


def test_every_runtime_requirement_admits_colabs_version():
    colab = colab_versions()
    shared = [r for r in runtime_requirements() if canonicalize_name(r.name) in colab]
    assert len(shared) >= 6
    for req in shared:
        assert req.specifier.contains(colab[canonicalize_name(req.name)], prereleases=True), (
            f"{req} would make Colab replace its {req.name} {colab[canonicalize_name(req.name)]}")


def test_tensorflow_ranges_admit_colabs_build():
    """Colab keeps its own TensorFlow; our range must still describe it, so the lessons hold there."""
    for req in tensorflow_requirements():
        assert req.specifier.contains(colab_versions()["tensorflow"])


def test_the_colab_cell_installs_no_extra_and_pins_this_version():
    req = Requirement(INSTALL_SPEC)
    assert req.name == "dl-music-course" and not req.extras
    assert req.url == f"git+{REPO_URL}@{TAG}" and TAG == f"v{helpers.__version__}"
    assert md.version("dl-music-course") == helpers.__version__, "pyproject.toml reads the version from helpers"


def _imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _notebook_and_helper_imports() -> set[str]:
    modules = set()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                code = "".join(cell["source"])
                # IPython's `!command` and `%magic` lines are not Python.
                code = "\n".join(re.sub(r"^(\s*)[!%].*", r"\1pass", line) for line in code.splitlines())
                modules |= _imported_modules(code)
    for path in (ROOT / "helpers").rglob("*.py"):
        modules |= _imported_modules(path.read_text())
    return modules - set(sys.stdlib_module_names) - {"helpers"} - OPTIONAL_IMPORTS


def test_every_third_party_import_is_installed_on_colab_by_the_cell():
    """A package the notebooks or helpers import is either preinstalled on Colab or a runtime dependency."""
    colab = colab_versions()
    declared = {canonicalize_name(r.name) for r in runtime_requirements()}
    providers = md.packages_distributions()
    modules = _notebook_and_helper_imports()
    assert {"numpy", "keras", "pretty_midi", "verovio", "music21"} <= modules
    for module in sorted(modules):
        dists = {SAME_MODULES.get(canonicalize_name(d), canonicalize_name(d)) for d in providers.get(module, [])}
        assert dists, f"no installed distribution provides `import {module}`"
        assert dists & (set(colab) | declared), f"`import {module}` ({dists}) is neither on Colab nor declared"


def test_colab_cell_runs_pip_and_stops_with_a_clear_message_when_the_install_fails(monkeypatch):
    calls = []

    def fake_run(args, **kwargs):
        calls.append(args)
        return types.SimpleNamespace(returncode=fake_run.code)

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr("subprocess.run", fake_run)
    fake_run.code = 0
    exec(COLAB_CELL, {})
    assert calls == [[sys.executable, "-m", "pip", "install", "-q", INSTALL_SPEC]]
    fake_run.code = 1
    with pytest.raises(RuntimeError, match=f"Could not install {re.escape(INSTALL_SPEC)}.*README"):
        exec(COLAB_CELL, {})


def test_colab_cell_does_nothing_outside_colab(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr("subprocess.run", lambda *a, **k: pytest.fail("pip ran outside Colab"))
    exec(COLAB_CELL, {})


def colab_link(notebook: str) -> str:
    """The "Open in Colab" address of a notebook (its stem) at this version's tag."""
    path = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{path}/blob/{TAG}/notebooks/{notebook}.ipynb"


def test_readme_links_every_notebook_to_colab_at_this_version():
    readme = (ROOT / "README.md").read_text()
    linked = re.findall(r"\[Open in Colab\]\((\S+)\)", readme)
    assert linked == [colab_link(p.stem) for p in NOTEBOOKS]
    rows = re.findall(r"^\| (\d\d) \| `(\w+)` \|", readme, re.M)
    assert [stem for _, stem in rows] == [p.stem for p in NOTEBOOKS]
    assert "not yet been published" in readme
