"""Tests of helpers.nn: the finite-difference gradient checker used by notebooks 02 and 03."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers.nn import GradientCheckError, numerical_gradient, relative_error

finite = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=finite), arrays(np.float64, 6, elements=finite))
def test_numerical_gradient_of_quadratic_matches_analytic(p, c):
    c = c[: p.size]
    grad = numerical_gradient(lambda q: float(np.sum((q - c) ** 2)), p)
    np.testing.assert_allclose(grad, 2 * (p - c), atol=1e-6)


def test_numerical_gradient_restores_params_and_keeps_shape():
    p = np.arange(6, dtype=float).reshape(2, 3)
    before = p.copy()
    grad = numerical_gradient(lambda q: float(np.sum(np.sin(q))), p)
    assert grad.shape == (2, 3)
    np.testing.assert_array_equal(p, before)
    np.testing.assert_allclose(grad, np.cos(before), atol=1e-8)


def test_numerical_gradient_works_through_a_closure_on_a_matrix():
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    x = np.array([1.0, 2.0])
    grad = numerical_gradient(lambda _: float(np.sum(W @ x)), W)  # f reads W itself, not its argument
    np.testing.assert_allclose(grad, np.tile(x, (2, 1)), atol=1e-8)


def test_numerical_gradient_rejects_integer_params():
    with pytest.raises(GradientCheckError, match="float NumPy array"):
        numerical_gradient(lambda q: 0.0, np.array([1, 2]))


def test_numerical_gradient_rejects_non_positive_eps():
    with pytest.raises(GradientCheckError, match="eps must be positive"):
        numerical_gradient(lambda q: 0.0, np.zeros(2), eps=0.0)


def test_numerical_gradient_rejects_non_contiguous_params():
    with pytest.raises(GradientCheckError, match="contiguous"):
        numerical_gradient(lambda q: 0.0, np.zeros((3, 4))[:, :2])


def test_numerical_gradient_rejects_non_finite_function():
    with pytest.raises(GradientCheckError, match="not finite near entry 0"):
        numerical_gradient(lambda q: float("inf") if q[0] < 0 else 0.0, np.array([0.0]))


def test_relative_error_is_zero_for_equal_and_about_one_for_unrelated():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a.copy()) == 0.0
    assert relative_error(a, -a) == pytest.approx(2.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_relative_error_rejects_mismatched_shapes():
    with pytest.raises(GradientCheckError, match=r"shapes differ, \(2,\) vs \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))
