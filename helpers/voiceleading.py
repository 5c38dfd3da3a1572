"""The rules of voice leading, in one place: consonance in two contexts, parallel, contrary-motion and hidden fifths
and octaves, and crossings (notebooks 09 and 10). :mod:`helpers.metrics` counts them in a piece; the joint decoder
of :mod:`helpers.harmonize.decoding` penalises them while it searches.

Voices are step sequences (:func:`helpers.pianoroll.voice_to_steps`: one MIDI pitch per step, ``-1`` for a rest).
Every rule takes NumPy arrays that broadcast against each other, so the same code judges one pair of steps, a
whole piece, or every pair of candidate chords in a search.

Definitions (as a harmony teacher marks them):

* *interval class*: ``|upper - lower| mod 12`` of the real pitches, so crossed voices keep their interval (a
  fourth with the voices crossed is still a fourth, not a fifth). 7 is a fifth, 0 an octave or a unison.
* *parallel* fifths/octaves: both voices move in the same direction and the interval class is the same fifth
  (or octave/unison) before and after (a fifth to a twelfth counts).
* *contrary* fifths/octaves (consecutives by contrary motion, music21's "antiparallel"): the voices move in
  opposite directions and the interval class is the same fifth (or octave/unison) before and after (a fifth to a
  twelfth, an octave to a unison or a double octave).
* *hidden* (direct) fifths/octaves: both voices move in the same direction into a fifth (or octave/unison) from
  another interval class, and the upper voice leaps (moves by :data:`LEAP` semitones or more, more than a whole
  tone). The rule applies between the outer voices (soprano and bass); the caller chooses the pair.
* *consonance*: between two voices sung as a *duet* (two-part writing) and against the bass the perfect fourth is
  a dissonance (:data:`CONSONANT_IN_DUET`); between upper voices *inside four parts* it is consonant
  (:data:`CONSONANT_IN_FOUR_PARTS`).

Rests break every motion rule: all four pitches (two voices, before and after) must sound.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .pianoroll import REST

#: Interval classes of the consecutives that voice leading forbids: the fifth (7) and the octave or unison (0).
PARALLEL_INTERVAL_CLASSES = (7, 0)
FIFTH, OCTAVE = 7, 0
#: Smallest melodic move of the upper voice, in semitones, that counts as a leap for hidden fifths and octaves.
LEAP = 3
#: Consonant interval classes between upper voices inside four parts: unison/octave, thirds, fourth, fifth, sixths.
CONSONANT_IN_FOUR_PARTS = (0, 3, 4, 5, 7, 8, 9)
#: Consonant interval classes in two-part writing (a duet) and against the bass: the fourth is a dissonance.
CONSONANT_IN_DUET = (0, 3, 4, 7, 8, 9)
CONSONANCE_CONTEXTS = {"four_parts": CONSONANT_IN_FOUR_PARTS, "duet": CONSONANT_IN_DUET}
#: The motion rules, in the order :func:`rule_events` returns them.
RULES = ("parallel_fifths", "parallel_octaves", "contrary_fifths", "contrary_octaves", "hidden_fifths",
         "hidden_octaves")


def sounding(*voices: np.ndarray) -> np.ndarray:
    """True where every one of the given pitches (arrays that broadcast) is a note, not a rest.

    Notebook: 10_four_part_harmonization
    """
    out = np.asarray(voices[0]) != REST
    for v in voices[1:]:
        out = out & (np.asarray(v) != REST)
    return out


def interval_class(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Interval class ``|upper - lower| mod 12`` of the real pitches (arrays that broadcast): crossed voices keep
    their interval (G4 under C5 and C5 under G4 are both a fourth, class 5). Meaningless where a voice rests.

    Notebook: 10_four_part_harmonization
    """
    return np.abs(np.asarray(upper).astype(np.int64) - np.asarray(lower).astype(np.int64)) % 12


def consonant_classes(context: str = "four_parts") -> tuple[int, ...]:
    """The consonant interval classes of a context: ``"four_parts"`` (between upper voices, the fourth is
    consonant) or ``"duet"`` (two voices alone, or against the bass: the fourth is a dissonance). Raises
    ValueError for another context.

    Notebook: 09_harmonization
    """
    if context not in CONSONANCE_CONTEXTS:
        raise ValueError(f"context must be one of {sorted(CONSONANCE_CONTEXTS)}, not {context!r}")
    return CONSONANCE_CONTEXTS[context]


def consonant(upper: np.ndarray, lower: np.ndarray, context: str = "four_parts") -> np.ndarray:
    """True where both voices sound and their :func:`interval_class` is consonant in ``context``
    (:func:`consonant_classes`: ``"four_parts"`` or ``"duet"``).

    Notebook: 09_harmonization
    """
    return sounding(upper, lower) & np.isin(interval_class(upper, lower), consonant_classes(context))


def similar_motion(upper_before: np.ndarray, lower_before: np.ndarray, upper_after: np.ndarray,
                   lower_after: np.ndarray) -> np.ndarray:
    """True where both voices move, and in the same direction, from one step (or chord) to the next.

    Notebook: 10_four_part_harmonization
    """
    du = np.asarray(upper_after) - np.asarray(upper_before)
    dl = np.asarray(lower_after) - np.asarray(lower_before)
    return (du != 0) & (dl != 0) & (np.sign(du) == np.sign(dl))


