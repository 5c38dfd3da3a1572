"""Toy sequence tasks and recurrent cells written out in NumPy, for notebooks 05 (recurrent networks) and 06
(encoder–decoder).

Tasks: :func:`recall_task` (remember the first symbol across a lag), :func:`reversal_task` (seq2seq input,
teacher-forcing input and target), :func:`note_sequences` and :func:`next_note_windows` (chorale melodies as
sequences of notes). Cells: :func:`lstm_step` (with named gates and optional peepholes) and :func:`gru_step`,
with :func:`lstm_params_from_keras` / :func:`gru_params_from_keras` to read a Keras layer's weights into them.
Measurement: :func:`gradient_by_lag` (how much the last output depends on each earlier input).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


class SequenceError(ValueError):
    """Unusable input to a sequence helper; the message names the argument and the reason.

    Notebook: 05_recurrent_networks
    """


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise SequenceError(f"{name} must be a positive integer, not {value!r}")


# ------------------------------------------------------------------------------------------------ toy tasks

def recall_task(n: int, lag: int, n_symbols: int, rng: np.random.Generator,
                n_distractors: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """The first-symbol recall task of notebook 05.

    Each sequence has ``lag + 1`` one-hot steps: a symbol (one of ``n_symbols``) at step 0, then ``lag`` steps
    that each hold one of ``n_distractors`` other symbols drawn at random (noise the network must ignore). The
    target is the first symbol. Returns ``X`` of shape ``(n, lag + 1, n_symbols + n_distractors)`` (float32) and
    ``y`` of shape ``(n,)`` (int). Raises :class:`SequenceError`.

    Notebook: 05_recurrent_networks
    """
    _check_positive(n=n, lag=lag, n_distractors=n_distractors)
    if n_symbols < 2:
        raise SequenceError(f"n_symbols must be at least 2, not {n_symbols!r}")
    y = rng.integers(0, n_symbols, n)
    X = np.zeros((n, lag + 1, n_symbols + n_distractors), dtype=np.float32)
    X[np.arange(n), 0, y] = 1.0
    noise = rng.integers(0, n_distractors, (n, lag))
    X[np.arange(n)[:, None], np.arange(1, lag + 1)[None, :], n_symbols + noise] = 1.0
    return X, y


def reversal_task(n: int, lengths: Sequence[int] | int, n_symbols: int,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sequence reversal for the encoder–decoder of notebook 06.

    Symbols are ``1 .. n_symbols``; ``0`` is padding and ``n_symbols + 1`` is the decoder's start token. Each
    sequence's length is drawn uniformly from ``lengths`` (or fixed, if an int); arrays are padded to the longest.
    Returns ``(source, decoder_input, target, length)``: ``target`` is ``source`` reversed, ``decoder_input``
    is the start token followed by ``target`` without its last symbol (teacher forcing), all ``(n, max_len)`` int
    arrays; ``length`` is ``(n,)``. Raises :class:`SequenceError`.

    Notebook: 06_encoder_decoder
    """
    lengths = [lengths] if isinstance(lengths, int | np.integer) else list(lengths)
    _check_positive(n=n, n_symbols=n_symbols, **{f"length {i}": v for i, v in enumerate(lengths)})
    if not lengths:
        raise SequenceError("lengths must name at least one length")
    length = rng.choice(np.asarray(lengths), n)
    width = int(max(lengths))
    source = rng.integers(1, n_symbols + 1, (n, width))
    source[np.arange(width)[None, :] >= length[:, None]] = 0
    target = np.zeros_like(source)
    for i, k in enumerate(length):
        target[i, :k] = source[i, :k][::-1]
    decoder_input = np.zeros_like(source)
    decoder_input[:, 0] = n_symbols + 1
    decoder_input[:, 1:] = target[:, :-1]
    decoder_input[np.arange(width)[None, :] >= length[:, None]] = 0
    return source, decoder_input, target, length


def sequence_accuracy(predicted: np.ndarray, target: np.ndarray) -> float:
    """Fraction of rows where every non-padding (``target != 0``) position is predicted exactly (notebook 06).

    Notebook: 06_encoder_decoder
    """
    predicted, target = np.asarray(predicted), np.asarray(target)
    if predicted.shape != target.shape:
        raise SequenceError(f"predicted has shape {predicted.shape}, target {target.shape}")
    wrong = (predicted != target) & (target != 0)
    return float(np.mean(~wrong.any(axis=1)))


# ------------------------------------------------------------------------------------------- chorale notes

