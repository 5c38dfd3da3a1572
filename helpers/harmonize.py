"""Harmonizing a melody with a recurrent network (notebook 09: one alto voice; notebook 10 extends it to A, T, B).

The pieces, in the order notebook 09 uses them:

* **key normalisation** — :func:`normalising_shift` moves a piece to C major or A minor (the key signature without
  sharps or flats), by the smaller transposition (−6 … +5 semitones).
* **encoding** — an :class:`Encoding` names the input voices (the melody), the output voices and their pitch ranges
  in the normalised key. :func:`features` turns the input voices' step sequences into one feature vector per grid
  step (pitch one-hot with a rest class, an onset flag, the mode, the position in the beat and the downbeats);
  :func:`targets` turns an output voice into a class per step (0 = rest, then one class per pitch) and an onset
  flag, so that a held note and a repeated note stay apart.
* **model** — :func:`build_model`: a bidirectional GRU (it sees the whole melody, before and after each step) and,
  per output voice, a softmax over pitch classes and a sigmoid onset unit. :func:`train_harmonizer` trains it on
  windows of the chorales; a :class:`Harmonizer` predicts, decodes (:func:`decode`) and saves itself under
  ``data_dir()/"models"``.
* **several voices** (notebook 10) — the same model with outputs alto, tenor and bass; :func:`decode_jointly`
  chooses whole chords by a Viterbi search with :class:`VoiceLeading` penalties for parallels and crossings (a
  :class:`Harmonizer` given ``voice_leading`` decodes that way).
* **baselines** — :class:`ConstantInterval` and :class:`LookupTable`, with the same interface as the network
  (:class:`Combined` puts one per voice side by side); :func:`evaluate` measures any of them (or Bach himself) with
  :mod:`helpers.metrics`.
* **melody files** — :func:`read_melody` reads a MIDI or MusicXML melody and finds its key (:func:`estimate_key`);
  :func:`harmonize_file` is the ``python -m helpers harmonize`` command (``--voices satb`` for four parts).
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from .chorales import VOICES, Chorale, load_chorales, signature_sharps, signature_tonic
from .keyfinding import krumhansl_kessler
from .metrics import harmony_report, pool_reports
from .midi import MidiError, Voice, beats_to_seconds, key_name, load_midi, midi_to_voices, write_midi
from .paths import data_dir
from .pianoroll import REST, steps_to_voice, voice_to_steps

STEPS_PER_BEAT = 4
DEFAULT_OUTPUTS = ("Alto",)
PROGRAM = 52  # Choir Aahs, as the chorale voices
BEATS_IN_BAR = 4  # the beat-in-bar feature tells beats 1, 2, 3 and "4 or later" apart

# ------------------------------------------------------------------------------------------- key normalisation

def normalising_shift(tonic: int, mode: str) -> int:
    """Semitones that move a key to C major (major) or A minor (minor): the smaller way, in −6 … +5."""
    if mode not in ("major", "minor"):
        raise ValueError(f"mode must be 'major' or 'minor', not {mode!r}")
    shift = ((0 if mode == "major" else 9) - tonic) % 12
    return shift - 12 if shift > 5 else shift


def normalise(chorale: Chorale) -> Chorale:
    """The chorale transposed to C major or A minor (see :func:`normalising_shift`)."""
    return chorale.transpose(normalising_shift(chorale.tonic, chorale.mode))


def estimate_key(pitches: np.ndarray, durations: np.ndarray | None = None,
                 sharps: int | None = None) -> tuple[int, str]:
    """Key of a melody by the Krumhansl–Schmuckler method: correlate its duration-weighted pitch-class histogram
    with the 24 rotated Krumhansl–Kessler profiles and take the best.

    With ``sharps`` (the key signature, negative for flats) only the two keys of that signature compete: its major
    key and the relative minor. Returns ``(tonic pitch class, 'major' | 'minor')``.
    """
    pitches = np.asarray(pitches, dtype=np.int64)
    weights = np.ones(len(pitches)) if durations is None else np.asarray(durations, dtype=np.float64)
    hist = np.bincount(pitches % 12, weights=weights, minlength=12)
    candidates = [(t, m) for t in range(12) for m in ("major", "minor")]
    if sharps is not None:
        major_tonic = int(signature_tonic(sharps))
        candidates = [(major_tonic, "major"), ((major_tonic + 9) % 12, "minor")]
    profiles = dict(zip(("major", "minor"), krumhansl_kessler()))  # the profiles music21 ships (notebook 08)
    best, best_r = candidates[0], -np.inf
    for tonic, mode in candidates:
        profile = np.roll(profiles[mode], tonic)
        r = np.corrcoef(hist, profile)[0, 1] if hist.std() > 0 else 0.0
        if r > best_r:
            best, best_r = (tonic, mode), r
    return best


# ------------------------------------------------------------------------------------------------- encoding

@dataclass(frozen=True)
class Encoding:
    """What the network reads and writes.

    ``inputs``: voices given (the melody: ``("Soprano",)``); ``outputs``: voices generated; ``ranges``: for every
    voice, the lowest and one past the highest MIDI pitch in the normalised key; ``steps_per_beat``: the grid.
    """

    inputs: tuple[str, ...] = ("Soprano",)
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    steps_per_beat: int = STEPS_PER_BEAT

    @property
    def n_features(self) -> int:
        """Length of the feature vector of one step."""
        pitch = sum(self.n_classes(v) + 1 for v in self.inputs)  # one-hot (rest + pitches) and onset per voice
        return pitch + 1 + self.steps_per_beat + BEATS_IN_BAR  # mode, position in the beat, beat in the bar

    def n_classes(self, voice: str) -> int:
        """Classes of a voice: rest plus one per pitch of its range."""
        low, high = self.ranges[voice]
        return high - low + 1

    def to_json(self) -> str:
        return json.dumps({"inputs": self.inputs, "outputs": self.outputs, "ranges": self.ranges,
                           "steps_per_beat": self.steps_per_beat})

    @classmethod
    def from_json(cls, text: str) -> Encoding:
        d = json.loads(text)
        return cls(tuple(d["inputs"]), tuple(d["outputs"]), {k: tuple(v) for k, v in d["ranges"].items()},
                   int(d["steps_per_beat"]))


def fit_encoding(chorales: Sequence[Chorale], inputs: Sequence[str] = ("Soprano",),
                 outputs: Sequence[str] = DEFAULT_OUTPUTS, steps_per_beat: int = STEPS_PER_BEAT,
                 margin: int = 2) -> Encoding:
    """An :class:`Encoding` whose ranges cover every voice of ``chorales`` in the normalised key, plus ``margin``
    semitones either side (a margin that only the input voices use; output ranges are what the data holds)."""
    ranges = {}
    for v in (*inputs, *outputs):
        ps = np.concatenate([c.voices[v].pitches + normalising_shift(c.tonic, c.mode) for c in chorales])
        m = margin if v in inputs else 0
        ranges[v] = (int(ps.min()) - m, int(ps.max()) + 1 + m)
    return Encoding(tuple(inputs), tuple(outputs), ranges, steps_per_beat)


def features(pitches: Mapping[str, np.ndarray], onsets: Mapping[str, np.ndarray], major: bool,
             enc: Encoding, anacrusis_steps: int = 0, bar_steps: int = 16) -> np.ndarray:
    """Feature matrix ``(steps, enc.n_features)`` (float32) of the input voices, in the normalised key.

    Per input voice a one-hot of rest/pitch and an onset flag; then 1 for major (0 for minor), a one-hot of the
    step's position within the beat and a one-hot of the beat within the bar (1, 2, 3, 4 or later; the first
    downbeat falls at ``anacrusis_steps``). Every row has a 1 somewhere, so all-zero rows can mark padding.
    Raises ValueError if a pitch lies outside the encoding's range.
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
    return np.concatenate(blocks, axis=1)


