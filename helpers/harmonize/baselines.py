"""Baselines with the same interface as the network (notebooks 09 and 10): :class:`ConstantInterval`,
:class:`LookupTable`, :class:`Bach` (the reference) and :class:`Combined` (one predictor per voice side by side);
:func:`evaluate` measures any of them with :mod:`helpers.metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..chorales import VOICES, Chorale
from ..metrics import harmony_report, pool_reports
from ..pianoroll import REST, note_starts
from .encoding import DEFAULT_OUTPUTS, STEPS_PER_BEAT, normalise
from .predictor import Predictor


def _normalised_pairs(chorales: Sequence[Chorale], voice: str, steps_per_beat: int):
    for c in chorales:
        pitch, onset = normalise(c).steps(steps_per_beat)
        yield c, pitch[0], onset[0], pitch[VOICES.index(voice)]


class ConstantInterval(Predictor):
    """Baseline: the output voice is the melody moved down by one fixed interval, the interval that matches the
    training chorales' voice on most steps (normalised key).

    Notebook: 09_harmonization
    """

    def __init__(self, interval: int = 0, voice: str = "Alto", steps_per_beat: int = STEPS_PER_BEAT):
        self.interval, self.outputs, self.steps_per_beat = interval, (voice,), steps_per_beat

    @classmethod
    def fit(cls, chorales: Sequence[Chorale], voice: str = "Alto", steps_per_beat: int = STEPS_PER_BEAT,
            max_interval: int = 24) -> ConstantInterval:
        """Try every interval 0 … ``max_interval`` semitones below the melody; keep the most accurate."""
        hits = np.zeros(max_interval + 1)
        for _, s, _, a in _normalised_pairs(chorales, voice, steps_per_beat):
            sounding = s != REST
            diff = (s - a)[sounding & (a != REST)]
            hits += np.bincount(diff[(diff >= 0) & (diff <= max_interval)], minlength=max_interval + 1)
        return cls(int(hits.argmax()), voice, steps_per_beat)

    def predict_normalised(self, pitches, onsets, major, anacrusis_steps=0, bar_steps=16):
        s = np.asarray(pitches["Soprano"]).astype(np.int64)
        return {self.outputs[0]: (np.where(s == REST, REST, s - self.interval), np.asarray(onsets["Soprano"]))}


class LookupTable(Predictor):
    """Baseline: per step, the output pitch most often heard in training with the same melody pitch (``context=1``)
    or the same melody pitch and previous melody note (``context=2``), in the same mode, normalised key. Unknown
    contexts fall back to the shorter context, then to a constant interval. Notes start where the melody's do.

    Notebook: 09_harmonization
    """

    def __init__(self, table: dict, fallback: ConstantInterval, context: int, voice: str = "Alto",
                 steps_per_beat: int = STEPS_PER_BEAT):
        self.table, self.fallback, self.context = table, fallback, context
        self.outputs, self.steps_per_beat = (voice,), steps_per_beat

    @staticmethod
    def _previous_note(s: np.ndarray) -> np.ndarray:
        """For each step, the pitch of the melody's previous different note (−1 at the start)."""
        change = note_starts(s)
        idx = np.flatnonzero(change)
        seg = np.cumsum(change) - 1  # which segment each step is in
        prev_seg_pitch = np.r_[REST, s[idx][:-1]]
        return prev_seg_pitch[seg]

    def _keys(self, s: np.ndarray, major: bool) -> list[tuple]:
        prev = self._previous_note(s)
        return [(major, int(p)) if self.context == 1 else (major, int(p), int(q)) for p, q in zip(s, prev)]

    @classmethod
    def fit(cls, chorales: Sequence[Chorale], context: int = 1, voice: str = "Alto",
            steps_per_beat: int = STEPS_PER_BEAT) -> LookupTable:
        """Count (context → output pitch) over the training chorales' steps; keep the most frequent pitch."""
        if context not in (1, 2):
            raise ValueError(f"context must be 1 or 2, not {context}")
        fallback = ConstantInterval.fit(chorales, voice, steps_per_beat)
        shorter = cls.fit(chorales, 1, voice, steps_per_beat) if context == 2 else None
        counts: dict[tuple, dict[int, int]] = {}
        probe = cls({}, fallback, context, voice, steps_per_beat)
        for c, s, _, a in _normalised_pairs(chorales, voice, steps_per_beat):
            for key, target in zip(probe._keys(s.astype(np.int64), c.mode == "major"), a.tolist()):
                d = counts.setdefault(key, {})
                d[target] = d.get(target, 0) + 1
        table = {k: max(d, key=d.get) for k, d in counts.items()}
        if shorter is not None:
            table = {**{k: v for k, v in shorter.table.items()}, **table}
        return cls(table, fallback, context, voice, steps_per_beat)

    def predict_normalised(self, pitches, onsets, major, anacrusis_steps=0, bar_steps=16):
        s = np.asarray(pitches["Soprano"]).astype(np.int64)
        constant = self.fallback.predict_normalised(pitches, onsets, major)[self.outputs[0]][0]
        out = np.empty(len(s), dtype=np.int64)
        for i, key in enumerate(self._keys(s, major)):
            value = self.table.get(key)
            if value is None and self.context == 2:
                value = self.table.get(key[:2])
            out[i] = constant[i] if value is None else value
        return {self.outputs[0]: (out, note_starts(out, onsets["Soprano"]) & (out != REST))}


