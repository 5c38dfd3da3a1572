"""The levers of issue 13 in the library: phrase features, transpositions, ensembles, constrained decoding and
sampling, octave placement, and the recipes' bookkeeping."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import harmonize as H
from helpers.harmonize.recipes import networks_needed
from helpers.midi import Voice
from helpers.pianoroll import REST

ALTO_ONLY = H.VoiceLeading(parallel=0, crossing=0, candidates=40, hold="step", order=True)


# ------------------------------------------------------------------------------------------- phrase features

def test_phrase_features_mark_the_fermata_note_and_count_beats_to_the_phrase_end():
    onset = np.zeros(16, bool)
    onset[[0, 4, 8, 12]] = True  # four quarter notes, 4 steps per beat
    f = H.phrase_features(onset, phrase_ends=[2.0], steps_per_beat=4)  # a fermata on the second note
    assert f.shape == (16, 2)
    assert f[:, 0].tolist() == [0] * 4 + [1] * 4 + [0] * 4 + [1] * 4  # the notes that end a phrase (and the piece)
    assert f[0, 1] == pytest.approx(2.0 / 8) and f[7, 1] == pytest.approx(0.25 / 8)  # beats to the next end / 8
    assert f[8, 1] == pytest.approx(2.0 / 8)  # after the fermata the next end is the piece's end
    assert np.array_equal(H.phrase_features(onset, [], 4)[:, 0], [0] * 12 + [1] * 4)  # no marks: the end counts


def test_an_encoding_with_phrases_has_two_more_features_and_round_trips_through_json(chorales):
    plain = H.fit_encoding(chorales)
    phr = H.fit_encoding(chorales, phrases=True)
    assert phr.n_features == plain.n_features + 2
    assert H.Encoding.from_json(phr.to_json()) == phr and H.Encoding.from_json(plain.to_json()) == plain
    c = replace(chorales[0], phrase_ends=(4.0,))
    X, _ = H.encode_chorale(c, phr)
    assert X.shape[1] == phr.n_features and X[:16, -2].tolist() == [0] * 12 + [1] * 4


# --------------------------------------------------------------------------------------------- transpositions

def test_transposed_training_keeps_every_voice_in_range_and_multiplies_the_windows(chorales):
    enc = H.fit_encoding(chorales, normalised=False)
    assert not enc.normalised and enc.shift(7, "major") == 0
    kept = H.in_range_transpositions(chorales[0], enc, range(-12, 13))
    assert 0 in kept and 1 < len(kept) < 25  # some, not all, transpositions stay inside the ranges
    for t in kept:
        moved = chorales[0].transpose(t)
        for v in ("Soprano", "Alto"):
            low, high = enc.ranges[v]
            assert moved.voices[v].pitches.min() >= low and moved.voices[v].pitches.max() < high
    X1, _ = H.training_windows(chorales, enc, 32, 16)
    X2, _ = H.training_windows(chorales, enc, 32, 16, transpositions=range(-6, 6))
    assert len(X2) > 2 * len(X1)


# --------------------------------------------------------------------------------------------------- ensembles

def _tiny(chorales, seed, **kw):
    import keras

    keras.utils.set_random_seed(seed)
    return H.train_harmonizer(chorales, units=4, epochs=1, window=32, hop=16, **kw)[0]


@pytest.fixture(scope="module")
def pair(chorales):
    """Two tiny alto networks trained alike with seeds 1 and 2."""
    return _tiny(chorales, 1), _tiny(chorales, 2)


def test_an_ensemble_averages_its_members_probabilities_and_saves_them_all(chorales, pair, tmp_path):
    a, b = pair
    both = H.Harmonizer.ensemble([a, b])
    X, _ = H.encode_chorale(chorales[0], a.encoding)
    pa, pb, pboth = a.probabilities(X), b.probabilities(X), both.probabilities(X)
    np.testing.assert_allclose(pboth["Alto_pitch"], (pa["Alto_pitch"] + pb["Alto_pitch"]) / 2, atol=1e-6)
    loaded = H.Harmonizer.load(both.save(tmp_path / "e.keras"))
    assert len(loaded.models) == 2
    np.testing.assert_allclose(loaded.probabilities(X)["Alto_pitch"], pboth["Alto_pitch"], atol=1e-6)
    with pytest.raises(ValueError, match="same encoding"):
        H.Harmonizer.ensemble([a, H.Harmonizer(b.models, H.fit_encoding(chorales, phrases=True))])


# --------------------------------------------------------------------------------------- constrained decoding

def _uniform_probs(n, classes, favour=None):
    p = np.full((n, classes), 1.0)
    if favour is not None:
        p[np.arange(n), favour] = 50.0  # the network's favourite class at each step
    return p / p.sum(1, keepdims=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(55, 80), min_size=4, max_size=12), st.integers(0, 2 ** 31 - 1))
@example(melody=[55, 55, 55, 55, 55, 55, 62, 55, 55], seed=12782)  # no top-4 chord kept the order (found by CI)
def test_constrained_decoding_never_puts_a_voice_above_the_melody_or_out_of_order(melody, seed):
    rng = np.random.default_rng(seed)
    melody = np.repeat(np.asarray(melody), 4)  # one note per beat
    n = len(melody)
    lows = {"Alto": 53, "Tenor": 45, "Bass": 36}
    probs = {v: rng.dirichlet(np.ones(26) * 0.3, size=n) for v in lows}  # random, often wild, networks
    onsets = {v: np.full((n, 1), 0.5) for v in lows}
    rules = replace(H.DEFAULT_VOICE_LEADING, order=True)
    out = H.decode_jointly(probs, onsets, lows, melody, rules)
    a, t, b = (out[v][0] for v in ("Alto", "Tenor", "Bass"))
    for upper, lower in ((melody, a), (a, t), (t, b)):
        both = (upper != REST) & (lower != REST)
        assert np.all(lower[both] <= upper[both])
    sampled = H.decode_jointly(probs, onsets, lows, melody, rules, temperature=1.0, rng=np.random.default_rng(1))
    assert np.all(sampled["Alto"][0][melody != REST] <= melody[melody != REST])


def test_without_the_order_rule_the_same_network_writes_above_the_melody():
    melody = np.repeat([60, 62, 64, 62], 4)
    favour = np.full(16, 1 + 70 - 53)  # the network wants G4/B♭4 ... here pitch 70, above every melody note
    probs = {"Alto": _uniform_probs(16, 26, favour)}
    onsets = {"Alto": np.full((16, 1), 0.5)}
    free = H.decode_jointly(probs, onsets, {"Alto": 53}, melody, replace(ALTO_ONLY, order=False))
    kept = H.decode_jointly(probs, onsets, {"Alto": 53}, melody, ALTO_ONLY)
    assert np.all(free["Alto"][0] == 70)
    assert np.all(kept["Alto"][0] <= melody) and np.all(kept["Alto"][0] != REST)


def test_half_beat_holding_lets_notes_change_on_eighths_only_or_with_the_melody():
    melody = np.repeat([72, 74], 8)  # two half notes
    starts = H.chord_starts(melody, None, 4, "half")
    assert starts.tolist() == [0, 2, 4, 6, 8, 10, 12, 14]
    assert H.chord_starts(melody, None, 4, "beat").tolist() == [0, 4, 8, 12]
    with pytest.raises(ValueError, match="hold must be one of"):
        H.VoiceLeading(hold="bar")


def test_sampling_gives_different_settings_that_all_keep_the_rules():
    rng = np.random.default_rng(0)
    melody = np.repeat([72, 74, 76, 74, 72, 71, 72, 72], 4)
    lows = {"Alto": 53, "Tenor": 45, "Bass": 36}
    probs = {v: rng.dirichlet(np.ones(26), size=len(melody)) for v in lows}
    onsets = {v: np.full((len(melody), 1), 0.5) for v in lows}
    rules = replace(H.DEFAULT_VOICE_LEADING, order=True)
    best = H.decode_jointly(probs, onsets, lows, melody, rules)
    again = H.decode_jointly(probs, onsets, lows, melody, rules)
    samples = [H.decode_jointly(probs, onsets, lows, melody, rules, temperature=1.0,
                                rng=np.random.default_rng(s)) for s in range(3)]
    assert all(np.array_equal(best[v][0], again[v][0]) for v in lows)  # no temperature: deterministic
    keys = {tuple(np.concatenate([s[v][0] for v in lows])) for s in samples}
    assert len(keys) == 3  # three different settings
    for s in samples:
        assert np.all(s["Alto"][0] <= melody) and np.all(s["Tenor"][0] <= s["Alto"][0])


# ------------------------------------------------------------------------------------- melodies out of range

def test_a_low_melody_is_moved_up_to_the_soprano_range_and_the_alto_stays_under_it(pair):
    h = pair[0].with_voice_leading(ALTO_ONLY)
    low_tune = np.array([53, 55, 57, 58, 60, 58, 57, 55, 53, 60, 63, 62, 60, 58, 57, 53])  # F3–E♭4, written low
    melody = Voice("m", low_tune, np.arange(16.0), np.arange(16.0) + 1)
    voices, logp = h.harmonize(melody, 5, "major", return_score=True)
    alto_p, _ = voices[1].pitches, voices[1].starts
    assert np.isfinite(logp) and logp < 0
    for note_pitch, s, e in zip(voices[1].pitches, voices[1].starts, voices[1].ends):
        under = low_tune[int(s):int(np.ceil(e))]
        assert note_pitch <= under.min()  # at or below the melody wherever it sounds
    assert len(alto_p) > 0


def test_the_octave_for_the_model_puts_the_melody_nearest_the_middle_of_the_range():
    low_tune = np.array([53, 57, 60, 62])
    assert H.best_octave_shift(low_tune, 58, 84) == 12  # the smallest shift that fits
    assert H.best_octave_shift(low_tune, 58, 84, centre=70.5) == 12
    assert H.best_octave_shift(np.array([60, 62, 64]), 50, 90, centre=75) == 12
    assert H.best_octave_shift(np.array([60, 62, 64]), 50, 90) == 0
    assert H.best_octave_shift(np.array([30, 100]), 58, 84, centre=70) is None


# ------------------------------------------------------------------------------------------------- recipes

def test_every_recipe_network_is_listed_once_and_ensembles_use_consecutive_seeds():
    needed = networks_needed([*H.ALTO_RECIPES.values(), *H.SATB_RECIPES.values()])
    assert len(needed) == len(set(needed))
    combo = H.ALTO_RECIPES["combination"]
    assert all((combo.network, s) in needed for s in range(combo.members))
    singles = [r for r in H.ALTO_RECIPES.values() if r.members == 1]
    assert all((r.network, s) in needed for r in singles for s in (0, 1, 2))
    assert H.BEST[("Alto",)].decoding.order and H.BEST[("Alto", "Tenor", "Bass")].decoding.order


def test_a_network_saved_with_other_settings_is_not_reused(tmp_path, monkeypatch, pair):
    from helpers.harmonize import recipes as R

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    calls = []

    def fake_train(network, seed, chorales=None, return_history=False, verbose=0):
        calls.append((network, seed))
        return pair[0], 1.5, {"loss": [2.0, 1.0]}

    monkeypatch.setattr(R, "train_network", fake_train)
    net = R.Network(epochs=1)
    _, secs, trained = R.ensure_network(net, 0)
    assert trained and secs == 1.5 and len(calls) == 1
    _, _, trained = R.ensure_network(net, 0)
    assert not trained and len(calls) == 1  # saved with the same settings: loaded
    meta = R.network_path(net, 0).with_name(R.network_path(net, 0).stem + ".recipe.json")
    meta.write_text(meta.read_text().replace('"epochs": 1', '"epochs": 7'))  # saved by another recipe
    _, _, trained = R.ensure_network(net, 0)
    assert trained and len(calls) == 2
    with pytest.raises(FileNotFoundError, match="train-harmonizer"):
        R.ensure_network(R.Network(epochs=3), 0, train_if_missing=False)



# ------------------------------------------------------------------------------------------------ passing notes

def _alto_probs(n, favourite, low=53, classes=26):
    """Probabilities (n, classes) whose most likely pitch at each step is ``favourite[step]``."""
    p = np.full((n, classes), 0.01)
    p[np.arange(n), np.asarray(favourite) - low + 1] = 1.0
    return p / p.sum(1, keepdims=True)


def test_a_passing_note_fills_a_third_where_the_network_prefers_it():
    melody = np.full(8, 72)  # C5 held for two beats
    alto = np.array([64] * 4 + [67] * 4)  # E4 for a beat, then G4: a third
    onset = np.array([1, 0, 0, 0, 1, 0, 0, 0], bool)
    wants_f = _alto_probs(8, [64, 64, 65, 65, 67, 67, 67, 67])  # the network likes F4 on the second half-beat
    out = H.add_passing_notes({"Alto": (alto, onset)}, {"Alto": wants_f}, {"Alto": 53}, melody, 4)
    assert out["Alto"][0].tolist() == [64, 64, 65, 65, 67, 67, 67, 67]
    assert np.flatnonzero(out["Alto"][1]).tolist() == [0, 2, 4]
    holds = _alto_probs(8, [64, 64, 64, 64, 67, 67, 67, 67])  # the network would rather hold E4
    kept = H.add_passing_notes({"Alto": (alto, onset)}, {"Alto": holds}, {"Alto": 53}, melody, 4)
    assert kept["Alto"][0].tolist() == alto.tolist()


def test_a_passing_note_that_would_make_parallel_fifths_is_not_written():
    melody = np.array([71] * 2 + [72] * 2 + [74] * 4)  # B4 C5 | D5: the melody moves on the half beat
    alto = np.array([64] * 4 + [67] * 4)  # E4 → G4; a passing F4 against C5 then G4 against D5: parallel fifths
    onset = np.array([1, 0, 0, 0, 1, 0, 0, 0], bool)
    wants_f = _alto_probs(8, [64, 64, 65, 65, 67, 67, 67, 67])
    out = H.add_passing_notes({"Alto": (alto, onset)}, {"Alto": wants_f}, {"Alto": 53}, melody, 4)
    assert out["Alto"][0].tolist() == alto.tolist()
