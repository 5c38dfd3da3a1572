"""The phrase-ending finder (helpers.phrases) and the Essen folk songs it learns from (helpers.essen): features of
a hand-made melody, the shipped model, the baselines on toy sequences, the scoring, and the alignment of ABC lines
with music21's notes."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import phrases as P
from helpers.errors import InputError
from helpers.essen import line_note_counts, read_tune
from helpers.midi import Voice
from tests.conftest import make_voice

FEATURE = {name: k for k, name in enumerate(P.FEATURE_NAMES)}


def feature(X: np.ndarray, name: str) -> np.ndarray:
    return X[:, FEATURE[name]]


def test_features_of_a_hand_made_melody_read_length_rest_bar_line_intervals_and_degree():
    # 4/4 in G major: G A B (half) | rest D' (dotted half) | G (whole)
    voice = make_voice("m", [67, 69, 71, 74, 67], [1, 1, 2, 3, 4])
    voice = Voice("m", voice.pitches, np.r_[voice.starts[:3], voice.starts[3:] + 1],
                  np.r_[voice.ends[:3], voice.ends[3:] + 1])  # a one-beat rest after the half note
    X = P.note_features(voice, (4, 4), 0.0, tonic=7, mode="major")
    assert X.shape == (5, len(P.FEATURE_NAMES))
    np.testing.assert_allclose(feature(X, "log2 length"), [0, 0, 1, np.log2(3), 2])
    np.testing.assert_allclose(feature(X, "rest after"), [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(feature(X, "ends on a bar line"), [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(feature(X, "next onset on a bar line"), [0, 0, 0, 1, 1])
    np.testing.assert_allclose(feature(X, "interval in") * 12, [0, 2, 2, 3, -7])
    np.testing.assert_allclose(feature(X, "interval out") * 12, [2, 2, 3, -7, 0])
    np.testing.assert_array_equal(feature(X, "tonic"), [1, 0, 0, 0, 1])
    np.testing.assert_array_equal(feature(X, "fifth"), [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(feature(X, "last note"), [0, 0, 0, 0, 1])
    np.testing.assert_allclose(feature(X, "start in bar"), [0, 0.25, 0.5, 0.25, 0])


def test_pickup_shifts_the_bar_lines_of_the_features():
    voice = make_voice("m", [60, 64, 67, 72], [1, 1, 2, 4])
    X = P.note_features(voice, (4, 4), anacrusis=1.0)
    np.testing.assert_array_equal(feature(X, "starts on a downbeat"), [0, 1, 0, 0])
    np.testing.assert_array_equal(feature(X, "ends on a bar line"), [1, 0, 0, 0])


def test_long_note_before_a_pickup_ends_a_phrase():
    # 4/4 with a one-beat pickup: g | c' c' d' d' | e'2. g | a a g g | c'2. (dotted halves, then a pickup)
    pitches = [67, 72, 72, 74, 74, 76, 67, 69, 69, 67, 67, 72]
    lengths = [1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 3]
    voice = make_voice("m", pitches, lengths)
    ends = P.find_phrase_ends(voice, (4, 4), 1.0, tonic=0, mode="major")
    assert ends[-1] == voice.end
    assert 8.0 in ends  # the dotted half e' ends where the pickup g starts
    assert not set(ends) & {2.0, 3.0, 4.0, 5.0, 10.0}  # no quarter note inside the phrases


def test_melody_features_add_the_neighbours_features_within_the_melody():
    voice = make_voice("m", [60, 64, 67, 72], [1, 1, 2, 4])
    X = P.note_features(voice, (4, 4))
    M = P.melody_features(voice, (4, 4))
    n = X.shape[1]
    assert M.shape == (4, len(P.MODEL_FEATURES)) == (4, 3 * n)
    np.testing.assert_array_equal(M[:, :n], X)
    np.testing.assert_array_equal(M[1:, n:2 * n], X[:-1])
    np.testing.assert_array_equal(M[:-1, 2 * n:], X[1:])
    assert not M[0, n:2 * n].any() and not M[-1, 2 * n:].any()


def test_shipped_model_loads_and_marks_the_last_note():
    model = P.load_model()
    assert model["features"] == list(P.MODEL_FEATURES)
    assert len(model["coef"]) == len(P.MODEL_FEATURES) == len(model["mean"]) == len(model["scale"])
    assert 0 < model["threshold"] < 1
    voice = make_voice("m", [60, 62, 64, 65, 67, 65, 64, 62], [1] * 8)
    assert P.find_phrase_ends(voice, (4, 4), 0.0, 0, "major")[-1] == voice.end
    assert P.find_phrase_ends(Voice("empty", [], [], []), (4, 4)) == []


def test_decide_keeps_the_higher_of_two_neighbours_and_always_the_last_note():
    assert P.decide(np.array([0.1, 0.8, 0.9, 0.2, 0.1]), 0.5).tolist() == [2, 4]


def test_two_bar_rule_marks_the_note_before_every_second_bar_line_from_the_first_note():
    voice = make_voice("m", [60] * 20, [1] * 20)  # 20 quarter notes in 4/4
    assert P.two_bar_ends(voice, (4, 4)).tolist() == [7, 15, 19]
    held = make_voice("m", [60, 62, 64, 65], [3, 6, 2, 5])  # a note held across beat 8 ends nothing earlier
    assert P.two_bar_ends(held, (4, 4)).tolist() == [1, 3]
    assert P.two_bar_ends(voice, (3, 4)).tolist() == [5, 11, 17, 19]


def test_lbdm_puts_the_boundary_after_the_long_note_followed_by_a_leap():
    # c d e f (quarters) g (half) | c' b a g (quarters): the half note and the leap make the boundary after g
    voice = make_voice("m", [60, 62, 64, 65, 67, 72, 71, 69, 67], [1, 1, 1, 1, 2, 1, 1, 1, 1])
    s = P.lbdm_strengths(voice)
    assert int(np.argmax(s)) == 4
    assert s[-1] == 0
    assert P.lbdm_ends(voice, 0.5).tolist() == [4, 8]


def test_lbdm_strength_is_the_interval_times_its_change_on_both_sides():
    # pitch intervals 2, 2, 8 (changes 0 and 6/10), even quarters: strengths 0, 2 * 0.6, 8 * 0.6, scaled by 4.8
    voice = make_voice("m", [60, 62, 64, 72], [1, 1, 1, 1])
    np.testing.assert_allclose(P.lbdm_strengths(voice), [0, 0.25 * 0.25, 0.25, 0])


def test_match_counts_exact_and_within_one_note():
    assert P.match_counts([3, 8, 12], [3, 7, 12], 13) == (1, 1, 1)  # the last note (12) is left out
    assert P.match_counts([3, 8, 12], [3, 7, 12], 13, tolerance=1) == (2, 0, 0)
    assert P.match_counts([3, 8, 12], [3, 7, 12], 13, skip_last=False) == (2, 1, 1)
    assert P.f1_score(np.array([[2, 0, 2]])) == pytest.approx((2 / 3, 1.0, 0.5))


def test_bootstrap_f1_gain_is_zero_for_the_same_method_and_positive_for_a_better_one():
    a = np.array([[3, 0, 0], [2, 1, 0], [4, 0, 1]] * 5)
    b = np.array([[1, 2, 2], [1, 1, 1], [2, 2, 3]] * 5)
    groups = [f"t{k}" for k in range(15)]
    same = P.bootstrap_f1_gain(a, a, groups)
    assert same.gain == 0 and same.low == 0 == same.high
    better = P.bootstrap_f1_gain(a, b, groups)
    assert better.low > 0 and better.n_groups == 15


ESSEN_TUNE = """X:1
T: Two lines
M: 3/4
L: 1/8
K: G
D2 | G2A2B2 | d4 "rit."B2 | A2!trill!G2F2 | G4
B2 | [Bd]2c2A2 | G4 z2
"""


def test_essen_lines_become_phrase_ends_at_their_last_notes():
    assert line_note_counts(ESSEN_TUNE) == [10, 5]
    song = read_tune(ESSEN_TUNE, "tiny", "test")
    assert len(song.voice) == 15
    assert song.anacrusis == 1.0 and song.time_signature == (3, 4) and song.tonic == 7
    assert song.phrase_ends == (12.0, 18.0)  # the G that ends line 1, and the G before the closing rest
    assert song.voice.pitches[9] == 67 and song.voice.ends[9] == 12.0


def test_essen_tune_without_a_metre_is_refused():
    with pytest.raises(InputError, match="no single metre"):
        read_tune(ESSEN_TUNE.replace("M: 3/4", "M: none"), "free")
    with pytest.raises(InputError, match="field inside the tune body"):
        read_tune(ESSEN_TUNE.replace("B2 | [Bd]", "M: 2/4\nB2 | [Bd]"), "changing")
