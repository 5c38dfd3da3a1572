"""A trained harmonizer: the network, its :class:`~helpers.harmonize.encoding.Encoding` and how it is decoded; it
predicts chorales, harmonizes melodies, saves and loads itself under ``data_dir()/"models"`` (notebooks 09, 10).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..chorales import VOICES, Chorale
from ..errors import InputError
from ..midi import Voice
from ..paths import data_dir
from ..pianoroll import REST, steps_to_voice, voice_to_steps
from ..theory import normalising_shift
from .decoding import VoiceLeading, decode, decode_jointly
from .encoding import DEFAULT_OUTPUTS, Encoding, features, meter_steps
from .predictor import Predictor

PROGRAM = 52  # Choir Aahs, as the chorale voices


class Harmonizer(Predictor):
    """A trained network and its :class:`Encoding`: predicts, harmonizes melodies, saves and loads itself.

    Without ``voice_leading`` each output voice is decoded on its own (:func:`decode`, the per-step argmax); with
    it, all output voices are decoded together under the melody by :func:`decode_jointly` (notebook 10).

    Notebook: 09_harmonization
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
        # Calling the model (not model.predict) on slices of 64 pieces: model.predict would trace a new graph for
        # every new length and warn about retracing; a direct call runs the same layers on the same batches.
        chunks = [self.model(batch[i:i + 64], training=False) for i in range(0, len(batch), 64)]
        out = {k: np.concatenate([np.asarray(c[k]) for c in chunks]) for k in chunks[0]}
        result = [{k: v[i, :len(x)] for k, v in out.items()} for i, x in enumerate(Xs)]
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

        Raises :class:`InputError` (without a file name) if no octave transposition brings the melody in range.
        """
        spb = self.steps_per_beat
        voice_in = self.inputs[0]
        shift = normalising_shift(tonic, mode)
        pitches = melody.pitches.astype(np.int64) + shift
        low, high = self.encoding.ranges[voice_in]
        octave = best_octave_shift(pitches, low, high)
        if octave is None:
            lo, hi = int(pitches.min() - shift), int(pitches.max() - shift)
            raise InputError(None, f"the melody spans {hi - lo} semitones (MIDI {lo}–{hi}); the model knows melodies "
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
    """The whole-octave transposition (smallest first) that puts every pitch in ``[low, high)``, or None.

    Notebook: 09_harmonization
    """
    pitches = np.asarray(pitches)
    for k in sorted(range(-6, 7), key=abs):
        if pitches.min() + 12 * k >= low and pitches.max() + 12 * k < high:
            return 12 * k
    return None
