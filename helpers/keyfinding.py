"""Key and mode from the notes alone (notebook 08).

Features: the duration-weighted pitch-class distribution of a whole piece (:func:`pitch_class_profile`) and of
its last bar (:func:`cadence_profile`), joined by :func:`features`.
Normalisations: :func:`signature_transpose` (label-safe: uses the key signature only), :func:`tonic_transpose`
(the leaky one of the source material: uses the tonic, which is only known once the mode is known) and
:func:`augment_transpositions` (no normalisation; all 12 transpositions as training data).
Models: :func:`source_model` (the source material's MLP), :func:`mode_model` and :func:`key_model` (the improved
ones), trained by :func:`fit`; evaluated with :func:`grouped_folds` and :func:`cross_validate`.
Baselines: :func:`music21_keys` (music21's five key finders) and :func:`final_chord_mode` (the naive rule).
Saved classifier: :func:`train_key_classifier`, :func:`save_key_classifier`, :func:`load_key_classifier`,
:func:`detect_key`; the commands ``python -m helpers train-key`` and ``python -m helpers key FILE ...`` live in
:mod:`helpers.cli`. Key names and numbers come from :mod:`helpers.theory`, file reading from :mod:`helpers.readers`.
The key of a melody (notebook 09, issue 20), as the commands and notebooks 09–11 find it: :func:`rank_melody_keys`
(the classifier averaged over transpositions, :func:`transposed_key_probabilities`, times ``exp(PROFILE_WEIGHT *
r)`` with ``r`` a music21 profile's correlation, :func:`profile_correlations`) and :func:`key_voices` for a file.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .chorales import VOICES, Chorale
from .errors import InputError
from .midi import Voice
from .paths import models_dir
from .pianoroll import STEPS_PER_BEAT, n_steps_of, pitch_class_histogram, voice_to_pianoroll
from .readers import read_voices  # noqa: F401  (notebook 08 reads files with kf.read_voices)
from .stats import cross_validate, fold_accuracies, grouped_folds  # noqa: F401  (notebook 08 calls them kf.*)
from .theory import MODES, key_number, key_of_number, signature_tonic, transpose_key_number

#: music21's key finders: display name -> method name of ``Stream.analyze``.
MUSIC21_FINDERS = {
    "Krumhansl–Schmuckler": "key.krumhansl",
    "Aarden–Essen": "key.aarden",
    "Bellman–Budge": "key.bellman",
    "Temperley–Kostka–Payne": "key.temperley",
    "simple weights": "key.simple",
}
#: Length of the closing passage that :func:`cadence_profile` looks at, in quarter-note beats.
CADENCE_BEATS = 4.0
#: Length of :func:`features` (the pitch-class and cadence profiles), what a key classifier reads.
N_FEATURES = 24
MODEL_FILE = "key_classifier.keras"
TRAIN_COMMAND = "python -m helpers train-key"


# --------------------------------------------------------------------------------------------------- features

def _voices_of(music: Chorale | Sequence[Voice]) -> list[Voice]:
    voices = list(music.voices.values()) if isinstance(music, Chorale) else list(music)
    voices = [v for v in voices if len(v)]
    if not voices:
        raise InputError(None, "no notes, so no pitch-class profile")
    return voices


def _pitch_counts(voices: list[Voice], steps_per_beat: int) -> np.ndarray:
    """``(128, steps)``: how many voices sound each MIDI pitch at each grid step."""
    n = n_steps_of(voices, steps_per_beat)
    counts = np.zeros((128, n))
    for v in voices:
        counts += voice_to_pianoroll(v, steps_per_beat, 0, 128, n)
    return counts


def pitch_class_profile(music: Chorale | Sequence[Voice], steps_per_beat: int = STEPS_PER_BEAT) -> np.ndarray:
    """Duration-weighted pitch-class distribution (12 values summing to 1, index 0 = C) of a whole piece.

    Each voice goes on the beat grid as its own pianoroll (all 128 MIDI pitches) and the rolls are summed, so a
    note doubled in two voices counts twice, as in music21's key finders. Raises :class:`InputError` if there
    are no notes.

    Notebook: 08_key_classification
    """
    return pitch_class_histogram(_pitch_counts(_voices_of(music), steps_per_beat), low=0)


def cadence_profile(music: Chorale | Sequence[Voice], beats: float = CADENCE_BEATS,
                    steps_per_beat: int = STEPS_PER_BEAT) -> np.ndarray:
    """Like :func:`pitch_class_profile`, for the last ``beats`` beats only (the final cadence).

    Notebook: 08_key_classification
    """
    counts = _pitch_counts(_voices_of(music), steps_per_beat)
    return pitch_class_histogram(counts[:, -max(int(round(beats * steps_per_beat)), 1):], low=0)


def features(music: Chorale | Sequence[Voice], steps_per_beat: int = STEPS_PER_BEAT) -> np.ndarray:
    """24 numbers: the whole piece's :func:`pitch_class_profile`, then the :func:`cadence_profile`.

    Notebook: 08_key_classification
    """
    return np.concatenate([pitch_class_profile(music, steps_per_beat), cadence_profile(music, CADENCE_BEATS,
                                                                                       steps_per_beat)])


def krumhansl_kessler() -> np.ndarray:
    """``(2, 12)``: the Krumhansl–Kessler probe-tone profiles of C major and C minor (as music21 ships them),
    each scaled to sum to 1 so that they compare with pitch-class distributions.

    Notebook: 08_key_classification
    """
    from music21.analysis.discrete import KrumhanslSchmuckler

    ks = KrumhanslSchmuckler()
    w = np.array([ks.getWeights("major"), ks.getWeights("minor")], dtype=float)
    return w / w.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------------- labels

def mode_labels(chorales: Sequence[Chorale]) -> np.ndarray:
    """0 for major, 1 for minor (the mode of the soprano's key signature), one per chorale.

    Notebook: 08_key_classification
    """
    return np.array([MODES.index(c.mode) for c in chorales])


def key_labels(chorales: Sequence[Chorale]) -> np.ndarray:
    """The 24-class key (:func:`~helpers.theory.key_number`) of every chorale, from the soprano's key signature.

    Notebook: 08_key_classification
    """
    return np.array([key_number(c.tonic, c.mode) for c in chorales], dtype=int)


# ------------------------------------------------------------------------------------------- normalisations

def rotate(X: np.ndarray, shift: int | np.ndarray) -> np.ndarray:
    """Transpose profiles by ``shift`` semitones (one shift for all rows, or one per row): pitch class ``p``
    moves to ``p + shift``. ``X`` is ``(n, 12 k)``: each block of 12 (e.g. piece and cadence) moves alike.

    Notebook: 08_key_classification
    """
    X = np.asarray(X)
    blocks = X.reshape(X.shape[:-1] + (-1, 12))
    shift = np.broadcast_to(np.asarray(shift, dtype=int) % 12, X.shape[:-1])
    idx = (np.arange(12) - shift[..., None, None]) % 12
    return np.take_along_axis(blocks, np.broadcast_to(idx, blocks.shape), axis=-1).reshape(X.shape)


def signature_transpose(X: np.ndarray, sharps) -> np.ndarray:
    """Rotate each row so that its key signature becomes that of C major (no sharps or flats).

    Uses the signature only, never the mode: a major piece lands in C major and a minor piece in A minor, and the
    two receive the same shift.

    Notebook: 08_key_classification
    """
    return rotate(X, -signature_tonic(sharps))


def tonic_transpose(X: np.ndarray, tonics) -> np.ndarray:
    """Rotate each row so that its tonic becomes C: the normalisation of the source material.

    It leaks the label: the tonic of a minor piece lies a minor third below that of the major piece with the same
    signature, so the shift itself depends on the mode.

    Notebook: 08_key_classification
    """
    return rotate(X, -np.asarray(tonics, dtype=int))


def augment_transpositions(X: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All 12 transpositions of every row: ``(12 n, d)`` features and their 24-class keys.

    Row ``r * n + i`` is piece ``i`` moved up ``r`` semitones; its key keeps the mode and moves the tonic.

    Notebook: 08_key_classification
    """
    keys = np.asarray(keys, dtype=int)
    X_all = np.concatenate([rotate(X, r) for r in range(12)])
    keys_all = np.concatenate([transpose_key_number(keys, r) for r in range(12)])
    return X_all, keys_all


# ----------------------------------------------------------------------------------------------------- models

def source_model(n_features: int = 12):
    """The source material's MLP: Dense(10, sigmoid) → Dense(1, sigmoid), binary cross-entropy, Adam.

    Notebook: 08_key_classification
    """
    import keras

    model = keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(10, activation="sigmoid"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _standardiser(X_train: np.ndarray):
    import keras

    norm = keras.layers.Normalization()
    norm.adapt(np.asarray(X_train, dtype="float32"))
    return norm


def mode_model(X_train: np.ndarray, hidden: int = 16, learning_rate: float = 0.01, l2: float = 1e-3):
    """The improved major/minor MLP: inputs standardised with the training set's mean and spread, one ReLU layer
    of ``hidden`` units with a small L2 penalty, a sigmoid output, Adam with a larger step than the default.

    Notebook: 08_key_classification
    """
    import keras

    reg = keras.regularizers.L2(l2)
    model = keras.Sequential([keras.Input((X_train.shape[1],)), _standardiser(X_train),
                              keras.layers.Dense(hidden, activation="relu", kernel_regularizer=reg),
                              keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=reg)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def key_model(X_train: np.ndarray, hidden: int = 32, learning_rate: float = 0.01, l2: float = 1e-4):
    """The 24-class key MLP: standardised inputs, one ReLU layer, a softmax over the 24 keys of
    :func:`~helpers.theory.key_number`.

    Notebook: 08_key_classification
    """
    import keras

    reg = keras.regularizers.L2(l2)
    model = keras.Sequential([keras.Input((X_train.shape[1],)), _standardiser(X_train),
                              keras.layers.Dense(hidden, activation="relu", kernel_regularizer=reg),
                              keras.layers.Dense(24, activation="softmax", kernel_regularizer=reg)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def fit(model, X: np.ndarray, y: np.ndarray, steps: int = 500, batch_size: int = 64, seed: int = 0):
    """Train ``model`` silently for ``steps`` mini-batches of ``batch_size`` examples; return the Keras history.

    The examples are visited in a fresh random order each pass, as with ``epochs=steps * batch_size / n``, but all
    passes go to Keras as one epoch: on a few hundred examples Keras's per-epoch overhead would cost more than the
    training itself. For the same reason up to 100 mini-batches run in one compiled call (``steps_per_execution``):
    the same updates in the same order (identical weights), about three times faster on a laptop CPU.

    Notebook: 08_key_classification
    """
    model.steps_per_execution = min(100, steps)
    n = len(X)
    rng = np.random.default_rng(seed)
    passes = -(-steps * batch_size // n)
    order = np.concatenate([rng.permutation(n) for _ in range(passes)])[:steps * batch_size]
    return model.fit(np.asarray(X, dtype="float32")[order], np.asarray(y)[order], epochs=1,
                     batch_size=batch_size, shuffle=False, verbose=0)


def predict_modes(model, X: np.ndarray) -> np.ndarray:
    """0 (major) or 1 (minor) for each row, from a model with one sigmoid output.

    Notebook: 08_key_classification
    """
    return (np.asarray(model(np.asarray(X, dtype="float32"), training=False))[:, 0] >= 0.5).astype(int)


def key_probabilities(model, X: np.ndarray) -> np.ndarray:
    """``(n, 24)``: the softmax model's probability of each key (:func:`~helpers.theory.key_number`) for each row.

    Notebook: 08_key_classification
    """
    return np.asarray(model(np.asarray(X, dtype="float32"), training=False))


def predict_keys(model, X: np.ndarray) -> np.ndarray:
    """The most likely of the 24 keys (:func:`~helpers.theory.key_number`) for each row, from a softmax model.

    Notebook: 08_key_classification
    """
    return key_probabilities(model, X).argmax(axis=1)


# -------------------------------------------------------------------------------------------------- baselines

def final_chord_mode(chorale: Chorale) -> str | None:
    """The naive rule: the quality of the final chord. ``'major'`` if the major third above the bass's last note
    sounds among the voices' last notes, ``'minor'`` if the minor third does, ``None`` if neither (an open fifth
    or a bare octave).

    Notebook: 08_key_classification
    """
    last = [chorale.voices[v] for v in VOICES if len(chorale.voices[v])]
    pcs = {int(v.pitches[np.argmax(v.starts)]) % 12 for v in last}
    bass = chorale.voices["Bass"]
    root = int(bass.pitches[np.argmax(bass.starts)]) % 12
    if (root + 4) % 12 in pcs:
        return "major"
    if (root + 3) % 12 in pcs:
        return "minor"
    return None


def music21_key(profile: np.ndarray, method: str = "key.krumhansl") -> tuple[int, str]:
    """``(tonic, mode)`` that music21's key finder ``method`` (see :data:`MUSIC21_FINDERS`) gives a piece with
    this pitch-class distribution.

    music21's key finders look only at the duration-weighted pitch-class distribution of a stream, so the stream
    here is twelve notes whose lengths are the distribution: the same answer as ``Stream.analyze(method)`` on
    the whole score (``tests/test_keyfinding.py`` checks this), without building 24 ``Key`` objects per call.

    Notebook: 08_key_classification
    """
    from music21 import note, stream
    from music21.analysis.discrete import analysisClassFromMethodName

    analyser = analysisClassFromMethodName(method)
    if analyser is None:
        raise ValueError(f"music21 has no key finder called {method!r}")
    s = stream.Stream()
    for pc in range(12):
        if profile[pc] > 0:
            n = note.Note(60 + pc)
            n.quarterLength = float(profile[pc]) * 1000.0
            s.append(n)
    (tonic, mode, _), _ = analyser().process(s)
    return int(tonic.pitchClass), str(mode)


def music21_keys(profiles_: np.ndarray, methods: Sequence[str] = tuple(MUSIC21_FINDERS.values())) -> np.ndarray:
    """``(n, len(methods))`` 24-class keys (:func:`~helpers.theory.key_number`) found by music21's key finders, one
    row per pitch-class distribution (12 columns; a 24-column :func:`features` row uses its first 12).

    Notebook: 08_key_classification
    """
    profiles_ = np.asarray(profiles_)[:, :12]
    return np.array([[key_number(*music21_key(p, m)) for m in methods] for p in profiles_], dtype=int).reshape(
        len(profiles_), len(methods))


# ------------------------------------------------------------------------ the trained classifier and the CLI

def model_path() -> Path:
    """Where a key classifier trained here lives: ``models_dir()/key_classifier.keras`` (see :mod:`helpers.paths`).

    Notebook: 08_key_classification
    """
    return models_dir() / MODEL_FILE


def train_key_classifier(X: np.ndarray, keys: np.ndarray, steps: int = 600, batch_size: int = 256,
                         seed: int = 0):
    """A :func:`key_model` trained on all 12 transpositions of ``X`` (rows of :func:`features`) and ``keys``.

    Notebook: 08_key_classification
    """
    import keras

    keras.utils.set_random_seed(seed)
    X_aug, keys_aug = augment_transpositions(X, keys)
    model = key_model(X_aug)
    fit(model, X_aug, keys_aug, steps=steps, batch_size=batch_size, seed=seed)
    return model


def save_key_classifier(model, path: str | os.PathLike | None = None) -> Path:
    """Save a trained key classifier (default: :func:`model_path`); return the path.

    Notebook: 08_key_classification
    """
    path = Path(path) if path is not None else model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return path


def check_key_classifier_file(path: str | os.PathLike | None = None) -> Path:
    """The path of a saved key classifier (default: :func:`model_path`) once it is known to be a file that could
    be one, without loading Keras. Raises FileNotFoundError naming the command that makes one if there is no file,
    :class:`~helpers.errors.InputError` naming the file if it is a folder or not a zip archive (a ``.keras`` file
    is one).

    Notebook: 08_key_classification
    """
    path = Path(path) if path is not None else model_path()
    if not path.exists():
        raise FileNotFoundError(f"no trained key classifier at {path}; make one with: {TRAIN_COMMAND}")
    if path.is_dir():
        raise InputError(path, "a folder, not a saved key classifier (.keras)")
    if not zipfile.is_zipfile(path):
        raise InputError(path, "not a saved Keras model (a .keras file is a zip archive; make one with "
                               f"{TRAIN_COMMAND})")
    return path


def load_key_classifier(path: str | os.PathLike | None = None):
    """Load the saved key classifier. Raises FileNotFoundError naming the command that makes one if there is no
    file, :class:`~helpers.errors.InputError` naming the file if Keras cannot load it (not a ``.keras`` model).

    Notebook: 08_key_classification
    """
    path = check_key_classifier_file(path)
    import keras  # after the checks: a missing or broken file is reported without the seconds Keras takes to load

    try:
        model = keras.saving.load_model(path)
    except Exception as exc:  # Keras raises ValueError, OSError, zipfile errors... for a file it cannot load
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(path, f"Keras cannot load it ({reason})") from exc
    shapes = tuple(getattr(model, "input_shape", ())), tuple(getattr(model, "output_shape", ()))
    if shapes != ((None, N_FEATURES), (None, 24)):
        raise InputError(path, f"not a key classifier: a Keras model from {shapes[0]} to {shapes[1]}, not from "
                               f"{N_FEATURES} features to 24 keys")
    return model


def detect_key(model, voices: Sequence[Voice]) -> tuple[int, str]:
    """``(tonic, mode)`` the trained classifier gives these notes (their :func:`features`; no key signature).

    Notebook: 08_key_classification
    """
    return key_of_number(int(predict_keys(model, features(voices)[None])[0]))


def train_and_save_key_classifier(path: str | os.PathLike | None = None, steps: int = 600):
    """Train the key classifier on every chorale of :func:`helpers.chorales.load_chorales` (as ``python -m helpers
    train-key`` does) and save it (default: :func:`model_path`); return the model.

    Notebook: 11_harmonize_your_melody
    """
    from .chorales import load_chorales

    chorales = load_chorales()
    X = np.stack([features(c) for c in chorales])
    model = train_key_classifier(X, key_labels(chorales), steps=steps)
    save_key_classifier(model, path)
    return model


def key_classifier(path: str | os.PathLike | None = None, train: bool = True):
    """The saved key classifier (default: :func:`model_path`, else the one shipped with the course,
    :mod:`helpers.harmonize.shipped`); if there is none and ``train`` is true, one trained
    on the chorales and saved there first (:func:`train_and_save_key_classifier`, a few seconds). Raises
    FileNotFoundError when none is saved and ``train`` is false.

    Notebook: 11_harmonize_your_melody
    """
    try:
        return load_key_classifier(path)
    except FileNotFoundError:
        if path is None:
            from .harmonize.shipped import shipped_key_classifier

            shipped = shipped_key_classifier()
            if shipped is not None:
                return shipped
        if not train:
            raise
    return train_and_save_key_classifier(path)


# ---------------------------------------------------------------- names that moved (notebooks 09-11 call them kf.*)

#: Names of :mod:`helpers.melodykey` that notebooks 09–11 reach as ``kf.NAME`` (kept until they import
#: ``helpers.melodykey``; read lazily, as melodykey imports this module).
_MOVED_TO_MELODYKEY = ("PROFILE_WEIGHT", "profile_weights", "rank_keys", "rank_melody_keys",
                       "transposed_key_probabilities")


def __getattr__(name: str):
    if name in _MOVED_TO_MELODYKEY:
        from . import melodykey

        return getattr(melodykey, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
