"""Tests of helpers.metrics: voice-leading and harmony metrics for any number of voices (notebooks 09 and 10)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.metrics import (
    CONSONANT_WITH_BASS,
    USUAL_RANGES,
    chord_match_count,
    consonance,
    crossing,
    crossing_events,
    event_count,
    frame_accuracy,
    harmony_report,
    in_scale_count,
    music21_parallel_count,
    note_pitches,
    parallel_count,
    pool_reports,
    scale_pitch_classes,
    spacing_count,
    spacing_events,
    voice_leading_rates,
    voice_report,
)

R = -1
melodies = st.lists(st.integers(55, 80), min_size=2, max_size=30)


def test_frame_accuracy_counts_rests_as_a_class():
    assert frame_accuracy(np.array([60, 62, R, R]), np.array([60, 64, R, 60])) == 0.5


def test_frame_accuracy_rejects_different_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        frame_accuracy(np.zeros(3), np.zeros(4))


def test_consonance_counts_thirds_fourths_fifths_sixths_octaves_but_not_seconds_or_tritones():
    upper = np.array([64, 65, 67, 69, 72, 62, 66, 71, 72])
    lower = np.array([60, 60, 60, 60, 60, 60, 60, 60, 61])  # M3 P4 P5 M6 P8 | M2 TT M7 M7
    assert consonance(upper, lower) == pytest.approx(5 / 9)


def test_fourth_is_a_dissonance_against_the_bass():
    assert consonance(np.array([65]), np.array([60]), CONSONANT_WITH_BASS) == 0.0


def test_consonance_ignores_rests_and_is_nan_without_common_steps():
    assert consonance(np.array([64, R, 62]), np.array([60, 60, R])) == 1.0
    assert math.isnan(consonance(np.array([R, 60]), np.array([60, R])))


def test_crossing_is_the_share_of_steps_with_the_lower_voice_above():
    assert crossing(np.array([60, 60, 60, 60]), np.array([55, 62, 60, R])) == pytest.approx(1 / 3)


def test_spacing_counts_steps_more_than_an_octave_apart():
    assert spacing_count(np.array([72, 74, 60]), np.array([60, 60, 55])) == (1, 3)


def test_parallel_fifths_need_both_voices_moving_the_same_way():
    assert parallel_count(np.array([67, 69]), np.array([60, 62]), 7) == 1  # C-G to D-A
    assert parallel_count(np.array([67, 67]), np.array([60, 60]), 7) == 0  # held
    assert parallel_count(np.array([67, 74]), np.array([60, 67]), 7) == 1  # up a fifth together
    assert parallel_count(np.array([67, 72]), np.array([60, 53]), 7) == 0  # contrary: fifth to twelfth... no
    assert parallel_count(np.array([67, R, 69]), np.array([60, 60, 62]), 7) == 0  # a rest breaks the chain


def test_parallel_octaves_include_unisons_and_compound_octaves():
    assert parallel_count(np.array([72, 74, 76]), np.array([60, 62, 64]), 0) == 2
    assert parallel_count(np.array([60, 62]), np.array([60, 62]), 0) == 1


@settings(max_examples=40, deadline=None)
@given(melodies, st.integers(-12, 12), st.integers(0, 12))
def test_metrics_do_not_change_when_both_voices_are_transposed(melody, shift, gap):
    upper = np.array(melody)
    lower = upper - gap - np.arange(len(upper)) % 3
    for f in (consonance, crossing):
        a, b = f(upper, lower), f(upper + shift, lower + shift)
        assert a == pytest.approx(b)
    assert parallel_count(upper, lower, 7) == parallel_count(upper + shift, lower + shift, 7)


@settings(max_examples=40, deadline=None)
@given(melodies, st.integers(0, 12))
def test_a_voice_doubled_at_a_fixed_interval_moves_in_parallel_on_every_move(melody, gap):
    upper = np.array(melody)
    moves = int(np.sum(np.diff(upper) != 0))
    assert parallel_count(upper, upper - gap, 7) == (moves if gap == 7 else 0)
    assert parallel_count(upper, upper - gap, 0) == (moves if gap in (0, 12) else 0)
    assert consonance(upper, upper - gap) == (1.0 if gap % 12 in (0, 3, 4, 5, 7, 8, 9) else 0.0)


def test_minor_scale_includes_raised_sixth_and_seventh():
    assert set(scale_pitch_classes(9, "minor")) == {9, 11, 0, 2, 4, 5, 6, 7, 8}
    assert set(scale_pitch_classes(7, "major")) == {7, 9, 11, 0, 2, 4, 6}
    with pytest.raises(ValueError, match="mode"):
        scale_pitch_classes(0, "dorian")


def test_in_scale_counts_notes_not_steps_and_onsets_split_repeated_notes():
    pitch = np.array([60, 60, 60, 61, R, 62])
    assert note_pitches(pitch).tolist() == [60, 61, 62]
    assert note_pitches(pitch, np.array([1, 0, 1, 1, 0, 1], bool)).tolist() == [60, 60, 61, 62]
    assert in_scale_count(pitch, 0, "major") == (2, 3)


def test_harmony_report_has_every_pair_and_pool_weights_by_length():
    s = np.array([72, 74, 76, 77])
    a = np.array([65, 67, 67, 65])
    b = np.array([48, 50, 48, 53])
    rep = harmony_report({"Soprano": s, "Alto": a, "Bass": b}, 0, "major", 4, true={"Alto": a}, bass="Bass")
    assert set(rep["pairs"]) == {("Soprano", "Alto"), ("Soprano", "Bass"), ("Alto", "Bass")}
    assert rep["pairs"][("Soprano", "Alto")]["fifths"] == 1
    pooled = pool_reports([rep, harmony_report({"Soprano": s[:2], "Alto": a[:2] - 1, "Bass": b[:2]}, 0, "major", 4,
                                               true={"Alto": a[:2]}, bass="Bass")])
    assert pooled["voices"]["Alto"]["accuracy"] == pytest.approx(4 / 6)
    assert pooled["voices"]["Alto"]["low"] == 64 and pooled["voices"]["Alto"]["high"] == 67
    assert pooled["pairs"][("Soprano", "Alto")]["fifths_per_100_beats"] == pytest.approx(100 * 1 / 1.5)
    assert "accuracy" not in pooled["voices"]["Bass"]


def test_pool_reports_rejects_an_empty_list():
    with pytest.raises(ValueError, match="no reports"):
        pool_reports([])


def test_events_count_each_crossing_or_wide_spacing_once_however_long():
    assert event_count(np.array([0, 1, 1, 0, 1, 0, 0, 1], bool)) == 3 and event_count(np.array([], bool)) == 0
    upper = np.array([60, 60, 60, 60, 60, 60])
    assert crossing_events(upper, np.array([55, 62, 64, 55, 61, R])) == 2
    assert crossing_events(upper, np.array([62, R, 62, 55, 55, 55])) == 2  # a rest ends a crossing
    assert spacing_events(np.array([76, 76, 72, 76]), np.array([60, 60, 60, 60])) == 2


def test_chord_match_ignores_octaves_and_doubling_but_not_pitch_classes():
    true = {"S": np.array([72, 72, 74, R]), "A": np.array([67, 64, 65, R]), "B": np.array([48, 48, 50, R])}
    other = {"S": true["S"], "A": np.array([55, 64, 65, R]), "B": np.array([60, 60, 57, R])}
    assert chord_match_count(other, true) == (3, 4)  # step 2 has an A in the bass instead of a D
    assert chord_match_count(true, true) == (4, 4)
    with pytest.raises(ValueError, match="one length"):
        chord_match_count({"S": np.zeros(3), "A": np.zeros(4)}, true)


@settings(max_examples=30, deadline=None)
@given(melodies, st.integers(-2, 2))
def test_chord_match_does_not_change_when_a_voice_moves_by_octaves(melody, octaves):
    s = np.array(melody)
    a = s - 4
    assert chord_match_count({"S": s, "A": a + 12 * octaves}, {"S": s, "A": a}) == (len(s), len(s))


def test_voice_report_counts_notes_outside_the_usual_range():
    rep = voice_report(np.array([40, 40, 41, 60, 61, R]), 0, "major", usual_range=USUAL_RANGES["Bass"])
    assert rep["outside"] == 1  # the 61 (C#4); the held 40 (E2) is one note inside


def test_pooled_four_voice_report_gives_chords_events_and_rates():
    voices = {"Soprano": np.array([72, 74, 74, 74]), "Alto": np.array([65, 67, 67, 67]),
              "Tenor": np.array([60, 60, 69, 60]), "Bass": np.array([48, 48, 48, 48])}  # one beat of four steps
    rep = harmony_report(voices, 0, "major", 4, true=voices, bass="Bass")
    pooled = pool_reports([rep, rep])
    assert pooled["chord"]["accuracy"] == 1.0
    rates = voice_leading_rates(pooled)
    assert rates["parallel_fifths"] == pytest.approx(100.0)  # soprano and alto F-C to G-D: one per beat
    assert rates["parallel_octaves"] == 0.0 and rates["wide_spacing"] == 0.0
    assert rates["crossings"] == pytest.approx(100.0)  # the tenor's A4 above the alto's G4
    assert rates["outside_range"] == pytest.approx(100.0)  # that A4 is above the tenor's usual G4
    assert "chord" not in pool_reports([harmony_report(voices, 0, "major", 4, true={"Alto": voices["Alto"]})])


def test_music21_agrees_on_parallels_and_also_flags_contrary_fifths_and_octaves():
    upper, lower = np.array([67, 69, 69, 71, 72, 74]), np.array([60, 62, 62, 64, 60, 62])
    assert music21_parallel_count(upper, lower) == (parallel_count(upper, lower, 7), parallel_count(upper, lower, 0))
    contrary = (np.array([60, 55]), np.array([48, 55]))  # an octave closing to a unison
    assert parallel_count(*contrary, 0) == 0 and music21_parallel_count(*contrary) == (0, 0)
    assert music21_parallel_count(*contrary, same_direction=False) == (0, 1)