def note_sequences(voices: Sequence, tonics: Sequence[int]) -> list[np.ndarray]:
    """Each voice's notes as a sequence of pitches relative to the piece's tonic (notebook 05).

    ``voices`` are :class:`helpers.midi.Voice` objects, ``tonics`` their pitch classes (0 = C). Each melody is
    transposed by at most a tritone so that its tonic becomes C (C major or C minor): it keeps its contour and
    its scale degrees, and all pieces share one alphabet of pitches. Returns int arrays of MIDI pitches.

    Notebook: 05_recurrent_networks
    """
    if len(voices) != len(tonics):
        raise SequenceError(f"{len(voices)} voices but {len(tonics)} tonics")
    out = []
    for voice, tonic in zip(voices, tonics, strict=True):
        shift = int(tonic) % 12
        shift = shift - 12 if shift > 6 else shift   # move by at most a tritone
        out.append(np.asarray(voice.pitches, dtype=np.int64) - shift)
    return out


def next_note_windows(sequences: Sequence[np.ndarray], context: int) -> tuple[np.ndarray, np.ndarray]:
    """All (``context`` notes, next note) pairs from each sequence separately, never across pieces (notebook 05).

    Returns ``X`` of shape ``(m, context)`` and ``y`` of shape ``(m,)``; sequences shorter than ``context + 1``
    give nothing. Raises :class:`SequenceError` if no window fits.

    Notebook: 05_recurrent_networks
    """
    _check_positive(context=context)
    xs, ys = [], []
    for seq in sequences:
        seq = np.asarray(seq)
        if len(seq) <= context:
            continue
        idx = np.arange(len(seq) - context)[:, None] + np.arange(context)[None, :]
        xs.append(seq[idx])
        ys.append(seq[context:])
    if not xs:
        raise SequenceError(f"no sequence is longer than the context of {context} notes")
    return np.concatenate(xs), np.concatenate(ys)


# ------------------------------------------------------------------------------------------- cells in NumPy

def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-z).

    Notebook: 05_recurrent_networks
    """
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, p: dict[str, np.ndarray],
              peepholes: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One step of an LSTM block (notebook 05), gates named as in Hochreiter & Schmidhuber (1997) and Gers et al.

    ``p`` holds ``W_*`` (input→gate), ``U_*`` (hidden→gate) and ``b_*`` for ``*`` in ``i`` (input gate), ``f``
    (forget gate), ``g`` (cell input) and ``o`` (output gate). ``peepholes``, if given, holds vectors ``i``,
    ``f`` and ``o``: the gates then also see the cell state (the old one for ``i`` and ``f``, the new one for
    ``o``). Works on one vector or a batch (rows). Returns ``(h_new, c_new, gates)``.

    Notebook: 05_recurrent_networks
    """
    peep = peepholes or {}

    def pre(name: str) -> np.ndarray:
        return x @ p[f"W_{name}"] + h @ p[f"U_{name}"] + p[f"b_{name}"]

    i = sigmoid(pre("i") + peep.get("i", 0.0) * c)        # input gate: how much of the new input to write
    f = sigmoid(pre("f") + peep.get("f", 0.0) * c)        # forget gate: how much of the old cell to keep
    g = np.tanh(pre("g"))                                  # cell input: what would be written
    c_new = f * c + i * g                                  # the constant error carousel (f = 1: nothing is lost)
    o = sigmoid(pre("o") + peep.get("o", 0.0) * c_new)    # output gate: how much of the cell to show
    h_new = o * np.tanh(c_new)
    return h_new, c_new, {"i": i, "f": f, "g": g, "o": o}


