"""MIDI in and out with pretty_midi, on a beat grid (notebook 07; used by 08–10).

A :class:`Voice` is one monophonic line: NumPy arrays of MIDI pitches and of start and end times in
quarter-note beats. :func:`load_midi` reads and validates a file, :func:`midi_to_voices` turns its tracks into
voices measured in beats (whatever the tempo), :func:`voices_to_midi` writes voices back with tempo, time
signature, key signature and named instruments.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pretty_midi

from .errors import InputError
from .theory import key_number

#: General MIDI program of the four chorale voices (52 = Choir Aahs).
VOICE_PROGRAMS = {"Soprano": 52, "Alto": 52, "Tenor": 52, "Bass": 52}


@dataclass(frozen=True, eq=False)
class Voice:
    """One monophonic line: ``pitches`` (int MIDI numbers), ``starts`` and ``ends`` (float, quarter-note beats).

    Notebook: 07_midi_and_pianorolls
    """

    name: str
    pitches: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    program: int = 0
    velocities: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        p = np.asarray(self.pitches, dtype=np.int16)
        s = np.asarray(self.starts, dtype=np.float64)
        e = np.asarray(self.ends, dtype=np.float64)
        if not (p.shape == s.shape == e.shape) or p.ndim != 1:
            raise ValueError("pitches, starts and ends must be 1-D arrays of one length")
        if np.any(e < s):
            raise ValueError(f"voice {self.name!r} has a note that ends before it starts")
        order = np.lexsort((p, s))
        object.__setattr__(self, "pitches", p[order])
        object.__setattr__(self, "starts", s[order])
        object.__setattr__(self, "ends", e[order])
        if self.velocities is not None:
            object.__setattr__(self, "velocities", np.asarray(self.velocities, dtype=np.int16)[order])

    def __len__(self) -> int:
        return len(self.pitches)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Voice) and self.name == other.name
                and np.array_equal(self.pitches, other.pitches)
                and np.allclose(self.starts, other.starts) and np.allclose(self.ends, other.ends))

    @property
    def end(self) -> float:
        """Beat at which the last note ends (0 for an empty voice)."""
        return float(self.ends.max()) if len(self) else 0.0

    def transpose(self, semitones: int) -> Voice:
        """The same voice, ``semitones`` higher (negative: lower)."""
        return Voice(self.name, self.pitches + semitones, self.starts, self.ends, self.program, self.velocities)

    def shift(self, beats: float) -> Voice:
        """The same voice, ``beats`` later (negative: earlier)."""
        return Voice(self.name, self.pitches, self.starts + beats, self.ends + beats, self.program, self.velocities)

    def renamed(self, name: str, program: int | None = None) -> Voice:
        """The same notes under another name (and program)."""
        return Voice(name, self.pitches, self.starts, self.ends, self.program if program is None else program,
                     self.velocities)


def load_midi(path: str | os.PathLike) -> pretty_midi.PrettyMIDI:
    """Read a MIDI file and check that it holds pitched notes.

    Raises :class:`InputError` naming the file for: a missing file, an empty or truncated file, bytes that are not
    MIDI, a file with no notes, a file whose only notes are drums.

    Notebook: 07_midi_and_pianorolls
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, not a MIDI file")
    data = path.read_bytes()
    if not data:
        raise InputError(path, "empty file (0 bytes)")
    if data[:4] != b"MThd":
        raise InputError(path, "not a MIDI file (does not start with the 'MThd' header)")
    try:
        pm = pretty_midi.PrettyMIDI(str(path))
    except Exception as exc:  # mido and pretty_midi raise many types for broken files
        raise InputError(path, f"truncated or corrupt MIDI data ({type(exc).__name__}: {exc})") from exc
    check_notes(pm, path)
    return pm


def check_notes(pm: pretty_midi.PrettyMIDI, path: str | os.PathLike | None = None) -> None:
    """Raise :class:`InputError` if ``pm`` has no notes, or only drum notes.

    Notebook: 07_midi_and_pianorolls
    """
    pitched = sum(len(i.notes) for i in pm.instruments if not i.is_drum)
    drums = sum(len(i.notes) for i in pm.instruments if i.is_drum)
    if pitched == 0 and drums == 0:
        raise InputError(path, "no notes")
    if pitched == 0:
        raise InputError(path, f"only drum notes ({drums} on the percussion channel), no pitched notes")


def _tempo_map(pm: pretty_midi.PrettyMIDI) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each tempo change's time (seconds), position (beats) and tempo (beats per second)."""
    change_times, tempi = pm.get_tempo_changes()
    if len(change_times) == 0:
        change_times, tempi = np.array([0.0]), np.array([120.0])
    beats_per_second = tempi / 60.0
    change_beats = np.concatenate([[0.0], np.cumsum(np.diff(change_times) * beats_per_second[:-1])])
    return change_times, change_beats, beats_per_second


