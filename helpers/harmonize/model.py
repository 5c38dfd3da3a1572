"""A trained harmonizer: the network, its :class:`~helpers.harmonize.encoding.Encoding` and how it is decoded; it
predicts chorales, harmonizes melodies, saves and loads itself under ``models_dir()`` (notebooks 09, 10).
"""

from __future__ import annotations

import json
import logging
import os
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..chorales import VOICES, Chorale
from ..errors import InputError
from ..midi import Voice
from ..paths import models_dir
from ..pianoroll import REST, steps_to_voice, voice_to_steps
from .decoding import VoiceLeading, decode, decode_jointly, with_kept_onsets
from .encoding import DEFAULT_OUTPUTS, Encoding, features, meter_steps
from .predictor import Predictor

PROGRAM = 52  # Choir Aahs, as the chorale voices


class Harmonizer(Predictor):
    """A trained network and its :class:`Encoding`: predicts, harmonizes melodies, saves and loads itself.

    Without ``voice_leading`` each output voice is decoded on its own (:func:`decode`, the per-step argmax); with
    it, all output voices are decoded together under the melody by :func:`decode_jointly` (notebook 10; with one
    voice this is how the alto is kept under the melody). ``model`` may be a list of networks trained alike (an
    ensemble): their probabilities are averaged.

    Notebook: 09_harmonization
    """

    def __init__(self, model, encoding: Encoding, voice_leading: VoiceLeading | None = None):
        self.models = list(model) if isinstance(model, (list, tuple)) else [model]
        self.model = self.models[0]
        self.encoding = encoding
        self.inputs = encoding.inputs
        self.outputs = encoding.outputs
        self.steps_per_beat = encoding.steps_per_beat
        self.voice_leading = voice_leading

    def with_voice_leading(self, rules: VoiceLeading | None) -> Harmonizer:
        """The same network, decoded with other rules (None: voice by voice, per-step argmax)."""
        return Harmonizer(self.models, self.encoding, rules)

    @classmethod
    def ensemble(cls, members: Sequence[Harmonizer]) -> Harmonizer:
        """One harmonizer that averages the probabilities of ``members`` (same encoding), decoded as the first."""
        if not members or any(m.encoding != members[0].encoding for m in members):
            raise ValueError("an ensemble needs at least one member, all with the same encoding")
        return cls([net for m in members for net in m.models], members[0].encoding, members[0].voice_leading)

    def decode_outputs(self, probs: Mapping[str, np.ndarray], melody: np.ndarray,
                       melody_onsets: np.ndarray | None = None, temperature: float = 0.0,
                       rng: np.random.Generator | None = None, tonic: int | None = None,
                       fixed: Mapping[str, np.ndarray] | None = None,
                       fixed_onsets: Mapping[str, np.ndarray] | None = None, phrase_ends: Sequence[int] = (),
                       ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` from the network's outputs for one piece (normalised key), under the melody
        (the first input voice's pitch and onset steps); ``temperature`` > 0 samples (joint decoding only);
        ``tonic``: the key's pitch class in the network's frame, for the rules that need it. ``fixed`` and
        ``fixed_onsets``: kept steps, as :func:`decode_jointly` takes them (voice by voice, the kept steps simply
        replace the argmax). ``phrase_ends``: steps where phrases end, for the cadence rule."""
        lows = {v: self.encoding.ranges[v][0] for v in self.outputs}
        if self.voice_leading is None:
            out = {v: decode(probs[f"{v}_pitch"], probs[f"{v}_onset"], lows[v]) for v in self.outputs}
            kept = {v: np.asarray(f, dtype=np.int64) for v, f in (fixed or {}).items()}
            return with_kept_onsets(out, kept, fixed_onsets) if kept else out
        return decode_jointly({v: probs[f"{v}_pitch"] for v in self.outputs},
                              {v: probs[f"{v}_onset"] for v in self.outputs}, lows, melody, self.voice_leading,
                              melody_onsets, self.steps_per_beat, temperature, rng, tonic=tonic, fixed=fixed,
                              fixed_onsets=fixed_onsets, phrase_ends=phrase_ends)

    def log_probability(self, probs: Mapping[str, np.ndarray], decoded: Mapping[str, tuple[np.ndarray, np.ndarray]]
                        ) -> float:
        """Summed log-probability (nats) the network gives the pitches (or rests) of ``decoded`` at every step (a
        kept pitch outside the voice's range has probability 0 there, counted as 1e-12)."""
        total = 0.0
        for v, (pitch, _) in decoded.items():
            low = self.encoding.ranges[v][0]
            cls = np.where(np.asarray(pitch) == REST, 0, np.asarray(pitch) - low + 1)
            table = np.asarray(probs[f"{v}_pitch"])
            inside = (cls >= 0) & (cls < table.shape[1])
            p = np.where(inside, table[np.arange(len(cls)), np.clip(cls, 0, table.shape[1] - 1)], 0.0)
            total += float(np.log(p + 1e-12).sum())
        return total

    def probabilities(self, X: np.ndarray | Sequence[np.ndarray]) -> dict | list[dict]:
        """Network outputs for a feature matrix ``(steps, F)``: ``{"Alto_pitch": (steps, classes), ...}``; for a
        list of matrices, a list of such dicts. Pieces are batched by length, 16 to a batch, padded with all-zero
        rows (which the network masks) to the longest of the batch, and run through one compiled call per network
        that takes any batch size and length (:func:`_compiled`): calling the model eagerly was about fifty times
        slower here, and Keras's ``predict_on_batch`` compiles again for each new shape."""
        single = isinstance(X, np.ndarray)
        Xs = [X] if single else list(X)
        result: list[dict] = [{} for _ in Xs]
        order = np.argsort([len(x) for x in Xs], kind="stable")
        quiet = logging.getLogger("tensorflow")  # a new padded length retraces the compiled call: expected here
        level, quiet.level = quiet.level, logging.ERROR
        try:
            self._batched(Xs, order, result)
        finally:
            quiet.setLevel(level)
        return result[0] if single else result

    def _batched(self, Xs: list[np.ndarray], order: np.ndarray, result: list[dict]) -> None:
        compiled = [_compiled(net, self.encoding.n_features) for net in self.models]
        for i in range(0, len(order), 16):
            chunk = order[i:i + 16]
            length = max(len(Xs[j]) for j in chunk)
            if compiled[0] is None:  # another Keras backend: a few padded shapes keep its compiled calls few
                chunk_rows, length = 16, max(128, 1 << (length - 1).bit_length())
            else:
                chunk_rows = len(chunk)
            batch = np.zeros((chunk_rows, length, self.encoding.n_features), dtype=np.float32)
            for k, j in enumerate(chunk):
                batch[k, :len(Xs[j])] = Xs[j]
            out: dict = {}
            for net, call in zip(self.models, compiled):  # an ensemble averages its members' probabilities
                for key, value in (call(batch) if call is not None else net.predict_on_batch(batch)).items():
                    out[key] = out.get(key, 0) + np.asarray(value) / len(self.models)
            for k, j in enumerate(chunk):
                result[j] = {key: value[k, :len(Xs[j])] for key, value in out.items()}

    def predict_chorale(self, chorale: Chorale) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` for a chorale's soprano, phrase endings included, in the chorale's key."""
        return self.predict_chorales([chorale])[0]

    def predict_chorales(self, chorales: Sequence[Chorale]) -> list[dict[str, tuple[np.ndarray, np.ndarray]]]:
        """:meth:`predict_chorale` for many chorales in one batch (much faster than one by one)."""
        return [self.decode_chorale(c) for c in self.chorale_probabilities(chorales)]

    def chorale_probabilities(self, chorales: Sequence[Chorale]) -> list[ChoraleOutputs]:
        """The network's outputs for many chorales' sopranos (phrase endings included), in one batch: what
        :meth:`decode_chorale` decodes, so that several decodings of the same pieces run the network once."""
        prepared = []
        for chorale in chorales:
            shift = self.encoding.shift(chorale.tonic, chorale.mode)
            c = chorale.transpose(shift)
            pitch, onset = c.steps(self.steps_per_beat)
            X = features({v: pitch[VOICES.index(v)] for v in self.inputs},
                         {v: onset[VOICES.index(v)] for v in self.inputs}, c.mode == "major", self.encoding,
                         *meter_steps(c, c.anacrusis, self.steps_per_beat), c.phrase_ends)
            first = VOICES.index(self.inputs[0])
            ends = tuple(sorted({round(b * self.steps_per_beat) for b in c.phrase_ends} | {pitch.shape[1]}))
            prepared.append((shift, X, pitch[first], onset[first], c.tonic, ends))
        probs = self.probabilities([p[1] for p in prepared])
        return [ChoraleOutputs(pr, melody, onsets, shift, tonic, ends)
                for (shift, _, melody, onsets, tonic, ends), pr in zip(prepared, probs)]

    def decode_chorale(self, outputs: ChoraleOutputs, temperature: float = 0.0,
                       rng: np.random.Generator | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` in the chorale's own key from :meth:`chorale_probabilities`' outputs."""
        decoded = self.decode_outputs(outputs.probs, outputs.melody, outputs.melody_onsets, temperature, rng,
                                      outputs.tonic, phrase_ends=outputs.phrase_ends)
        return {v: (np.where(p == REST, REST, p - outputs.shift), o) for v, (p, o) in decoded.items()}

    def predict_normalised(self, pitches, onsets, major, anacrusis_steps=0, bar_steps=16, phrase_ends=()):
        X = features(pitches, onsets, major, self.encoding, anacrusis_steps, bar_steps, phrase_ends)
        return self.decode_outputs(self.probabilities(X), pitches[self.inputs[0]], onsets[self.inputs[0]])

    def harmonize(self, melody: Voice, tonic: int, mode: str, time_signature: tuple[int, int] = (4, 4),
                  anacrusis: float = 0.0, phrase_ends: Sequence[float] = (), temperature: float = 0.0,
                  seed: int | None = None, return_score: bool = False,
                  keep: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None
                  ) -> list[Voice] | tuple[list[Voice], float]:
        """Voices for a melody (a :class:`Voice` in beats, first note at beat 0) in its key ``(tonic, mode)``:
        ``[Soprano, Alto, ...]``, in that key. ``phrase_ends``: beats where phrases end (fermatas; the melody's
        end always counts). The melody is moved into the encoding's frame and by whole octaves to where the
        training sopranos lie (the middle of the range the network knows); the generated voices are moved back the
        same way, so they stay under the melody. ``temperature`` > 0 samples a setting (seeded by ``seed``);
        ``return_score`` also returns the network's summed log-probability of the setting. ``keep``: notes to keep,
        ``{voice: (pitch, onset)}`` step arrays on this harmonizer's grid, one step per step of the melody's
        (:func:`~helpers.pianoroll.voice_to_steps` of it), in the melody's key and octave, pitch
        :data:`~.decoding.FREE` where the voice is free; they are moved with the melody and decoded by
        :func:`decode_jointly` as fixed steps (notebook 11). ValueError for a voice not generated here or arrays
        of another length.

        Raises :class:`InputError` (without a file name) if no octave transposition brings the melody in range.
        """
        spb = self.steps_per_beat
        voice_in = self.inputs[0]
        shift = self.encoding.shift(tonic, mode)
        pitches = melody.pitches.astype(np.int64) + shift
        low, high = self.encoding.ranges[voice_in]
        octave = best_octave_shift(pitches, low, high, centre=(low + high - 1) / 2)
        if octave is None:
            lo, hi = int(pitches.min() - shift), int(pitches.max() - shift)
            raise InputError(None, f"the melody spans {hi - lo} semitones (MIDI {lo}–{hi}); the model knows melodies "
                                  f"within {high - 1 - low} semitones, so no octave transposition fits")
        moved = Voice(voice_in, pitches + octave, melody.starts, melody.ends)
        p, o = voice_to_steps(moved, spb)
        X = features({voice_in: p}, {voice_in: o}, mode == "major", self.encoding,
                     *meter_steps(time_signature, anacrusis, spb), phrase_ends)
        probs = self.probabilities(X)
        fixed, fixed_onsets = {}, {}
        for v, (kept, kept_onsets) in (keep or {}).items():
            kept = np.asarray(kept, dtype=np.int64)
            if v not in self.outputs or kept.shape != p.shape:
                raise ValueError(f"kept steps are for the voices written here ({', '.join(self.outputs)}), "
                                 f"{len(p)} steps each, not {v!r} with {kept.shape} steps")
            fixed[v] = np.where(kept >= 0, kept + shift + octave, kept)  # FREE and REST stay
            fixed_onsets[v] = np.asarray(kept_onsets, dtype=bool)
        out = self.decode_outputs(probs, p, o, temperature, np.random.default_rng(seed), (tonic + shift) % 12, fixed,
                                  fixed_onsets, sorted({round(b * spb) for b in (*phrase_ends, melody.end)}))
        voices = [melody.renamed("Soprano", PROGRAM)]
        for v in self.outputs:
            pitch, onset = out[v]
            pitch = np.where(pitch == REST, REST, pitch - shift - octave)
            voices.append(steps_to_voice(pitch, onset, spb, name=v, program=PROGRAM))
        return (voices, self.log_probability(probs, out)) if return_score else voices

    # ---- saving
    @staticmethod
    def default_path(outputs: Sequence[str] = DEFAULT_OUTPUTS) -> Path:
        """``models_dir()/harmonizer-alto.keras`` (the voices in the name), beside its ``.json`` encoding."""
        return models_dir() / f"harmonizer-{'-'.join(v.lower() for v in outputs)}.keras"

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the model (``.keras``) and its encoding and decoding rules (``.json`` beside it); return the
        model's path."""
        path = Path(path) if path else self.default_path(self.outputs)
        path.parent.mkdir(parents=True, exist_ok=True)
        for i, net in enumerate(self.models):  # an ensemble: NAME.keras, NAME-2.keras, ...
            net.save(_member_path(path, i))
        meta = json.loads(self.encoding.to_json())
        meta["members"] = len(self.models)
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
        meta = json.loads(text)
        rules = meta.get("voice_leading")
        nets = [keras.models.load_model(_member_path(path, i)) for i in range(int(meta.get("members", 1)))]
        return cls(nets, Encoding.from_json(text), VoiceLeading(**rules) if rules is not None else None)


_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: One compiled runner per architecture (:func:`_architecture`): a copy of the network and its traced call.
_RUNNERS: dict[str, tuple] = {}


def _architecture(net, n_features: int) -> str:
    """What two networks must share to share one compiled call: each layer's kind and configuration (its weights'
    shapes follow) with Keras's automatic names left out, and the input width."""
    def unnamed(config):
        if isinstance(config, dict):
            return {k: unnamed(v) for k, v in config.items() if k != "name"}
        if isinstance(config, list | tuple):
            return [unnamed(v) for v in config]
        return config

    layers = [(type(layer).__name__, unnamed(layer.get_config())) for layer in net.layers]
    outputs = list(getattr(net, "output_names", None) or [])
    return json.dumps([layers, outputs, n_features], sort_keys=True, default=str)


def _compiled(net, n_features: int):
    """With TensorFlow as Keras's backend, ``net`` compiled once (``tf.function``) for batches of any size and
    length ``(batch, steps, n_features)``, kept for the network's life; ``None`` with another backend. Compiling
    for each new shape, as ``predict_on_batch`` does, cost about 1 s a shape and a network on two cores; one
    compiled call for every shape lets each batch be as long as its longest piece. Networks of one architecture
    (an ensemble's members, the recipes of an ablation) share one compiled copy: each call first copies its own
    weights into it (a few milliseconds), so a notebook that loads ten networks compiles once, not ten times.

    Notebook: 09_harmonization
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return None
    call = _COMPILED.get(net)
    if call is None:
        import tensorflow as tf

        key = _architecture(net, n_features)
        if key not in _RUNNERS:
            copy = keras.models.clone_model(net)
            traced = tf.function(lambda x: copy(x, training=False),
                                 input_signature=[tf.TensorSpec([None, None, n_features], tf.float32)])
            _RUNNERS[key] = (copy, traced, [None])
        copy, traced, holds = _RUNNERS[key]
        owner = weakref.ref(net)

        def call(x):
            if holds[0] is not owner:  # another network's weights are in the copy: put this one's in
                for mine, theirs in zip(copy.weights, owner().weights):
                    mine.assign(theirs)
                holds[0] = owner
            return traced(x)

        _COMPILED[net] = call
    return call


class ChoraleOutputs(NamedTuple):
    """The network's outputs for one chorale (:meth:`Harmonizer.chorale_probabilities`): ``probs``, the melody's
    steps and onsets in the network's frame, the ``shift`` into that frame, the ``tonic`` there and the steps where
    phrases end.

    Notebook: 10_four_part_harmonization
    """

    probs: dict
    melody: np.ndarray
    melody_onsets: np.ndarray
    shift: int
    tonic: int
    phrase_ends: tuple[int, ...] = ()


def _member_path(path: Path, i: int) -> Path:
    return path if i == 0 else path.with_name(f"{path.stem}-{i + 1}{path.suffix}")


def best_octave_shift(pitches: np.ndarray, low: int, high: int, centre: float | None = None) -> int | None:
    """The whole-octave transposition that puts every pitch in ``[low, high)``, or None: the smallest one, or with
    ``centre`` the one that brings the pitches' median nearest to it.

    Notebook: 09_harmonization
    """
    pitches = np.asarray(pitches)
    fits = [12 * k for k in sorted(range(-6, 7), key=abs)
            if pitches.min() + 12 * k >= low and pitches.max() + 12 * k < high]
    if not fits:
        return None
    if centre is None:
        return fits[0]
    middle = float(np.median(pitches))
    return min(fits, key=lambda s: (abs(middle + s - centre), abs(s)))
