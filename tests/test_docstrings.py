"""Every public function and class of ``helpers`` says, in the last line of its docstring, which notebook explains
or uses it (``Notebook: 09_harmonization``), and that notebook exists."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import helpers

NOTEBOOKS = {p.stem for p in (Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb")}


def public_definitions():
    """``(qualified name, object)`` of every public function and class defined (not imported) in a helpers module."""
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if obj.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", obj


def test_the_walk_finds_the_modules_of_every_layer():
    found = {name.rsplit(".", 1)[0] for name, _ in public_definitions()}
    assert {"helpers.theory", "helpers.readers", "helpers.voiceleading", "helpers.cli", "helpers.harmonize.decoding",
            "helpers.harmonize.encoding", "helpers.keyfinding"} <= found


def test_every_public_function_and_class_names_its_notebook():
    wrong = []
    for name, obj in public_definitions():
        doc = (inspect.getdoc(obj) or "").strip()
        last = doc.splitlines()[-1] if doc else ""
        match = re.fullmatch(r"Notebook: (\d\d_\w+)", last)
        if not match or match.group(1) not in NOTEBOOKS:
            wrong.append(f"{name}: last docstring line {last!r}")
    assert not wrong, "\n".join(wrong)
