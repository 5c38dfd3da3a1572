"""Paired comparisons of two models on the same pieces: is "better than" more than luck?

Two tests, one per kind of result the course reports:

* :func:`mcnemar` for one right/wrong answer per piece (key classification, notebook 08): only the pieces on which
  the two models disagree carry information, and under "equally good" each of them is a fair coin.
* :func:`bootstrap_gain` for accuracies over many time steps (harmonization, notebooks 09–10): steps of one piece,
  and pieces on one tune, are not independent, so the interval resamples whole tunes.

Cross-validation by melody group (notebook 08): :func:`grouped_folds`, :func:`cross_validate`,
:func:`fold_accuracies`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import comb

import numpy as np


@dataclass(frozen=True)
class McNemar:
    """The result of :func:`mcnemar`: the discordant counts and the exact two-sided p-value.

    Notebook: 08_key_classification
    """

    only_a: int  #: pieces model A gets right and model B wrong
    only_b: int  #: pieces model B gets right and model A wrong
    p_value: float

    def __str__(self) -> str:
        return f"McNemar: A alone right on {self.only_a}, B alone on {self.only_b}, p = {self.p_value:.3g}"


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> McNemar:
    """Exact McNemar test for two classifiers judged on the same pieces.

    Takes two boolean arrays of equal length (one entry per piece: was the answer right?). Under the hypothesis
    that both are equally accurate, each discordant piece favours A with probability 1/2, so the two-sided
    p-value is twice the binomial tail of the smaller count (capped at 1). Raises ValueError for arrays of
    different shapes.

    Notebook: 08_key_classification
    """
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"the two models were judged on different pieces: {a.shape} vs {b.shape}")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    n, k = only_a + only_b, min(only_a, only_b)
    tail = sum(comb(n, i) for i in range(k + 1)) / 2**n if n else 1.0
    return McNemar(only_a, only_b, min(1.0, 2 * tail))


@dataclass(frozen=True)
class Gain:
    """The result of :func:`bootstrap_gain`: the observed gain of A over B and its 95% interval (fractions).

    Notebook: 09_harmonization
    """

    gain: float
    low: float
    high: float
    n_groups: int

    @property
    def significant(self) -> bool:
        """True when the whole 95% interval lies above zero."""
        return self.low > 0

    def __str__(self) -> str:
        return (f"gain {100 * self.gain:+.1f} points, 95% interval [{100 * self.low:+.1f}, {100 * self.high:+.1f}] "
                f"(bootstrap over {self.n_groups} tunes)")


def bootstrap_gain(correct_a: np.ndarray, correct_b: np.ndarray, totals: np.ndarray, groups: np.ndarray,
                   n_boot: int = 2000, seed: int = 0) -> Gain:
    """Gain in pooled accuracy of model A over model B, with a 95% bootstrap interval over tunes.

    Takes, per piece, the steps each model got right (``correct_a``, ``correct_b``), the steps judged
    (``totals``) and the piece's tune (``groups``, any hashable labels). Resamples whole tunes with replacement
    ``n_boot`` times and returns the 2.5% and 97.5% percentiles of the gain. Raises ValueError for inputs of
    different lengths or no steps at all.

    Notebook: 09_harmonization
    """
    a, b, n = (np.asarray(x, dtype=float) for x in (correct_a, correct_b, totals))
    groups = np.asarray(groups)
    if not (a.shape == b.shape == n.shape == groups.shape) or a.ndim != 1:
        raise ValueError("correct_a, correct_b, totals and groups need one entry per piece")
    if n.sum() <= 0:
        raise ValueError("no steps to judge")
    _, g = np.unique(groups, return_inverse=True)
    per_tune = np.stack([np.bincount(g, weights=x) for x in (a, b, n)])  # (3, tunes)
    n_tunes = per_tune.shape[1]
    draws = np.random.default_rng(seed).integers(0, n_tunes, size=(n_boot, n_tunes))
    sa, sb, sn = per_tune[:, draws].sum(axis=2)
    gains = (sa - sb) / sn
    low, high = np.percentile(gains, [2.5, 97.5])
    return Gain(float((a.sum() - b.sum()) / n.sum()), float(low), float(high), n_tunes)


# --------------------------------------------------------------------------- cross-validation by melody group

def grouped_folds(groups: np.ndarray, labels: np.ndarray, n_splits: int = 5,
                  seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train_index, test_index)`` pairs of a grouped, stratified k-fold split: each melody group lies wholly in
    one test fold, and each fold keeps about the overall share of each label (scikit-learn's StratifiedGroupKFold,
    shuffled with ``seed``).

    Notebook: 08_key_classification
    """
    from sklearn.model_selection import StratifiedGroupKFold

    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(labels)), labels, groups))


def cross_validate(train_and_predict: Callable[[np.ndarray, np.ndarray], np.ndarray], n: int,
                   folds: Sequence[tuple[np.ndarray, np.ndarray]], progress: str | None = None) -> np.ndarray:
    """Out-of-fold predictions: for each fold, ``train_and_predict(train_index, test_index)`` trains on the
    training pieces and returns its predictions for the test pieces. Returns ``n`` predictions, each made by a
    model that saw neither that piece nor any piece on the same melody. ``progress``: a label for a progress bar
    over the folds (for long runs), none by default.

    Notebook: 08_key_classification
    """
    from tqdm.auto import tqdm

    out = np.full(n, -1, dtype=int)
    for train, test in tqdm(folds, desc=progress, unit="fold", disable=progress is None):
        out[test] = train_and_predict(train, test)
    return out


def fold_accuracies(predicted: np.ndarray, truth: np.ndarray,
                    folds: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Accuracy on each test fold (their mean and spread are the cross-validated figure).

    Notebook: 08_key_classification
    """
    predicted, truth = np.asarray(predicted), np.asarray(truth)
    return np.array([np.mean(predicted[test] == truth[test]) for _, test in folds])