def fold_into_range(pitch: np.ndarray, low: int, high: int) -> np.ndarray:
    """Move each sounding pitch by octaves into ``[low, high)`` (rests stay −1); the range must span an octave."""
    pitch = np.asarray(pitch).astype(np.int64).copy()
    s = pitch != REST
    while np.any(s & (pitch < low)):
        pitch[s & (pitch < low)] += 12
    while np.any(s & (pitch >= high)):
        pitch[s & (pitch >= high)] -= 12
    return pitch


def targets(pitch: np.ndarray, onset: np.ndarray, voice: str, enc: Encoding) -> tuple[np.ndarray, np.ndarray]:
    """Training targets of one output voice: class per step (0 = rest, ``1 + pitch - low``) and onset (0/1).
    Pitches outside the range are folded in by octaves."""
    low, high = enc.ranges[voice]
    p = fold_into_range(pitch, low, high)
    return np.where(p == REST, 0, p - low + 1).astype(np.int32), np.asarray(onset, dtype=np.float32)


def meter_steps(chorale_or_ts, anacrusis: float, steps_per_beat: int) -> tuple[int, int]:
    """``(anacrusis_steps, bar_steps)`` of a time signature (or a chorale) and a pickup length in beats."""
    ts = chorale_or_ts.time_signature if isinstance(chorale_or_ts, Chorale) else chorale_or_ts
    bar = ts[0] * 4 / ts[1]
    return int(round(anacrusis * steps_per_beat)), max(int(round(bar * steps_per_beat)), 1)


def encode_chorale(chorale: Chorale, enc: Encoding) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Features and targets of one chorale (normalised first): ``X (steps, F)``, ``{"Alto_pitch": (steps,),
    "Alto_onset": (steps,), ...}``."""
    c = normalise(chorale)
    pitch, onset = c.steps(enc.steps_per_beat)
    idx = {v: VOICES.index(v) for v in (*enc.inputs, *enc.outputs)}
    X = features({v: pitch[idx[v]] for v in enc.inputs}, {v: onset[idx[v]] for v in enc.inputs},
                 c.mode == "major", enc, *meter_steps(c, c.anacrusis, enc.steps_per_beat))
    y = {}
    for v in enc.outputs:
        y[f"{v}_pitch"], y[f"{v}_onset"] = targets(pitch[idx[v]], onset[idx[v]], v, enc)
    return X, y


def window_starts(n: int, length: int, hop: int) -> np.ndarray:
    """Starts of windows of ``length`` steps every ``hop`` steps, the last one flush with the end (``[0]`` if the
    piece is shorter than a window)."""
    if n <= length:
        return np.array([0])
    starts = np.arange(0, n - length + 1, hop)
    return np.unique(np.append(starts, n - length))


def training_windows(chorales: Sequence[Chorale], enc: Encoding, length: int = 64,
                     hop: int = 32) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Stack windows of ``length`` steps of every chorale: ``X (windows, length, F)`` and the targets
    ``{"Alto_pitch": (windows, length), "Alto_onset": (windows, length, 1), ...}`` (a piece shorter than a window
    is padded with rest steps)."""
    Xs, ys = [], {}
    for c in chorales:
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