def contrary_motion(upper_before: np.ndarray, lower_before: np.ndarray, upper_after: np.ndarray,
                    lower_after: np.ndarray) -> np.ndarray:
    """True where both voices move, in opposite directions, from one step (or chord) to the next.

    Notebook: 10_four_part_harmonization
    """
    du = np.asarray(upper_after) - np.asarray(upper_before)
    dl = np.asarray(lower_after) - np.asarray(lower_before)
    return (du != 0) & (dl != 0) & (np.sign(du) != np.sign(dl))


def _consecutive(motion, upper_before, lower_before, upper_after, lower_after, interval_classes) -> np.ndarray:
    ub, lb, ua, la = (np.asarray(a).astype(np.int64) for a in (upper_before, lower_before, upper_after, lower_after))
    ic_before, ic_after = interval_class(ub, lb), interval_class(ua, la)
    listed = np.isin(ic_after, np.atleast_1d(interval_classes))
    return sounding(ub, lb, ua, la) & motion(ub, lb, ua, la) & (ic_before == ic_after) & listed


def parallel_motion(upper_before: np.ndarray, lower_before: np.ndarray, upper_after: np.ndarray,
                    lower_after: np.ndarray, interval_classes: Sequence[int] | int = PARALLEL_INTERVAL_CLASSES,
                    ) -> np.ndarray:
    """True where two voices move in parallel in one of ``interval_classes`` (7: fifths, 0: octaves and unisons):
    all four pitches sound, both voices move the same way (:func:`similar_motion`), and the
    :func:`interval_class` ``|upper - lower| mod 12`` is the same listed class before and after. Rests break the
    chain.

    Notebook: 10_four_part_harmonization
    """
    return _consecutive(similar_motion, upper_before, lower_before, upper_after, lower_after, interval_classes)


def antiparallel_motion(upper_before: np.ndarray, lower_before: np.ndarray, upper_after: np.ndarray,
                        lower_after: np.ndarray, interval_classes: Sequence[int] | int = PARALLEL_INTERVAL_CLASSES,
                        ) -> np.ndarray:
    """True where two voices make consecutive fifths or octaves by *contrary* motion (a fifth to a twelfth, an
    octave to a unison): all four pitches sound, the voices move in opposite directions
    (:func:`contrary_motion`), and the :func:`interval_class` is the same listed class before and after.

    Notebook: 10_four_part_harmonization
    """
    return _consecutive(contrary_motion, upper_before, lower_before, upper_after, lower_after, interval_classes)


def hidden_motion(upper_before: np.ndarray, lower_before: np.ndarray, upper_after: np.ndarray,
                  lower_after: np.ndarray, interval_classes: Sequence[int] | int = PARALLEL_INTERVAL_CLASSES,
                  leap: int = LEAP) -> np.ndarray:
    """True where two voices move into a hidden (direct) fifth or octave: all four pitches sound, both voices
    move the same way (:func:`similar_motion`) into one of ``interval_classes`` from another interval class (the
    same class would be a parallel), and the upper voice leaps (moves by ``leap`` semitones or more). The textbook
    rule applies it to the outer voices only; the caller passes soprano and bass.

    Notebook: 10_four_part_harmonization
    """
    ub, lb, ua, la = (np.asarray(a).astype(np.int64) for a in (upper_before, lower_before, upper_after, lower_after))
    ic_before, ic_after = interval_class(ub, lb), interval_class(ua, la)
    listed = np.isin(ic_after, np.atleast_1d(interval_classes))
    return (sounding(ub, lb, ua, la) & similar_motion(ub, lb, ua, la) & (ic_before != ic_after) & listed
            & (np.abs(ua - ub) >= leap))


def rule_events(upper: np.ndarray, lower: np.ndarray) -> dict[str, np.ndarray]:
    """Every motion rule between two 1-D step sequences, from each step ``t`` to ``t + 1``: ``{rule: bool array of
    length steps - 1}`` for the :data:`RULES` (parallel, contrary and hidden fifths and octaves). Hidden ones are
    judged for whatever pair is given; only the outer pair's count as faults.

    Notebook: 10_four_part_harmonization
    """
    upper, lower = np.asarray(upper).astype(np.int64), np.asarray(lower).astype(np.int64)
    q = (upper[:-1], lower[:-1], upper[1:], lower[1:])
    return {"parallel_fifths": parallel_motion(*q, FIFTH), "parallel_octaves": parallel_motion(*q, OCTAVE),
            "contrary_fifths": antiparallel_motion(*q, FIFTH), "contrary_octaves": antiparallel_motion(*q, OCTAVE),
            "hidden_fifths": hidden_motion(*q, FIFTH), "hidden_octaves": hidden_motion(*q, OCTAVE)}


def crossed(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """True where both voices sound and the lower one lies strictly above the upper one.

    Notebook: 10_four_part_harmonization
    """
    upper, lower = np.asarray(upper), np.asarray(lower)
    return sounding(upper, lower) & (lower > upper)
