"""The key of a melody, as the course finds it everywhere (``python -m helpers harmonize`` and ``key``,
:func:`helpers.harmonize.find_key`, notebooks 09–11; issue 20): notebook 08's key classifier
(:mod:`helpers.keyfinding`) averaged over the 12 transpositions (:func:`transposed_key_probabilities`), times
``exp(PROFILE_WEIGHT * r)`` with ``r`` a music21 key profile's correlation (:func:`profile_correlations`):
:func:`rank_melody_keys` for notes, :func:`key_voices` for the notes of a file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import InputError
from .keyfinding import _voices_of, features, key_classifier, key_probabilities, rotate
from .midi import Voice
from .readers import read_voices
from .theory import key_of_number, transpose_key_number

#: The music21 profile the melody key finder combines with the classifier (:func:`melody_key_probabilities`), and
#: the weight of its correlations against the classifier's log-probabilities; both chosen by ``bench/keys.py`` on
#: tunes it does not test on (the Essen collections outside its test collections, and the training chorales'
#: sopranos judged by classifiers that did not see them), then frozen here.
MELODY_PROFILE = "key.temperley"
PROFILE_WEIGHT = 20.0


def transposed_key_probabilities(model, X: np.ndarray) -> np.ndarray:
    """``(n, 24)``: the classifier's key probabilities averaged over the 12 transpositions of each row of ``X``
    (rows of :func:`features`): the row moved up ``r`` semitones is classified, and its probabilities are moved back
    down ``r`` before averaging. The classifier was trained on all 12 transpositions, so it should answer alike
    in every key; averaging makes it do so exactly (a melody in G gets the answer its copy in F gets, moved up a
    tone).

    Notebook: 11_harmonize_your_melody
    """
    X = np.asarray(X, dtype="float32")
    keys = np.arange(24)
    total = np.zeros((len(X), 24))
    for r in range(12):
        total += key_probabilities(model, rotate(X, r))[:, transpose_key_number(keys, r)]
    return total / 12


def rank_keys(model, voices: Sequence[Voice], n: int = 3, transpositions: bool = True) -> list[tuple[int, str, float]]:
    """The ``n`` keys the trained classifier finds most likely for these notes (their :func:`features`; no key
    signature is read), best first, as ``(tonic, mode, probability)``. With ``transpositions`` (the default) the
    probabilities are averaged over the 12 transpositions of the notes (:func:`transposed_key_probabilities`);
    without, they are the classifier's own (:func:`helpers.keyfinding.key_probabilities`, whose best key is
    :func:`helpers.keyfinding.detect_key`'s).

    Notebook: 11_harmonize_your_melody
    """
    X = features(voices)[None]
    probs = (transposed_key_probabilities(model, X) if transpositions else key_probabilities(model, X))[0]
    best = np.argsort(-probs, kind="stable")[:n]
    return [(*key_of_number(int(k)), float(probs[k])) for k in best]


def duration_histogram(voices: Sequence[Voice]) -> np.ndarray:
    """Twelve numbers (index 0 = C): how many beats each pitch class sounds in ``voices``, every note for its exact
    length, as music21's key finders weigh a stream (no grid). Raises :class:`InputError` if there are no notes.

    Notebook: 09_harmonization
    """
    voices = _voices_of(voices)
    return sum(np.bincount(np.asarray(v.pitches, dtype=np.int64) % 12, weights=v.ends - v.starts, minlength=12)
               for v in voices)


def profile_weights(method: str = MELODY_PROFILE) -> np.ndarray:
    """``(2, 12)``: the major and minor key profiles of music21's key finder ``method`` (see
    :data:`helpers.keyfinding.MUSIC21_FINDERS`), for the key of C. Raises ValueError for a name music21 does not know.

    Notebook: 09_harmonization
    """
    from music21.analysis.discrete import analysisClassFromMethodName

    analyser = analysisClassFromMethodName(method)
    if analyser is None:
        raise ValueError(f"music21 has no key finder called {method!r}")
    a = analyser()
    return np.array([a.getWeights("major"), a.getWeights("minor")], dtype=float)


def profile_correlations(histogram: np.ndarray, method: str = MELODY_PROFILE) -> np.ndarray:
    """``(24,)``: the correlation of a pitch-class histogram with each key's profile (music21's key finder
    ``method``), indexed by :func:`helpers.theory.key_number`. The best is the key music21's ``analyze(method)`` names
    (music21 computes the same correlations; ``tests/test_keyfinding.py`` checks it); a flat histogram correlates 0
    with every key.

    Notebook: 09_harmonization
    """
    h = np.asarray(histogram, dtype=float)
    w = profile_weights(method)
    keys = np.arange(24)
    profiles = np.stack([np.roll(w[k // 12], k % 12) for k in keys])  # key number k: tonic k % 12, mode k // 12
    hc, pc = h - h.mean(), profiles - profiles.mean(axis=1, keepdims=True)
    denominator = np.sqrt((hc ** 2).sum() * (pc ** 2).sum(axis=1))
    return np.divide(pc @ hc, denominator, out=np.zeros(24), where=denominator > 0)


def melody_key_probabilities(classifier, voices: Sequence[Voice], weight: float = PROFILE_WEIGHT,
                             method: str = MELODY_PROFILE) -> np.ndarray:
    """``(24,)``: how likely each key (:func:`helpers.theory.key_number`) is for these notes, by the melody key
    finder: the key classifier's probabilities averaged over the 12 transpositions
    (:func:`transposed_key_probabilities`) times ``exp(weight * r)``, where ``r`` is the key's correlation with
    music21's profile ``method`` (:func:`profile_correlations` of :func:`duration_histogram`), normalised to sum to 1.
    ``weight`` 0 is the classifier alone; a large weight is the profile alone, the classifier breaking its ties.

    Notebook: 09_harmonization
    """
    p = transposed_key_probabilities(classifier, features(voices)[None])[0]
    r = profile_correlations(duration_histogram(voices), method)
    score = np.log(np.maximum(p, 1e-12)) + weight * r
    score = np.exp(score - score.max())
    return score / score.sum()


def rank_melody_keys(voices: Sequence[Voice], classifier=None, n: int = 3) -> list[tuple[int, str, float]]:
    """The key of a melody as the course finds it everywhere (``python -m helpers harmonize`` and ``key``,
    :func:`helpers.harmonize.find_key`, notebooks 09–11): the ``n`` most likely keys by
    :func:`melody_key_probabilities`, best first, as ``(tonic, mode, probability)``: the key and its runners-up.
    ``classifier`` defaults to :func:`helpers.keyfinding.key_classifier` (the saved one, else the shipped one). No key
    signature is read. Raises :class:`InputError` if there are no notes.

    Notebook: 09_harmonization
    """
    probs = melody_key_probabilities(classifier if classifier is not None else key_classifier(), voices)
    best = np.argsort(-probs, kind="stable")[:n]
    return [(*key_of_number(int(k)), float(probs[k])) for k in best]


def key_voices(path: str | os.PathLike) -> list[Voice]:
    """The notes of a file that ``python -m helpers key`` judges (with :func:`rank_melody_keys`): the melody as
    ``harmonize`` reads it (:func:`helpers.harmonize.read_melody`), so both commands name the same key, or every
    sounding voice of a file of several voices or of chords (a chorale, :func:`helpers.readers.read_voices`).
    Raises :class:`InputError` naming the file for anything unreadable; needs no classifier, so ``key`` reads every
    file before it loads one.

    Notebook: 09_harmonization
    """
    from .harmonize.melody import read_melody
    from .readers import file_format

    path = Path(path)
    if file_format(path) == "abc":
        return [read_melody(path, find=False).voice]
    voices = [v for v in read_voices(path) if len(v)]
    if len(voices) == 1:
        try:
            voices = [read_melody(path, find=False).voice]
        except InputError:  # chords in the one track: not a melody the harmonizer takes, but it has a key
            pass
    return voices
