"""scripts/nbval_lanes.py: the notebooks that read what the one before saved share a lane, in course order, and
every notebook runs exactly once."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("nbval_lanes", ROOT / "scripts" / "nbval_lanes.py")
script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script)
NAMES = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_the_chained_notebooks_share_one_lane_in_course_order_then_the_balancing_ones():
    first, chained = script.lanes(NAMES)
    assert [nb[:3] for nb in chained] == list(script.CHAINED) + list(script.BALANCE)
    assert first == [nb for nb in NAMES if nb not in chained] and first == sorted(first)


def test_every_notebook_runs_once_in_one_or_two_lanes():
    for count in (1, 2):
        ran = [nb for lane in script.lanes(NAMES, count) for nb in lane]
        assert sorted(ran) == NAMES and len(ran) == len(set(ran))
    assert script.lanes(NAMES, 1) == [NAMES]


def test_a_lane_with_no_notebook_is_not_started():
    assert script.lanes(["02_logistic_regression.ipynb"]) == [["02_logistic_regression.ipynb"]]
