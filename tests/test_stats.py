"""Paired comparisons: McNemar on per-piece right/wrong, a bootstrap over tunes for step accuracies."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.stats import bootstrap_gain, mcnemar


def test_mcnemar_counts_only_the_pieces_where_the_models_disagree():
    a = np.array([1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1], bool)
    b = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], bool)
    result = mcnemar(a, b)
    assert (result.only_a, result.only_b) == (8, 0)
    assert result.p_value == pytest.approx(2 / 2**8)


def test_mcnemar_agrees_with_scipys_exact_binomial_test():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(1)
    for _ in range(5):
        a, b = rng.random(80) < 0.8, rng.random(80) < 0.6
        result = mcnemar(a, b)
        expected = stats.binomtest(result.only_a, result.only_a + result.only_b, 0.5).pvalue
        assert result.p_value == pytest.approx(expected)


def test_mcnemar_of_identical_models_is_no_evidence_and_order_does_not_matter():
    a = np.array([1, 0, 1, 1, 0], bool)
    assert mcnemar(a, a).p_value == 1.0
    b = np.array([0, 0, 1, 0, 1], bool)
    assert mcnemar(a, b).p_value == mcnemar(b, a).p_value


def test_mcnemar_rejects_different_pieces():
    with pytest.raises(ValueError, match="different pieces"):
        mcnemar(np.ones(3, bool), np.ones(4, bool))


def test_bootstrap_of_identical_models_is_exactly_zero():
    n = np.full(10, 50)
    gain = bootstrap_gain(np.arange(10), np.arange(10), n, np.arange(10))
    assert (gain.gain, gain.low, gain.high) == (0.0, 0.0, 0.0) and not gain.significant


def test_bootstrap_finds_a_clear_gain_and_its_interval_contains_it():
    rng = np.random.default_rng(0)
    n = rng.integers(40, 80, size=30)
    a, b = np.round(0.55 * n), np.round(0.40 * n)
    gain = bootstrap_gain(a, b, n, np.arange(30))
    assert gain.significant and gain.low <= gain.gain <= gain.high
    assert gain.gain == pytest.approx((a.sum() - b.sum()) / n.sum())


def test_bootstrap_resamples_tunes_not_pieces():
    """Two harmonisations of every tune carry no more evidence than one: the interval must not narrow."""
    rng = np.random.default_rng(2)
    n = rng.integers(40, 80, size=20)
    a, b = np.round(rng.uniform(0.4, 0.6, 20) * n), np.round(rng.uniform(0.35, 0.6, 20) * n)
    once = bootstrap_gain(a, b, n, np.arange(20))
    twice = bootstrap_gain(np.tile(a, 2), np.tile(b, 2), np.tile(n, 2), np.tile(np.arange(20), 2))
    assert twice.gain == pytest.approx(once.gain)
    assert (twice.low, twice.high) == pytest.approx((once.low, once.high))
    as_pieces = bootstrap_gain(np.tile(a, 2), np.tile(b, 2), np.tile(n, 2), np.arange(40))
    assert as_pieces.high - as_pieces.low < 0.85 * (once.high - once.low)


def test_bootstrap_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="one entry per piece"):
        bootstrap_gain(np.ones(3), np.ones(3), np.ones(2), np.arange(3))
