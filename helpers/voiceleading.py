"""The rules of voice leading, in one place: consonance in two contexts, parallel, contrary-motion and hidden fifths
and octaves, crossings and wide spacing (notebooks 09 and 10); and the chord rules of four-part writing with the
chord facts they need (quality, root and seventh of a pitch-class set): chords without a third, doubled leading
tones, sevenths that do not fall, leading tones that do not rise, cross-relations (notebook 10).
:mod:`helpers.metrics` and :mod:`helpers.style` count them in a piece; the joint decoder of
:mod:`helpers.harmonize.decoding` penalises them while it searches.

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
    listed = (ic_after[..., None] == np.atleast_1d(interval_classes)).any(axis=-1)  # np.isin, without its overhead
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
    listed = (ic_after[..., None] == np.atleast_1d(interval_classes)).any(axis=-1)  # np.isin, without its overhead
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


def wide_spacing(upper: np.ndarray, lower: np.ndarray, max_interval: int = 12) -> np.ndarray:
    """True where both voices sound more than ``max_interval`` semitones apart (arrays that broadcast): spacing
    wider than an octave, a fault between neighbouring upper voices (soprano–alto, alto–tenor), not above the bass.

    Notebook: 10_four_part_harmonization
    """
    upper, lower = np.asarray(upper).astype(np.int64), np.asarray(lower).astype(np.int64)
    return sounding(upper, lower) & (np.abs(upper - lower) > max_interval)


# ------------------------------------------------------------------------------------ chords and their faults
# A *chord* here is an int array ``(..., voices)``: one MIDI pitch per voice along the last axis, highest voice
# first, ``-1`` for a rest; leading axes broadcast, so one chord, a piece's chords or all candidate chords of a
# search are judged alike. A transition is a pair ``(chord, following)`` of such arrays.

#: Chord qualities as pitch classes above the root, each with the incomplete forms that keep its name (a triad
#: or a dominant seventh often drops its fifth). A pitch-class set that is none of these has quality "other".
CHORD_QUALITIES = {
    "major": ((0, 4, 7), (0, 4)), "minor": ((0, 3, 7), (0, 3)), "diminished": ((0, 3, 6),), "augmented": ((0, 4, 8),),
    "dominant seventh": ((0, 4, 7, 10), (0, 4, 10)), "minor seventh": ((0, 3, 7, 10),),
    "major seventh": ((0, 4, 7, 11),), "half-diminished seventh": ((0, 3, 6, 10),),
    "diminished seventh": ((0, 3, 6, 9),), "no third": ((0,), (0, 7)),
}
QUALITY_NAMES = (*CHORD_QUALITIES, "other")
#: Qualities whose top interval above the root is a chord seventh.
SEVENTH_QUALITIES = ("dominant seventh", "minor seventh", "major seventh", "half-diminished seventh",
                     "diminished seventh")
#: Qualities whose root cannot be told from the pitch classes (every note is a root): augmented, diminished 7th.
_SYMMETRIC = ("augmented", "diminished seventh")


def _chord_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    quality = np.full(4096, len(QUALITY_NAMES) - 1, dtype=np.int64)
    root = np.full(4096, -1, dtype=np.int64)
    seventh = np.full(4096, -1, dtype=np.int64)
    for q, (name, forms) in enumerate(CHORD_QUALITIES.items()):
        for form in forms:
            for r in range(12):
                mask = sum(1 << ((r + i) % 12) for i in form)
                quality[mask] = q
                if name not in _SYMMETRIC:
                    root[mask] = r
                    if name in SEVENTH_QUALITIES:
                        seventh[mask] = (r + form[-1]) % 12
    return quality, root, seventh


_QUALITY, _ROOT, _SEVENTH = _chord_tables()


def pitch_class_mask(chord: np.ndarray) -> np.ndarray:
    """The set of pitch classes sounding in each chord as a 12-bit integer (bit ``pc`` set; rests ignored): takes
    chords ``(..., voices)`` and returns ints ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    chord = np.asarray(chord).astype(np.int64)
    return np.bitwise_or.reduce(np.where(chord != REST, 1 << (chord % 12), 0), axis=-1)


