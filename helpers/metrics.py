"""Voice-leading and harmony metrics on step sequences, for any number of voices (notebooks 09 and 10).

Every function takes *step sequences* as :func:`helpers.pianoroll.voice_to_steps` makes them: one MIDI pitch per
grid step, ``-1`` for a rest. A pair of voices is given as ``(upper, lower)``: the voice that should lie higher
first. :func:`pair_report` measures one pair, :func:`voice_report` one voice, :func:`harmony_report` every voice and
every pair of a piece; :func:`pool_reports` adds up reports of many pieces (weighted by their length in steps).

Conventions (stated here once, used by the notebooks):

* *consonant* interval classes between two upper voices: unison/octave, thirds, perfect fourth, perfect fifth,
  sixths (0, 3, 4, 5, 7, 8, 9 semitones modulo 12). Against the bass the fourth counts as a dissonance
  (:data:`CONSONANT_WITH_BASS`).
* *parallel fifths/octaves*: from one step to the next both voices move (in the same direction) and the interval
  class is a fifth (7) or an octave/unison (0) before and after. Rests break the chain.
* *in the scale*: the major scale for a major key; for a minor key the natural minor plus the raised sixth and
  seventh (melodic/harmonic minor), nine pitch classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

REST = -1
CONSONANT_UPPER = (0, 3, 4, 5, 7, 8, 9)
CONSONANT_WITH_BASS = (0, 3, 4, 7, 8, 9)
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)  # natural minor + raised 6th and 7th


def _pair(upper: np.ndarray, lower: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    upper, lower = np.asarray(upper), np.asarray(lower)
    if upper.shape != lower.shape or upper.ndim != 1:
        raise ValueError(f"voices must be 1-D step sequences of one length, not {upper.shape} and {lower.shape}")
    return upper.astype(np.int64), lower.astype(np.int64)


def _share(hits: int, total: int) -> float:
    return float(hits) / total if total else float("nan")


def frame_accuracy(predicted: np.ndarray, true: np.ndarray) -> float:
    """Share of steps where ``predicted`` has the same pitch (or rest) as ``true`` (any shape, same for both)."""
    predicted, true = np.asarray(predicted), np.asarray(true)
    if predicted.shape != true.shape:
        raise ValueError(f"shapes differ: {predicted.shape} and {true.shape}")
    return _share(int((predicted == true).sum()), true.size)


def both_sounding(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Boolean mask of the steps where neither voice rests."""
    upper, lower = _pair(upper, lower)
    return (upper != REST) & (lower != REST)


def consonant_count(upper: np.ndarray, lower: np.ndarray, consonant: Sequence[int] = CONSONANT_UPPER) -> tuple[int, int]:
    """``(consonant steps, steps where both sound)``: interval class ``(upper - lower) mod 12`` in ``consonant``."""
    upper, lower = _pair(upper, lower)
    both = both_sounding(upper, lower)
    ic = (upper[both] - lower[both]) % 12
    return int(np.isin(ic, consonant).sum()), int(both.sum())


def consonance(upper: np.ndarray, lower: np.ndarray, consonant: Sequence[int] = CONSONANT_UPPER) -> float:
    """Share of the steps where both voices sound whose interval class is consonant (NaN if they never do)."""
    return _share(*consonant_count(upper, lower, consonant))


def crossing_count(upper: np.ndarray, lower: np.ndarray) -> tuple[int, int]:
    """``(crossed steps, steps where both sound)``: the lower voice strictly above the upper one."""
    upper, lower = _pair(upper, lower)
    both = both_sounding(upper, lower)
    return int((lower[both] > upper[both]).sum()), int(both.sum())


def crossing(upper: np.ndarray, lower: np.ndarray) -> float:
    """Share of the steps where both sound with the lower voice above the upper one (NaN if never both)."""
    return _share(*crossing_count(upper, lower))


def spacing_count(upper: np.ndarray, lower: np.ndarray, max_interval: int = 12) -> tuple[int, int]:
    """``(wide steps, steps where both sound)``: the voices more than ``max_interval`` semitones apart."""
    upper, lower = _pair(upper, lower)
    both = both_sounding(upper, lower)
    return int((np.abs(upper[both] - lower[both]) > max_interval).sum()), int(both.sum())


def parallel_count(upper: np.ndarray, lower: np.ndarray, interval_class: int) -> int:
    """Number of parallel motions in ``interval_class`` (7: fifths, 0: octaves and unisons) between two voices.

    Counted from step ``t - 1`` to step ``t`` where both voices sound at both steps, both change pitch in the
    same direction, and the interval class is ``interval_class`` at both steps.
    """
    upper, lower = _pair(upper, lower)
    if len(upper) < 2:
        return 0
    both = both_sounding(upper, lower)
    ok = both[1:] & both[:-1]
    du, dl = np.diff(upper), np.diff(lower)
    moving = (du != 0) & (dl != 0) & (np.sign(du) == np.sign(dl))
    ic = (upper - lower) % 12
    same = (ic[1:] == interval_class) & (ic[:-1] == interval_class)
    return int((ok & moving & same).sum())


def scale_pitch_classes(tonic: int, mode: str) -> np.ndarray:
    """Pitch classes of the scale of a key (see the module docstring for minor)."""
    if mode not in ("major", "minor"):
        raise ValueError(f"mode must be 'major' or 'minor', not {mode!r}")
    return (np.array(MAJOR_SCALE if mode == "major" else MINOR_SCALE) + tonic) % 12


