"""Tests of helpers.plotting: decision lines and regions, class scatters, learning curves (notebooks 01–04)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.plotting import (
    CLASS_COLOURS,
    PlottingError,
    decision_line,
    decision_regions,
    learning_curves,
    region_grid,
    scatter_classes,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _blank_axes(lim=(-2, 2)):
    _, ax = plt.subplots()
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    return ax


nonzero = st.floats(0.1, 5) | st.floats(-5, -0.1)


@settings(max_examples=25, deadline=None)
@given(nonzero, nonzero, st.floats(-1, 1))
def test_decision_line_points_satisfy_the_line_equation(w0, w1, b):
    ax = _blank_axes()
    decision_line(np.array([w0, w1]), b, ax)
    xs, ys = ax.lines[-1].get_data()
    np.testing.assert_allclose(w0 * np.asarray(xs) + w1 * np.asarray(ys) + b, 0, atol=1e-9)
    plt.close(ax.figure)


def test_decision_line_is_vertical_when_second_weight_is_zero_and_keeps_limits():
    ax = _blank_axes()
    decision_line(np.array([2.0, 0.0]), -1.0, ax, color="k")
    xs, ys = ax.lines[-1].get_data()
    np.testing.assert_allclose(xs, [0.5, 0.5])
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-2, 2)


def test_decision_line_rejects_zero_weights():
    with pytest.raises(PlottingError, match="w is zero"):
        decision_line(np.zeros(2), 1.0, _blank_axes())


def test_decision_line_rejects_wrong_length():
    with pytest.raises(PlottingError, match="2 entries"):
        decision_line(np.ones(3), 1.0, _blank_axes())


def test_region_grid_covers_points_with_padding():
    X = np.array([[0.0, 1.0], [2.0, 3.0]])
    xx, yy, grid = region_grid(X, resolution=5, padding=1.0)
    assert xx.shape == yy.shape == (5, 5) and grid.shape == (25, 2)
    assert grid[:, 0].min() == -1.0 and grid[:, 0].max() == 3.0
    assert grid[:, 1].min() == 0.0 and grid[:, 1].max() == 4.0


def test_region_grid_rejects_tiny_resolution():
    with pytest.raises(PlottingError, match="resolution must be at least 2"):
        region_grid(np.zeros((3, 2)), resolution=1)


def test_decision_regions_colours_the_plane_with_the_predicted_classes():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    y = np.array([0, 1])
    seen = {}

    def predict(points):
        seen["points"] = points
        return (points[:, 0] > 0).astype(int)

    ax = decision_regions(predict, X, y, resolution=20, title="halves")
    assert seen["points"].shape == (400, 2)
    assert ax.get_title() == "halves"
    assert len(ax.collections) >= 3  # the filled regions plus one scatter per class
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class 0", "class 1"]


def test_decision_regions_rejects_predict_of_wrong_length():
    with pytest.raises(PlottingError, match="predict returned"):
        decision_regions(lambda p: np.zeros(3), np.zeros((4, 2)), np.zeros(4))


def test_scatter_classes_rejects_mismatched_labels():
    with pytest.raises(PlottingError, match="X has 4 points but y has 3 labels"):
        scatter_classes(np.zeros((4, 2)), np.zeros(3))


def test_scatter_classes_rejects_non_2d_points():
    with pytest.raises(PlottingError, match=r"\(n, 2\) array"):
        scatter_classes(np.zeros((4, 3)), np.zeros(4))


def test_scatter_classes_rejects_labels_beyond_the_palette():
    with pytest.raises(PlottingError, match="labels must be integers"):
        scatter_classes(np.zeros((2, 2)), np.array([0, len(CLASS_COLOURS)]))


def test_learning_curves_draws_one_line_per_curve_from_epoch_one_and_marks_a_stop():
    ax = learning_curves({"train": [3.0, 2.0, 1.0], "val": [3.0, 2.5, 2.7]}, marks={"val": 1}, logy=True)
    train = ax.lines[0]
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    # two curves + a vertical line + a dot for the mark
    assert len(ax.lines) == 4
    assert ax.lines[-1].get_xdata()[0] == 2 and ax.lines[-1].get_ydata()[0] == 2.5
    assert ax.get_yscale() == "log"


def test_learning_curves_rejects_no_curves_and_empty_curves():
    with pytest.raises(PlottingError, match="no curves"):
        learning_curves({})
    with pytest.raises(PlottingError, match="'a' is empty"):
        learning_curves({"a": []})


def test_learning_curves_rejects_mark_outside_curve():
    with pytest.raises(PlottingError, match="outside curve 'a'"):
        learning_curves({"a": [1.0, 2.0]}, marks={"a": 2})
    with pytest.raises(PlottingError, match="unknown curve 'b'"):
        learning_curves({"a": [1.0, 2.0]}, marks={"b": 0})