def chord_quality(chord: np.ndarray) -> np.ndarray:
    """Index into :data:`QUALITY_NAMES` of each chord's quality, from its pitch classes alone (doubling, voicing
    and inversion ignored): major, minor, diminished, augmented, the five seventh chords of
    :data:`CHORD_QUALITIES` (a dominant seventh without its fifth included), "no third" (one pitch class, or two a
    fifth apart) or "other". Takes chords ``(..., voices)``, returns ints ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    return _QUALITY[pitch_class_mask(chord)]


def chord_root(chord: np.ndarray) -> np.ndarray:
    """Pitch class of each chord's root (the lowest of a stack of thirds, the lower note of a bare fifth), ``-1``
    where the quality is "other" or has no single root (augmented, diminished seventh). Takes chords ``(...,
    voices)``, returns ints ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    return _ROOT[pitch_class_mask(chord)]


def chord_seventh(chord: np.ndarray) -> np.ndarray:
    """Pitch class of each chord's seventh, ``-1`` where the chord is no seventh chord with a root: dominant,
    minor, major and half-diminished sevenths (:data:`CHORD_QUALITIES`). A diminished seventh has none here: each
    of its notes could be the root (vii°7 or a secondary vii°7), so its seventh cannot be told from the pitch
    classes. Takes chords ``(..., voices)``, returns ints ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    return _SEVENTH[pitch_class_mask(chord)]


def without_third(chord: np.ndarray) -> np.ndarray:
    """True where a chord sounds only a root and its fifth (an open fifth) or a single pitch class (a bare unison
    or octave): no third. Takes chords ``(..., voices)``, returns bools ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    return chord_quality(chord) == QUALITY_NAMES.index("no third")


def unexplained_dissonance(chord: np.ndarray) -> np.ndarray:
    """True where a chord is no chord of :data:`CHORD_QUALITIES` ("other") and neither are its voices under the top
    one: a dissonance that the lower voices make, not a passing note of the melody over a chord (an added A3 in a
    G major chord, D5 G4 A3 B2). Takes chords ``(..., voices)``, highest first; returns bools ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    chord = np.asarray(chord).astype(np.int64)
    other = len(QUALITY_NAMES) - 1
    return (chord_quality(chord) == other) & (chord_quality(chord[..., 1:]) == other)


def doubled_leading_tone(chord: np.ndarray, tonic: int) -> np.ndarray:
    """True where two or more voices sound the leading tone of the key on ``tonic`` (the pitch class a semitone
    below the tonic, the raised seventh in minor). Takes chords ``(..., voices)``, returns bools ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    chord = np.asarray(chord).astype(np.int64)
    return ((chord != REST) & (chord % 12 == (int(tonic) + 11) % 12)).sum(axis=-1) >= 2


def cadence_fits(before: np.ndarray, after: np.ndarray, tonic: int, half: float = 1.0) -> np.ndarray:
    """How well the move from chord ``before`` to chord ``after`` (``(..., voices)``, bass last, broadcast) closes a
    phrase as Bach's cadences do: 1 for ``after`` a root-position triad (major, minor or a bare fifth, the bass on
    its root) reached from its own dominant (``before`` holds ``after``'s leading tone over a bass on its fifth, its
    leading tone or its second degree: V, vii°6, V4/3 and their kin), in the key or in another one; or for a half
    cadence, a major triad on the key's dominant (``tonic``: the key's pitch class) in root position; else 0. The
    kinds are :func:`helpers.style.cadence_kind`'s authentic, modulating and half cadences. ``half``: what a close
    on the key's major V in root position gets instead of 1, however it is reached (the decoder's
    ``VoiceLeading.half_cadence``). Returns floats.

    Notebook: 10_four_part_harmonization
    """
    before, after = np.asarray(before).astype(np.int64), np.asarray(after).astype(np.int64)
    quality, root = chord_quality(after), chord_root(after)
    bass, before_bass = after[..., -1], before[..., -1]
    triad = np.isin(quality, [QUALITY_NAMES.index(q) for q in ("major", "minor", "no third")])
    rooted = triad & (bass != REST) & (bass % 12 == root)
    leading = (pitch_class_mask(before) >> ((root + 11) % 12)) & 1
    dominant = (leading == 1) & (before_bass != REST) & np.isin((before_bass - root) % 12, (7, 11, 2))
    on_v = rooted & (quality == QUALITY_NAMES.index("major")) & (root == (tonic + 7) % 12)
    fits = ((rooted & dominant) | (on_v & (before_bass != REST))).astype(np.float64)
    return np.where(on_v, half * fits, fits)


