"""The vectorised :func:`helpers.harmonize.add_passing_notes` against a reference written beat by beat (its first
version, kept here as the specification): the same notes and onsets on random settings, with and without kept
notes and with any credit for passing notes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.harmonize.decoding import FREE, STEPS_PER_BEAT, add_passing_notes
from helpers.pianoroll import REST
from helpers.voiceleading import antiparallel_motion, crossed, hidden_motion, parallel_motion


def _events_at_one_move(parts: list[np.ndarray], t: int) -> int:
    """Rule events at the move from step ``t - 1`` to ``t`` (parts top to bottom, melody first): parallel and
    contrary fifths and octaves over all pairs, hidden ones between the outer parts, and crossed neighbours at
    ``t``."""
    if t <= 0 or t >= len(parts[0]):
        return 0
    before, after = np.array([p[t - 1] for p in parts]), np.array([p[t] for p in parts])
    a, b = np.triu_indices(len(parts), 1)  # every pair of parts, upper first
    count = int(parallel_motion(before[a], before[b], after[a], after[b]).sum())
    count += int(antiparallel_motion(before[a], before[b], after[a], after[b]).sum())
    if len(parts) > 2:
        count += int(hidden_motion(before[0], before[-1], after[0], after[-1]))
    return count + int(crossed(after[:-1], after[1:]).sum())


def _crossed_at(parts: list[np.ndarray], t: int) -> int:
    """Neighbouring parts (melody first) crossed at step ``t``."""
    after = np.array([p[t] for p in parts])
    return int(crossed(after[:-1], after[1:]).sum())


def passing_notes_beat_by_beat(decoded: Mapping[str, tuple[np.ndarray, np.ndarray]], probs: Mapping[str, np.ndarray],
                      lows: Mapping[str, int], melody: np.ndarray, steps_per_beat: int = STEPS_PER_BEAT,
                      bonus: float = 0.0,
                      fixed: Mapping[str, np.ndarray] | None = None,
                      steps: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The reference: :func:`add_passing_notes` as it was written first, one beat at a time (``steps``: written
    from its docstring)."""
    voices = list(decoded)
    pitch = {v: np.asarray(decoded[v][0]).copy() for v in voices}
    onset = {v: np.asarray(decoded[v][1]).astype(bool).copy() for v in voices}
    melody = np.asarray(melody)
    half = steps_per_beat // 2
    for v in voices:
        p = pitch[v]
        n = len(p)
        logp = np.log(np.asarray(probs[v], dtype=np.float64)[:n] + 1e-12)
        classes = logp.shape[1]
        for t in range(0, n - steps_per_beat + 1, steps_per_beat):
            m, e = t + half, t + steps_per_beat
            held = int(p[t])
            if held == REST or np.any(p[t:e] != held) or onset[v][t + 1:e].any():
                continue  # only a beat through which one note sounds
            if fixed and v in fixed and np.any(np.asarray(fixed[v])[t:e] != FREE):
                continue  # kept notes stay as they are
            reach = 2 if steps else 4  # a step, or within a major third
            near = [q for q in range(held - reach, held + reach + 1) if q != held and 1 <= q - lows[v] + 1 < classes]
            if not near:
                continue
            nxt = int(p[e]) if e < n else REST
            credit = {x: bonus if nxt != REST and min(held, nxt) < x < max(held, nxt) else 0.0 for x in near}
            if steps:  # only a passing note a step from each that fills a third
                credit = {x: c if abs(nxt - x) <= 2 and abs(nxt - held) in (3, 4) else 0.0 for x, c in credit.items()}
            q = max(near, key=lambda x: logp[m:e, x - lows[v] + 1].sum() + credit[x])  # credit: between held and next
            if logp[m:e, q - lows[v] + 1].sum() + credit[q] <= logp[m:e, held - lows[v] + 1].sum():
                continue  # the network would rather hold the note
            parts = [melody] + [pitch[u] for u in voices]
            before = _events_at_one_move(parts, m) + _events_at_one_move(parts, e)
            crossings = _crossed_at(parts, m) if fixed else 0
            p[m:e] = q
            worse = _events_at_one_move(parts, m) + _events_at_one_move(parts, e) > before
            if worse or (fixed and _crossed_at(parts, m) > crossings):
                p[m:e] = held  # it would break a rule (or, with kept notes, cross a voice): keep the held note
                continue
            onset[v][m] = True
            if e < n and p[e] == held:
                onset[v][e] = True  # back to the held pitch: a new note (a neighbour note)
    return {v: (pitch[v], onset[v]) for v in voices}


VOICES, LOWS = ("Alto", "Tenor", "Bass"), {"Alto": 53, "Tenor": 48, "Bass": 36}


def random_setting(rng: np.random.Generator, beats: int) -> tuple[dict, dict, np.ndarray]:
    """Chord-per-beat voices (some notes held over two beats, a few rests), their onsets, and a melody."""
    n = beats * STEPS_PER_BEAT
    melody = np.repeat(rng.integers(64, 76, beats), STEPS_PER_BEAT)
    decoded = {}
    for v in VOICES:
        notes = LOWS[v] + 3 + rng.integers(0, 14, beats)
        held = rng.random(beats) < 0.3
        notes[1:][held[1:]] = notes[:-1][held[1:]]
        notes[rng.random(beats) < 0.05] = REST
        pitch = np.repeat(notes, STEPS_PER_BEAT)
        onset = np.zeros(n, bool)
        onset[::STEPS_PER_BEAT] = ~np.r_[False, held[1:]]
        decoded[v] = (pitch, onset & (pitch != REST))
    return decoded, melody


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), beats=st.integers(1, 24), bonus=st.sampled_from([0.0, 1.0, 3.0]),
       keep=st.booleans(), sharp=st.floats(0.2, 3.0), steps=st.booleans())
def test_the_vectorised_passing_notes_equal_the_beat_by_beat_reference(seed, beats, bonus, keep, sharp, steps):
    rng = np.random.default_rng(seed)
    decoded, melody = random_setting(rng, beats)
    n = beats * STEPS_PER_BEAT
    probs = {v: rng.dirichlet(np.full(22, sharp), n) for v in VOICES}  # 21 pitches from the low one, and a rest
    fixed = None
    if keep:
        bass = decoded["Bass"][0].copy()
        bass[rng.random(n) < 0.5] = FREE
        fixed = {"Bass": bass}
    got = add_passing_notes(decoded, probs, LOWS, melody, bonus=bonus, fixed=fixed, steps=steps)
    want = passing_notes_beat_by_beat(decoded, probs, LOWS, melody, bonus=bonus, fixed=fixed, steps=steps)
    for v in VOICES:
        np.testing.assert_array_equal(got[v][0], want[v][0])
        np.testing.assert_array_equal(got[v][1], want[v][1])


def test_the_reference_comparison_can_fail():
    """The random settings do get passing notes (else the comparison above would compare two copies)."""
    rng = np.random.default_rng(0)
    changed = 0
    for _ in range(20):
        decoded, melody = random_setting(rng, 16)
        probs = {v: rng.dirichlet(np.full(22, 0.3), len(melody)) for v in VOICES}
        out = add_passing_notes(decoded, probs, LOWS, melody, bonus=3.0)
        changed += sum(int((out[v][0] != decoded[v][0]).sum()) for v in VOICES)
    assert changed > 20
