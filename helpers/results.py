"""Headline figures of each notebook, gathered into ``build/results.json`` for ``make run``'s summary table.

Every notebook ends with :func:`record`; ``scripts/run_course.py`` reads the file back.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .paths import build_dir


def results_path() -> Path:
    """``$COURSE_RESULTS`` if set, else ``build/results.json``.

    Notebook: 00_setup
    """
    env = os.environ.get("COURSE_RESULTS")
    return Path(env) if env else build_dir() / "results.json"


def _plain(value: Any) -> Any:
    """Turn NumPy scalars into JSON numbers: floats keep 4 decimals, or 3 significant digits if smaller.

    A p-value such as 2.7e-5 must not become 0.0, so numbers below 0.001 keep their significant digits.
    """
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"headline figure is not finite: {value}")
        if value != 0 and abs(value) < 1e-3:
            return float(f"{value:.3g}")
        return round(value, 4)
    return value


def record(notebook: str, headline: str, **figures: Any) -> dict[str, Any]:
    """Store a notebook's headline (one short sentence) and its figures; returns what was stored.

    ``notebook`` is the notebook's file stem, e.g. ``"08_key_classification"``.
    Figures must be numbers or short strings; floats are rounded to 4 decimals, or to 3 significant
    digits when smaller than 0.001 (so small p-values survive).

    Notebook: 00_setup
    """
    entry = {"headline": headline, "figures": {k: _plain(v) for k, v in figures.items()}}
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):  # notebooks run side by side under make test: one writer at a time, none lost
        data = load()
        data[notebook] = entry
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
        tmp.replace(path)
    return entry


@contextmanager
def _locked(path: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold ``path.lock`` (created exclusively, on every platform) while the block runs; a lock older than
    ``timeout`` seconds is left over from a crashed writer and taken over."""
    lock = path.with_suffix(".lock")
    start = time.monotonic()
    while True:
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except FileExistsError:
            if time.monotonic() - start > timeout:
                lock.unlink(missing_ok=True)
                start = time.monotonic()
            time.sleep(0.05)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def load() -> dict[str, Any]:
    """All recorded results so far (an empty dict if none).

    Notebook: 00_setup
    """
    path = results_path()
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return {}
