"""Check (``--check``) or make (``--fix``) the committed notebooks clean.

Clean means: no outputs, no execution counts, no widget state, the standard kernel, and the first code cell is
exactly :data:`helpers.colab.COLAB_CELL`. ``make test`` runs ``--check``; authors run ``--fix`` before committing.

Clean also means that JupyterLab has nothing to rewrite, so a notebook does not open as modified. When its kernel
starts, JupyterLab 4 sets the notebook's ``kernelspec`` and ``language_info`` to what the kernel reports and marks
the notebook modified if either differs; ipykernel's ``language_info`` includes the Python version. When it saves,
jupyter_server writes the notebook with ``nbformat.write`` (keys sorted, one-space indent, a final newline). So each
notebook stores ipykernel's metadata with a Python version, and its file is byte for byte what ``nbformat.write``
makes of it.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers.colab import COLAB_CELL  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# Exactly what ipykernel's python3 kernel reports, so that JupyterLab has nothing to fill in when it opens a
# notebook (a notebook whose metadata the kernel changes opens as "modified"). ``language_info`` holds a "version"
# too: the kernel's Python version, which --fix keeps as committed (the course's Python) or takes from the Python
# that runs it; a kernel of another Python version still marks the notebook modified.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3"}


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What keeps a notebook from being clean (empty list if it is)."""
    found = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        if cell.get("outputs"):
            found.append(f"code cell {i} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"code cell {i} has an execution count")
    if not code or code[0].source.strip() != COLAB_CELL.strip():
        found.append("first code cell is not helpers.colab.COLAB_CELL")
    if nb.metadata.get("kernelspec") != KERNELSPEC:
        found.append("kernelspec is not ipykernel's python3")
    info = dict(nb.metadata.get("language_info", {}))
    if not isinstance(info.pop("version", None), str) or info != LANGUAGE_INFO:
        found.append("language_info is not ipykernel's python3 with a Python version")
    if "widgets" in nb.metadata:
        found.append("widget state saved in metadata")
    if not nb.cells or nb.cells[0].cell_type != "markdown" or not nb.cells[0].source.startswith("# "):
        found.append("does not open with a '# NN · Topic' title cell")
    return found


def fix(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip outputs and counts, set the kernel and the Colab cell."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and "google.colab" in code[0].source:
        code[0].source = COLAB_CELL.strip()
    else:
        pos = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
        nb.cells.insert(pos, nbformat.v4.new_code_cell(COLAB_CELL.strip()))
    version = nb.metadata.get("language_info", {}).get("version") or platform.python_version()
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {**LANGUAGE_INFO, "version": version}}
    return nb


def layout_problems(path: Path) -> list[str]:
    """What differs between a notebook file and what ``nbformat.write`` (and so JupyterLab's save) makes of it:
    key order, indentation, line splitting of sources, the final newline. Empty if nothing does."""
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    found = []
    if nb.nbformat != 4 or nb.nbformat_minor != 5:
        found.append(f"nbformat {nb.nbformat}.{nb.nbformat_minor}, not 4.5 (JupyterLab 4 upgrades it)")
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        found.append(f"not a valid notebook: {error.message}")
    if text != nbformat.writes(nb) + "\n":
        found.append("not laid out as nbformat.write lays it out (run scripts/clean_notebooks.py --fix)")
    return found


def assign_ids(nb: nbformat.NotebookNode) -> None:
    """Give cells without an id (or with a repeated one) a new id; keep every other id, so that inserting a cell
    does not renumber the cells after it and diffs stay small."""
    seen: set[str] = set()
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not cid or cid in seen:
            n = 0
            while ((cid := f"cell-{i:03d}" + (f"-{n}" if n else "")) in seen
                   or any(c.get("id") == cid for c in nb.cells)):
                n += 1
            cell["id"] = cid
        seen.add(cid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--fix", action="store_true")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.paths or sorted(NOTEBOOKS.glob("*.ipynb"))
    bad = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if args.fix:
            nb = fix(nb)
            assign_ids(nb)
            nb.nbformat, nb.nbformat_minor = 4, 5
            nbformat.write(nb, path)
            continue
        for problem in problems(nb) + layout_problems(path):
            print(f"{path.name}: {problem}")
            bad += 1
    if args.check:
        print(f"{len(paths)} notebooks checked, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