def seconds_to_beats(pm: pretty_midi.PrettyMIDI, times: np.ndarray) -> np.ndarray:
    """Convert times in seconds to quarter-note beats, following every tempo change of ``pm``.

    Notebook: 07_midi_and_pianorolls
    """
    change_times, change_beats, beats_per_second = _tempo_map(pm)
    times = np.asarray(times, dtype=np.float64)
    k = np.clip(np.searchsorted(change_times, times, side="right") - 1, 0, None)
    return change_beats[k] + (times - change_times[k]) * beats_per_second[k]


def beats_to_seconds(pm: pretty_midi.PrettyMIDI, beats: np.ndarray) -> np.ndarray:
    """Convert quarter-note beats to seconds on the tempo map of ``pm`` (inverse of :func:`seconds_to_beats`).

    Notebook: 09_harmonization
    """
    change_times, change_beats, beats_per_second = _tempo_map(pm)
    beats = np.asarray(beats, dtype=np.float64)
    k = np.clip(np.searchsorted(change_beats, beats, side="right") - 1, 0, None)
    return change_times[k] + (beats - change_beats[k]) / beats_per_second[k]


def midi_to_voices(pm: pretty_midi.PrettyMIDI, include_drums: bool = False) -> list[Voice]:
    """One :class:`Voice` per instrument track (in file order), times in quarter-note beats.

    Tracks without notes are kept (as empty voices) so that track numbers stay meaningful; unnamed tracks are
    called ``"Instrument n"`` (1-based), the convention of files written by many sequencers.

    Notebook: 07_midi_and_pianorolls
    """
    voices = []
    for n, inst in enumerate(pm.instruments, start=1):
        if inst.is_drum and not include_drums:
            continue
        arr = np.array([(note.pitch, note.start, note.end, note.velocity) for note in inst.notes],
                       dtype=np.float64).reshape(-1, 4)
        starts, ends = seconds_to_beats(pm, arr[:, 1]), seconds_to_beats(pm, arr[:, 2])
        voices.append(Voice(inst.name.strip() or f"Instrument {n}", arr[:, 0].astype(int), starts, ends,
                            program=inst.program, velocities=arr[:, 3].astype(int)))
    return voices


#: Ticks per quarter-note beat of the MIDI files :func:`voices_to_midi` makes (pretty_midi's default, 220, rounds a
#: 32nd note, 27.5 ticks); 480 divides into 32nds, 64ths and triplets of them.
TICKS_PER_BEAT = 480


def voices_to_midi(voices: Sequence[Voice], tempo: float = 100.0, time_signature: tuple[int, int] = (4, 4),
                   key: tuple[int, str] | None = None, velocity: int = 80) -> pretty_midi.PrettyMIDI:
    """Build a :class:`pretty_midi.PrettyMIDI` with one named track per voice.

    ``tempo`` is in quarter notes per minute; ``key`` is ``(tonic pitch class, 'major' | 'minor')``.
    Beats become seconds at ``60 / tempo`` seconds per beat. Write it with ``.write(path)``: the file has
    :data:`TICKS_PER_BEAT` ticks per beat, so 32nd notes and triplets are written exactly.

    Notebook: 07_midi_and_pianorolls
    """
    if tempo <= 0:
        raise ValueError(f"tempo must be positive, not {tempo}")
    pm = pretty_midi.PrettyMIDI(resolution=TICKS_PER_BEAT, initial_tempo=float(tempo))
    pm.time_signature_changes.append(pretty_midi.TimeSignature(int(time_signature[0]), int(time_signature[1]), 0.0))
    if key is not None:
        pm.key_signature_changes.append(pretty_midi.KeySignature(key_number(*key), 0.0))
    spb = 60.0 / tempo
    for voice in voices:
        inst = pretty_midi.Instrument(program=int(voice.program), name=voice.name)
        vel = voice.velocities if voice.velocities is not None else np.full(len(voice), velocity)
        inst.notes = [pretty_midi.Note(velocity=int(v), pitch=int(p), start=float(s) * spb, end=float(e) * spb)
                      for p, s, e, v in zip(voice.pitches, voice.starts, voice.ends, vel)]
        pm.instruments.append(inst)
    return pm


def write_midi(voices: Sequence[Voice], path: str | os.PathLike, **kwargs) -> Path:
    """Write ``voices`` to ``path`` with :func:`voices_to_midi` (same keyword arguments); return the path.

    Notebook: 07_midi_and_pianorolls
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    voices_to_midi(voices, **kwargs).write(str(path))
    return path
