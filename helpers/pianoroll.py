"""Pianorolls on a beat grid (notebook 07; used by 05 and 08–10).

A pianoroll here is a boolean array ``(n_pitches, n_steps)``: row ``i`` is MIDI pitch ``low + i``, column ``j`` is
the ``j``-th step of ``1 / steps_per_beat`` quarter-note beats (``steps_per_beat=4``: sixteenth notes). Times come
from the music's beats, not from seconds, so a slow and a fast performance of a chorale give the same roll.
A *step sequence* is the monophonic counterpart: one MIDI pitch per step (``-1`` for a rest) and an onset flag,
which keeps a held note and a repeated note apart. Everything is vectorised with NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .midi import Voice
from .theory import pitch_name  # noqa: F401  (notebooks 07, 09, 10 import it from here)

STEPS_PER_BEAT = 4
LOW, HIGH = 36, 84  # MIDI pitches C2 (included) to C6 (excluded): 48 rows, the range of the source material
REST = -1


def _steps(voice: Voice, steps_per_beat: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end step of each note, rounded to the grid; every note lasts at least one step."""
    start = np.round(voice.starts * steps_per_beat).astype(np.int64)
    end = np.maximum(np.round(voice.ends * steps_per_beat).astype(np.int64), start + 1)
    return start, end


