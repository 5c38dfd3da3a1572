"""What the joint decoder's ``hold="beat"`` costs (notebook 10): the note onsets of a voice that fall strictly
inside a beat under a held melody note, which a chord per beat cannot write (:func:`unreachable_onsets`), and their
share among Bach's inner voices (:func:`hold_beat_cost`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..pianoroll import REST, note_starts
from .decoding import chord_starts
from .encoding import STEPS_PER_BEAT


def unreachable_onsets(melody: np.ndarray, melody_onsets: np.ndarray | None, pitch: np.ndarray,
                       onset: np.ndarray | None, steps_per_beat: int = STEPS_PER_BEAT) -> tuple[int, int]:
    """``(onsets hold="beat" cannot write, onsets)`` of one voice under a melody: the voice's note onsets (where a
    note starts, :func:`helpers.pianoroll.note_starts`) that fall on no chord start of :func:`chord_starts` with
    ``hold="beat"``, that is strictly inside a beat while the melody holds its note (or its rest). Raises
    ValueError if the sequences differ in length.

    Notebook: 10_four_part_harmonization
    """
    melody, pitch = np.asarray(melody), np.asarray(pitch)
    if melody.shape != pitch.shape or melody.ndim != 1:
        raise ValueError(f"melody and voice must be 1-D step sequences of one length, not {melody.shape} and "
                         f"{pitch.shape}")
    starts = np.zeros(len(melody), dtype=bool)
    starts[chord_starts(melody, melody_onsets, steps_per_beat, "beat")] = True
    notes = note_starts(pitch, onset) & (pitch != REST)
    return int((notes & ~starts).sum()), int(notes.sum())


def hold_beat_cost(chorales: Sequence, voices: Sequence[str] = ("Alto", "Tenor"),
                   steps_per_beat: int = STEPS_PER_BEAT) -> float:
    """Share of Bach's note onsets in ``voices`` (default the inner voices) that a decoder with ``hold="beat"``
    cannot write (:func:`unreachable_onsets`: strictly inside a beat under a held soprano note, passing and
    neighbour notes mostly), over ``chorales`` (:class:`helpers.chorales.Chorale`, four voices S, A, T, B).
    NaN if there are no onsets.

    Notebook: 10_four_part_harmonization
    """
    order = ("Soprano", "Alto", "Tenor", "Bass")
    missed = total = 0
    for c in chorales:
        pitch, onset = c.steps(steps_per_beat)
        for v in voices:
            m, t = unreachable_onsets(pitch[0], onset[0], pitch[order.index(v)], onset[order.index(v)],
                                      steps_per_beat)
            missed, total = missed + m, total + t
    return missed / total if total else float("nan")