def gru_step(x: np.ndarray, h: np.ndarray, p: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One step of a GRU (notebook 05), in Keras's ``reset_after=True`` form.

    ``p`` holds ``W_*``, ``U_*``, ``b_*`` (input bias) and ``bu_*`` (recurrent bias) for ``z`` (update gate),
    ``r`` (reset gate) and ``h`` (candidate). The new state is ``z * h + (1 - z) * candidate``: no separate
    cell, no output gate. Returns ``(h_new, gates)``.

    Notebook: 05_recurrent_networks
    """
    z = sigmoid(x @ p["W_z"] + p["b_z"] + h @ p["U_z"] + p["bu_z"])
    r = sigmoid(x @ p["W_r"] + p["b_r"] + h @ p["U_r"] + p["bu_r"])
    cand = np.tanh(x @ p["W_h"] + p["b_h"] + r * (h @ p["U_h"] + p["bu_h"]))
    return z * h + (1.0 - z) * cand, {"z": z, "r": r, "candidate": cand}


def lstm_params_from_keras(layer) -> dict[str, np.ndarray]:
    """The weights of a built ``keras.layers.LSTM`` as the named arrays :func:`lstm_step` takes.

    Keras stores the four gates side by side in the order input, forget, cell, output.

    Notebook: 05_recurrent_networks
    """
    kernel, recurrent, bias = (np.asarray(w) for w in layer.get_weights())
    names = ("i", "f", "g", "o")
    return {**{f"W_{n}": w for n, w in zip(names, np.split(kernel, 4, axis=-1), strict=True)},
            **{f"U_{n}": u for n, u in zip(names, np.split(recurrent, 4, axis=-1), strict=True)},
            **{f"b_{n}": b for n, b in zip(names, np.split(bias, 4, axis=-1), strict=True)}}


def gru_params_from_keras(layer) -> dict[str, np.ndarray]:
    """The weights of a built ``keras.layers.GRU`` (``reset_after=True``) as the arrays :func:`gru_step` takes.

    Keras stores the gates in the order update, reset, candidate, and two biases (input and recurrent).

    Notebook: 05_recurrent_networks
    """
    kernel, recurrent, bias = (np.asarray(w) for w in layer.get_weights())
    if bias.ndim != 2:
        raise SequenceError("only GRU layers with reset_after=True (the Keras default) are supported")
    names = ("z", "r", "h")
    return {**{f"W_{n}": w for n, w in zip(names, np.split(kernel, 3, axis=-1), strict=True)},
            **{f"U_{n}": u for n, u in zip(names, np.split(recurrent, 3, axis=-1), strict=True)},
            **{f"b_{n}": b for n, b in zip(names, np.split(bias[0], 3), strict=True)},
            **{f"bu_{n}": b for n, b in zip(names, np.split(bias[1], 3), strict=True)}}


def run_lstm(x: np.ndarray, p: dict[str, np.ndarray],
             peepholes: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Run :func:`lstm_step` over ``x`` of shape ``(batch, time, features)`` from zero states (notebook 05).

    Returns the hidden states and the cell states, each ``(batch, time, units)``.

    Notebook: 05_recurrent_networks
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise SequenceError(f"x must be (batch, time, features), not shape {x.shape}")
    units = p["b_i"].shape[-1]
    h = np.zeros((x.shape[0], units))
    c = np.zeros_like(h)
    hs, cs = [], []
    for t in range(x.shape[1]):
        h, c, _ = lstm_step(x[:, t], h, c, p, peepholes)
        hs.append(h)
        cs.append(c)
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


def set_gate_bias(layer, **gates: float) -> None:
    """Set the bias of named gates of a built Keras ``LSTM`` (``i``, ``f``, ``g``, ``o``) or ``GRU`` (``z``,
    ``r``, ``h``; the input-side bias) (notebook 05).

    E.g. ``set_gate_bias(lstm, i=-3.0, f=5.0)``: a nearly closed input gate and a forget gate that keeps 99 %.
    Raises :class:`SequenceError` for a gate the layer does not have.

    Notebook: 05_recurrent_networks
    """
    kinds = {"LSTM": {"i": 0, "f": 1, "g": 2, "o": 3}, "GRU": {"z": 0, "r": 1, "h": 2}}
    if type(layer).__name__ not in kinds:
        raise SequenceError(f"set_gate_bias needs a Keras LSTM or GRU layer, not {type(layer).__name__}")
    order = kinds[type(layer).__name__]
    kernel, recurrent, bias = layer.get_weights()
    unknown = set(gates) - set(order)
    if unknown:
        raise SequenceError(f"unknown {type(layer).__name__} gate(s) {sorted(unknown)}; use {', '.join(order)}")
    units = kernel.shape[-1] // len(order)
    row = bias if bias.ndim == 1 else bias[0]
    for name, value in gates.items():
        k = order[name]
        row[k * units:(k + 1) * units] = value
    layer.set_weights([kernel, recurrent, bias])


# ------------------------------------------------------------------------------------------- measurement

def gradient_by_lag(model: Callable, x: np.ndarray) -> np.ndarray:
    """How strongly the last output depends on each earlier input (notebook 05).

    ``model`` maps ``(batch, time, features)`` to ``(batch, units)`` (e.g. a recurrent layer with
    ``return_sequences=False``). Returns ``g`` of shape ``(time,)``: ``g[k]`` is the mean over the batch of the
    norm of d(sum of the outputs)/d x(T - k), so ``g[0]`` belongs to the last input and ``g[k]`` to the input
    ``k`` steps back. Uses TensorFlow's automatic differentiation.

    Notebook: 05_recurrent_networks
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    if len(x.shape) != 3:
        raise SequenceError(f"x must be (batch, time, features), not shape {tuple(x.shape)}")
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = tf.reduce_sum(model(x))
    grad = tape.gradient(out, x).numpy()
    norms = np.linalg.norm(grad, axis=-1).mean(axis=0)
    return norms[::-1].astype(np.float64)