def unresolved_sevenths(chord: np.ndarray, following: np.ndarray) -> np.ndarray:
    """True for each voice that sounds the seventh of a seventh chord (:func:`chord_seventh`) and does not step
    down by one or two semitones to its pitch in ``following``. ``chord`` and ``following`` are ``(..., voices)``;
    ``following`` is what each voice sings next: the next chord (a decoder judging chord to chord; a held seventh
    is then a fault) or each voice's next different note (a report: a seventh held as a suspension and then
    resolved is not). Voices resting in either are not judged. Returns bools ``(..., voices)``.

    Notebook: 10_four_part_harmonization
    """
    chord, following = np.asarray(chord).astype(np.int64), np.asarray(following).astype(np.int64)
    seventh = chord_seventh(chord)[..., None]
    on_seventh = (chord % 12 == seventh) & (seventh >= 0)  # before broadcasting: the cheap test first
    step = following - chord
    return on_seventh & sounding(chord, following) & (step != -1) & (step != -2)


def unrisen_leading_tones(chord: np.ndarray, following: np.ndarray, tonic: int) -> np.ndarray:
    """True for each voice that sounds the leading tone of the key on ``tonic`` in ``chord`` and does not rise a
    semitone to the tonic in ``following`` (both ``(..., voices)``; resting voices are not judged). The rule holds
    for the outer voices at a cadence; the caller picks the voices and the chords. Returns bools ``(...,
    voices)``.

    Notebook: 10_four_part_harmonization
    """
    chord, following = np.asarray(chord).astype(np.int64), np.asarray(following).astype(np.int64)
    return sounding(chord, following) & (chord % 12 == (int(tonic) + 11) % 12) & (following - chord != 1)


def _letters(tonic: int, mode: str) -> np.ndarray:
    """Letter (0 = C … 6 = B) of each pitch class spelt in the key by :func:`helpers.theory.spell`."""
    from .theory import spell

    return np.array(["CDEFGAB".index(spell(60 + pc, tonic, mode).letter) for pc in range(12)])


def cross_relations(chord: np.ndarray, following: np.ndarray, tonic: int, mode: str) -> np.ndarray:
    """True where two adjacent chords make a cross-relation (false relation): one voice sings a note in ``chord``
    and another voice sings the same letter with another accidental in ``following`` (F in the alto, then F♯ in
    the tenor), and no voice makes that chromatic step itself (F to F♯ in the bass, with a doubling F in the
    tenor moving elsewhere, is no cross-relation). Letters come from spelling each
    pitch class in the key ``(tonic, mode)`` (:func:`helpers.theory.spell`, no context). Takes chords ``(...,
    voices)``, returns bools ``(...)``.

    Notebook: 10_four_part_harmonization
    """
    chord, following = np.asarray(chord).astype(np.int64), np.asarray(following).astype(np.int64)
    letters = _letters(int(tonic), mode)
    x, y = chord[..., :, None], following[..., None, :]  # voice a before (rows), voice b after (columns)
    clash = sounding(x, y) & (letters[x % 12] == letters[y % 12]) & (x % 12 != y % 12)
    pc_before = np.where(chord != REST, chord % 12, REST)
    pc_after = np.where(following != REST, following % 12, REST)
    # some voice c sings a's pitch class before and b's after: the chromatic step lies inside one voice
    inflected = ((pc_before[..., :, None, None] == pc_before[..., None, None, :])
                 & (pc_after[..., None, :, None] == pc_after[..., None, None, :])).any(axis=-1)
    voices = chord.shape[-1]
    return (clash & ~inflected & ~np.eye(voices, dtype=bool)).any(axis=(-2, -1))