def _spread(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For notes covering steps [start, end): (note index, step) of every covered cell, without a Python loop."""
    lengths = end - start
    note = np.repeat(np.arange(len(start)), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return note, start[note] + np.arange(lengths.sum()) - first


def n_steps_of(voices: Sequence[Voice], steps_per_beat: int = STEPS_PER_BEAT) -> int:
    """Number of grid steps needed to hold every note of ``voices``.

    Notebook: 07_midi_and_pianorolls
    """
    return max((int(_steps(v, steps_per_beat)[1].max()) for v in voices if len(v)), default=0)


def voice_to_pianoroll(voice: Voice | Sequence[Voice], steps_per_beat: int = STEPS_PER_BEAT, low: int = LOW,
                       high: int = HIGH, n_steps: int | None = None) -> np.ndarray:
    """Boolean pianoroll ``(high - low, n_steps)`` of one voice or of several voices together.

    Raises ValueError if a pitch lies outside ``[low, high)`` or a note starts before beat 0 (nothing is dropped).
    ``n_steps`` defaults to the end of the last note; a longer value pads with silence, a shorter one crops.

    Notebook: 07_midi_and_pianorolls
    """
    voices = [voice] if isinstance(voice, Voice) else list(voice)
    total = n_steps_of(voices, steps_per_beat) if n_steps is None else n_steps
    roll = np.zeros((high - low, total), dtype=bool)
    for v in voices:
        if not len(v):
            continue
        if v.pitches.min() < low or v.pitches.max() >= high:
            bad = sorted(set(v.pitches[(v.pitches < low) | (v.pitches >= high)].tolist()))
            raise ValueError(f"voice {v.name!r}: pitches {bad} outside the pianoroll range [{low}, {high})")
        start, end = _steps(v, steps_per_beat)
        if start.min() < 0:
            raise ValueError(f"voice {v.name!r} has notes before beat 0")
        note, step = _spread(start, end)
        keep = step < total
        roll[v.pitches[note[keep]] - low, step[keep]] = True
    return roll


def pianoroll_to_voice(roll: np.ndarray, steps_per_beat: int = STEPS_PER_BEAT, low: int = LOW,
                       name: str = "Voice", program: int = 0) -> Voice:
    """Notes of a (binary) pianoroll: each run of active steps on one row becomes one note.

    The inverse of :func:`voice_to_pianoroll` on the grid (repeated notes of one pitch merge; use step
    sequences to keep them apart).

    Notebook: 07_midi_and_pianorolls
    """
    active = np.asarray(roll, dtype=bool)
    padded = np.pad(active, ((0, 0), (1, 1))).astype(np.int8)
    edges = np.diff(padded, axis=1)
    rows_on, starts = np.nonzero(edges == 1)
    rows_off, ends = np.nonzero(edges == -1)
    # np.nonzero walks row by row, so the k-th onset and the k-th offset belong to the same note
    assert np.array_equal(rows_on, rows_off)
    return Voice(name, rows_on + low, starts / steps_per_beat, ends / steps_per_beat, program)


def voice_to_steps(voice: Voice, steps_per_beat: int = STEPS_PER_BEAT,
                   n_steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Step sequence of a voice: ``(pitch, onset)``, ``pitch[j]`` the MIDI pitch sounding at step ``j``
    (``-1``: rest) and ``onset[j]`` True where a note starts. Where notes overlap, the highest pitch wins.

    Notebook: 07_midi_and_pianorolls
    """
    total = n_steps_of([voice], steps_per_beat) if n_steps is None else n_steps
    pitch = np.full(total, REST, dtype=np.int16)
    onset = np.zeros(total, dtype=bool)
    if len(voice):
        start, end = _steps(voice, steps_per_beat)
        note, step = _spread(start, end)
        keep = step < total
        np.maximum.at(pitch, step[keep], voice.pitches[note[keep]])
        first = start[start < total]
        onset[first] = True
    return pitch, onset


def note_starts(pitch: np.ndarray, onset: np.ndarray | None = None) -> np.ndarray:
    """Where a new event starts in a step sequence: at the first step, where the pitch changes (a rest is a
    pitch here) or where ``onset`` is set. The one rule that every reader of step sequences uses; ``& (pitch !=
    REST)`` keeps the notes only.

    Notebook: 07_midi_and_pianorolls
    """
    pitch = np.asarray(pitch)
    start = np.ones(len(pitch), dtype=bool)
    start[1:] = pitch[1:] != pitch[:-1]
    if onset is not None:
        start |= np.asarray(onset, dtype=bool).reshape(len(pitch))
    return start


def steps_to_voice(pitch: np.ndarray, onset: np.ndarray | None = None, steps_per_beat: int = STEPS_PER_BEAT,
                   name: str = "Voice", program: int = 0) -> Voice:
    """Notes of a step sequence: a note starts where the pitch changes or ``onset`` is set, rests are ``-1``.

    Without ``onset``, repeated steps of one pitch are held (one long note).

    Notebook: 07_midi_and_pianorolls
    """
    pitch = np.asarray(pitch)
    bounds = np.flatnonzero(note_starts(pitch, onset))
    ends = np.append(bounds[1:], len(pitch))
    sounding = pitch[bounds] != REST
    return Voice(name, pitch[bounds][sounding], bounds[sounding] / steps_per_beat,
                 ends[sounding] / steps_per_beat, program)


def transpose(roll: np.ndarray, semitones: int) -> np.ndarray:
    """Shift a pianoroll ``(pitches, steps)`` by ``semitones``; raises ValueError if notes would leave the range.

    Notebook: 07_midi_and_pianorolls
    """
    if semitones == 0:
        return roll.copy()
    rows = np.flatnonzero(roll.any(axis=1))
    if len(rows) and (rows.min() + semitones < 0 or rows.max() + semitones >= roll.shape[0]):
        raise ValueError(f"transposing by {semitones} moves notes out of the pianoroll's {roll.shape[0]} rows")
    out = np.zeros_like(roll)
    if semitones > 0:
        out[semitones:] = roll[:-semitones]
    else:
        out[:semitones] = roll[-semitones:]
    return out


def binarize(roll: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """True where ``roll`` is at least ``threshold`` (for network outputs or velocity rolls).

    Notebook: 07_midi_and_pianorolls
    """
    return np.asarray(roll) >= threshold


def pitch_class_histogram(roll: np.ndarray, low: int = LOW) -> np.ndarray:
    """Duration-weighted pitch-class distribution (12 values summing to 1, index 0 = C) of a pianoroll.

    Works on ``(pitches, steps)`` or on a stack ``(..., pitches, steps)``; an empty roll gives all zeros.

    Notebook: 07_midi_and_pianorolls
    """
    roll = np.asarray(roll, dtype=np.float64)
    per_pitch = roll.sum(axis=-1)
    classes = (np.arange(per_pitch.shape[-1]) + low) % 12
    hist = np.zeros(per_pitch.shape[:-1] + (12,))
    for pc in range(12):  # 12 vectorised sums, not a loop over cells
        hist[..., pc] = per_pitch[..., classes == pc].sum(axis=-1)
    total = hist.sum(axis=-1, keepdims=True)
    return np.divide(hist, total, out=np.zeros_like(hist), where=total > 0)


def windows(array: np.ndarray, length: int, hop: int | None = None, axis: int = -1) -> np.ndarray:
    """Fixed-length windows of ``length`` steps every ``hop`` steps (default: no overlap) along ``axis``.

    Returns an array with a new leading axis (one entry per window); a tail shorter than ``length`` is not
    included (pad first if you need it). A view when possible; copy before writing into it.

    Notebook: 07_midi_and_pianorolls
    """
    hop = length if hop is None else hop
    array = np.moveaxis(np.asarray(array), axis, -1)
    if array.shape[-1] < length:
        return np.empty((0,) + array.shape[:-1] + (length,), dtype=array.dtype)
    view = np.lib.stride_tricks.sliding_window_view(array, length, axis=-1)[..., ::hop, :]
    return np.moveaxis(view, -2, 0)


def plot_pianoroll(roll: np.ndarray, ax=None, steps_per_beat: int = STEPS_PER_BEAT, low: int = LOW,
                   beats_per_bar: int | None = 4, title: str = "Pianoroll", anacrusis: float = 0.0,
                   cmap: str = "Greys", crop: bool = True):
    """Draw a pianoroll with pitch names on the y axis and beat (and bar) lines; return the axes.

    ``roll`` may be boolean or real (e.g. a network's output probabilities, or several voices given different
    values). ``crop`` trims empty rows above and below the music.

    Notebook: 07_midi_and_pianorolls
    """
    import matplotlib.pyplot as plt

    roll = np.asarray(roll, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5))
    rows = np.flatnonzero(roll.any(axis=1))
    lo, hi = (max(rows.min() - 2, 0), min(rows.max() + 3, roll.shape[0])) if crop and len(rows) else (0, roll.shape[0])
    n_steps = roll.shape[1]
    ax.imshow(roll[lo:hi], origin="lower", aspect="auto", cmap=cmap, interpolation="nearest",
              extent=(0, n_steps / steps_per_beat, low + lo - 0.5, low + hi - 0.5), vmin=0, vmax=max(roll.max(), 1))
    n_beats = int(np.ceil(n_steps / steps_per_beat))
    for beat in range(n_beats + 1):
        is_bar = beats_per_bar and (beat - anacrusis) % beats_per_bar == 0
        ax.axvline(beat, color="tab:blue" if is_bar else "0.85", lw=0.9 if is_bar else 0.4,
                   zorder=0 if not is_bar else 1)
    ticks = [p for p in range(low + lo, low + hi) if p % 12 in (0, 4, 7)]
    ax.set_yticks(ticks, [pitch_name(p) for p in ticks])
    ax.set_xlim(0, n_steps / steps_per_beat)
    ax.set_xlabel("time (quarter-note beats)")
    ax.set_ylabel("pitch")
    ax.set_title(title)
    return ax
