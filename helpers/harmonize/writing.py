"""Writing a setting: MIDI on the melody file's own tempo map, or MusicXML (:func:`helpers.score.voices_to_score`,
spelled in the key, with a Roman numeral under each chord if asked), by the suffix of the file (notebook 11;
``python -m helpers harmonize -o``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..midi import Voice, beats_to_seconds, voices_to_midi
from ..score import voices_to_score
from ..theory import key_number
from .melody import Melody
from .model import PROGRAM
from .setting import Setting

#: Suffixes of the files :func:`write_setting` writes, and their format.
OUTPUT_FORMATS = {".mid": "midi", ".midi": "midi", ".musicxml": "musicxml", ".xml": "musicxml"}
#: How long a grace note sounds in a MIDI file (beats), taken from the end of the note before it.
GRACE_BEATS = 0.125


def performed_melody(melody: Melody) -> Voice:
    """The melody as a MIDI file plays it: the notes as written, each grace note sounding for
    :data:`GRACE_BEATS` (at most half the note or rest before it) just before the note it ornaments, taken from
    the end of the note before (or from the note itself at the very start).

    Notebook: 11_harmonize_your_melody
    """
    v = melody.voice
    if melody.graces is None or not len(melody.graces):
        return v
    pitches, starts, ends = list(v.pitches), list(v.starts), list(v.ends)
    for at in np.unique(melody.graces.starts):
        group = melody.graces.pitches[np.isclose(melody.graces.starts, at)]
        want = GRACE_BEATS * len(group)
        prev = np.flatnonzero(np.isclose(v.ends, at) & (v.starts < at))
        if at <= 0:  # before the first note: the grace notes take the start of that note
            main = int(np.argmin(v.starts))
            span = min(want, 0.5 * (v.ends[main] - v.starts[main]))
            first, starts[main] = at, at + span
        elif len(prev):  # the note before gives up the end of its time
            span = min(want, 0.5 * (at - v.starts[prev[0]]))
            first = at - span
            ends[prev[0]] = min(ends[prev[0]], first)
        else:  # a rest before: the grace notes sound in it
            before = v.ends[v.ends <= at + 1e-9]
            span = min(want, at - (before.max() if len(before) else 0.0))
            first = at - span
        for k, p in enumerate(group):
            pitches.append(int(p))
            starts.append(first + k * span / len(group))
            ends.append(first + (k + 1) * span / len(group))
    return Voice(v.name, np.array(pitches), np.array(starts), np.array(ends), v.program)


def output_format(path: str | os.PathLike) -> str:
    """``"midi"`` or ``"musicxml"`` from the suffix of ``path`` (:data:`OUTPUT_FORMATS`). Raises ValueError for
    any other suffix.

    Notebook: 11_harmonize_your_melody
    """
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ValueError(f"cannot write '{suffix or 'no suffix'}': the output is MIDI (.mid, .midi) or MusicXML "
                         "(.musicxml, .xml)")
    return OUTPUT_FORMATS[suffix]


def write_setting(setting: Setting | Sequence[Voice], melody: Melody, path: str | os.PathLike,
                  numerals: bool = False) -> Path:
    """Write a setting to ``path`` in the format of its suffix (:func:`output_format`): MIDI on the melody file's own
    tempo map (the melody as :func:`performed_melody` plays it), or MusicXML (:func:`helpers.score.voices_to_score`,
    which MuseScore and other notation programs open), in the melody's key, metre and place in time. Returns the path.

    Notebook: 11_harmonize_your_melody
    """
    import pretty_midi

    voices = list(setting.voices if isinstance(setting, Setting) else setting)
    path = Path(path)
    fmt = output_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = (melody.tonic, melody.mode)
    if fmt == "musicxml":
        score = voices_to_score(voices, melody.time_signature, key, melody.anacrusis, melody.graces, numerals)
        score.write("musicxml", fp=str(path))
        return path
    voices[0] = performed_melody(melody).renamed(voices[0].name, voices[0].program)
    voices = [v.shift(melody.offset) for v in voices]
    if melody.pm is None:
        voices_to_midi(voices, tempo=melody.tempo, time_signature=melody.time_signature, key=key).write(str(path))
        return path
    pm = copy.deepcopy(melody.pm)  # keeps the tempo map and metre of the original
    pm.instruments = []
    pm.key_signature_changes = [pretty_midi.KeySignature(key_number(*key), 0.0)]
    for v in voices:
        inst = pretty_midi.Instrument(program=PROGRAM, name=v.name)
        starts, ends = beats_to_seconds(pm, v.starts), beats_to_seconds(pm, v.ends)
        vel = v.velocities if v.velocities is not None else np.full(len(v), 80)
        inst.notes = [pretty_midi.Note(int(ve), int(p), float(s), float(e))
                      for p, s, e, ve in zip(v.pitches, starts, ends, vel)]
        pm.instruments.append(inst)
    pm.write(str(path))
    return path


def numbered_path(path: str | os.PathLike, i: int) -> Path:
    """``OUT-1.mid``, ``OUT-2.mid``, ... for the alternatives written beside ``OUT.mid``.

    Notebook: 11_harmonize_your_melody
    """
    path = Path(path)
    return path.with_name(f"{path.stem}-{i}{path.suffix}")
