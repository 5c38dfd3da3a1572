"""Shared figures of the course: decision boundaries and regions of 2-D classifiers, learning curves.

Used by ``01_perceptron`` (:func:`decision_line`, :func:`scatter_classes`), ``02_logistic_regression``
(:func:`learning_curves`), ``03_softmax_and_hidden_layers`` (:func:`decision_regions`) and ``04_deep_networks``
(:func:`learning_curves`). Every function draws on a Matplotlib ``Axes`` (a new one if none is given) and returns it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

#: Class colours, in order: class 0, class 1, ... (colour-blind friendly "tab10" subset).
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


class PlottingError(ValueError):
    """Raised when the data handed to a plotting function cannot be drawn (wrong shape, empty, mismatched).

    Notebook: 01_perceptron
    """


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    return ax


def _points(X: np.ndarray, y: np.ndarray | None, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise PlottingError(f"{where}: X must be a non-empty (n, 2) array, got shape {X.shape}")
    if y is not None:
        y = np.asarray(y).astype(int).reshape(-1)
        if len(y) != len(X):
            raise PlottingError(f"{where}: X has {len(X)} points but y has {len(y)} labels")
        if y.min() < 0 or y.max() >= len(CLASS_COLOURS):
            raise PlottingError(f"{where}: labels must be integers 0..{len(CLASS_COLOURS) - 1}, "
                                f"got {y.min()}..{y.max()}")
    return X, y


def scatter_classes(X: np.ndarray, y: np.ndarray, ax: Axes | None = None, xlabel: str = "$x_1$",
                    ylabel: str = "$x_2$", title: str | None = None, size: float = 18) -> Axes:
    """Scatter 2-D points ``X`` (n, 2) coloured by integer class ``y`` (n,), with a legend; ``size`` in points².

    Returns the Axes. Raises :class:`PlottingError` for a wrong shape or labels outside 0..5.

    Notebook: 01_perceptron
    """
    X, y = _points(X, y, "scatter_classes")
    ax = _axes(ax)
    for k in np.unique(y):
        pts = X[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, c=CLASS_COLOURS[k], edgecolors="k", linewidths=0.4,
                   label=f"class {k}", zorder=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax


def decision_line(w: np.ndarray, b: float, ax: Axes, **style) -> Axes:
    """Draw the line ``w[0] x1 + w[1] x2 + b = 0`` across the current limits of ``ax`` (limits unchanged).

    ``style`` is passed to ``ax.plot`` (colour, alpha, label ...). A vertical line is drawn when ``w[1] == 0``.
    Raises :class:`PlottingError` if ``w`` does not have two entries or is zero (no line exists).

    Notebook: 01_perceptron
    """
    w = np.asarray(w, dtype=float).reshape(-1)
    if w.shape != (2,):
        raise PlottingError(f"decision_line: w must have 2 entries, got shape {w.shape}")
    if not np.any(w):
        raise PlottingError("decision_line: w is zero, so w.x + b = 0 is not a line")
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    if abs(w[1]) > 1e-12:
        xs = np.array(xlim)
        ys = -(w[0] * xs + b) / w[1]
    else:
        xs = np.full(2, -b / w[0])
        ys = np.array(ylim)
    ax.plot(xs, ys, **style)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return ax


def region_grid(X: np.ndarray, resolution: int = 200,
                padding: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A regular grid covering the points ``X`` (n, 2) plus ``padding`` on every side.

    Returns ``(xx, yy, grid)``: two (resolution, resolution) coordinate arrays and the (resolution², 2) points.
    Raises :class:`PlottingError` for a wrong shape or a resolution below 2.

    Notebook: 03_softmax_and_hidden_layers
    """
    X, _ = _points(X, None, "region_grid")
    if resolution < 2:
        raise PlottingError(f"region_grid: resolution must be at least 2, got {resolution}")
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def decision_regions(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray,
                     ax: Axes | None = None, resolution: int = 200, padding: float = 0.5,
                     title: str | None = None) -> Axes:
    """Colour the plane by the class ``predict`` gives each point, then scatter the data on top.

    ``predict`` maps an (m, 2) array to m integer class labels. ``X`` (n, 2), ``y`` (n,) are the data shown.
    Returns the Axes. Raises :class:`PlottingError` for wrong shapes or if ``predict`` returns the wrong length.

    Notebook: 03_softmax_and_hidden_layers
    """
    X, y = _points(X, y, "decision_regions")
    ax = _axes(ax)
    xx, yy, grid = region_grid(X, resolution, padding)
    labels = np.asarray(predict(grid)).astype(int).reshape(-1)
    if labels.shape != (len(grid),):
        raise PlottingError(f"decision_regions: predict returned {labels.shape} labels for {len(grid)} points")
    n_classes = max(int(labels.max()), int(y.max())) + 1
    cmap = ListedColormap(CLASS_COLOURS[:n_classes])
    ax.contourf(xx, yy, labels.reshape(xx.shape), levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    scatter_classes(X, y, ax=ax, title=title)
    return ax


def learning_curves(curves: Mapping[str, Sequence[float]], ax: Axes | None = None, xlabel: str = "epoch",
                    ylabel: str = "loss", title: str | None = None, logy: bool = False,
                    marks: Mapping[str, int] | None = None) -> Axes:
    """Plot several curves (name → values per epoch) against epochs 1, 2, ...; returns the Axes.

    ``marks`` (name → 0-based epoch index) draws a dot and a dashed vertical line at that epoch of that curve,
    e.g. where early stopping picked its weights. ``logy`` uses a log scale for the y axis.
    Raises :class:`PlottingError` for no curves, an empty curve, or a mark outside its curve.

    Notebook: 02_logistic_regression
    """
    if not curves:
        raise PlottingError("learning_curves: no curves given")
    ax = _axes(ax)
    lines = {}
    for name, values in curves.items():
        values = np.asarray(values, dtype=float).reshape(-1)
        if len(values) == 0:
            raise PlottingError(f"learning_curves: curve {name!r} is empty")
        (lines[name],) = ax.plot(np.arange(1, len(values) + 1), values, label=name)
    for name, epoch in (marks or {}).items():
        if name not in curves:
            raise PlottingError(f"learning_curves: mark for unknown curve {name!r}")
        values = np.asarray(curves[name], dtype=float).reshape(-1)
        if not 0 <= epoch < len(values):
            raise PlottingError(f"learning_curves: mark {epoch} is outside curve {name!r} of length {len(values)}")
        colour = lines[name].get_color()
        ax.axvline(epoch + 1, color=colour, linestyle="--", linewidth=1)
        ax.plot([epoch + 1], [values[epoch]], "o", color=colour)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax
