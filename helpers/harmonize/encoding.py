"""What the harmonizing network reads and writes (notebook 09; several voices in 10).

An :class:`Encoding` names the input voices (the melody), the output voices and their pitch ranges in the
normalised key (C major or A minor, :func:`normalise`). :func:`features` turns the input voices' step sequences into
one feature vector per grid step (pitch one-hot with a rest class, an onset flag, the mode, the position in the beat
and the downbeats); :func:`targets` turns an output voice into a class per step (0 = rest, then one class per pitch)
and an onset flag, so that a held note and a repeated note stay apart. :func:`training_windows` cuts the chorales
into windows for training.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..chorales import VOICES, Chorale
from ..pianoroll import REST
from ..readers import bar_beats
from ..theory import normalising_shift

STEPS_PER_BEAT = 4
DEFAULT_OUTPUTS = ("Alto",)
BEATS_IN_BAR = 4  # the beat-in-bar feature tells beats 1, 2, 3 and "4 or later" apart
UNNORMALISED_MARGIN = 3  # semitones added to every range of an encoding that keeps pieces in their own keys
PHRASE_FEATURES = 2  # inside the note that ends a phrase (the fermata); beats to the next phrase end / 8
PHRASE_HORIZON = 16.0  # beats: farther phrase ends all look alike


def normalise(chorale: Chorale) -> Chorale:
    """The chorale transposed to C major or A minor (see :func:`helpers.theory.normalising_shift`).

    Notebook: 09_harmonization
    """
    return chorale.transpose(normalising_shift(chorale.tonic, chorale.mode))


@dataclass(frozen=True)
class Encoding:
    """What the network reads and writes.

    ``inputs``: voices given (the melody: ``("Soprano",)``); ``outputs``: voices generated; ``ranges``: for every
    voice, the lowest and one past the highest MIDI pitch in the normalised key; ``steps_per_beat``: the grid;
    ``phrases``: whether the features include the phrase endings (:func:`phrase_features`); ``normalised``: pieces
    are moved to C major / A minor (True) or kept in their own keys (False, for training on transpositions).

    Notebook: 09_harmonization
    """

    inputs: tuple[str, ...] = ("Soprano",)
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    steps_per_beat: int = STEPS_PER_BEAT
    phrases: bool = False
    normalised: bool = True

    def shift(self, tonic: int, mode: str) -> int:
        """Semitones that move a piece in ``(tonic, mode)`` into the encoding's frame: to C major / A minor
        (:func:`helpers.theory.normalising_shift`) if ``normalised``, else 0 (the network sees every key)."""
        return normalising_shift(tonic, mode) if self.normalised else 0

    @property
    def n_features(self) -> int:
        """Length of the feature vector of one step."""
        pitch = sum(self.n_classes(v) + 1 for v in self.inputs)  # one-hot (rest + pitches) and onset per voice
        phrase = PHRASE_FEATURES if self.phrases else 0
        return pitch + 1 + self.steps_per_beat + BEATS_IN_BAR + phrase  # mode, beat position, beat in bar, phrase

    def n_classes(self, voice: str) -> int:
        """Classes of a voice: rest plus one per pitch of its range."""
        low, high = self.ranges[voice]
        return high - low + 1

    def to_json(self) -> str:
        return json.dumps({"inputs": self.inputs, "outputs": self.outputs, "ranges": self.ranges,
                           "steps_per_beat": self.steps_per_beat, "phrases": self.phrases,
                           "normalised": self.normalised})

    @classmethod
    def from_json(cls, text: str) -> Encoding:
        d = json.loads(text)
        return cls(tuple(d["inputs"]), tuple(d["outputs"]), {k: tuple(v) for k, v in d["ranges"].items()},
                   int(d["steps_per_beat"]), bool(d.get("phrases", False)), bool(d.get("normalised", True)))


def fit_encoding(chorales: Sequence[Chorale], inputs: Sequence[str] = ("Soprano",),
                 outputs: Sequence[str] = DEFAULT_OUTPUTS, steps_per_beat: int = STEPS_PER_BEAT,
                 margin: int = 2, phrases: bool = False, normalised: bool = True) -> Encoding:
    """An :class:`Encoding` whose ranges cover every voice of ``chorales`` in the normalised key (in their own keys
    if not ``normalised``), plus ``margin`` semitones either side (a margin that only the input voices use; output
    ranges are what the data holds). Without normalisation every range is ``UNNORMALISED_MARGIN`` semitones wider
    on each side, since pieces in other keys reach a little further.

    Notebook: 09_harmonization
    """
    ranges = {}
    for v in (*inputs, *outputs):
        ps = np.concatenate([c.voices[v].pitches + (normalising_shift(c.tonic, c.mode) if normalised else 0)
                             for c in chorales])
        m = (margin if v in inputs else 0) + (0 if normalised else UNNORMALISED_MARGIN)
        ranges[v] = (int(ps.min()) - m, int(ps.max()) + 1 + m)
    return Encoding(tuple(inputs), tuple(outputs), ranges, steps_per_beat, phrases, normalised)


def phrase_features(onset: np.ndarray, phrase_ends: Sequence[float], steps_per_beat: int = STEPS_PER_BEAT
                    ) -> np.ndarray:
    """Two features per step ``(steps, 2)`` (float32) from the phrase endings (beats; the piece's end always counts
    as one): 1 inside the last melody note before a phrase end (the note under the fermata), and the beats to the
    next phrase end divided by 8 (capped at ``PHRASE_HORIZON``). ``onset`` is the melody's onset flags.

    Notebook: 09_harmonization
    """
    onset = np.asarray(onset).astype(bool)
    n = len(onset)
    ends = np.round(np.asarray(list(phrase_ends), dtype=np.float64) * steps_per_beat).astype(np.int64)
    ends = np.unique(np.r_[ends[(ends > 0) & (ends < n)], n])
    t = np.arange(n)
    nxt = ends[np.searchsorted(ends, t, side="right")]  # the first phrase end after each step
    later = np.flatnonzero(onset)
    following = np.r_[later, n][np.searchsorted(later, t, side="right")] if len(later) else np.full(n, n)
    flag = (following >= nxt).astype(np.float32)  # no note starts between this step and the phrase end
    distance = np.minimum((nxt - t) / steps_per_beat, PHRASE_HORIZON) / 8.0
    return np.stack([flag, distance.astype(np.float32)], axis=1)


def features(pitches: Mapping[str, np.ndarray], onsets: Mapping[str, np.ndarray], major: bool,
             enc: Encoding, anacrusis_steps: int = 0, bar_steps: int = 16,
             phrase_ends: Sequence[float] = ()) -> np.ndarray:
    """Feature matrix ``(steps, enc.n_features)`` (float32) of the input voices, in the normalised key.

    Per input voice a one-hot of rest/pitch and an onset flag; then 1 for major (0 for minor), a one-hot of the
    step's position within the beat and a one-hot of the beat within the bar (1, 2, 3, 4 or later; the first
    downbeat falls at ``anacrusis_steps``); with ``enc.phrases``, the :func:`phrase_features` of ``phrase_ends``
    (beats). Every row has a 1 somewhere, so all-zero rows can mark padding. Raises ValueError if a pitch lies
    outside the encoding's range.

    Notebook: 09_harmonization
    """
    first = pitches[enc.inputs[0]]
    n = len(first)
    blocks = []
    for v in enc.inputs:
        p = np.asarray(pitches[v]).astype(np.int64)
        low, high = enc.ranges[v]
        sounding = p != REST
        if np.any(sounding & ((p < low) | (p >= high))):
            bad = sorted(set(p[sounding & ((p < low) | (p >= high))].tolist()))
            raise ValueError(f"{v}: pitches {bad} outside the model's range [{low}, {high})")
        one_hot = np.zeros((n, high - low + 1), dtype=np.float32)
        one_hot[np.arange(n), np.where(sounding, p - low + 1, 0)] = 1
        blocks += [one_hot, np.asarray(onsets[v], dtype=np.float32)[:, None]]
    t = np.arange(n)
    blocks.append(np.full((n, 1), float(major), dtype=np.float32))
    blocks.append(np.eye(enc.steps_per_beat, dtype=np.float32)[t % enc.steps_per_beat])
    beat = ((t - anacrusis_steps) % bar_steps) // enc.steps_per_beat
    blocks.append(np.eye(BEATS_IN_BAR, dtype=np.float32)[np.minimum(beat, BEATS_IN_BAR - 1)])
    if enc.phrases:
        blocks.append(phrase_features(onsets[enc.inputs[0]], phrase_ends, enc.steps_per_beat))
    return np.concatenate(blocks, axis=1)


def fold_into_range(pitch: np.ndarray, low: int, high: int) -> np.ndarray:
    """Move each sounding pitch by octaves into ``[low, high)`` (rests stay −1); the range must span an octave.

    Notebook: 09_harmonization
    """
    pitch = np.asarray(pitch).astype(np.int64).copy()
    s = pitch != REST
    while np.any(s & (pitch < low)):
        pitch[s & (pitch < low)] += 12
    while np.any(s & (pitch >= high)):
        pitch[s & (pitch >= high)] -= 12
    return pitch


def targets(pitch: np.ndarray, onset: np.ndarray, voice: str, enc: Encoding) -> tuple[np.ndarray, np.ndarray]:
    """Training targets of one output voice: class per step (0 = rest, ``1 + pitch - low``) and onset (0/1).
    Pitches outside the range are folded in by octaves.

    Notebook: 09_harmonization
    """
    low, high = enc.ranges[voice]
    p = fold_into_range(pitch, low, high)
    return np.where(p == REST, 0, p - low + 1).astype(np.int32), np.asarray(onset, dtype=np.float32)


def meter_steps(chorale_or_ts, anacrusis: float, steps_per_beat: int) -> tuple[int, int]:
    """``(anacrusis_steps, bar_steps)`` of a time signature (or a chorale) and a pickup length in beats.

    Notebook: 09_harmonization
    """
    ts = chorale_or_ts.time_signature if isinstance(chorale_or_ts, Chorale) else chorale_or_ts
    bar = bar_beats(ts)
    return int(round(anacrusis * steps_per_beat)), max(int(round(bar * steps_per_beat)), 1)


def encode_chorale(chorale: Chorale, enc: Encoding) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Features and targets of one chorale (normalised first if ``enc.normalised``): ``X (steps, F)``,
    ``{"Alto_pitch": (steps,), "Alto_onset": (steps,), ...}``.

    Notebook: 09_harmonization
    """
    c = chorale.transpose(enc.shift(chorale.tonic, chorale.mode))
    pitch, onset = c.steps(enc.steps_per_beat)
    idx = {v: VOICES.index(v) for v in (*enc.inputs, *enc.outputs)}
    X = features({v: pitch[idx[v]] for v in enc.inputs}, {v: onset[idx[v]] for v in enc.inputs},
                 c.mode == "major", enc, *meter_steps(c, c.anacrusis, enc.steps_per_beat), c.phrase_ends)
    y = {}
    for v in enc.outputs:
        y[f"{v}_pitch"], y[f"{v}_onset"] = targets(pitch[idx[v]], onset[idx[v]], v, enc)
    return X, y


def window_starts(n: int, length: int, hop: int) -> np.ndarray:
    """Starts of windows of ``length`` steps every ``hop`` steps, the last one flush with the end (``[0]`` if the
    piece is shorter than a window).

    Notebook: 09_harmonization
    """
    if n <= length:
        return np.array([0])
    starts = np.arange(0, n - length + 1, hop)
    return np.unique(np.append(starts, n - length))


def in_range_transpositions(chorale: Chorale, enc: Encoding, semitones: Sequence[int]) -> list[int]:
    """Those of ``semitones`` that keep every voice the encoding uses inside its range (in the encoding's frame).

    Notebook: 09_harmonization
    """
    base = enc.shift(chorale.tonic, chorale.mode)
    keep = []
    for t in semitones:
        ok = True
        for v in (*enc.inputs, *enc.outputs):
            p = chorale.voices[v].pitches + base + t
            low, high = enc.ranges[v]
            ok &= bool(len(p) == 0 or (p.min() >= low and p.max() < high))
        if ok:
            keep.append(int(t))
    return keep


def training_windows(chorales: Sequence[Chorale], enc: Encoding, length: int = 64, hop: int = 32,
                     transpositions: Sequence[int] = (0,)) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Stack windows of ``length`` steps of every chorale: ``X (windows, length, F)`` and the targets
    ``{"Alto_pitch": (windows, length), "Alto_onset": (windows, length, 1), ...}`` (a piece shorter than a window
    is padded with rest steps). With ``transpositions`` (semitones, e.g. ``range(-6, 6)``), every chorale also
    comes in each of them that keeps its voices inside the encoding's ranges (:func:`in_range_transpositions`;
    augmentation, for an encoding that is not ``normalised``).

    Notebook: 09_harmonization
    """
    Xs, ys = [], {}
    pieces = [c if t == 0 else c.transpose(t) for c in chorales
              for t in (in_range_transpositions(c, enc, transpositions) if tuple(transpositions) != (0,) else (0,))]
    for c in pieces:
        X, y = encode_chorale(c, enc)
        n = len(X)
        if n < length:  # pad: rest inputs, rest targets
            pad = length - n
            rest_row = features({v: np.full(pad, REST) for v in enc.inputs},
                                {v: np.zeros(pad) for v in enc.inputs}, c.mode == "major", enc)
            X = np.concatenate([X, rest_row])
            y = {k: np.concatenate([a, np.zeros(pad, a.dtype)]) for k, a in y.items()}
        for s in window_starts(len(X), length, hop):
            Xs.append(X[s:s + length])
            for k, a in y.items():
                ys.setdefault(k, []).append(a[s:s + length])
    # onset targets get a trailing axis of 1, the shape of the sigmoid output
    return np.stack(Xs), {k: np.stack(a)[..., None] if k.endswith("_onset") else np.stack(a) for k, a in ys.items()}
