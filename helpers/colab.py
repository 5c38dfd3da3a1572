"""Google Colab: the first code cell of every notebook, the "Open in Colab" links of the README, and the files a
learner uploads (:func:`uploaded_files`, notebook 11).

The repository URL lives here and only here, and the version comes from ``helpers.__version__`` (written once):
the cell installs the course at the tag of the version its notebooks were written for, not whatever the default
branch holds later. ``scripts/clean_notebooks.py --fix`` writes :data:`COLAB_CELL` into every notebook and
``tests/test_notebooks.py`` checks that they all carry it; ``tests/test_colab.py`` checks the README's links.

The cell installs the package *without* the ``cpu`` extra: Colab preinstalls its own TensorFlow (a GPU build),
and every other requirement admits the version Colab ships, so the install replaces nothing in Colab's runtime.
"""

from __future__ import annotations

from helpers import __version__

REPO_URL = "https://github.com/dl-music-course/dl-music-course"

#: The git tag of this version of the course.
TAG = f"v{__version__}"

#: What the Colab cell asks pip for: the course package at this version's tag.
INSTALL_SPEC = f"dl-music-course @ git+{REPO_URL}@{TAG}"

COLAB_CELL = f"""# Runs only on Google Colab: installs the course package at the version these notebooks were written for,
# keeping every package Colab preinstalls. Does nothing elsewhere.
import sys
if "google.colab" in sys.modules:
    import subprocess
    course = "{INSTALL_SPEC}"
    if subprocess.run([sys.executable, "-m", "pip", "install", "-q", course]).returncode != 0:
        raise RuntimeError(f"Could not install {{course}} (pip says why above). Run the course locally: see the README.")
"""  # noqa: E501  (in the notebooks, where the braces are single, no line of the cell is over 120 columns)


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """``(file name, content)`` of every file in the ``value`` of an ``ipywidgets.FileUpload``, whichever
    ipywidgets made it: 7.x gives a dict ``{name: {"metadata": ..., "content": bytes}}``, 8.x a tuple of dicts
    ``{"name": ..., "content": memoryview, ...}``; ``google.colab.files.upload()`` returns ``{name: bytes}``, read
    alike. Empty when nothing was uploaded.

    Notebook: 11_harmonize_your_melody
    """
    if not value:
        return []
    if isinstance(value, dict):
        return [(str(name), bytes(item["content"] if isinstance(item, dict) else item))
                for name, item in value.items()]
    return [(str(item["name"]), bytes(item["content"])) for item in value]