# ---------------------------------------------------------------------------------------------------- model

def build_model(enc: Encoding, units: int = 64, layers: int = 1, dropout: float = 0.0,
                learning_rate: float = 3e-3):
    """A bidirectional GRU harmonizer: input ``(batch, steps, enc.n_features)``; outputs, per output voice ``V``,
    ``V_pitch`` (softmax over rest + pitches) and ``V_onset`` (sigmoid). Compiled with cross-entropy losses."""
    import keras
    from keras import layers as L

    x = L.Input((None, enc.n_features), name="melody")
    h = L.Masking(0.0, name="padding")(x)  # all-zero rows pad a batch of pieces of different lengths
    for i in range(layers):
        h = L.Bidirectional(L.GRU(units, return_sequences=True, dropout=dropout), name=f"bigru_{i + 1}")(h)
    outputs, losses, metrics = {}, {}, {}
    for v in enc.outputs:
        outputs[f"{v}_pitch"] = L.Dense(enc.n_classes(v), activation="softmax", name=f"{v}_pitch")(h)
        outputs[f"{v}_onset"] = L.Dense(1, activation="sigmoid", name=f"{v}_onset")(h)
        losses[f"{v}_pitch"] = "sparse_categorical_crossentropy"
        losses[f"{v}_onset"] = "binary_crossentropy"
        metrics[f"{v}_pitch"] = ["accuracy"]
    model = keras.Model(x, outputs, name="harmonizer")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=losses, metrics=metrics)
    return model


def decode(probs: np.ndarray, onset_prob: np.ndarray, low: int) -> tuple[np.ndarray, np.ndarray]:
    """Step sequence from network outputs: the most likely class per step (0 = rest, else ``low + class - 1``);
    a note starts where the onset probability is at least 0.5 or the pitch changes."""
    cls = np.asarray(probs).argmax(-1)
    pitch = np.where(cls == 0, REST, low + cls - 1).astype(np.int64)
    return pitch, note_onsets(pitch, onset_prob)


def note_onsets(pitch: np.ndarray, onset_prob: np.ndarray) -> np.ndarray:
    """Where notes start in a decoded voice: the onset probability is at least 0.5 or the pitch changes (never on
    a rest)."""
    pitch = np.asarray(pitch)
    onset = np.asarray(onset_prob).reshape(len(pitch)) >= 0.5
    change = np.ones(len(pitch), dtype=bool)
    change[1:] = pitch[1:] != pitch[:-1]
    return (onset | change) & (pitch != REST)


@dataclass(frozen=True)
class VoiceLeading:
    """Rules for :func:`decode_jointly` (notebook 10), as penalties in nats (units of summed log-probability).

    ``parallel``: per parallel fifth or octave (unisons included) between any two voices from one chord to the
    next, both voices moving the same way, as :func:`helpers.metrics.parallel_count` counts them; ``crossing``:
    per step and pair of neighbouring voices with the lower one above the upper one; ``candidates``: how many of
    the most likely pitches (or rest) of each generated voice the search considers for each chord; ``hold``:
    ``"beat"`` lets the generated voices change only where a beat or a melody note begins (one chord per beat or
    melody note, so voices cannot dodge the parallel rule by moving a sixteenth apart), ``"step"`` at every step.
    """

    parallel: float = 1.0
    crossing: float = 1.0
    candidates: int = 4
    hold: str = "beat"

    def __post_init__(self) -> None:
        if self.hold not in ("beat", "step"):
            raise ValueError(f"hold must be 'beat' or 'step', not {self.hold!r}")
        if self.candidates < 1:
            raise ValueError(f"candidates must be at least 1, not {self.candidates}")


def chord_starts(melody: np.ndarray, melody_onsets: np.ndarray | None, steps_per_beat: int,
                 hold: str = "beat") -> np.ndarray:
    """Steps where :func:`decode_jointly` may change chord: every step (``hold="step"``), or the first step, every
    beat and every step where the melody starts a note or changes between note and rest (``hold="beat"``)."""
    melody = np.asarray(melody)
    n = len(melody)
    if hold == "step":
        return np.arange(n)
    start = np.arange(n) % steps_per_beat == 0
    start[1:] |= melody[1:] != melody[:-1]
    if melody_onsets is not None:
        start |= np.asarray(melody_onsets, dtype=bool)
    start[:1] = True
    return np.flatnonzero(start)


