"""The vocabulary of pitches, keys and scales: the one place that names them (notebooks 07–10).

A *key* is ``(tonic, mode)``: the tonic's pitch class (0 = C … 11 = B) and ``'major'`` or ``'minor'``. Its *key
number* (:func:`key_number`) is pretty_midi's: 0–11 for C…B major, 12–23 for C…B minor; notebook 08 uses the same
numbers as the 24 classes of its key classifier. A *key signature* is a count of sharps (positive) or flats
(negative). Pitch classes are written as music21 writes them (flats with ``-``: ``B-``).
"""

from __future__ import annotations

import numpy as np

#: The two modes, in the order of the key numbers (major 0–11, minor 12–23).
MODES = ("major", "minor")
#: Name of each pitch class, flats written '-' as in music21.
PITCH_CLASS_NAMES = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")
#: Pitch classes of the major scale above its tonic.
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
#: Pitch classes of the minor scale above its tonic: natural minor plus the raised 6th and 7th (melodic/harmonic).
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)
#: Key-signature sharps (negative: flats) of each major tonic pitch class; F# and C# major use sharps.
_SHARPS_OF_MAJOR = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: 6, 1: 7, 5: -1, 10: -2, 3: -3, 8: -4}


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is ``'major'`` or ``'minor'``; raise ValueError otherwise.

    Notebook: 08_key_classification
    """
    if mode not in MODES:
        raise ValueError(f"mode must be 'major' or 'minor', not {mode!r}")
    return mode


def key_number(tonic, mode):
    """Key number of ``(tonic, mode)``: ``tonic`` (0 = C) for major, ``12 + tonic`` for minor (pretty_midi's
    numbering and the 24 classes of notebook 08's classifier).

    Takes one tonic and mode (returns an int) or arrays of them (returns an int array). Raises ValueError for a
    mode other than 'major' or 'minor'.

    Notebook: 08_key_classification
    """
    if isinstance(mode, str):
        return int(tonic) % 12 + 12 * MODES.index(check_mode(mode))
    return np.array([key_number(t, m) for t, m in zip(np.asarray(tonic).tolist(), mode)], dtype=int)


def key_of_number(number: int) -> tuple[int, str]:
    """``(tonic, mode)`` of a key number 0–23 (the inverse of :func:`key_number`).

    Notebook: 08_key_classification
    """
    return int(number) % 12, MODES[int(number) // 12]


def transpose_key_number(number, semitones):
    """The key number of a key moved ``semitones`` up: the tonic moves, the mode stays. Works on arrays too.

    Notebook: 08_key_classification
    """
    number = np.asarray(number)
    return (number % 12 + semitones) % 12 + 12 * (number // 12)


def key_name(tonic: int, mode: str) -> str:
    """``'G minor'``-style name of a key (flats written '-' as in music21, e.g. 'B- major').

    Notebook: 08_key_classification
    """
    return f"{PITCH_CLASS_NAMES[tonic % 12]} {mode}"


def pitch_name(pitch: int) -> str:
    """Scientific pitch name of a MIDI pitch, e.g. 60 → 'C4'.

    Notebook: 07_midi_and_pianorolls
    """
    return f"{PITCH_CLASS_NAMES[pitch % 12]}{pitch // 12 - 1}"


def signature_sharps(tonic: int, mode: str) -> int:
    """Sharps (positive) or flats (negative) of the key signature of a key; F# and C# major use sharps.

    Notebook: 08_key_classification
    """
    major_tonic = tonic if check_mode(mode) == "major" else (tonic + 3) % 12
    return _SHARPS_OF_MAJOR[major_tonic % 12]


def signature_tonic(sharps):
    """Pitch class of the *major* key with ``sharps`` sharps (negative: flats), the inverse of
    :func:`signature_sharps` for major keys: each sharp is a fifth up. Works on arrays too.

    Notebook: 08_key_classification
    """
    return (7 * np.asarray(sharps, dtype=int)) % 12


def signature_keys(sharps: int) -> tuple[tuple[int, str], tuple[int, str]]:
    """The two keys of a key signature: its major key and the relative minor, a minor third lower.

    Notebook: 09_harmonization
    """
    major_tonic = int(signature_tonic(sharps))
    return (major_tonic, "major"), ((major_tonic + 9) % 12, "minor")


def normalising_shift(tonic: int, mode: str) -> int:
    """Semitones that move a key to C major (major) or A minor (minor), the keys without sharps or flats: the
    smaller way, in −6 … +5. Raises ValueError for an unknown mode.

    Notebook: 09_harmonization
    """
    shift = ((0 if check_mode(mode) == "major" else 9) - tonic) % 12
    return shift - 12 if shift > 5 else shift


def scale_pitch_classes(tonic: int, mode: str) -> np.ndarray:
    """Pitch classes of the scale of a key (:data:`MAJOR_SCALE` or :data:`MINOR_SCALE` above the tonic).

    Notebook: 09_harmonization
    """
    return (np.array(MAJOR_SCALE if check_mode(mode) == "major" else MINOR_SCALE) + tonic) % 12