def note_pitches(pitch: np.ndarray, onset: np.ndarray | None = None) -> np.ndarray:
    """The pitch of every note of a step sequence: a note starts where the pitch changes or ``onset`` is set."""
    pitch = np.asarray(pitch).astype(np.int64)
    start = np.ones(len(pitch), dtype=bool)
    start[1:] = pitch[1:] != pitch[:-1]
    if onset is not None:
        start |= np.asarray(onset, dtype=bool)
    return pitch[start & (pitch != REST)]


def in_scale_count(pitch: np.ndarray, tonic: int, mode: str, onset: np.ndarray | None = None) -> tuple[int, int]:
    """``(notes in the key's scale, notes)`` of one voice, counting notes (not steps)."""
    notes = note_pitches(pitch, onset)
    return int(np.isin(notes % 12, scale_pitch_classes(tonic, mode)).sum()), len(notes)


def pair_report(upper: np.ndarray, lower: np.ndarray, steps_per_beat: int,
                consonant: Sequence[int] = CONSONANT_UPPER, max_interval: int = 12) -> dict[str, float]:
    """Counts for one pair of voices (used by :func:`harmony_report`; pool them with :func:`pool_reports`).

    Keys: ``both`` (steps where both sound), ``consonant``, ``crossed``, ``wide`` (steps), ``fifths``,
    ``octaves`` (parallel motions) and ``beats`` (length of the piece).
    """
    cons, both = consonant_count(upper, lower, consonant)
    return {"both": both, "consonant": cons, "crossed": crossing_count(upper, lower)[0],
            "wide": spacing_count(upper, lower, max_interval)[0],
            "fifths": parallel_count(upper, lower, 7), "octaves": parallel_count(upper, lower, 0),
            "beats": len(np.asarray(upper)) / steps_per_beat}


def voice_report(pitch: np.ndarray, tonic: int, mode: str, onset: np.ndarray | None = None,
                 true: np.ndarray | None = None) -> dict[str, float]:
    """Counts for one voice: ``steps``, ``correct`` (steps equal to ``true``, if given), ``in_scale``, ``notes``,
    ``low`` and ``high`` (lowest and highest pitch; NaN for a silent voice)."""
    pitch = np.asarray(pitch).astype(np.int64)
    sounding = pitch[pitch != REST]
    in_scale, notes = in_scale_count(pitch, tonic, mode, onset)
    report = {"steps": len(pitch), "in_scale": in_scale, "notes": notes,
              "low": float(sounding.min()) if len(sounding) else float("nan"),
              "high": float(sounding.max()) if len(sounding) else float("nan")}
    if true is not None:
        report["correct"] = int((pitch == np.asarray(true)).sum())
    return report


def harmony_report(pitches: Mapping[str, np.ndarray], tonic: int, mode: str, steps_per_beat: int,
                   onsets: Mapping[str, np.ndarray] | None = None, true: Mapping[str, np.ndarray] | None = None,
                   bass: str | None = None) -> dict:
    """Counts of one piece: ``{"voices": {name: voice_report}, "pairs": {(upper, lower): pair_report}}``.

    ``pitches`` maps voice names to step sequences, highest voice first (the order gives upper/lower in each
    pair). ``true`` (optional) gives the reference sequences for frame accuracy. Pairs that involve ``bass``
    use :data:`CONSONANT_WITH_BASS`.
    """
    names = list(pitches)
    onsets = onsets or {}
    true = true or {}
    voices = {n: voice_report(pitches[n], tonic, mode, onsets.get(n), true.get(n)) for n in names}
    pairs = {}
    for up, low in combinations(names, 2):
        consonant = CONSONANT_WITH_BASS if bass in (up, low) else CONSONANT_UPPER
        pairs[(up, low)] = pair_report(pitches[up], pitches[low], steps_per_beat, consonant)
    return {"voices": voices, "pairs": pairs}


def pool_reports(reports: Sequence[dict]) -> dict:
    """Add up the counts of many :func:`harmony_report` results and turn them into figures.

    Returns ``{"voices": {name: {accuracy, in_scale, low, high}}, "pairs": {(u, l): {consonance, crossing,
    spacing, fifths_per_100_beats, octaves_per_100_beats}}}`` (shares between 0 and 1; NaN where undefined).
    """
    if not reports:
        raise ValueError("no reports to pool")
    out: dict = {"voices": {}, "pairs": {}}
    for name in reports[0]["voices"]:
        rs = [r["voices"][name] for r in reports]
        total = {k: sum(r.get(k, 0) for r in rs) for k in ("steps", "correct", "in_scale", "notes")}
        fig = {"in_scale": _share(total["in_scale"], total["notes"]),
               "low": float(np.nanmin([r["low"] for r in rs])), "high": float(np.nanmax([r["high"] for r in rs]))}
        if all("correct" in r for r in rs):
            fig["accuracy"] = _share(total["correct"], total["steps"])
        out["voices"][name] = fig
    for pair in reports[0]["pairs"]:
        rs = [r["pairs"][pair] for r in reports]
        total = {k: sum(r[k] for r in rs) for k in rs[0]}
        out["pairs"][pair] = {"consonance": _share(total["consonant"], total["both"]),
                              "crossing": _share(total["crossed"], total["both"]),
                              "spacing": _share(total["wide"], total["both"]),
                              "fifths_per_100_beats": 100 * total["fifths"] / total["beats"],
                              "octaves_per_100_beats": 100 * total["octaves"] / total["beats"]}
    return out
