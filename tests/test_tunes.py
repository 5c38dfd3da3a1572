"""helpers.tunes: whole sopranos aligned note by note keep every tune in one group."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.tunes import (
    SETTING_THRESHOLD,
    TUNE_THRESHOLD,
    chord_sequence,
    lcs_lengths,
    longest_common_runs,
    melody_notes,
    merge_tunes,
    same_settings,
    soprano_similarity,
    tune_groups,
    without_written_repeat,
)

TUNE = np.array([67, 67, 69, 71, 72, 71, 69, 67, 66, 67, 64, 62, 64, 67, 69, 71, 69, 67, 66, 67])
OTHER = np.array([72, 76, 79, 77, 76, 74, 72, 71, 72, 74, 76, 81, 79, 77, 76, 74, 76, 72, 71, 72])


def _lcs(a, b) -> int:
    """The textbook dynamic programme, for checking the vectorised one."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=12), min_size=2, max_size=2))
def test_vectorised_lcs_equals_the_textbook_one(pair):
    a, b = (np.array(x) for x in pair)
    width = max(len(a), len(b))
    pa = np.full((1, width), -1)
    pb = np.full((1, width), -2)
    pa[0, :len(a)], pb[0, :len(b)] = a, b
    assert lcs_lengths(pa, pb)[0] == _lcs(list(a), list(b))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=12), min_size=2, max_size=2))
def test_vectorised_longest_run_equals_a_direct_search(pair):
    a, b = pair
    width = max(len(a), len(b))
    pa, pb = np.full((1, width), -1), np.full((1, width), -2)
    pa[0, :len(a)], pb[0, :len(b)] = a, b
    direct = max((n for n in range(1, len(a) + 1) for i in range(len(a) - n + 1)
                  if any(a[i:i + n] == b[j:j + n] for j in range(len(b) - n + 1))), default=0)
    assert longest_common_runs(pa, pb)[0] == direct


def test_a_written_out_repeat_of_the_opening_is_removed_but_a_repeated_motif_is_not():
    line = np.arange(60, 72)  # twelve notes
    rest = np.array([50, 52, 53])
    assert without_written_repeat(np.r_[line, line, rest]).tolist() == np.r_[line, rest].tolist()
    motif = np.array([73, 74, 76, 74, 73, 71])  # bwv359 opens with this six-note motif twice
    assert without_written_repeat(np.r_[motif, motif, rest]).tolist() == np.r_[motif, motif, rest].tolist()
    assert without_written_repeat(rest).tolist() == rest.tolist()


def test_a_tune_with_its_repeat_written_out_joins_its_twin(corpus_chorales):
    """bwv78.7 writes out the repeat of its first line, bwv353 does not: one tune, 0.73 before the repeat goes."""
    chorales = corpus_chorales
    assert chorales.by_name("bwv78.7").group == chorales.by_name("bwv353").group
    assert chorales.by_name("bwv244.40").group == chorales.by_name("bwv359").group


def test_repeated_notes_merge_but_returning_notes_stay():
    assert melody_notes(np.array([60, 60, 62, 60, 60])).tolist() == [60, 62, 60]


def test_a_transposed_tune_is_the_same_tune():
    sim = soprano_similarity([TUNE, TUNE + 5, TUNE - 3])
    assert np.allclose(sim, 1.0)


def test_one_inserted_passing_note_keeps_the_tune_together():
    varied = np.insert(TUNE, 4, 70) + 2  # a passing note between 69 and 71, and another key
    sim = soprano_similarity([TUNE, varied])
    m, n = len(melody_notes(TUNE)), len(melody_notes(varied))
    assert sim[0, 1] == pytest.approx(2 * m / (m + n))
    assert sim[0, 1] >= TUNE_THRESHOLD


def test_different_tunes_are_apart_and_unaligned_pairs_are_below_the_floor():
    sim = soprano_similarity([TUNE, OTHER])
    assert np.isnan(sim[0, 1]) or sim[0, 1] < TUNE_THRESHOLD
    a, b = melody_notes(TUNE), melody_notes(OTHER)
    best = max(_lcs(list(a), list(b + k)) for k in range(-12, 13))
    assert 2 * best / (len(a) + len(b)) < TUNE_THRESHOLD


def test_groups_are_the_transitive_closure_numbered_in_order():
    sim = np.array([[1, .9, .1, .1], [.9, 1, .8, .1], [.1, .8, 1, np.nan], [.1, .1, np.nan, 1]])
    assert tune_groups(sim, threshold=0.78).tolist() == [0, 0, 0, 1]
    assert tune_groups(sim, threshold=0.85).tolist() == [0, 0, 1, 2]


def _soprano(name: str) -> np.ndarray:
    from music21 import corpus
    part = corpus.parse(f"bach/{name}").parts[0]
    return np.array([n.pitch.midi for n in part.flatten().notes if n.isNote])


