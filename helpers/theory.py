"""The vocabulary of pitches, keys and scales: the one place that names them (notebooks 07–10).

A *key* is ``(tonic, mode)``: the tonic's pitch class (0 = C … 11 = B) and ``'major'`` or ``'minor'``. Its *key
number* (:func:`key_number`) is pretty_midi's: 0–11 for C…B major, 12–23 for C…B minor; notebook 08 uses the same
numbers as the 24 classes of its key classifier. A *key signature* is a count of sharps (positive) or flats
(negative), the fewest a key can have (D♭ major and B♭ minor have five flats, not seven sharps).

Names are written as musicians write them, with ♭ and ♯ (``B♭ major``, ``E♭5``, ``F♯ minor``): :func:`key_name`,
:func:`pitch_name` and :func:`spell`, which spells a MIDI pitch in a key from its scale degree and, for chromatic
notes, from where the voice goes next. The parsers :func:`parse_key_name` and :func:`parse_pitch_name` read ♭/♯,
``b``/``#`` and music21's ``-`` alike; :func:`ascii_name` writes a name for pretty_midi or a plain-ASCII console.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

#: The two modes, in the order of the key numbers (major 0–11, minor 12–23).
MODES = ("major", "minor")
#: Name of each pitch class outside any key, as musicians write it (with ♭ and ♯); :func:`spell` names a pitch in a key.
PITCH_CLASS_NAMES = ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")
FLAT, SHARP = "♭", "♯"
#: Pitch classes of the major scale above its tonic.
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
#: Pitch classes of the minor scale above its tonic: natural minor plus the raised 6th and 7th (melodic/harmonic).
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)
#: Key-signature sharps (negative: flats) of each major tonic pitch class: the fewest accidentals (D♭ major, five
#: flats, not C♯ major, seven sharps); F♯ major (six sharps, not G♭ major's six flats) uses sharps.
_SHARPS_OF_MAJOR = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: 6, 1: -5, 5: -1, 10: -2, 3: -3, 8: -4}


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
    """Name of a key as musicians write it, the tonic spelt as in the key's signature: ``'B♭ major'``,
    ``'F♯ minor'``, ``'G♯ minor'`` (five sharps, not A♭ minor's seven flats). Raises ValueError for an unknown mode.
    :func:`parse_key_name` reads it back; :func:`ascii_name` gives ``'Bb major'``.

    Notebook: 08_key_classification
    """
    return f"{_tonic_spelling(int(tonic), mode).name} {mode}"


def pitch_name(pitch: int, key: tuple[int, str] | None = None) -> str:
    """Scientific pitch name of a MIDI pitch as musicians write it: 60 → ``'C4'``, 75 → ``'E♭5'``. Outside a key
    the black keys are C♯, E♭, F♯, A♭, B♭ (:data:`PITCH_CLASS_NAMES`); in a key ``(tonic, mode)`` the pitch is
    spelt by :func:`spell` (73 in D minor → ``'C♯5'``, 65 in C♯ minor → ``'E♯4'``). :func:`parse_pitch_name` reads
    it back; for pretty_midi's ``note_name_to_number`` pass it through :func:`ascii_name`.

    Notebook: 07_midi_and_pianorolls
    """
    pitch = int(pitch)
    if key is not None:
        return str(spell(pitch, *key))
    return f"{PITCH_CLASS_NAMES[pitch % 12]}{pitch // 12 - 1}"


# ------------------------------------------------------------------------------------------- spelling

#: Letters along the line of fifths: index ``f`` (0 = C, 1 = G, −1 = F, 7 = C♯, −7 = C♭) is the letter
#: ``_FIFTHS[(f + 1) % 7]`` with ``(f + 1) // 7`` sharps (negative: flats).
_FIFTHS = "FCGDAEB"
#: Semitones above C of each natural letter.
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
#: Signs of an alteration, as written in text.
_SIGNS = {-2: FLAT * 2, -1: FLAT, 0: "", 1: SHARP, 2: SHARP * 2}
#: Spelling of each pitch class (semitones above the tonic) in a key: its degree as fifths above the tonic (0 =
#: tonic, 1 = 5th, 2 = 2nd, −1 = 4th, 6 = ♯4, −5 = ♭2, …). One entry: always that spelling; two entries: a
#: chromatic note, ``(default, other)``, and the note a semitone above or below it in the voice chooses (see
#: :func:`spell`).
_DEGREES = {
    # major: diatonic degrees; chromatic ♯1/♭2 (♯1 leads to 2: V/ii), ♭3/♯2 (♯2 only leading to 3: V/iii),
    # ♯4/♭5 (♯4 leads to 5: V/V), ♯5/♭6 (♯5 leads to 6: V/vi), ♭7/♯6 (♭7: V7/IV)
    "major": {0: (0,), 1: (7, -5), 2: (2,), 3: (-3, 9), 4: (4,), 5: (-1,), 6: (6, -6), 7: (1,), 8: (8, -4),
              9: (3,), 10: (-2, 10), 11: (5,)},
    # minor: natural minor plus the raised 6th and 7th and the Picardy third, always sharps or naturals; ♭2 always
    # (the Neapolitan; ii is diminished, never tonicised, so there is no ♯1: Bach writes D–E♭–E in D minor);
    # chromatic ♯4/♭5 (♯4 leads to 5: V/V)
    "minor": {0: (0,), 1: (-5,), 2: (2,), 3: (-3,), 4: (4,), 5: (-1,), 6: (6, -6), 7: (1,), 8: (-4,),
              9: (3,), 10: (-2,), 11: (5,)},
}


class Spelling(NamedTuple):
    """A written pitch: ``letter`` (``'A'`` … ``'G'``), ``alter`` (−2 … 2: flats negative, sharps positive) and
    scientific ``octave`` (the letter's octave: B♯3 sounds as C4). ``str()`` gives ``'C♯5'``; :attr:`name` the
    pitch class ``'C♯'``; :attr:`midi` the MIDI pitch; :attr:`music21_name` music21's ``'C#5'``/``'B-4'``.

    Notebook: 07_midi_and_pianorolls
    """

    letter: str
    alter: int
    octave: int

    @property
    def name(self) -> str:
        """The pitch class as written, e.g. ``'B♭'``."""
        return self.letter + _SIGNS[self.alter]

    @property
    def midi(self) -> int:
        """The MIDI pitch this spelling sounds."""
        return 12 * (self.octave + 1) + _NATURAL[self.letter] + self.alter

    @property
    def music21_name(self) -> str:
        """The name music21's ``pitch.Pitch`` reads, e.g. ``'B-4'``, ``'E#4'``."""
        return f"{self.letter}{('#' if self.alter > 0 else '-') * abs(self.alter)}{self.octave}"

    def __str__(self) -> str:
        return f"{self.name}{self.octave}"


def _from_fifths(fifths: int, midi: int) -> Spelling:
    """The spelling at ``fifths`` on the line of fifths of a pitch that sounds as ``midi``."""
    letter, alter = _FIFTHS[(fifths + 1) % 7], (fifths + 1) // 7
    octave = (midi - alter - _NATURAL[letter]) // 12 - 1
    return Spelling(letter, alter, octave)


def _tonic_fifths(tonic: int, mode: str) -> int:
    """The key's tonic on the line of fifths (0 = C, −2 = B♭, 6 = F♯), from its signature."""
    return signature_sharps(tonic, mode) + (0 if mode == "major" else 3)


def _tonic_spelling(tonic: int, mode: str) -> Spelling:
    return _from_fifths(_tonic_fifths(tonic, mode), tonic % 12 + 60)


def spell(midi: int, tonic: int, mode: str, next_midi: int | None = None) -> Spelling:
    """Spell MIDI pitch ``midi`` as a musician writes it in the key ``(tonic, mode)``.

    Notes of the key take the key's spelling (E♭ major: B♭, E♭, A♭); in minor so do the raised 6th and 7th and the
    Picardy third (C♯ in D minor, E♯ in F♯ minor, B♯ in C♯ minor). A chromatic note is spelt as a raised degree
    when it leads upward (♯4 → 5, ♯1 → 2, ♯5 → 6, and ♯2 → 3 in major) and as a lowered one otherwise (♭7 of V7/IV,
    ♭3 in major, ♭2 Neapolitan): when ``next_midi``, the voice's next note, lies a semitone above it is raised, a
    semitone below it is lowered; without that context it takes the usual spelling of its degree (major: ♯1, ♭3,
    ♯4, ♯5, ♭7; minor: ♯4; ♭2 in minor is always lowered). On the 106,177 notes of the chorales this writes 99.90%
    as Bach's scores do (``bench/spelling.py``; the key signature alone: 98.54%). Returns a :class:`Spelling`;
    raises ValueError for an unknown mode.

    Notebook: 07_midi_and_pianorolls
    """
    midi = int(midi)
    check_mode(mode)
    choices = _DEGREES[mode][(midi - tonic) % 12]
    degree = choices[0]
    if len(choices) == 2 and next_midi is not None and abs(int(next_midi) - midi) == 1:
        degree = max(choices) if next_midi > midi else min(choices)
    return _from_fifths(_tonic_fifths(tonic, mode) + degree, midi)


def spell_for_signature(midi: int, sharps: int = 0) -> Spelling:
    """Spell MIDI pitch ``midi`` by a key signature of ``sharps`` sharps (negative: flats) alone, without a key's
    context: the twelve pitch classes take the twelve names on the line of fifths from 3 fifths below the
    signature's major tonic to 8 above (for no sharps: E♭ B♭ F C G D A E B F♯ C♯ G♯, music21's own default), so
    the fifths of the key and of its minor's leading tone are spelt as perfect fifths. Returns a
    :class:`Spelling` (its ``music21_name`` is what music21 reads, e.g. ``'G#4'``).

    Notebook: 10_four_part_harmonization
    """
    first = int(sharps) - 3  # position on the line of fifths, C = 0, G = 1, F = -1
    return _from_fifths(first + (7 * (int(midi) % 12) - first) % 12, int(midi))  # 7 is its own inverse mod 12


def spell_line(pitches, tonic: int, mode: str) -> list[Spelling]:
    """:func:`spell` of each pitch of one voice, in order, each with the voice's next note as its context.

    Notebook: 07_midi_and_pianorolls
    """
    pitches = [int(p) for p in pitches]
    return [spell(p, tonic, mode, pitches[i + 1] if i + 1 < len(pitches) else None) for i, p in enumerate(pitches)]


# -------------------------------------------------------------------------------------------- parsing

_NAME = re.compile(r"\s*([A-Ga-g])((?:[♭♯b#\-x]|𝄪|𝄫)*)(-?\d+)?\s*")
_ALTER = {FLAT: -1, "b": -1, "-": -1, SHARP: 1, "#": 1, "x": 2, "𝄪": 2, "𝄫": -2}


def _parse_name(text: str, what: str) -> tuple[str, int, int | None]:
    match = _NAME.fullmatch(text)
    if not match:
        raise ValueError(f"not a {what}: {text!r} (write e.g. 'B♭', 'Bb' or 'B-', 'F♯' or 'F#')")
    letter, signs, octave = match.groups()
    return letter, sum(_ALTER[c] for c in signs), None if octave is None else int(octave)


def parse_pitch_name(text: str) -> int:
    """MIDI pitch of a scientific pitch name written with ♭/♯, ``b``/``#`` or music21's ``-``: ``'E♭5'``,
    ``'Eb5'`` and ``'E-5'`` all give 75, ``'B♯3'`` gives 60. Raises ValueError for anything else (an octave is
    required).

    Notebook: 09_harmonization
    """
    letter, alter, octave = _parse_name(text, "pitch name")
    if octave is None:
        raise ValueError(f"not a pitch name: {text!r} has no octave (write e.g. 'E♭5')")
    return 12 * (octave + 1) + _NATURAL[letter.upper()] + alter


def parse_key_name(text: str) -> tuple[int, str]:
    """``(tonic, mode)`` of a key name: ``'B♭ major'``, ``'Bb major'`` and ``'B- major'`` all give ``(10,
    'major')``; ``'F# minor'`` gives ``(6, 'minor')``. The mode may be left out: an upper-case tonic is major, a
    lower-case one minor (music21's habit: ``'g'`` is G minor). Reads what :func:`key_name` writes. Raises
    ValueError for anything else.

    Notebook: 09_harmonization
    """
    words = text.split()
    if len(words) == 2 and words[1].lower() in MODES:
        tonic, mode = words[0], words[1].lower()
    elif len(words) == 1:
        tonic, mode = words[0], "minor" if words[0][:1].islower() else "major"
    else:
        raise ValueError(f"not a key name: {text!r} (write e.g. 'B♭ major', 'Bb major' or 'F# minor')")
    letter, alter, octave = _parse_name(tonic, "key name")
    if octave is not None:
        raise ValueError(f"not a key name: {text!r} (a key has no octave)")
    return (_NATURAL[letter.upper()] + alter) % 12, mode


def ascii_name(name: str) -> str:
    """A name with ♭ and ♯ written ``b`` and ``#``, as pretty_midi's ``note_name_to_number`` and plain-ASCII
    consoles read them: ``'E♭5'`` → ``'Eb5'``, ``'F♯ minor'`` → ``'F# minor'``.

    Notebook: none (used by _ascii_names)
    """
    return name.replace(FLAT, "b").replace(SHARP, "#")


def signature_sharps(tonic: int, mode: str) -> int:
    """Sharps (positive) or flats (negative) of the key signature of a key: the fewest accidentals, so D♭ major and
    B♭ minor have five flats; F♯ major and D♯ minor (six either way) use sharps.

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
