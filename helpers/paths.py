"""Where the course keeps its files: the repository root, ``data/`` (caches) and ``build/`` (outputs).

Used by every notebook through :mod:`helpers.results` and :mod:`helpers.chorales`.
Set ``COURSE_DATA_DIR``, ``COURSE_MODELS_DIR`` (networks trained here) or ``COURSE_BUILD_DIR`` to put them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository this package came from (a source checkout), or None when installed from a wheel (Colab).
ROOT: Path | None = Path(__file__).resolve().parent.parent
if not (ROOT / "pyproject.toml").exists():
    ROOT = None


def data_dir() -> Path:
    """The folder for caches: ``$COURSE_DATA_DIR``, else ``<repo>/data``, else ``~/.cache/dl-music-course``.

    Notebook: 00_setup
    """
    env = os.environ.get("COURSE_DATA_DIR")
    path = Path(env) if env else (ROOT / "data" if ROOT else Path.home() / ".cache" / "dl-music-course")
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """The folder for networks trained on this machine: ``$COURSE_MODELS_DIR``, else ``data_dir()/models``.

    Notebook: 09_harmonization
    """
    env = os.environ.get("COURSE_MODELS_DIR")
    path = Path(env) if env else data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_dir() -> Path:
    """The folder for outputs of ``make run``: ``$COURSE_BUILD_DIR``, else ``<repo>/build``, else ``./build``.

    Notebook: 00_setup
    """
    env = os.environ.get("COURSE_BUILD_DIR")
    path = Path(env) if env else (ROOT / "build" if ROOT else Path.cwd() / "build")
    path.mkdir(parents=True, exist_ok=True)
    return path
