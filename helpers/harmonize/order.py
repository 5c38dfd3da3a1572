"""The hard voice order of the joint decoder (``VoiceLeading(order=True)``) where the likeliest candidates cannot
keep it: one more candidate per voice, low enough to stand under the voice written over it.

Notebook: 10_four_part_harmonization
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..pianoroll import REST
from ..voiceleading import crossed


def candidate_chords(melody: np.ndarray, pitch_of: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every chord of the candidates (one ``(spans, k)`` array of pitches per voice, highest first) under the
    melody at each span: ``(spans, chords, 1 + voices)`` pitches, the melody first, and per voice the index of its
    candidate in each chord.

    Notebook: 10_four_part_harmonization
    """
    pick = [g.reshape(-1) for g in np.meshgrid(*[np.arange(a.shape[1]) for a in pitch_of], indexing="ij")]
    chords = np.stack([np.broadcast_to(np.asarray(melody)[:, None], (len(melody), len(pick[0])))]
                      + [a[:, g] for a, g in zip(pitch_of, pick, strict=True)], axis=-1)
    return chords, pick


def unordered_spans(melody: np.ndarray, pitch_of: Sequence[np.ndarray], logp_of: Sequence[np.ndarray]) -> np.ndarray:
    """True at each span where no chord of the candidates (one ``(spans, k)`` array of pitches and of
    log-probabilities per voice, highest first; ``melody`` the melody at each span) keeps the voices in order with
    a finite score.

    Notebook: 10_four_part_harmonization
    """
    chords, pick = candidate_chords(melody, pitch_of)
    finite = np.isfinite(sum(lp[:, g] for lp, g in zip(logp_of, pick, strict=True)))
    return ~((crossed(chords[..., :-1], chords[..., 1:]).sum(-1) == 0) & finite).any(axis=1)


def ordered_candidates(melody: np.ndarray, pitch_of: list[np.ndarray], logp_of: list[np.ndarray],
                       span_logps: Sequence[np.ndarray], lows: Sequence[int],
                       kept: Sequence[np.ndarray | None]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The candidates with, at every span of :func:`unordered_spans`, the last candidate of each voice below the
    first replaced by its likeliest pitch (from ``span_logps``, ``(spans, 1 + pitches)``, class 0 a rest; the
    voice's lowest pitch in ``lows``) at or below the lowest candidate of the voice over it, so that a chord in
    order exists there. Spans where a voice is kept (``kept``: a boolean array per voice, or None) keep its
    candidate; every other span is unchanged, so the search differs only where it would have crossed voices.

    Notebook: 10_four_part_harmonization
    """
    bad = unordered_spans(melody, pitch_of, logp_of)
    if not bad.any():
        return pitch_of, logp_of
    pitch_of, logp_of = [a.copy() for a in pitch_of], [a.copy() for a in logp_of]
    for i in range(1, len(pitch_of)):
        rows = np.flatnonzero(bad & (True if kept[i] is None else ~kept[i]))
        over, over_logp = pitch_of[i - 1][rows], logp_of[i - 1][rows]
        ceiling = np.where(np.isfinite(over_logp) & (over != REST), over, np.iinfo(np.int64).max).min(axis=1)
        pitches = lows[i] + np.arange(span_logps[i].shape[1] - 1)
        logp = np.where(pitches[None, :] <= ceiling[:, None], span_logps[i][rows, 1:], -np.inf)
        best, found = logp.argmax(axis=1), np.isfinite(logp.max(axis=1, initial=-np.inf))
        pitch_of[i][rows[found], -1] = pitches[best[found]]
        logp_of[i][rows[found], -1] = logp[found, best[found]]
    return pitch_of, logp_of