class Bach(Predictor):
    """Bach's own voices (the reference every metric is compared with).

    Notebook: 09_harmonization
    """

    def __init__(self, outputs: Sequence[str] = DEFAULT_OUTPUTS, steps_per_beat: int = STEPS_PER_BEAT):
        self.outputs, self.steps_per_beat = tuple(outputs), steps_per_beat

    def predict_chorale(self, chorale):
        pitch, onset = chorale.steps(self.steps_per_beat)
        return {v: (pitch[VOICES.index(v)].astype(np.int64), onset[VOICES.index(v)]) for v in self.outputs}


class Combined(Predictor):
    """Several predictors side by side as one (notebook 10): e.g. a lookup table for each of alto, tenor and bass.
    Each part writes its own voices; a voice written by two parts is an error.

    Notebook: 10_four_part_harmonization
    """

    def __init__(self, parts: Sequence[Predictor]):
        names = [v for part in parts for v in part.outputs]
        if not parts or len(set(names)) != len(names):
            raise ValueError(f"the parts must write different voices, not {names}")
        self.parts = list(parts)
        self.outputs = tuple(v for v in VOICES if v in names)
        self.steps_per_beat = parts[0].steps_per_beat

    def predict_chorale(self, chorale):
        out = {}
        for part in self.parts:
            out.update(part.predict_chorale(chorale))
        return {v: out[v] for v in self.outputs}


def evaluate(predictor: Predictor, chorales: Sequence[Chorale]) -> dict:
    """Metrics of a predictor's voices against Bach's on ``chorales``: :func:`helpers.metrics.pool_reports` of one
    :func:`helpers.metrics.harmony_report` per chorale (soprano plus the predicted voices, the bass as bass).

    Notebook: 09_harmonization
    """
    reports = []
    spb = predictor.steps_per_beat
    for c, out in zip(chorales, predictor.predict_chorales(chorales)):
        pitch, onset = c.steps(spb)
        pitches = {"Soprano": pitch[0]} | {v: out[v][0] for v in VOICES[1:] if v in out}
        onsets = {"Soprano": onset[0]} | {v: out[v][1] for v in VOICES[1:] if v in out}
        true = {v: pitch[VOICES.index(v)] for v in pitches}
        reports.append(harmony_report(pitches, c.tonic, c.mode, spb, onsets, true, bass="Bass"))
    return pool_reports(reports)
