"""Every public function and class of ``helpers`` says, in the last line of its docstring, which notebook explains
or uses it (``Notebook: 09_harmonization``), that notebook exists and really uses it: it names it, or names a
function of ``helpers`` that (through its own calls) does. Code that no notebook reaches says so and who uses it
(``Notebook: none (used by bench/keys.py)``)."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
LAST_LINE = r"Notebook: (\d\d_\w+|none \(used by [^)]+\))"


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
        match = re.fullmatch(LAST_LINE, last)
        if not match or not (match.group(1) in NOTEBOOKS or match.group(1).startswith("none")):
            wrong.append(f"{name}: last docstring line {last!r}")
    assert not wrong, "\n".join(wrong)


def notebooks_reaching_each_definition() -> dict[str, set[str]]:
    """For every function or class defined at the top of a helpers module, the notebooks whose code names it or names
    a helpers definition that refers to it (followed through any number of such references)."""
    sources = {p.stem: "\n".join("".join(c["source"]) for c in json.loads(p.read_text())["cells"])
               for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    refers: dict[str, set[str]] = {}
    for path in (ROOT / "helpers").rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                refers.setdefault(node.name, set()).update(names - {node.name})
    reach = {name: {nb for nb, text in sources.items() if re.search(rf"\b{re.escape(name)}\b", text)}
             for name in refers}
    grown = True
    while grown:
        grown = False
        for caller, names in refers.items():
            for callee in names & reach.keys():
                if not reach[caller] <= reach[callee]:
                    reach[callee] |= reach[caller]
                    grown = True
    return reach


def test_the_named_notebook_really_uses_the_definition():
    reach = notebooks_reaching_each_definition()
    wrong = []
    for name, obj in public_definitions():
        short = name.rsplit(".", 1)[1]
        last = (inspect.getdoc(obj) or "").strip().splitlines()[-1]
        named = re.fullmatch(LAST_LINE, last).group(1)
        reached = reach.get(short, set())
        if named.startswith("none") and reached:
            wrong.append(f"{name}: says no notebook uses it, but {sorted(reached)} do")
        elif not named.startswith("none") and named not in reached:
            wrong.append(f"{name}: names {named}, which does not use it; used by {sorted(reached) or 'no notebook'}")
    assert not wrong, "\n".join(wrong)


def test_the_reach_follows_calls_through_the_library():
    reach = notebooks_reaching_each_definition()
    assert "11_harmonize_your_melody" in reach["check_keep"]  # 11 calls harmonize_melody, which checks the keep
    assert "09_harmonization" in reach["lcs_lengths"] and not reach["load_essen"]
