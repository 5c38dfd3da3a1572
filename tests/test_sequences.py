"""Tests of helpers.sequences: toy tasks, note windows, NumPy LSTM/GRU steps against Keras, gradient by lag."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.midi import Voice
from helpers.sequences import (
    SequenceError,
    gradient_by_lag,
    gru_params_from_keras,
    gru_step,
    lstm_params_from_keras,
    lstm_step,
    next_note_windows,
    note_sequences,
    recall_task,
    reversal_task,
    run_lstm,
    sequence_accuracy,
    set_gate_bias,
)


def test_recall_task_puts_the_target_at_step_zero_and_only_distractors_after():
    X, y = recall_task(50, lag=7, n_symbols=3, rng=np.random.default_rng(0), n_distractors=2)
    assert X.shape == (50, 8, 5) and y.shape == (50,)
    assert np.array_equal(X[:, 0].argmax(axis=1), y)
    assert np.all(X[:, 1:, :3] == 0) and np.all(X.sum(axis=2) == 1)
    assert set(np.unique(X[:, 1:].argmax(axis=2))) == {3, 4}


def test_recall_task_rejects_zero_lag_and_one_symbol():
    rng = np.random.default_rng(0)
    with pytest.raises(SequenceError, match="lag must be a positive integer"):
        recall_task(10, lag=0, n_symbols=3, rng=rng)
    with pytest.raises(SequenceError, match="n_symbols must be at least 2"):
        recall_task(10, lag=5, n_symbols=1, rng=rng)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=4), st.integers(2, 9), st.integers(0, 2**16))
def test_reversal_task_target_is_the_reversed_source_and_decoder_input_is_shifted(lengths, k, seed):
    src, dec_in, tgt, length = reversal_task(20, lengths, k, np.random.default_rng(seed))
    assert src.shape == dec_in.shape == tgt.shape == (20, max(lengths))
    for s, d, t, n in zip(src, dec_in, tgt, length, strict=True):
        assert n in lengths
        assert np.all(s[:n] >= 1) and np.all(s[:n] <= k) and np.all(s[n:] == 0)
        assert np.array_equal(t[:n], s[:n][::-1]) and np.all(t[n:] == 0)
        assert d[0] == k + 1 and np.array_equal(d[1:n], t[:n - 1]) and np.all(d[n:] == 0)


def test_reversal_task_rejects_zero_length():
    with pytest.raises(SequenceError, match="length 1 must be a positive integer"):
        reversal_task(5, [3, 0], 4, np.random.default_rng(0))


def test_sequence_accuracy_ignores_padding_and_needs_every_symbol():
    target = np.array([[1, 2, 0], [3, 3, 3]])
    assert sequence_accuracy(np.array([[1, 2, 9], [3, 3, 1]]), target) == 0.5
    with pytest.raises(SequenceError, match="shape"):
        sequence_accuracy(np.zeros((2, 2)), target)


def test_note_sequences_move_the_tonic_to_c_by_at_most_a_tritone():
    v = Voice("Soprano", np.array([67, 71, 74]), np.arange(3.0), np.arange(3.0) + 1)
    (g,), (a,) = note_sequences([v], [7]), note_sequences([v], [5])
    assert g.tolist() == [72, 76, 79]          # G major: up a fourth to C
    assert a.tolist() == [62, 66, 69]          # F major: down a fourth to C
    with pytest.raises(SequenceError, match="2 voices but 1 tonics"):
        note_sequences([v, v], [0])


def test_next_note_windows_never_cross_pieces():
    seqs = [np.arange(10, 15), np.arange(100, 103), np.arange(50, 52)]
    X, y = next_note_windows(seqs, context=2)
    assert X.shape == (3 + 1, 2) and len(y) == 4
    assert np.all(X[:, 1] - X[:, 0] == 1) and np.all(y - X[:, 1] == 1)
    with pytest.raises(SequenceError, match="no sequence is longer"):
        next_note_windows([np.arange(3)], context=3)


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def test_numpy_lstm_matches_keras_lstm_on_the_same_weights(keras):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(4, 6, 3)).astype("float32")
    layer = keras.layers.LSTM(5, return_sequences=True)
    expected = np.asarray(layer(x))
    hs, _ = run_lstm(x, lstm_params_from_keras(layer))
    np.testing.assert_allclose(hs, expected, atol=1e-5)


def test_numpy_gru_matches_keras_gru_on_the_same_weights(keras):
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(1).normal(size=(4, 6, 3)).astype("float32")
    layer = keras.layers.GRU(5, return_sequences=True)
    layer.build(x.shape)
    layer.set_weights([w + 0.1 for w in layer.get_weights()])   # non-zero biases too
    expected = np.asarray(layer(x))
    p, h = gru_params_from_keras(layer), np.zeros((4, 5))
    for t in range(6):
        h, _ = gru_step(x[:, t], h, p)
        np.testing.assert_allclose(h, expected[:, t], atol=1e-5)


def test_zero_peepholes_change_nothing_and_nonzero_ones_do():
    rng = np.random.default_rng(2)
    p = {f"{m}_{g}": rng.normal(size=s) for g in "ifgo" for m, s in (("W", (3, 4)), ("U", (4, 4)), ("b", (4,)))}
    x = rng.normal(size=(2, 5, 3))
    plain, _ = run_lstm(x, p)
    zero, _ = run_lstm(x, p, {g: np.zeros(4) for g in "ifo"})
    some, _ = run_lstm(x, p, {g: np.ones(4) for g in "ifo"})
    np.testing.assert_allclose(plain, zero)
    assert np.abs(plain - some).max() > 1e-3


def test_lstm_step_with_open_forget_and_closed_input_gate_keeps_the_cell():
    p = {f"{m}_{g}": np.zeros(s) for g in "ifgo" for m, s in (("W", (1, 1)), ("U", (1, 1)), ("b", (1,)))}
    p["b_f"], p["b_i"] = np.array([30.0]), np.array([-30.0])
    _, c, gates = lstm_step(np.ones((1, 1)), np.zeros((1, 1)), np.full((1, 1), 0.7), p)
    assert c[0, 0] == pytest.approx(0.7) and gates["f"][0, 0] == pytest.approx(1.0)


def test_set_gate_bias_writes_only_the_named_gates(keras):
    layer = keras.layers.LSTM(3)
    layer.build((None, 4, 2))
    set_gate_bias(layer, i=-3.0, f=5.0)
    assert layer.get_weights()[2].tolist() == [-3.0] * 3 + [5.0] * 3 + [0.0] * 6
    with pytest.raises(SequenceError, match="unknown LSTM gate"):
        set_gate_bias(layer, z=1.0)
    gru = keras.layers.GRU(2)
    gru.build((None, 4, 2))
    set_gate_bias(gru, z=3.0)
    assert gru.get_weights()[2].tolist() == [[3.0, 3.0] + [0.0] * 4, [0.0] * 6]
    with pytest.raises(SequenceError, match="needs a Keras LSTM or GRU"):
        set_gate_bias(keras.layers.Dense(2), z=1.0)


def test_gradient_by_lag_reads_back_a_known_linear_model():
    import tensorflow as tf

    w = np.array([1.0, 2.0, 3.0, 4.0], dtype="float32")
    model = lambda x: tf.reduce_sum(x * w[None, :, None], axis=1)  # noqa: E731
    g = gradient_by_lag(model, np.ones((5, 4, 2), dtype="float32"))
    np.testing.assert_allclose(g, w[::-1] * np.sqrt(2), rtol=1e-6)
    with pytest.raises(SequenceError, match="batch, time, features"):
        gradient_by_lag(model, np.ones((4, 2)))
