"""Tests of helpers.metrics: voice-leading and harmony metrics for any number of voices (notebooks 09 and 10)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.metrics import (
    USUAL_RANGES,
    chord_match_count,
    consonance,
    crossing_events,
    event_count,
    harmony_report,
    in_scale_count,
    music21_agreement,
    music21_rule_events,
    note_pitches,
    parallel_count,
    pool_reports,
    rule_counts,
    scale_pitch_classes,
    spacing_count,
    spacing_events,
    voice_leading_rates,
    voice_report,
)
from helpers.theory import spell_for_signature
from helpers.voiceleading import CONSONANT_IN_DUET, hidden_motion

R = -1
melodies = st.lists(st.integers(55, 80), min_size=2, max_size=30)


def test_consonance_counts_thirds_fourths_fifths_sixths_octaves_but_not_seconds_or_tritones():
    upper = np.array([64, 65, 67, 69, 72, 62, 66, 71, 72])
    lower = np.array([60, 60, 60, 60, 60, 60, 60, 60, 61])  # M3 P4 P5 M6 P8 | M2 TT M7 M7
    assert consonance(upper, lower) == pytest.approx(5 / 9)


def test_fourth_is_a_dissonance_against_the_bass():
    assert consonance(np.array([65]), np.array([60]), CONSONANT_IN_DUET) == 0.0


def test_consonance_ignores_rests_and_is_nan_without_common_steps():
    assert consonance(np.array([64, R, 62]), np.array([60, 60, R])) == 1.0
    assert math.isnan(consonance(np.array([R, 60]), np.array([60, R])))


def test_the_crossing_share_is_the_share_of_steps_with_the_lower_voice_above():
    upper, lower = np.array([60, 60, 60, 60]), np.array([55, 62, 60, R])
    pooled = pool_reports([harmony_report({"Soprano": upper, "Alto": lower}, 0, "major", 1)])
    assert pooled["pairs"][("Soprano", "Alto")]["crossing"] == pytest.approx(1 / 3)


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
    assert consonance(upper, lower) == pytest.approx(consonance(upper + shift, lower + shift))
    assert crossing_events(upper, lower) == crossing_events(upper + shift, lower + shift)
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


def test_music21_agrees_on_parallels_and_tells_contrary_octaves_apart():
    upper, lower = np.array([67, 69, 69, 71, 72, 74]), np.array([60, 62, 62, 64, 60, 62])
    theirs = music21_rule_events(upper, lower)
    assert (theirs["parallel_fifths"].sum(), theirs["parallel_octaves"].sum()) == (
        parallel_count(upper, lower, 7), parallel_count(upper, lower, 0))
    contrary = (np.array([60, 55]), np.array([48, 55]))  # an octave closing to a unison
    assert parallel_count(*contrary, 0) == 0 and music21_rule_events(*contrary)["parallel_octaves"].sum() == 0
    assert music21_rule_events(*contrary)["contrary_octaves"].sum() == 1


def test_crossed_voices_are_judged_by_their_real_interval():
    fourths_crossed = (np.array([60, 62, 64]), np.array([65, 67, 69]))  # the lower voice a fourth above
    assert parallel_count(*fourths_crossed, 7) == 0
    assert consonance(*fourths_crossed, context="duet") == 0.0
    fifths_crossed = (np.array([60, 62]), np.array([67, 69]))  # the lower voice a fifth above
    assert parallel_count(*fifths_crossed, 7) == 1


def test_parallel_fourths_are_consonant_in_four_parts_but_dissonant_as_a_duet():
    soprano = np.array([72, 74, 76, 77, 79])
    alto = soprano - 5  # what a constant-interval baseline a fourth below writes
    assert consonance(soprano, alto) == 1.0  # the old default: between upper voices of four parts
    assert consonance(soprano, alto, context="four_parts") == 1.0
    assert consonance(soprano, alto, context="duet") == 0.0
    thirds = consonance(soprano, soprano - 3, context="duet")
    assert thirds == 1.0
    with pytest.raises(ValueError, match="context"):
        consonance(soprano, alto, context="choir")


def test_rule_counts_separate_similar_contrary_and_hidden_motion():
    upper = np.array([67, 69, 76, 79, 79, 84])
    lower = np.array([60, 62, 57, 60, 60, 60])
    # G/C to A/D: parallel fifths; A/D to E5/A3: contrary into a fifth (P5 -> P12, contrary: a contrary fifth);
    # E5/A3 to G5/C4: similar into a twelfth from a twelfth: a parallel fifth; G5/C4 held; G5/C4 to C6/C4: oblique
    assert rule_counts(upper, lower) == {"parallel_fifths": 2, "parallel_octaves": 0, "contrary_fifths": 1,
                                         "contrary_octaves": 0, "hidden_fifths": 0, "hidden_octaves": 0}
    hidden = (np.array([76, 84, 81]), np.array([53, 60, 50]))  # E5/F3 -> C6/C4 (hidden octave) -> A5/D3 (fifth)
    assert rule_counts(*hidden)["hidden_octaves"] == 1 and rule_counts(*hidden)["hidden_fifths"] == 1
    u, lo = hidden
    assert not hidden_motion(u[:-1], lo[:-1], u[1:], lo[1:], (0,), 9).any()  # the soprano leaps 8 semitones


def test_rates_count_contrary_motion_over_all_pairs_and_hidden_motion_between_the_outer_voices_only():
    voices = {"Soprano": np.array([76, 81, 81, 81]), "Alto": np.array([72, 69, 69, 69]),
              "Tenor": np.array([64, 62, 62, 62]), "Bass": np.array([48, 50, 50, 50])}
    # soprano E5 -> A5 (leap) over bass C3 -> D3: a hidden fifth between the outer voices;
    # alto C5 -> A4 against tenor E4 -> D4: similar, no rule; soprano/tenor E5/E4 -> A5/D4: contrary, fifth from
    # an octave: nothing; alto/bass C5/C3 -> A4/D3: contrary, double octave -> fifth: nothing
    rep = harmony_report(voices, 0, "major", 4, bass="Bass")
    rates = voice_leading_rates(pool_reports([rep]))
    assert rates["hidden_fifths"] == pytest.approx(100.0) and rates["hidden_octaves"] == 0.0
    assert rates["contrary_fifths"] == 0.0 and rates["contrary_octaves"] == 0.0
    inner = {"Soprano": np.array([84, 84]), "Alto": np.array([76, 81]), "Tenor": np.array([60, 62]),
             "Bass": np.array([36, 36])}  # the hidden fifth now lies between alto and tenor, not outer voices
    rates = voice_leading_rates(pool_reports([harmony_report(inner, 0, "major", 1, bass="Bass")]))
    assert rates["hidden_fifths"] == 0.0
    contrary = {"Soprano": np.array([72, 74]), "Alto": np.array([67, 67]), "Bass": np.array([60, 50])}
    pooled = pool_reports([harmony_report(contrary, 0, "major", 1, bass="Bass")])
    assert voice_leading_rates(pooled)["contrary_octaves"] == pytest.approx(50.0)  # C5/C4 -> D5/D3 in 2 beats
    assert pooled["pairs"][("Soprano", "Alto")]["consonance_duet"] == 0.5  # C5/G4 (fourth), D5/G4 (fifth)
    assert pooled["pairs"][("Soprano", "Alto")]["consonance"] == 1.0


def test_pitches_are_spelt_for_the_key_signature_as_music21_spells_them():
    def name(midi, sharps=0):
        return spell_for_signature(midi, sharps).music21_name

    assert [name(m) for m in (61, 63, 66, 68, 70)] == ["C#4", "E-4", "F#4", "G#4", "B-4"]
    assert name(68, sharps=-3) == "A-4" and name(63, sharps=4) == "D#4"
    assert name(59, sharps=-7) == "C-4" and name(60, sharps=7) == "B#3"


# Hand-made progressions, each with one event of one rule (upper, lower, the rule that fires)
PROGRESSIONS = [
    ([67, 69], [60, 62], "parallel_fifths"),  # G4/C4 -> A4/D4
    ([67, 81], [60, 62], "parallel_fifths"),  # a fifth to a twelfth in similar motion
    ([60, 62], [67, 69], "parallel_fifths"),  # crossed voices
    ([72, 74], [60, 62], "parallel_octaves"),
    ([62, 64], [62, 64], "parallel_octaves"),  # unisons
    ([67, 74], [60, 55], "contrary_fifths"),  # G4/C4 -> D5/G3
    ([60, 55], [48, 55], "contrary_octaves"),  # C5/C4 -> G4/G4
    ([72, 74], [60, 50], "contrary_octaves"),  # C5/C4 -> D5/D3
    ([76, 81], [48, 50], "hidden_fifths"),  # E5/C3 -> A5/D3, the soprano leaps
    ([76, 84], [53, 60], "hidden_octaves"),  # E5/F3 -> C6/C4
    ([62, 67], [55, 67], "hidden_octaves"),  # into a unison
    ([74, 76], [48, 57], None),  # similar into a fifth, the soprano steps: allowed
    ([65, 67], [62, 60], None),  # contrary into a fifth from a third
    ([72, 72, 74], [65, 64, 62], None),  # oblique, then contrary from a sixth into a fifth
]


@pytest.mark.parametrize("upper, lower, rule", PROGRESSIONS)
def test_music21_finds_the_same_events_on_hand_made_progressions(upper, lower, rule):
    agreement = music21_agreement(np.array(upper), np.array(lower))
    assert all(a["ours_only"] == 0 and a["music21_only"] == 0 for a in agreement.values()), agreement
    assert {r for r, a in agreement.items() if a["both"]} == ({rule} if rule else set())


def test_music21_cross_check_depends_on_the_spelling_of_the_key():
    upper, lower = np.array([75, 77]), np.array([68, 70])  # Eb5/Ab4 -> F5/Bb4: parallel fifths
    assert music21_rule_events(upper, lower)["parallel_fifths"].sum() == 0  # G#4-Eb5 is a diminished sixth
    assert music21_agreement(upper, lower, sharps=-3)["parallel_fifths"] == {"both": 1, "ours_only": 0,
                                                                              "music21_only": 0}
