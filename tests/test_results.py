"""helpers.results: headline figures are stored per notebook, as plain JSON numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import results


def test_record_merges_notebooks_and_rounds(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_RESULTS", str(tmp_path / "r.json"))
    results.record("01_a", "first", accuracy=np.float32(0.912345))
    results.record("02_b", "second", n=np.int64(3))
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["01_a"] == {"headline": "first", "figures": {"accuracy": 0.9123}}
    assert data["02_b"]["figures"]["n"] == 3
    assert results.load() == data


def test_record_keeps_small_p_values(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_RESULTS", str(tmp_path / "r.json"))
    results.record("02_b", "tiny", mcnemar_p=np.float64(2.71828e-5), zero=0.0, negative=-3.14159e-7)
    figures = json.loads((tmp_path / "r.json").read_text())["02_b"]["figures"]
    assert figures == {"mcnemar_p": 2.72e-5, "zero": 0.0, "negative": -3.14e-7}


def test_record_refuses_non_finite_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_RESULTS", str(tmp_path / "r.json"))
    with pytest.raises(ValueError, match="not finite"):
        results.record("01_a", "bad", loss=float("nan"))


def test_paths_follow_environment(tmp_path, monkeypatch):
    from helpers.paths import build_dir, data_dir

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("COURSE_BUILD_DIR", str(tmp_path / "b"))
    assert data_dir() == tmp_path / "d" and data_dir().is_dir()
    assert build_dir() == tmp_path / "b" and build_dir().is_dir()


def _record_many(path: str, who: int, start: float) -> None:
    import os
    import time

    os.environ["COURSE_RESULTS"] = path
    from helpers.results import record

    time.sleep(max(0.0, start - time.time()))  # all begin together
    for i in range(15):
        record(f"{who:02d}_{i:02d}", "side by side", value=i)


def test_notebooks_recording_side_by_side_lose_nothing(tmp_path):
    """make test runs two notebooks at once: every record survives, and no temporary file is left behind."""
    import multiprocessing
    import time

    path, start = tmp_path / "results.json", time.time() + 5
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(str(path), who, start)) for who in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert all(w.exitcode == 0 for w in workers)
    assert len(json.loads(path.read_text())) == 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]
