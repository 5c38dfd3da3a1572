"""The committed notebooks are clean, numbered as the course plan says, and start the way the course does."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest

from helpers.colab import COLAB_CELL, REPO_URL

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLAN = ["00_setup", "01_perceptron", "02_logistic_regression", "03_softmax_and_hidden_layers", "04_deep_networks",
        "05_recurrent_networks", "06_encoder_decoder", "07_midi_and_pianorolls", "08_key_classification",
        "09_harmonization", "10_four_part_harmonization", "11_harmonize_your_melody"]

spec = importlib.util.spec_from_file_location("clean_notebooks", ROOT / "scripts" / "clean_notebooks.py")
clean = importlib.util.module_from_spec(spec)
spec.loader.exec_module(clean)


def test_every_notebook_follows_the_course_numbering():
    assert NOTEBOOKS, "no notebooks found"
    assert {p.stem for p in NOTEBOOKS} <= set(PLAN)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path):
    assert clean.problems(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_as_jupyterlab_saves_it(path):
    assert clean.layout_problems(path) == []


def test_a_notebook_that_jupyterlab_would_rewrite_is_caught(tmp_path):
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    sorted_keys = tmp_path / "sorted.ipynb"
    nbformat.write(nb, sorted_keys)
    assert clean.layout_problems(sorted_keys) == []
    data = json.loads(sorted_keys.read_text())
    data["cells"][1] = dict(reversed(data["cells"][1].items()))  # a cell's keys out of order, as an editor may leave
    reordered = tmp_path / "reordered.ipynb"
    reordered.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    no_newline = tmp_path / "no-newline.ipynb"
    no_newline.write_text(sorted_keys.read_text().rstrip("\n"))
    for path in (reordered, no_newline):
        assert any("nbformat.write" in p for p in clean.layout_problems(path)), path.name


def test_jupyterlab_would_change_metadata_without_the_kernels_python_version():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    del nb.metadata.language_info["version"]
    assert "language_info is not ipykernel's python3 with a Python version" in clean.problems(nb)
    assert clean.problems(clean.fix(nb)) == [] and nb.metadata.language_info["version"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_records_headline_and_ends_with_summary_and_exercises(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert nb.cells[0].source.startswith(f"# {path.stem[:2]} · ")
    assert f'record("{path.stem}"' in code
    assert "assert " in code
    assert any("## Summary" in m for m in markdown)
    assert "## Exercises" in markdown[-1] and "<details>" in markdown[-1]


def test_check_finds_outputs_and_fix_removes_them():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Test"), nbformat.v4.new_code_cell("1 + 1")]
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    nb.cells[1].execution_count = 1
    found = clean.problems(nb)
    assert "code cell 0 has outputs" in found and "first code cell is not helpers.colab.COLAB_CELL" in found
    assert clean.problems(clean.fix(nb)) == []


def test_colab_cell_installs_only_on_colab_from_the_one_url():
    assert 'if "google.colab" in sys.modules:' in COLAB_CELL and REPO_URL in COLAB_CELL
    for path in NOTEBOOKS:
        assert REPO_URL in json.dumps(json.loads(path.read_text()))


def test_fix_keeps_existing_cell_ids_and_gives_new_cells_unique_ones():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Test"), nbformat.v4.new_code_cell("1"),
                nbformat.v4.new_code_cell("2")]
    for cell, cid in zip(nb.cells, ("title", "one", "one"), strict=True):
        cell["id"] = cid
    clean.assign_ids(clean.fix(nb))
    ids = [c["id"] for c in nb.cells]
    assert ids[0] == "title" and ids[2] == "one" and len(set(ids)) == len(ids)  # the Colab cell was inserted