def decode_jointly(probs: Mapping[str, np.ndarray], onset_probs: Mapping[str, np.ndarray],
                   lows: Mapping[str, int], melody: np.ndarray, rules: VoiceLeading = VoiceLeading(),
                   melody_onsets: np.ndarray | None = None,
                   steps_per_beat: int = STEPS_PER_BEAT) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Decode several voices together under a melody: the chord sequence with the highest summed log-probability
    minus the :class:`VoiceLeading` penalties, found exactly by dynamic programming (Viterbi).

    ``probs`` maps each generated voice, highest first, to its softmax output ``(steps, classes)`` (class 0 =
    rest, class ``c`` = pitch ``lows[voice] + c - 1``); ``melody`` (and ``melody_onsets``) are the given top
    voice's steps. The piece is cut into chord spans by :func:`chord_starts`; a voice keeps one pitch through a
    span, scored by the sum of its log-probabilities over the span's steps. For each span only the
    ``rules.candidates`` best classes of each voice are considered, so the search runs over ``candidates **
    voices`` chords per span. Returns ``{voice: (pitch, onset)}`` as :func:`decode` does. With ``hold="step"``
    and zero penalties the result is the per-step argmax of every voice.
    """
    voices = list(probs)
    melody = np.asarray(melody).astype(np.int64)
    n = len(melody)
    if n == 0:
        return {v: (np.zeros(0, np.int64), np.zeros(0, bool)) for v in voices}
    starts = chord_starts(melody, melody_onsets, steps_per_beat, rules.hold)
    lengths = np.diff(np.r_[starts, n])
    pitch_of, logp_of = [], []
    for v in voices:
        span_logp = np.add.reduceat(np.log(np.asarray(probs[v], dtype=np.float64)[:n] + 1e-12), starts, axis=0)
        top = np.argsort(-span_logp, axis=1, kind="stable")[:, :min(rules.candidates, span_logp.shape[1])]
        logp_of.append(np.take_along_axis(span_logp, top, 1))
        pitch_of.append(np.where(top == 0, REST, lows[v] + top - 1))
    grids = np.meshgrid(*[np.arange(a.shape[1]) for a in pitch_of], indexing="ij")
    choice = [g.reshape(-1) for g in grids]  # chord c takes candidate choice[i][c] of voice i
    spans, n_chords = len(starts), len(choice[0])
    chords = np.stack([np.broadcast_to(melody[starts][:, None], (spans, n_chords))]
                      + [a[:, i] for a, i in zip(pitch_of, choice)], axis=-1)  # (spans, chords, 1 + voices)
    score = sum(lp[:, i] for lp, i in zip(logp_of, choice))  # (spans, chords)
    upper, lower = chords[..., :-1], chords[..., 1:]
    crossed = ((upper != REST) & (lower != REST) & (lower > upper)).sum(-1)
    score = score - rules.crossing * crossed * lengths[:, None]
    penalty = np.zeros((spans - 1, n_chords, n_chords))
    if rules.parallel:
        for a, b in combinations(range(chords.shape[-1]), 2):
            u0, l0 = chords[:-1, :, a][:, :, None], chords[:-1, :, b][:, :, None]  # previous chord (rows)
            u1, l1 = chords[1:, :, a][:, None, :], chords[1:, :, b][:, None, :]  # this chord (columns)
            sounding = (u0 != REST) & (l0 != REST) & (u1 != REST) & (l1 != REST)
            du, dl = u1 - u0, l1 - l0
            same_way = (du != 0) & (dl != 0) & (np.sign(du) == np.sign(dl))
            ic0, ic1 = (u0 - l0) % 12, (u1 - l1) % 12
            penalty += sounding & same_way & (ic0 == ic1) & ((ic1 == 0) | (ic1 == 7))
        penalty *= rules.parallel
    best = score[0]
    back = np.zeros((spans - 1, n_chords), dtype=np.int64)
    for t in range(1, spans):
        total = best[:, None] - penalty[t - 1]
        back[t - 1] = total.argmax(0)
        best = total[back[t - 1], np.arange(n_chords)] + score[t]
    path = np.empty(spans, dtype=np.int64)
    path[-1] = int(best.argmax())
    for t in range(spans - 2, -1, -1):
        path[t] = back[t, path[t + 1]]
    span_of_step = np.repeat(np.arange(spans), lengths)
    out = {}
    for i, v in enumerate(voices):
        pitch = chords[np.arange(spans), path, i + 1][span_of_step]
        onset_prob = np.zeros(n)
        onset_prob[starts] = np.asarray(onset_probs[v]).reshape(-1)[:n][starts]  # notes start only with a span
        out[v] = (pitch, note_onsets(pitch, onset_prob))
    return out


class Predictor:
    """Anything that writes output voices for the input voices of a piece in the normalised key.

    Subclasses implement :meth:`predict_normalised`; :meth:`predict_chorale` does the key normalisation.
    """

    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    steps_per_beat: int = STEPS_PER_BEAT

    def predict_normalised(self, pitches: Mapping[str, np.ndarray], onsets: Mapping[str, np.ndarray], major: bool,
                           anacrusis_steps: int = 0, bar_steps: int = 16) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` step sequences of the output voices (normalised key)."""
        raise NotImplementedError

    def predict_chorale(self, chorale: Chorale) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` for a chorale's soprano (and other inputs), in the chorale's own key, on the
        grid of ``chorale.steps(self.steps_per_beat)``."""
        shift = normalising_shift(chorale.tonic, chorale.mode)
        c = chorale.transpose(shift)
        pitch, onset = c.steps(self.steps_per_beat)
        ins = getattr(self, "inputs", ("Soprano",))
        out = self.predict_normalised({v: pitch[VOICES.index(v)] for v in ins},
                                      {v: onset[VOICES.index(v)] for v in ins}, c.mode == "major",
                                      *meter_steps(c, c.anacrusis, self.steps_per_beat))
        return {v: (np.where(p == REST, REST, p - shift), o) for v, (p, o) in out.items()}


class Harmonizer(Predictor):
    """A trained network and its :class:`Encoding`: predicts, harmonizes melodies, saves and loads itself.

    Without ``voice_leading`` each output voice is decoded on its own (:func:`decode`, the per-step argmax); with
    it, all output voices are decoded together under the melody by :func:`decode_jointly` (notebook 10).
    """

    def __init__(self, model, encoding: Encoding, voice_leading: VoiceLeading | None = None):
        self.model = model
        self.encoding = encoding
        self.inputs = encoding.inputs
        self.outputs = encoding.outputs
        self.steps_per_beat = encoding.steps_per_beat
        self.voice_leading = voice_leading

    def with_voice_leading(self, rules: VoiceLeading | None) -> Harmonizer:
        """The same network, decoded with other rules (None: voice by voice, per-step argmax)."""
        return Harmonizer(self.model, self.encoding, rules)

    def decode_outputs(self, probs: Mapping[str, np.ndarray], melody: np.ndarray,
                       melody_onsets: np.ndarray | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` from the network's outputs for one piece (normalised key), under the melody
        (the first input voice's pitch and onset steps)."""
        lows = {v: self.encoding.ranges[v][0] for v in self.outputs}
        if self.voice_leading is None:
            return {v: decode(probs[f"{v}_pitch"], probs[f"{v}_onset"], lows[v]) for v in self.outputs}
        return decode_jointly({v: probs[f"{v}_pitch"] for v in self.outputs},
                              {v: probs[f"{v}_onset"] for v in self.outputs}, lows, melody, self.voice_leading,
                              melody_onsets, self.steps_per_beat)

    def probabilities(self, X: np.ndarray | Sequence[np.ndarray]) -> dict | list[dict]:
        """Network outputs for a feature matrix ``(steps, F)``: ``{"Alto_pitch": (steps, classes), ...}``; for a
        list of matrices, a list of such dicts (computed in one padded batch)."""
        single = isinstance(X, np.ndarray)
        Xs = [X] if single else list(X)
        length = -(-max(len(x) for x in Xs) // 64) * 64  # a multiple of 64 steps: few distinct shapes to trace
        batch = np.zeros((len(Xs), length, self.encoding.n_features), dtype=np.float32)
        for i, x in enumerate(Xs):
            batch[i, :len(x)] = x
        out = self.model.predict(batch, verbose=0, batch_size=64)
        result = [{k: np.asarray(v)[i, :len(x)] for k, v in out.items()} for i, x in enumerate(Xs)]
        return result[0] if single else result

    def predict_chorales(self, chorales: Sequence[Chorale]) -> list[dict[str, tuple[np.ndarray, np.ndarray]]]:
        """:meth:`predict_chorale` for many chorales in one batch (much faster than one by one)."""
        prepared = []
        for chorale in chorales:
            shift = normalising_shift(chorale.tonic, chorale.mode)
            c = chorale.transpose(shift)
            pitch, onset = c.steps(self.steps_per_beat)
            X = features({v: pitch[VOICES.index(v)] for v in self.inputs},
                         {v: onset[VOICES.index(v)] for v in self.inputs}, c.mode == "major", self.encoding,
                         *meter_steps(c, c.anacrusis, self.steps_per_beat))
            first = VOICES.index(self.inputs[0])
            prepared.append((shift, X, pitch[first], onset[first]))
        probs = self.probabilities([X for _, X, _, _ in prepared])
        out = []
        for (shift, _, melody, melody_onsets), pr in zip(prepared, probs):
            decoded = self.decode_outputs(pr, melody, melody_onsets)
            out.append({v: (np.where(p == REST, REST, p - shift), o) for v, (p, o) in decoded.items()})
        return out

    def predict_normalised(self, pitches, onsets, major, anacrusis_steps=0, bar_steps=16):
        X = features(pitches, onsets, major, self.encoding, anacrusis_steps, bar_steps)
        return self.decode_outputs(self.probabilities(X), pitches[self.inputs[0]], onsets[self.inputs[0]])

    def harmonize(self, melody: Voice, tonic: int, mode: str, time_signature: tuple[int, int] = (4, 4),
                  anacrusis: float = 0.0) -> list[Voice]:
        """Voices for a melody (a :class:`Voice` in beats, first note at beat 0) in its key ``(tonic, mode)``:
        ``[Soprano, Alto, ...]``, in that key. The melody is moved to the normalised key and, if it lies outside
        the range the network knows, by whole octaves; the generated voices are moved back the same way.

        Raises :class:`MidiError` (without a file name) if no octave transposition brings the melody in range.
        """
        spb = self.steps_per_beat
        voice_in = self.inputs[0]
        shift = normalising_shift(tonic, mode)
        pitches = melody.pitches.astype(np.int64) + shift
        low, high = self.encoding.ranges[voice_in]
        octave = best_octave_shift(pitches, low, high)
        if octave is None:
            lo, hi = int(pitches.min() - shift), int(pitches.max() - shift)
            raise MidiError(None, f"the melody spans {hi - lo} semitones (MIDI {lo}–{hi}); the model knows melodies "
                                  f"within {high - 1 - low} semitones, so no octave transposition fits")
        moved = Voice(voice_in, pitches + octave, melody.starts, melody.ends)
        p, o = voice_to_steps(moved, spb)
        out = self.predict_normalised({voice_in: p}, {voice_in: o}, mode == "major",
                                      *meter_steps(time_signature, anacrusis, spb))
        voices = [melody.renamed("Soprano", PROGRAM)]
        for v in self.outputs:
            pitch, onset = out[v]
            pitch = np.where(pitch == REST, REST, pitch - shift - octave)
            voices.append(steps_to_voice(pitch, onset, spb, name=v, program=PROGRAM))
        return voices

    # ---- saving
    @staticmethod
    def default_path(outputs: Sequence[str] = DEFAULT_OUTPUTS) -> Path:
        """``data_dir()/models/harmonizer-alto.keras`` (the voices in the name), beside its ``.json`` encoding."""
        return data_dir() / "models" / f"harmonizer-{'-'.join(v.lower() for v in outputs)}.keras"

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the model (``.keras``) and its encoding and decoding rules (``.json`` beside it); return the
        model's path."""
        path = Path(path) if path else self.default_path(self.outputs)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model.save(path)
        meta = json.loads(self.encoding.to_json())
        if self.voice_leading is not None:
            meta["voice_leading"] = asdict(self.voice_leading)
        path.with_suffix(".json").write_text(json.dumps(meta))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, outputs: Sequence[str] = DEFAULT_OUTPUTS) -> Harmonizer:
        """Read a saved harmonizer (default: :meth:`default_path` of ``outputs``). FileNotFoundError if absent."""
        import keras

        path = Path(path) if path else cls.default_path(outputs)
        if not path.exists() or not path.with_suffix(".json").exists():
            raise FileNotFoundError(f"no saved harmonizer at {path}")
        text = path.with_suffix(".json").read_text()
        rules = json.loads(text).get("voice_leading")
        return cls(keras.models.load_model(path), Encoding.from_json(text),
                   VoiceLeading(**rules) if rules is not None else None)


def best_octave_shift(pitches: np.ndarray, low: int, high: int) -> int | None:
    """The whole-octave transposition (smallest first) that puts every pitch in ``[low, high)``, or None."""
    pitches = np.asarray(pitches)
    for k in sorted(range(-6, 7), key=abs):
        if pitches.min() + 12 * k >= low and pitches.max() + 12 * k < high:
            return 12 * k
    return None


def train_harmonizer(chorales: Sequence[Chorale], enc: Encoding | None = None, units: int = 64, layers: int = 1,
                     epochs: int = 10, batch_size: int = 32, window: int = 64, hop: int = 32,
                     validation: Sequence[Chorale] | None = None, dropout: float = 0.0, verbose: int = 0,
                     learning_rate: float = 3e-3) -> tuple[Harmonizer, dict[str, list[float]]]:
    """Train a :class:`Harmonizer` on windows of ``chorales`` (alto by default; set ``enc`` for other voices).

    ``validation`` chorales (windows of them) give the validation curves. Returns the harmonizer and the
    Keras history dictionary. Seed first (``keras.utils.set_random_seed``) for a repeatable result.
    """
    enc = enc or fit_encoding(chorales)
    X, y = training_windows(chorales, enc, window, hop)
    val = training_windows(validation, enc, window, hop) if validation else None
    model = build_model(enc, units, layers, dropout, learning_rate)
    hist = model.fit(X, y, batch_size=batch_size, epochs=epochs, validation_data=val, verbose=verbose,
                     shuffle=True)
    return Harmonizer(model, enc), hist.history


# ------------------------------------------------------------------------------------------------- baselines

def _normalised_pairs(chorales: Sequence[Chorale], voice: str, steps_per_beat: int):
    for c in chorales:
        pitch, onset = normalise(c).steps(steps_per_beat)
        yield c, pitch[0], onset[0], pitch[VOICES.index(voice)]


class ConstantInterval(Predictor):
    """Baseline: the output voice is the melody moved down by one fixed interval, the interval that matches the
    training chorales' voice on most steps (normalised key)."""

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
    contexts fall back to the shorter context, then to a constant interval. Notes start where the melody's do."""

    def __init__(self, table: dict, fallback: ConstantInterval, context: int, voice: str = "Alto",
                 steps_per_beat: int = STEPS_PER_BEAT):
        self.table, self.fallback, self.context = table, fallback, context
        self.outputs, self.steps_per_beat = (voice,), steps_per_beat

    @staticmethod
    def _previous_note(s: np.ndarray) -> np.ndarray:
        """For each step, the pitch of the melody's previous different note (−1 at the start)."""
        change = np.r_[True, s[1:] != s[:-1]]
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
        onset = np.asarray(onsets["Soprano"], dtype=bool) | np.r_[True, out[1:] != out[:-1]]
        return {self.outputs[0]: (out, onset & (out != REST))}


class Bach(Predictor):
    """Bach's own voices (the reference every metric is compared with)."""

    def __init__(self, outputs: Sequence[str] = DEFAULT_OUTPUTS, steps_per_beat: int = STEPS_PER_BEAT):
        self.outputs, self.steps_per_beat = tuple(outputs), steps_per_beat

    def predict_chorale(self, chorale):
        pitch, onset = chorale.steps(self.steps_per_beat)
        return {v: (pitch[VOICES.index(v)].astype(np.int64), onset[VOICES.index(v)]) for v in self.outputs}


class Combined(Predictor):
    """Several predictors side by side as one (notebook 10): e.g. a lookup table for each of alto, tenor and bass.
    Each part writes its own voices; a voice written by two parts is an error."""

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
    :func:`helpers.metrics.harmony_report` per chorale (soprano plus the predicted voices, the bass as bass)."""
    reports = []
    spb = predictor.steps_per_beat
    batch = getattr(predictor, "predict_chorales", None)
    outs = batch(chorales) if batch else [predictor.predict_chorale(c) for c in chorales]
    for c, out in zip(chorales, outs):
        pitch, onset = c.steps(spb)
        pitches = {"Soprano": pitch[0]} | {v: out[v][0] for v in VOICES[1:] if v in out}
        onsets = {"Soprano": onset[0]} | {v: out[v][1] for v in VOICES[1:] if v in out}
        true = {v: pitch[VOICES.index(v)] for v in pitches}
        reports.append(harmony_report(pitches, c.tonic, c.mode, spb, onsets, true, bass="Bass"))
    return pool_reports(reports)


# ---------------------------------------------------------------------------------------------- melody files

@dataclass
class Melody:
    """A melody read from a file: ``voice`` (beats, first note at beat 0), where it started in the file
    (``offset`` beats), metre, tempo, key and how the key was found; ``pm`` is the MIDI file (None for MusicXML)."""

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

    Raises :class:`MidiError` if two notes start together (chords) or if more than a tenth of the notes sound
    through most of the next note (several lines in one track).
    """
    if len(voice) == 0:
        raise MidiError(path, "no notes in the melody track")
    grid = np.round(voice.starts * steps_per_beat)
    together = int(np.sum(np.diff(grid) == 0))
    if together:
        raise MidiError(path, f"chords instead of a melody: {together} notes start together with another note "
                              f"in track '{voice.name}'")
    ends = voice.ends.copy()
    if len(voice) > 1:
        nxt = voice.starts[1:]
        overlap = ends[:-1] - nxt
        heavy = overlap > 0.5 * (voice.ends[1:] - nxt)
        if heavy.sum() > 0.1 * len(voice):
            raise MidiError(path, f"not a single melodic line: {int(heavy.sum())} of {len(voice)} notes in track "
                                  f"'{voice.name}' sound on over the next note")
        ends[:-1] = np.minimum(ends[:-1], nxt)
    return Voice(voice.name, voice.pitches, voice.starts, ends, voice.program, voice.velocities)


def _finish_melody(voice: Voice, path, ts, tempo, sharps, pm=None) -> Melody:
    offset = float(voice.starts.min())
    voice = voice.shift(-offset)
    bar = ts[0] * 4 / ts[1]
    anacrusis = (-offset) % bar
    anacrusis = 0.0 if np.isclose(anacrusis, 0) or np.isclose(anacrusis, bar) else float(anacrusis)
    tonic, mode = estimate_key(voice.pitches, voice.ends - voice.starts, sharps)
    source = "key signature" if sharps is not None else "pitch profile (no key signature)"
    return Melody(voice, offset, ts, tempo, tonic, mode, source, anacrusis, pm, voice.name)


def read_melody(path: str | os.PathLike) -> Melody:
    """Read a melody: the first track with pitched notes of a MIDI file, or the first part of a MusicXML file.

    The key comes from the file's key signature when it has one (the signature fixes the key up to major/relative
    minor, the pitch profile chooses between them), else from :func:`estimate_key`. Raises :class:`MidiError`
    naming the file and the reason for anything unusable.
    """
    path = Path(path)
    if path.suffix.lower() in (".xml", ".musicxml", ".mxl"):
        return _read_musicxml(path)
    pm = load_midi(path)
    tracks = [v for v in midi_to_voices(pm) if len(v)]
    if not tracks:
        raise MidiError(path, "no pitched notes")
    voice = clean_monophonic(tracks[0], path)
    ts = pm.time_signature_changes[0] if pm.time_signature_changes else None
    ts = (ts.numerator, ts.denominator) if ts else (4, 4)
    tempi = pm.get_tempo_changes()[1]
    sharps = None
    if pm.key_signature_changes:
        number = pm.key_signature_changes[0].key_number  # pretty_midi: 0-11 major, 12-23 minor keys
        sharps = signature_sharps(number % 12, "major" if number < 12 else "minor")
    return _finish_melody(voice, path, ts, float(tempi[0]) if len(tempi) else 120.0, sharps, pm)


def _read_musicxml(path: Path) -> Melody:
    from music21 import chord, converter, key, meter, tempo

    if not path.exists():
        raise MidiError(path, "no such file")
    try:
        score = converter.parse(str(path))
    except Exception as exc:
        raise MidiError(path, f"music21 could not parse it ({type(exc).__name__}: {exc})") from exc
    parts = [p for p in getattr(score, "parts", [score]) if len(p.flatten().notes)]
    if not parts:
        raise MidiError(path, "no notes")
    part = parts[0]
    rows = []
    for n in part.stripTies().flatten().notes:
        if isinstance(n, chord.Chord) and len(n.pitches) > 1:
            raise MidiError(path, f"chords instead of a melody (a chord at beat {float(n.offset):g})")
        if float(n.quarterLength) > 0:
            rows.append((n.pitches[0].midi, float(n.offset), float(n.offset + n.quarterLength)))
    arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
    voice = clean_monophonic(Voice(part.partName or "Melody", arr[:, 0].astype(int), arr[:, 1], arr[:, 2]), path)
    tss = list(part.recurse().getElementsByClass(meter.TimeSignature))
    ts = (tss[0].numerator, tss[0].denominator) if tss else (4, 4)
    marks = list(score.recurse().getElementsByClass(tempo.MetronomeMark))
    bpm = float(marks[0].getQuarterBPM()) if marks and marks[0].number else 100.0
    sigs = list(part.recurse().getElementsByClass(key.KeySignature))
    return _finish_melody(voice, path, ts, bpm, sigs[0].sharps if sigs else None)


def harmonize_file(melody_path: str | os.PathLike, out_path: str | os.PathLike | None = None,
                   harmonizer: Harmonizer | None = None, outputs: Sequence[str] = DEFAULT_OUTPUTS) -> tuple[Path, Melody]:
    """Harmonize a melody file and write a MIDI file (default: ``NAME-harmonized.mid`` beside the melody) with the
    melody as "Soprano" and the generated voices, on the melody's tempo map, metre and key. Returns the written
    path and the :class:`Melody`. Raises :class:`MidiError` (nothing written) for an unusable melody.
    """
    melody_path = Path(melody_path)
    melody = read_melody(melody_path)
    harmonizer = harmonizer or Harmonizer.load(outputs=outputs)
    try:
        voices = harmonizer.harmonize(melody.voice, melody.tonic, melody.mode, melody.time_signature,
                                      melody.anacrusis)
    except MidiError as exc:
        raise MidiError(melody_path, exc.reason) from exc
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
        pm.key_signature_changes = [pretty_midi.KeySignature(melody.tonic + (12 if melody.mode == "minor" else 0), 0.0)]
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


# ----------------------------------------------------------------------------------------------- command line

VOICE_SETS = {"alto": ("Alto",), "satb": ("Alto", "Tenor", "Bass"), "atb": ("Alto", "Tenor", "Bass")}


def parse_voices(text: str) -> tuple[str, ...]:
    """``'alto'`` → ``('Alto',)``, ``'satb'`` → ``('Alto', 'Tenor', 'Bass')``, ``'alto,tenor'`` → both."""
    text = text.strip().lower()
    if text in VOICE_SETS:
        return VOICE_SETS[text]
    names = tuple(n.strip().capitalize() for n in text.split(","))
    bad = [n for n in names if n not in VOICES[1:]]
    if bad or not names:
        raise ValueError(f"unknown voices {bad or text!r}: use alto, satb or a list of alto, tenor, bass")
    return tuple(v for v in VOICES[1:] if v in names)


def _cli_harmonize(args) -> int:
    try:
        outputs = parse_voices(args.voices)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        try:
            harmonizer = Harmonizer.load(outputs=outputs)
        except FileNotFoundError:
            read_melody(args.melody)  # reject an unusable file before spending a minute on training
            notebook = "09" if outputs == DEFAULT_OUTPUTS else "10"
            print(f"no saved model at {Harmonizer.default_path(outputs)}: training one on the chorales with notebook "
                  f"{notebook}'s settings (about a minute; running notebook {notebook} saves the same kind of "
                  "model there) ...", file=sys.stderr)
            harmonizer = train_default(outputs=outputs)
        path, melody = harmonize_file(args.melody, args.output, harmonizer, outputs)
    except MidiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} (Soprano + {' + '.join(outputs)}; {key_name(melody.tonic, melody.mode)} from the "
          f"{melody.key_source})")
    return 0


