"""Small NumPy tools for checking hand-written neural networks.

Used by ``02_logistic_regression`` and ``03_softmax_and_hidden_layers``, which write their models and gradients
by hand and check them here against finite differences. The models themselves live in the notebooks, because
writing them is the lesson; this module holds only the checker.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class GradientCheckError(ValueError):
    """Raised when the input to a gradient check is unusable (wrong shape, non-finite, bad step size).

    Notebook: 02_logistic_regression
    """


def numerical_gradient(f: Callable[[np.ndarray], float], params: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """The gradient of the scalar function ``f`` at ``params`` by central differences.

    Each entry i is ``(f(p + eps e_i) - f(p - eps e_i)) / (2 eps)``. ``params`` must be a float array; it is
    perturbed in place while ``f`` is evaluated and restored before returning, so ``f`` may read it through a
    closure (as the notebooks do with their weight matrices). Returns an array of the same shape.
    Raises :class:`GradientCheckError` for a non-float array, a non-positive ``eps`` or a non-finite ``f``.

    Notebook: 02_logistic_regression
    """
    if not isinstance(params, np.ndarray) or not np.issubdtype(params.dtype, np.floating):
        raise GradientCheckError(f"numerical_gradient: params must be a float NumPy array, got {type(params)}")
    if not eps > 0:
        raise GradientCheckError(f"numerical_gradient: eps must be positive, got {eps}")
    grad = np.zeros_like(params, dtype=float)
    flat = params.reshape(-1)  # a view: writing to it changes params
    if not np.shares_memory(flat, params):
        raise GradientCheckError("numerical_gradient: params must be contiguous so that it can be perturbed in place")
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = float(f(params))
        flat[i] = old - eps
        down = float(f(params))
        flat[i] = old
        if not (np.isfinite(up) and np.isfinite(down)):
            raise GradientCheckError(f"numerical_gradient: f is not finite near entry {i}")
        gflat[i] = (up - down) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a - b| / max(max |a|, max |b|, 1e-12)``: 0 for equal arrays, about 1 for unrelated ones.

    Raises :class:`GradientCheckError` if the shapes differ.

    Notebook: 02_logistic_regression
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise GradientCheckError(f"relative_error: shapes differ, {a.shape} vs {b.shape}")
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)), 1e-12)
    return float(np.max(np.abs(a - b), initial=0.0) / scale)
