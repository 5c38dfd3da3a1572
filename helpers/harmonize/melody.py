"""A melody to harmonize, read from a file or typed text (notebooks 09–11; ``python -m helpers harmonize``).

:func:`read_melody` reads any music file the course reads (:data:`helpers.readers.FORMATS`: MIDI, MusicXML, ABC,
Humdrum; one dispatch, :func:`helpers.readers.file_format`), :func:`melody_from_text` a line of tinyNotation or an
ABC tune typed in a notebook. The result is a :class:`Melody`: the notes exactly as written (ornaments shorter
than the grid and grace notes included), the metre, pickup and tempo, the key found from the notes alone by the
melody key finder (notebook 08's classifier with a key profile, :func:`helpers.melodykey.rank_melody_keys`; a
key signature in the file is not read) with its runners-up, and the phrase endings: fermatas where the file marks
them, else found in that key by the phrase-ending model of :mod:`helpers.phrases` (:func:`guess_phrase_ends`).
:func:`grid_melody` is the melody as the network reads it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..abc import parse_abc
from ..errors import InputError
from ..midi import Voice, load_midi, midi_to_voices
from ..readers import (
    fermata_ends,
    file_format,
    grace_notes,
    midi_tempo,
    midi_time_signature,
    parse_tiny_notation,
    part_to_voice,
    pickup_beats,
    read_score,
    score_parts,
    score_pickup,
    score_tempo,
    score_time_signature,
)
from ..theory import key_name, parse_key_name
from .encoding import STEPS_PER_BEAT

#: Two notes start together (a chord) only when their onsets differ by less than this (beats).
ONSET_TOLERANCE = 1e-6


@dataclass
class Melody:
    """A melody to harmonize: ``voice`` (the notes exactly as written, beats, first note at beat 0), where it
    started in the file (``offset`` beats), metre, tempo, key (``tonic``, ``mode``) and how the key was found
    (``key_source``), the pickup (``anacrusis`` beats); ``pm`` is the MIDI file (None for other formats) and
    ``track`` the name of the track or part read. ``phrase_ends``: beats where phrases end, found as
    ``phrase_source`` says ("fermatas", "guessed" or "given"); ``keys``: the classifier's best keys ``(tonic,
    mode, probability)``, best first (empty when the key was given); ``graces``: grace notes as zero-length notes
    at the beat of the note they ornament; ``source``: the file, or "tinyNotation" / "ABC" for typed text.

    Notebook: 11_harmonize_your_melody
    """

    voice: Voice
    offset: float
    time_signature: tuple[int, int]
    tempo: float
    tonic: int
    mode: str
    key_source: str
    anacrusis: float
    pm: object | None = None
    track: str = ""
    phrase_ends: tuple[float, ...] = ()
    phrase_source: str = "guessed"
    keys: list[tuple[int, str, float]] = field(default_factory=list)
    graces: Voice | None = None
    source: str = ""

    @property
    def key_name(self) -> str:
        """The key used, as ``'G minor'``."""
        return key_name(self.tonic, self.mode)


# --------------------------------------------------------------------------------------------- one melodic line

def clean_monophonic(voice: Voice, path, steps_per_beat: int = STEPS_PER_BEAT) -> Voice:
    """Check that a track is one melodic line and trim small overlaps (legato playing).

    Only notes whose onsets really coincide (within :data:`ONSET_TOLERANCE` beats) are a chord: a turn of 32nd
    notes, shorter than the grid, is a melody. Raises :class:`InputError` if notes start together (chords), if
    more than a tenth of the notes sound through most of the next note (several lines in one track), or if there
    are no notes. ``steps_per_beat`` is not used (kept for callers of the version that compared grid onsets).

    Notebook: 09_harmonization
    """
    if len(voice) == 0:
        raise InputError(path, "no notes in the melody")
    together = np.flatnonzero(np.diff(voice.starts) < ONSET_TOLERANCE)
    if len(together):
        raise InputError(path, f"chords instead of a melody: {len(together)} notes start together with another "
                               f"note in '{voice.name}' (the first at beat {voice.starts[together[0]]:g})")
    ends = voice.ends.copy()
    if len(voice) > 1:
        nxt = voice.starts[1:]
        overlap = ends[:-1] - nxt
        heavy = overlap > 0.5 * (voice.ends[1:] - nxt)
        if heavy.sum() > 0.1 * len(voice):
            raise InputError(path, f"not a single melodic line: {int(heavy.sum())} of {len(voice)} notes in "
                                   f"'{voice.name}' sound on over the next note")
        ends[:-1] = np.minimum(ends[:-1], nxt)
    return Voice(voice.name, voice.pitches, voice.starts, ends, voice.program, voice.velocities)


def grid_melody(voice: Voice, steps_per_beat: int = STEPS_PER_BEAT) -> Voice:
    """The melody as the network reads it: on a grid of ``steps_per_beat`` steps per beat, each step holds the
    note sounding at its start, so a note shorter than a step that starts between two steps (an ornament) is
    left out and a note starting off the grid (a triplet) starts at the next step. Consecutive steps of one note
    make one note; the grid ends where the melody's end rounds to. ``voice`` is one line
    (:func:`clean_monophonic`), first note at beat 0 or later.

    Notebook: 11_harmonize_your_melody
    """
    if not len(voice):
        return voice
    n = max(int(np.round(voice.end * steps_per_beat)), 1)  # where the grid ends, as voice_to_steps rounds it
    t = np.arange(n) / steps_per_beat + ONSET_TOLERANCE
    idx = np.searchsorted(voice.starts, t, side="right") - 1
    sounding = (idx >= 0) & (voice.ends[np.maximum(idx, 0)] > t)
    idx = np.where(sounding, idx, -1)
    change = np.r_[True, idx[1:] != idx[:-1]]
    first = np.flatnonzero(change)
    last = np.r_[first[1:], n]
    keep = idx[first] >= 0
    first, last = first[keep], last[keep]
    return Voice(voice.name, voice.pitches[idx[first]], first / steps_per_beat, last / steps_per_beat,
                 voice.program)


def guess_phrase_ends(voice: Voice, time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0,
                      tonic: int = 0, mode: str = "major") -> tuple[float, ...]:
    """Phrase endings where the file marks none, found by the course's phrase-ending model
    (:func:`helpers.phrases.find_phrase_ends`, learned from Bach's fermatas and the Essen folk songs' phrases),
    which reads the notes' lengths, rests, metric positions and scale degrees in the key (``tonic``, ``mode``):
    the end of each ending note, the last note always one. Beats, sorted; empty for no notes.

    Notebook: 11_harmonize_your_melody
    """
    from ..phrases import find_phrase_ends

    return tuple(find_phrase_ends(voice, time_signature, anacrusis, tonic, mode))


def _with_guessed_ends(melody: Melody) -> Melody:
    """The melody with its phrase endings guessed again in its current key, if they were guessed (fermatas and
    endings given are kept)."""
    if melody.phrase_source != "guessed":
        return melody
    return replace(melody, phrase_ends=guess_phrase_ends(melody.voice, melody.time_signature, melody.anacrusis,
                                                         melody.tonic, melody.mode))


# ------------------------------------------------------------------------------------------- reading melodies

def _key_of(key: str | tuple[int, str] | None) -> tuple[int, str] | None:
    if key is None or isinstance(key, tuple):
        return key
    try:
        return parse_key_name(key)
    except ValueError as exc:
        raise InputError(None, str(exc)) from exc


def _finish_melody(voice: Voice, path, ts, tempo, pm=None, fermatas=(), graces=None, key=None, classifier=None,
                   anacrusis: float | None = None, source: str = "", find: bool = True) -> Melody:
    offset = float(voice.starts.min())
    voice = voice.shift(-offset)
    anacrusis = pickup_beats(offset, ts) if anacrusis is None else anacrusis
    if fermatas:  # measured like the notes before the shift: from the first note, as the voice
        phrase_ends, phrase_source = tuple(float(e) - offset for e in fermatas), "fermatas"
        if not np.isclose(phrase_ends[-1], voice.end):
            phrase_ends += (float(voice.end),)
    else:
        phrase_ends, phrase_source = (), "guessed"  # guessed below, in the key: they depend on it
    graces = graces.shift(-offset) if graces is not None and len(graces) else None
    given = _key_of(key)
    melody = Melody(voice, offset, ts, tempo, 0, "major", "not found yet", anacrusis, pm, voice.name, phrase_ends,
                    phrase_source, [], graces, source or str(path))
    if given is not None:
        return with_key(melody, given)
    return find_key(melody, classifier) if find else _with_guessed_ends(melody)


def find_key(melody: Melody, classifier=None) -> Melody:
    """The melody in the key the course's melody key finder names from its notes
    (:func:`helpers.melodykey.rank_melody_keys`: notebook 08's classifier, ``classifier`` or by default the saved
    one, trained and saved first if there is none, combined with a music21 key profile), with the two runners-up
    in ``keys``; guessed phrase endings are guessed again in that key (:func:`guess_phrase_ends`).

    Notebook: 11_harmonize_your_melody
    """
    from ..keyfinding import MUSIC21_FINDERS, key_classifier
    from ..melodykey import MELODY_PROFILE, rank_melody_keys

    keys = rank_melody_keys([melody.voice], classifier if classifier is not None else key_classifier())
    tonic, mode, _ = keys[0]
    profile = next(name for name, method in MUSIC21_FINDERS.items() if method == MELODY_PROFILE)
    return _with_guessed_ends(replace(melody, tonic=tonic, mode=mode, keys=keys,
                                      key_source=f"the key classifier of notebook 08 with the {profile} profile, "
                                                 "from the notes alone"))


def _melody_from_score(score, path, key=None, classifier=None, source: str = "", find: bool = True) -> Melody:
    parts = score_parts(score)
    if not parts:
        raise InputError(path, "no notes in the melody")
    part = parts[0]
    voice = part_to_voice(part, str(part.partName or "Melody"), "reject", path=path)
    if not len(voice):
        raise InputError(path, "no notes in the melody (only grace notes)")
    voice = clean_monophonic(voice, path)
    ts = score_time_signature(part)
    first = float(voice.starts.min())
    pickup = score_pickup(part, first, ts) or pickup_beats(first, ts)
    return _finish_melody(voice, path, ts, score_tempo(score, 100.0), None, fermata_ends(part, voice),
                          grace_notes(part), key, classifier, pickup, source, find)


def read_melody(path: str | os.PathLike, key: str | tuple[int, str] | None = None,
                classifier=None, find: bool = True) -> Melody:
    """Read a melody: the first track with pitched notes of a MIDI file, the first part with notes of a score
    (MusicXML, Humdrum) or of the first tune of an ABC file (:func:`helpers.readers.read_score`). The key is
    ``key`` if given (``'G minor'`` or ``(7, 'minor')``), else the one notebook 08's classifier finds in the notes
    (``classifier``, default the saved one, trained and saved first if there is none:
    :func:`helpers.keyfinding.key_classifier`); a key signature in the file is not read.
    With ``find=False`` and no ``key`` the key is left for :func:`find_key` (C major until then, and phrase
    endings without fermatas guessed in C major until :func:`find_key` guesses them again). Raises
    :class:`~helpers.errors.InputError` naming the file and the reason for anything unusable, before any classifier
    is loaded or trained.

    Notebook: 11_harmonize_your_melody
    """
    if file_format(path) != "midi":
        return _melody_from_score(read_score(path), path, key, classifier, find=find)
    pm = load_midi(path)
    tracks = [v for v in midi_to_voices(pm) if len(v)]
    if not tracks:
        raise InputError(path, "no pitched notes")
    voice = clean_monophonic(tracks[0], path)
    return _finish_melody(voice, path, midi_time_signature(pm), midi_tempo(pm, 120.0), pm, key=key,
                          classifier=classifier, find=find)


def melody_from_text(text: str, notation: str = "tinyNotation", key: str | tuple[int, str] | None = None,
                     classifier=None, phrase_ends: Sequence[float] | None = None) -> Melody:
    """A :class:`Melody` from text typed in a notebook: a line of music21 tinyNotation (``"4/4 g4 g d' d' e' e'
    d'2"``; see :func:`helpers.readers.parse_tiny_notation`) or an ABC tune (``notation="abc"``, fermatas kept:
    :func:`helpers.abc.parse_abc`). ``key`` and ``classifier`` as in :func:`read_melody`; ``phrase_ends``
    (beats from the first note) replaces the fermatas or the guess. Raises :class:`InputError` (named
    "tinyNotation" or "ABC") for a typo, chords, or no notes.

    Notebook: 11_harmonize_your_melody
    """
    if notation.lower() in ("tinynotation", "tiny"):
        name = "tinyNotation"
        score = parse_tiny_notation(text, name)
    elif notation.lower() == "abc":
        name = "ABC"
        score = parse_abc(text, name)
    else:
        raise ValueError(f"notation must be 'tinyNotation' or 'abc', not {notation!r}")
    melody = _melody_from_score(score, name, key, classifier, source=name)
    return melody if phrase_ends is None else with_phrase_ends(melody, phrase_ends)


def with_phrase_ends(melody: Melody, phrase_ends: Sequence[float]) -> Melody:
    """The same melody with the phrase endings given (beats from the first note; the melody's end is added if
    missing), marked as "given".

    Notebook: 11_harmonize_your_melody
    """
    ends = sorted({float(e) for e in phrase_ends if 0 < e <= melody.voice.end + 1e-9} | {float(melody.voice.end)})
    return replace(melody, phrase_ends=tuple(ends), phrase_source="given")


def with_key(melody: Melody, key: str | tuple[int, str]) -> Melody:
    """The same melody in another key (``'G minor'`` or ``(7, 'minor')``), marked as given; the classifier's
    ranking is kept for comparison; guessed phrase endings are guessed again in the new key. :func:`read_melody`
    and :func:`melody_from_text` give a melody the ``key`` they are given with it. Raises :class:`InputError` for a
    key name it cannot read.

    Notebook: 11_harmonize_your_melody
    """
    tonic, mode = _key_of(key)
    return _with_guessed_ends(replace(melody, tonic=tonic, mode=mode, key_source="key given"))
