"""Where a melody's phrases end: a small classifier learned from data, three baselines, and their evaluation
(notebook 11; issue 20).

Every note of a melody gets a few features (:func:`note_features`: its length, the rest after it, where it
starts and ends in the bar, the intervals into and out of it, its scale degree, whether it ends the tune, and
Cambouropoulos's LBDM boundary strength). A logistic regression on the features of each note and of its two
neighbours (:func:`melody_features`), trained on the phrase ends of Essen folk songs (:mod:`helpers.essen`) and
Bach's fermatas, says how likely each note ends a phrase; notes above a threshold chosen
on held-out training tunes (and the last note) end one. The fitted weights ship as ``phrase_model.json`` next to
this module, so :func:`find_phrase_ends` needs no training; ``bench/phrases.py`` re-trains them.

Baselines: :func:`two_bar_ends` (an ending every two bars from the first note), :func:`rule_ends` (the rhythm rule the
course used before this finder: long notes that end on a bar line or before a rest) and :func:`lbdm_ends` (the Local
Boundary Detection Model, Cambouropoulos 2001, with peak picking). :func:`match_counts` scores predicted against true
ending notes; :func:`bootstrap_f1_gain` gives a paired interval over tunes.

No feature looks at earlier endings ("beats since the last ending"): at prediction time that would need the
model's own earlier guesses, so the feature is left out rather than trained on the true endings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .midi import Voice
from .readers import bar_beats
from .stats import Gain

#: The fitted model shipped with the course (``bench/phrases.py`` writes it).
MODEL_PATH = Path(__file__).with_name("phrase_model.json")
#: Weights of LBDM's three profiles (pitch interval, inter-onset interval, rest), as Cambouropoulos (2001).
LBDM_WEIGHTS = (0.25, 0.5, 0.25)
FEATURE_NAMES = (
    "log2 length", "log2 length / median", "rest after", "rest after > 0", "log2 length / next length",
    "log2 length / previous length", "start in bar", "starts on a downbeat", "ends on a bar line",
    "next onset on a bar line", "ends on a half bar", "interval in", "|interval in|", "interval out",
    "|interval out|", "tonic", "fifth", "third", "outside the scale", "ends on an even bar from the first note",
    "ends on a 4-bar line from the first note", "last note", "LBDM strength", "LBDM local peak",
    "longer than both neighbours", "long x next onset on a bar line", "position in the tune",
)
#: What the model reads: each note's features, then those of the note before and of the note after.
MODEL_FEATURES = FEATURE_NAMES + tuple(f"previous: {n}" for n in FEATURE_NAMES) + tuple(
    f"next: {n}" for n in FEATURE_NAMES)
_EPS = 1e-6


@dataclass(frozen=True, eq=False)
class Tune:
    """A melody with its true phrase ends, as the phrase finder learns and is judged: ``voice`` (beats, first
    note at 0), metre, pickup, key, ``phrase_ends`` (beats where ending notes end) and ``group`` (tunes that
    share it stay on one side of a split: an Essen collection, a chorale's melody group).

    Notebook: 11_harmonize_your_melody
    """

    name: str
    group: str
    voice: Voice
    time_signature: tuple[int, int]
    anacrusis: float
    tonic: int
    mode: str
    phrase_ends: tuple[float, ...]

    def ending_notes(self) -> np.ndarray:
        """Indices of the notes whose end is a phrase end."""
        return np.flatnonzero(np.isclose(self.voice.ends[:, None], np.asarray(self.phrase_ends)[None, :],
                                         atol=_EPS).any(axis=1)) if self.phrase_ends else np.zeros(0, int)


def tune_of_chorale(chorale) -> Tune:
    """The soprano of a :class:`helpers.chorales.Chorale` as a :class:`Tune` (its fermatas as phrase ends,
    its melody group as group).

    Notebook: 11_harmonize_your_melody
    """
    return Tune(chorale.name, f"chorale-{chorale.group}", chorale.voices["Soprano"], chorale.time_signature,
                chorale.anacrusis, chorale.tonic, chorale.mode, tuple(chorale.phrase_ends))


def _on_grid(t: np.ndarray, unit: float) -> np.ndarray:
    r = t / unit
    return np.isclose(r, np.round(r), atol=1e-4)


def lbdm_strengths(voice: Voice, weights: Sequence[float] = LBDM_WEIGHTS) -> np.ndarray:
    """LBDM boundary strength after each note (Cambouropoulos 2001): for each profile (|pitch interval| in
    semitones, inter-onset interval, rest, between note i and i + 1) the strength of interval i is its value
    times its degree of change to the intervals on either side, ``|x_i - x_j| / (x_i + x_j)``; each profile is
    scaled to a maximum of 1 and the three are summed with ``weights``. The last note gets 0.

    Notebook: 11_harmonize_your_melody
    """
    n = len(voice)
    out = np.zeros(n)
    if n < 2:
        return out
    p, s, e = voice.pitches.astype(float), voice.starts, voice.ends
    profiles = (np.abs(np.diff(p)), np.diff(s), np.maximum(s[1:] - e[:-1], 0))
    for w, x in zip(weights, profiles):
        total = x[1:] + x[:-1]
        change = np.divide(np.abs(x[1:] - x[:-1]), total, out=np.zeros_like(total), where=total > 0)
        strength = x * (np.r_[0.0, change] + np.r_[change, 0.0])  # no neighbour beyond either end
        if strength.max() > 0:
            out[:-1] += w * strength / strength.max()
    return out


def _local_peaks(x: np.ndarray) -> np.ndarray:
    left, right = np.r_[-np.inf, x[:-1]], np.r_[x[1:], -np.inf]
    return (x >= left) & (x > right)


def note_features(voice: Voice, time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0,
                  tonic: int = 0, mode: str = "major") -> np.ndarray:
    """Features of each note as an ending candidate, ``(notes, len(FEATURE_NAMES))``, in the order of
    :data:`FEATURE_NAMES`: lengths in beats (log2), rests in beats (capped at 4), metric positions from the
    metre and the pickup (beats from the start of the piece, as in ``Chorale`` and ``Melody``: the first bar
    line lies at ``anacrusis``), intervals in semitones /12 (capped at an
    octave; 0 at the edges), the scale degree in the key (``tonic`` pitch class, ``mode``), LBDM strength.

    Notebook: 11_harmonize_your_melody
    """
    n = len(voice)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)))
    bar = bar_beats(time_signature)
    s, e, p = voice.starts, voice.ends, voice.pitches.astype(float)
    length = np.maximum(e - s, 1 / 64)
    loglen = np.log2(length)
    nxt_start = np.r_[s[1:], e[-1]]
    rest = np.minimum(np.maximum(nxt_start - e, 0), 4.0)
    step_in = np.clip(np.r_[0.0, np.diff(p)], -12, 12) / 12
    step_out = np.r_[step_in[1:], 0.0]
    ratio_next = np.r_[loglen[:-1] - loglen[1:], 0.0]
    ratio_prev = np.r_[0.0, loglen[1:] - loglen[:-1]]
    degree = (voice.pitches - tonic) % 12
    scale = (0, 2, 4, 5, 7, 9, 11) if mode == "major" else (0, 2, 3, 5, 7, 8, 10, 11)
    third = 4 if mode == "major" else 3
    lbdm = lbdm_strengths(voice)
    longer = (ratio_next >= 0) & (ratio_prev >= 0) & (length >= np.median(length))
    next_bar = _on_grid(nxt_start - anacrusis, bar)
    cols = [
        loglen, loglen - np.log2(np.median(length)), rest, rest > 0, ratio_next, ratio_prev,
        ((s - anacrusis) % bar) / bar, _on_grid(s - anacrusis, bar), _on_grid(e - anacrusis, bar), next_bar,
        _on_grid(e - anacrusis, bar / 2), step_in, np.abs(step_in), step_out, np.abs(step_out),
        degree == 0, degree == 7, degree == third, ~np.isin(degree, scale), _on_grid(e, 2 * bar),
        _on_grid(e, 4 * bar), np.arange(n) == n - 1, lbdm, _local_peaks(lbdm), longer,
        np.maximum(ratio_next, 0) * next_bar, e / e[-1],
    ]
    return np.column_stack([np.asarray(c, dtype=float) for c in cols])


def melody_features(voice: Voice, time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0,
                    tonic: int = 0, mode: str = "major") -> np.ndarray:
    """What the model reads, ``(notes, len(MODEL_FEATURES))``: each note's :func:`note_features`, then those of
    the note before and of the note after (zeros beyond the melody's ends).

    Notebook: 11_harmonize_your_melody
    """
    X = note_features(voice, time_signature, anacrusis, tonic, mode)
    zero = np.zeros((min(len(X), 1), X.shape[1]))
    return np.hstack([X, np.vstack([zero, X[:-1]]), np.vstack([X[1:], zero])])


# --------------------------------------------------------------------------------------------- the model

def fit_model(X: np.ndarray, y: np.ndarray, C: float = 1.0) -> dict:
    """A logistic regression on standardized features (``X`` from :func:`melody_features`, ``y`` 1 for an
    ending), as a JSON-able dict of ``mean``, ``scale``, ``coef``, ``intercept`` (threshold 0.5 until
    ``bench/phrases.py`` chooses it).

    Notebook: none (used by bench/phrases.py)
    """
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, max_iter=2000).fit((X - mean) / scale, y)
    return {"features": list(MODEL_FEATURES[:X.shape[1]]), "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]), "threshold": 0.5}


def ending_probabilities(model: dict, X: np.ndarray) -> np.ndarray:
    """The model's probability that each note (a row of ``X``) ends a phrase.

    Notebook: 11_harmonize_your_melody
    """
    z = ((X - np.asarray(model["mean"])) / np.asarray(model["scale"])) @ np.asarray(model["coef"])
    return 1 / (1 + np.exp(-(z + model["intercept"])))


def decide(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of the ending notes: every note whose probability reaches ``threshold`` and is not below a
    neighbour's (two neighbours seldom both end phrases), and the last note.

    Notebook: 11_harmonize_your_melody
    """
    p = np.asarray(probabilities, dtype=float)
    if not len(p):
        return np.zeros(0, int)
    chosen = (p >= threshold) & _local_peaks(p)
    chosen[-1] = True
    return np.flatnonzero(chosen)


def load_model(path: str | Path = MODEL_PATH) -> dict:
    """The fitted model written by ``bench/phrases.py`` (a dict, see :func:`fit_model`).

    Notebook: 11_harmonize_your_melody
    """
    return json.loads(Path(path).read_text())


def find_phrase_ends(voice: Voice, time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0,
                     tonic: int = 0, mode: str = "major", model: dict | None = None) -> list[float]:
    """Beats where the melody's phrases end (the end of each ending note, as ``Chorale.phrase_ends``), found
    by the shipped model (or ``model``); the last note always ends one. Empty for an empty voice.

    Notebook: 11_harmonize_your_melody
    """
    if not len(voice):
        return []
    model = model or load_model()
    p = ending_probabilities(model, melody_features(voice, time_signature, anacrusis, tonic, mode))
    return [float(voice.ends[i]) for i in decide(p, model["threshold"])]


# ------------------------------------------------------------------------------------------- the baselines

def two_bar_ends(voice: Voice, time_signature: tuple[int, int] = (4, 4)) -> np.ndarray:
    """An ending every two bars from the first note: the note sounding (or last begun) just before each
    multiple of two bars, and the last note. Note indices.

    Notebook: 09_harmonization
    """
    if not len(voice):
        return np.zeros(0, int)
    span = 2 * bar_beats(time_signature)
    marks = np.arange(span, voice.end - _EPS, span)
    idx = np.searchsorted(voice.starts, marks - _EPS, side="left") - 1
    return np.unique(np.r_[idx[idx >= 0], len(voice) - 1])


def rule_ends(voice: Voice, time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0) -> np.ndarray:
    """The rhythm rule the course used before the learned finder (a baseline): the last note, and every note that
    is long (at least one beat and twice the median note) and ends on a bar line or before a rest, at least a bar
    after the previous ending and more than half a bar before the end. Note indices.

    Notebook: 11_harmonize_your_melody
    """
    if not len(voice):
        return np.zeros(0, int)
    bar = bar_beats(time_signature)
    lengths = voice.ends - voice.starts
    long = (lengths >= 1.0) & (lengths >= 2 * np.median(lengths))
    at_bar = np.isclose((voice.ends - anacrusis) / bar, np.round((voice.ends - anacrusis) / bar), atol=1e-6)
    before_rest = np.r_[voice.starts[1:] - voice.ends[:-1] > 0.5, True]
    chosen, last = [], -np.inf
    for i in np.flatnonzero(long & (at_bar | before_rest)):
        e = voice.ends[i]
        if e - last >= bar and e < voice.end - bar / 2:
            chosen.append(int(i))
            last = e
    return np.array(chosen + [len(voice) - 1], dtype=int)


def lbdm_ends(voice: Voice, threshold: float) -> np.ndarray:
    """LBDM's endings: notes after which the boundary strength (:func:`lbdm_strengths`) is a local peak of at
    least ``threshold``, and the last note. Note indices.

    Notebook: 09_harmonization
    """
    strength = lbdm_strengths(voice)
    chosen = _local_peaks(strength) & (strength >= threshold)
    if len(chosen):
        chosen[-1] = True
    return np.flatnonzero(chosen)


# ------------------------------------------------------------------------------------------- evaluation

def match_counts(predicted: Sequence[int], true: Sequence[int], n_notes: int, tolerance: int = 0,
                 skip_last: bool = True) -> tuple[int, int, int]:
    """``(true positives, false positives, false negatives)`` of predicted ending notes against the true ones;
    a prediction matches an unmatched true ending at most ``tolerance`` notes away (one to one, nearest first).
    ``skip_last`` leaves out the tune's last note, which every method marks.

    Notebook: 11_harmonize_your_melody
    """
    pred = sorted({int(i) for i in predicted if not (skip_last and i == n_notes - 1)})
    free = sorted({int(i) for i in true if not (skip_last and i == n_notes - 1)})
    tp = 0
    for i in pred:
        near = [t for t in free if abs(t - i) <= tolerance]
        if near:
            free.remove(min(near, key=lambda t: abs(t - i)))
            tp += 1
    return tp, len(pred) - tp, len(free)


def f1_score(counts: np.ndarray) -> tuple[float, float, float]:
    """``(F1, precision, recall)`` of ``(tp, fp, fn)`` counts summed over tunes (rows of ``counts``).

    Notebook: 11_harmonize_your_melody
    """
    tp, fp, fn = np.asarray(counts, dtype=float).reshape(-1, 3).sum(axis=0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(f1), float(precision), float(recall)


def bootstrap_f1_gain(counts_a: np.ndarray, counts_b: np.ndarray, groups: Sequence, n_boot: int = 2000,
                      seed: int = 0) -> Gain:
    """F1 of method A minus F1 of method B on the same tunes (rows ``(tp, fp, fn)``), with a 95% interval from
    resampling whole groups (tunes, or a chorale's melody group) with replacement. Raises ValueError for counts
    of different shapes.

    Notebook: 09_harmonization
    """
    a, b = np.asarray(counts_a, dtype=float), np.asarray(counts_b, dtype=float)
    if a.shape != b.shape or a.shape[0] != len(groups):
        raise ValueError("counts_a, counts_b and groups need one row per tune")
    _, g = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    per_a = np.stack([np.bincount(g, weights=a[:, k]) for k in range(3)], axis=1)
    per_b = np.stack([np.bincount(g, weights=b[:, k]) for k in range(3)], axis=1)
    draws = np.random.default_rng(seed).integers(0, len(per_a), size=(n_boot, len(per_a)))

    def f1(c: np.ndarray) -> np.ndarray:
        return 2 * c[..., 0] / np.maximum(2 * c[..., 0] + c[..., 1] + c[..., 2], 1)

    gains = f1(per_a[draws].sum(axis=1)) - f1(per_b[draws].sum(axis=1))
    low, high = np.percentile(gains, [2.5, 97.5])
    return Gain(float(f1(a.sum(axis=0)) - f1(b.sum(axis=0))), float(low), float(high), len(per_a))
