"""How Bach's voices move from chord to chord: a melodic model of each voice for the joint decoder (notebook 10).

The network scores each voice's pitch step by step; nothing in the chord search knew how a line moves from one
chord to the next, and the settings it wrote repeated and leapt far more than Bach's voices do (issue 19). This
module counts, in the training chorales, how each of Bach's voices moves from one chord span to the next (the
spans :func:`~helpers.harmonize.decoding.chord_starts` cuts with ``hold="beat"``): a histogram of signed intervals
(clipped to ±:data:`CLIP` semitones), smoothed, as log-probabilities. :func:`~.decoding.decode_jointly` adds
``melodic × log P(interval)`` of every generated voice to each move, as the transition scores of an HMM (Allan &
Williams 2004) on top of the network's scores.

The fitted model ships as ``lines.json`` beside this module (fitted by :func:`fit_melodic_model` on the training
side of :func:`~helpers.chorales.course_split` and written by ``bench/style.py``; ``tests/test_style_rules.py``
checks that refitting gives the same numbers), so the command needs no chorales to decode.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..pianoroll import REST
from .encoding import STEPS_PER_BEAT

#: Intervals beyond this many semitones count as this many.
CLIP = 12
#: Add-one smoothing: every interval from -CLIP to CLIP is counted this many more times.
SMOOTHING = 1.0
#: Where the fitted model ships.
MODEL_FILE = Path(__file__).with_name("lines.json")


@dataclass(frozen=True)
class MelodicModel:
    """Log-probabilities of each voice's move from one chord span to the next: ``table[voice]`` holds
    ``2 * CLIP + 1`` values for the intervals ``-CLIP … CLIP`` semitones (clipped).

    Notebook: 10_four_part_harmonization
    """

    table: dict[str, tuple[float, ...]]

    def log_probability(self, voice: str, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """log P(move) of ``voice`` from pitches ``before`` to ``after`` (arrays that broadcast; 0 where either is
        a rest, so a rest costs nothing here). A voice the model does not know scores 0.

        Notebook: 10_four_part_harmonization
        """
        before, after = np.broadcast_arrays(np.asarray(before, np.int64), np.asarray(after, np.int64))
        if voice not in self.table:
            return np.zeros(before.shape)
        logp = np.asarray(self.table[voice])
        move = np.clip(after - before, -CLIP, CLIP) + CLIP
        return np.where((before == REST) | (after == REST), 0.0, logp[move])

    def shares(self, voice: str) -> dict[str, float]:
        """The model's shares of ``repeat`` (0), ``step`` (1–2 semitones) and ``leap`` (3 or more) for ``voice``.

        Notebook: 10_four_part_harmonization
        """
        p = np.exp(np.asarray(self.table[voice]))
        size = np.abs(np.arange(-CLIP, CLIP + 1))
        return {"repeat": float(p[size == 0].sum()), "step": float(p[(size > 0) & (size < 3)].sum()),
                "leap": float(p[size >= 3].sum())}


def span_moves(pitch: np.ndarray, melody: np.ndarray, melody_onsets: np.ndarray,
               steps_per_beat: int = STEPS_PER_BEAT) -> np.ndarray:
    """The signed moves of one voice (steps ``pitch``) from each chord span to the next, the spans cut under
    ``melody`` as the joint decoder cuts them (``hold="beat"``); moves to or from a rest are left out.

    Notebook: none (used by fit_melodic_model)
    """
    from .decoding import chord_starts

    at = np.asarray(pitch)[chord_starts(melody, melody_onsets, steps_per_beat, "beat")].astype(np.int64)
    a, b = at[:-1], at[1:]
    return (b - a)[(a != REST) & (b != REST)]


def fit_melodic_model(chorales: Sequence, voices: Sequence[str] = ("Alto", "Tenor", "Bass"),
                      steps_per_beat: int = STEPS_PER_BEAT) -> MelodicModel:
    """Count every voice's moves between chord spans in ``chorales`` (:func:`span_moves` under each chorale's
    soprano), clip them to ±:data:`CLIP`, add :data:`SMOOTHING` and return the log-probabilities.

    Notebook: none (used by bench/style.py)
    """
    from ..chorales import VOICES

    counts = {v: np.full(2 * CLIP + 1, SMOOTHING) for v in voices}
    for c in chorales:
        pitch, onset = c.steps(steps_per_beat)
        for v in voices:
            moves = span_moves(pitch[VOICES.index(v)], pitch[0], onset[0], steps_per_beat)
            np.add.at(counts[v], np.clip(moves, -CLIP, CLIP) + CLIP, 1)
    return MelodicModel({v: tuple(float(x) for x in np.round(np.log(n / n.sum()), 6)) for v, n in counts.items()})


def save_melodic_model(model: MelodicModel, path: str | Path = MODEL_FILE) -> Path:
    """Write ``model`` as JSON (the shipped ``lines.json`` by default).

    Notebook: none (used by bench/style.py)
    """
    path = Path(path)
    path.write_text(json.dumps({"clip": CLIP, "smoothing": SMOOTHING, "table": model.table}, indent=1) + "\n")
    return path


@cache
def melodic_model(path: str | Path = MODEL_FILE) -> MelodicModel:
    """The melodic model that ships with the course (``lines.json``), read once.

    Notebook: 10_four_part_harmonization
    """
    data = json.loads(Path(path).read_text())
    return MelodicModel({v: tuple(t) for v, t in data["table"].items()})
