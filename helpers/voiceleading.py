"""The rules of voice leading, in one place: what counts as a parallel fifth or octave and as a crossing
(notebook 10). :mod:`helpers.metrics` counts them in a piece; the joint decoder of
:mod:`helpers.harmonize.decoding` penalises them while it searches.

Voices are step sequences (:func:`helpers.pianoroll.voice_to_steps`: one MIDI pitch per step, ``-1`` for a rest).
Every rule takes NumPy arrays that broadcast against each other, so the same code judges one pair of steps, a
whole piece, or every pair of candidate chords in a search.
"""

from __future__ import annotations

import numpy as np

from .pianoroll import REST

#: Interval classes of the parallels that voice leading forbids: the fifth (7) and the octave or unison (0).
PARALLEL_INTERVAL_CLASSES = (7, 0)


def sounding(*voices: np.ndarray) -> np.ndarray:
    """True where every one of the given pitches (arrays that broadcast) is a note, not a rest.

    Notebook: 10_four_part_harmonization
    """
    out = np.asarray(voices[0]) != REST
    for v in voices[1:]:
        out = out & (np.asarray(v) != REST)
    return out


def similar_motion(upper_before: np.ndarray, lower_before: np.ndarray, upper_after: np.ndarray,
                   lower_after: np.ndarray) -> np.ndarray:
    """True where both voices move, and in the same direction, from one step (or chord) to the next.

    Notebook: 10_four_part_harmonization
    """
    du = np.asarray(upper_after) - np.asarray(upper_before)
    dl = np.asarray(lower_after) - np.asarray(lower_before)
    return (du != 0) & (dl != 0) & (np.sign(du) == np.sign(dl))


def parallel_motion(upper_before: np.ndarray, lower_before: np.ndarray, upper_after: np.ndarray,
                    lower_after: np.ndarray, interval_classes=PARALLEL_INTERVAL_CLASSES) -> np.ndarray:
    """True where two voices move in parallel in one of ``interval_classes`` (7: fifths, 0: octaves and unisons):
    all four pitches sound, both voices move the same way (:func:`similar_motion`), and the interval class
    ``(upper - lower) mod 12`` is the same listed class before and after. Rests break the chain.

    Notebook: 10_four_part_harmonization
    """
    ub, lb, ua, la = (np.asarray(a).astype(np.int64) for a in (upper_before, lower_before, upper_after, lower_after))
    ic_before, ic_after = (ub - lb) % 12, (ua - la) % 12
    listed = np.isin(ic_after, np.atleast_1d(interval_classes))
    return sounding(ub, lb, ua, la) & similar_motion(ub, lb, ua, la) & (ic_before == ic_after) & listed


def crossed(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """True where both voices sound and the lower one lies strictly above the upper one.

    Notebook: 10_four_part_harmonization
    """
    upper, lower = np.asarray(upper), np.asarray(lower)
    return sounding(upper, lower) & (lower > upper)