def train_default(seed: int = 0, outputs: Sequence[str] = DEFAULT_OUTPUTS) -> Harmonizer:
    """Train and save a harmonizer with the course's settings; return it.

    The alto alone (notebook 09): trained on the training side of the grouped split, decoded step by step. Several
    voices (notebook 10): trained on the training tunes minus a validation split (``grouped_split(train, 0.15,
    seed=1)``, as notebook 10 does) and decoded jointly with :data:`DEFAULT_VOICE_LEADING`.
    """
    import keras

    from .chorales import grouped_split

    keras.utils.set_random_seed(seed)
    train, _ = grouped_split(load_chorales())
    outputs = tuple(outputs)
    if outputs == DEFAULT_OUTPUTS:
        harmonizer, _ = train_harmonizer(train, **DEFAULT_TRAINING)
    else:
        fit, _ = grouped_split(train, VALIDATION_FRACTION, seed=VALIDATION_SEED)
        harmonizer, _ = train_harmonizer(fit, fit_encoding(train, outputs=outputs), **DEFAULT_TRAINING)
        harmonizer = harmonizer.with_voice_leading(DEFAULT_VOICE_LEADING)
    harmonizer.save()
    return harmonizer


#: Settings of notebook 09's harmonizer (and of ``train_default``; notebook 10 keeps them for three voices).
DEFAULT_TRAINING = {"units": 64, "epochs": 10, "window": 64, "hop": 32, "batch_size": 32}
#: The validation split notebook 10 carves from the training tunes: ``grouped_split(train, 0.15, seed=1)``.
VALIDATION_FRACTION, VALIDATION_SEED = 0.15, 1
#: Joint decoding of notebook 10 (penalty chosen there on the validation tunes) for several voices.
DEFAULT_VOICE_LEADING = VoiceLeading(parallel=3.0, crossing=3.0, candidates=4, hold="beat")


def register_cli(sub) -> None:
    """``python -m helpers harmonize MELODY [-o OUT.mid] [--voices alto|satb]``."""
    p = sub.add_parser("harmonize", help="write an alto, or alto, tenor and bass, under a melody from a MIDI/MusicXML "
                                         "file")
    p.add_argument("melody", help="MIDI file whose first track with notes is the melody (or a MusicXML file)")
    p.add_argument("-o", "--output", help="MIDI file to write (default: MELODY-harmonized.mid beside it)")
    p.add_argument("--voices", default="alto",
                   help="voices to generate: alto (default) or satb (tracks Soprano, Alto, Tenor, Bass)")
    p.set_defaults(func=_cli_harmonize)
