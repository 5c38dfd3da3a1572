"""Melody files in and harmonized files out (notebooks 09 and 10; ``python -m helpers harmonize``):
:func:`read_melody` reads a MIDI or MusicXML melody and finds its key; :func:`harmonize_file` writes the melody and
the generated voices to a MIDI file on the melody's tempo map, metre and key.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..keyfinding import estimate_key
from ..midi import Voice, beats_to_seconds, load_midi, midi_to_voices, write_midi
from ..readers import (
    midi_key,
    midi_tempo,
    midi_time_signature,
    parse_score,
    part_to_voice,
    pickup_beats,
    score_key_signature,
    score_tempo,
    score_time_signature,
)
from ..theory import key_number, signature_sharps
from .encoding import DEFAULT_OUTPUTS, STEPS_PER_BEAT
from .model import PROGRAM, Harmonizer


@dataclass
class Melody:
    """A melody read from a file: ``voice`` (beats, first note at beat 0), where it started in the file
    (``offset`` beats), metre, tempo, key and how the key was found; ``pm`` is the MIDI file (None for MusicXML).

    Notebook: 09_harmonization
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


def clean_monophonic(voice: Voice, path, steps_per_beat: int = STEPS_PER_BEAT) -> Voice:
    """Check that a track is one melodic line and trim small overlaps (legato playing).

    Raises :class:`InputError` if two notes start together (chords) or if more than a tenth of the notes sound
    through most of the next note (several lines in one track).

    Notebook: 09_harmonization
    """
    if len(voice) == 0:
        raise InputError(path, "no notes in the melody track")
    grid = np.round(voice.starts * steps_per_beat)
    together = int(np.sum(np.diff(grid) == 0))
    if together:
        raise InputError(path, f"chords instead of a melody: {together} notes start together with another note "
                              f"in track '{voice.name}'")
    ends = voice.ends.copy()
    if len(voice) > 1:
        nxt = voice.starts[1:]
        overlap = ends[:-1] - nxt
        heavy = overlap > 0.5 * (voice.ends[1:] - nxt)
        if heavy.sum() > 0.1 * len(voice):
            raise InputError(path, f"not a single melodic line: {int(heavy.sum())} of {len(voice)} notes in track "
                                  f"'{voice.name}' sound on over the next note")
        ends[:-1] = np.minimum(ends[:-1], nxt)
    return Voice(voice.name, voice.pitches, voice.starts, ends, voice.program, voice.velocities)


def _finish_melody(voice: Voice, path, ts, tempo, sharps, pm=None) -> Melody:
    offset = float(voice.starts.min())
    voice = voice.shift(-offset)
    tonic, mode = estimate_key(voice.pitches, voice.ends - voice.starts, sharps)
    source = "key signature" if sharps is not None else "pitch profile (no key signature)"
    return Melody(voice, offset, ts, tempo, tonic, mode, source, pickup_beats(offset, ts), pm, voice.name)


def read_melody(path: str | os.PathLike) -> Melody:
    """Read a melody: the first track with pitched notes of a MIDI file, or the first part of a MusicXML file.

    The key comes from the file's key signature when it has one (the signature fixes the key up to major/relative
    minor, the pitch profile chooses between them), else from :func:`helpers.keyfinding.estimate_key`. Raises
    :class:`~helpers.errors.InputError` naming the file and the reason for anything unusable.

    Notebook: 09_harmonization
    """
    path = Path(path)
    if path.suffix.lower() in (".xml", ".musicxml", ".mxl"):
        return _read_musicxml(path)
    pm = load_midi(path)
    tracks = [v for v in midi_to_voices(pm) if len(v)]
    if not tracks:
        raise InputError(path, "no pitched notes")
    voice = clean_monophonic(tracks[0], path)
    key = midi_key(pm)
    sharps = None if key is None else signature_sharps(*key)
    return _finish_melody(voice, path, midi_time_signature(pm), midi_tempo(pm, 120.0), sharps, pm)


def _read_musicxml(path: Path) -> Melody:
    score = parse_score(path)
    parts = [p for p in getattr(score, "parts", [score]) if len(p.flatten().notes)]
    if not parts:
        raise InputError(path, "no notes")
    part = parts[0]
    voice = clean_monophonic(part_to_voice(part, part.partName or "Melody", "reject", path=path), path)
    sig = score_key_signature(part)
    return _finish_melody(voice, path, score_time_signature(part), score_tempo(score, 100.0),
                          sig.sharps if sig is not None else None)


def harmonize_file(melody_path: str | os.PathLike, out_path: str | os.PathLike | None = None,
                   harmonizer: Harmonizer | None = None, outputs: Sequence[str] = DEFAULT_OUTPUTS) -> tuple[Path, Melody]:
    """Harmonize a melody file and write a MIDI file (default: ``NAME-harmonized.mid`` beside the melody) with the
    melody as "Soprano" and the generated voices, on the melody's tempo map, metre and key. Returns the written
    path and the :class:`Melody`. Raises :class:`InputError` (nothing written) for an unusable melody.

    Notebook: 09_harmonization
    """
    melody_path = Path(melody_path)
    melody = read_melody(melody_path)
    harmonizer = harmonizer or Harmonizer.load(outputs=outputs)
    try:
        voices = harmonizer.harmonize(melody.voice, melody.tonic, melody.mode, melody.time_signature,
                                      melody.anacrusis)
    except InputError as exc:
        raise InputError(melody_path, exc.reason) from exc
    out_path = Path(out_path) if out_path else melody_path.with_name(f"{melody_path.stem}-harmonized.mid")
    voices = [v.shift(melody.offset) for v in voices]
    if melody.pm is None:
        write_midi(voices, out_path, tempo=melody.tempo, time_signature=melody.time_signature,
                   key=(melody.tonic, melody.mode))
        return out_path, melody
    import pretty_midi

    pm = copy.deepcopy(melody.pm)  # keeps the tempo map, metre and key signatures of the original
    pm.instruments = []
    if not pm.key_signature_changes:
        pm.key_signature_changes = [pretty_midi.KeySignature(key_number(melody.tonic, melody.mode), 0.0)]
    for v in voices:
        inst = pretty_midi.Instrument(program=PROGRAM, name=v.name)
        starts, ends = beats_to_seconds(pm, v.starts), beats_to_seconds(pm, v.ends)
        vel = v.velocities if v.velocities is not None else np.full(len(v), 80)
        inst.notes = [pretty_midi.Note(int(ve), int(p), float(s), float(e))
                      for p, s, e, ve in zip(v.pitches, starts, ends, vel)]
        pm.instruments.append(inst)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(out_path))
    return out_path, melody