@pytest.mark.parametrize("names", [("bwv417", "bwv418", "bwv419"), ("bwv245.17", "bwv244.3")])
def test_known_settings_of_one_tune_share_a_group(names):
    """Reviewers found these split by the old 12-interval rule ("Herzliebster Jesu": bwv245.17, bwv244.3)."""
    groups = tune_groups(soprano_similarity([_soprano(n) for n in names]))
    assert len(set(groups)) == 1


def test_clearly_different_chorale_tunes_stay_apart():
    names = ("bwv417", "bwv244.3", "bwv64.8", "bwv269")  # Von Gott will ich nicht lassen, Herzliebster Jesu, ...
    groups = tune_groups(soprano_similarity([_soprano(n) for n in names]))
    assert len(set(groups)) == len(names)


def _setting(soprano: np.ndarray) -> np.ndarray:
    """A (voices, beats) setting of a soprano in quarter notes: alto a third, tenor an octave, a moving bass."""
    soprano = np.asarray(soprano)
    return np.stack([soprano, soprano - 4, soprano - 12, soprano - 15 + (np.arange(len(soprano)) % 3)])


def test_chord_sequence_codes_each_chord_once_and_skips_rests():
    pitches = np.array([[72, 72, 74, -1], [67, 67, 65, 65], [64, 64, 62, 62], [48, 48, 50, 50]])
    codes = chord_sequence(pitches)
    assert codes.tolist() == [((72 * 128 + 67) * 128 + 64) * 128 + 48, ((74 * 128 + 65) * 128 + 62) * 128 + 50]


def test_a_setting_with_its_repeat_written_out_is_the_same_setting_though_not_the_same_tune():
    """bwv20.7 and bwv20.11: one setting, once with its repeat written out; the tune measure alone misses it."""
    once, twice = _setting(TUNE), _setting(np.concatenate([TUNE, TUNE]))
    assert tune_groups(soprano_similarity([once[0], twice[0]])).tolist() == [0, 1]
    pairs = same_settings([chord_sequence(once), chord_sequence(twice + 2)], [once[0], twice[0] + 2])  # another key
    assert [(a, b) for a, b, _ in pairs] == [(0, 1)] and pairs[0][2] == 1.0


def test_the_same_tune_set_differently_is_not_the_same_setting():
    a = _setting(TUNE)
    b = np.stack([TUNE, TUNE - 3, TUNE - 9, TUNE - 12 - (np.arange(len(TUNE)) % 4)])  # other inner voices and bass
    assert same_settings([chord_sequence(a), chord_sequence(b)], [TUNE, TUNE]) == []
    c = a.copy()
    c[3, ::2] -= 5  # every other bass note changed: half the chords differ
    assert same_settings([chord_sequence(a), chord_sequence(c)], [TUNE, TUNE]) == []
    c = a.copy()
    c[3, 5] -= 5  # one bass note changed: still one setting
    assert len(same_settings([chord_sequence(a), chord_sequence(c)], [TUNE, TUNE])) == 1


def test_similarity_restricted_to_some_rows_equals_the_full_one_there_and_compares_nothing_else():
    melodies = [TUNE, TUNE + 5, OTHER, np.r_[TUNE[:10], 60, TUNE[10:]], OTHER - 2]
    full = soprano_similarity(melodies, floor=0.0)
    part = soprano_similarity(melodies, floor=0.0, rows=[1, 3])
    touched = np.zeros((5, 5), bool)
    touched[[1, 3], :] = touched[:, [1, 3]] = True
    np.fill_diagonal(touched, True)
    np.testing.assert_array_equal(part[touched], full[touched])
    assert np.isnan(part[~touched]).all() and not np.isnan(full).any()


def test_merging_keeps_the_smallest_tune_id_and_leaves_the_others_alone():
    tunes = np.array([0, 1, 1, 2, 3, 4])
    assert merge_tunes(tunes, [(5, 1, 1.0), (3, 4, 0.96)]).tolist() == [0, 1, 1, 2, 2, 1]
    assert merge_tunes(tunes, []).tolist() == tunes.tolist()


def test_no_test_chorale_shares_a_setting_with_training_in_the_course_split(corpus_chorales):
    """The leak issue 23 found: bwv20.7 (test) is bwv20.11 (train) with its repeat written out."""
    from helpers.chorales import course_split

    chorales = corpus_chorales
    train, test = course_split(chorales)
    assert chorales.by_name("bwv20.7").group == chorales.by_name("bwv20.11").group
    assert {c.name for c in test} >= {"bwv20.7", "bwv20.11", "bwv397"}
    both = list(train) + list(test)
    pairs = same_settings([chord_sequence(c.steps(1)[0]) for c in both], [c.voices["Soprano"].pitches for c in both],
                          threshold=0.5)
    crossing = [v for a, b, v in pairs if (a < len(train)) != (b < len(train))]
    assert max(crossing, default=0) < 0.7 < SETTING_THRESHOLD  # nothing across the split near one setting
