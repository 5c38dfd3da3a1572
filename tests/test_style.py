"""Tests of helpers.style and the chord rules of helpers.voiceleading it counts (notebook 10): small four-part
examples built by hand whose answer a harmony teacher knows, and music21 as the judge of chord names."""

import math

import numpy as np
import pytest

from helpers.style import (
    Piece,
    beat_chords,
    chord_numerals,
    compare_styles,
    six_four_kinds,
    style_report,
    style_table,
    total_variation,
)
from helpers.voiceleading import (
    QUALITY_NAMES,
    chord_quality,
    chord_root,
    chord_seventh,
    cross_relations,
    doubled_leading_tone,
    unresolved_sevenths,
    unrisen_leading_tones,
    wide_spacing,
    without_third,
)
from tests.conftest import make_voice

C, MAJOR = 0, "major"
# chords in C major, soprano first (MIDI pitches)
TONIC = (72, 64, 55, 48)  # C5 E4 G3 C3
V7 = (71, 65, 62, 43)  # B4 F4 D4 G2: the seventh F in the alto


def piece(chords, tonic=C, mode=MAJOR, phrase_ends=(), durations=None, **lines) -> Piece:
    """A piece of one chord per beat (or per ``durations``); ``lines`` replace whole voices by pitch lists."""
    chords = np.asarray(chords)
    d = np.ones(len(chords)) if durations is None else np.asarray(durations, dtype=float)
    voices = {}
    for i, name in enumerate(("Soprano", "Alto", "Tenor", "Bass")):
        pitches = lines.get(name, chords[:, i])
        voices[name] = make_voice(name, pitches, d if len(pitches) == len(d) else np.ones(len(pitches)))
    return Piece(voices, tonic, mode, tuple(phrase_ends))


# ------------------------------------------------------------------------------------ chord rules

def test_a_seventh_that_falls_a_step_is_resolved_and_one_held_or_rising_is_not():
    falling = unresolved_sevenths(V7, TONIC)  # F4 -> E4 in the alto
    assert not falling.any()
    held = unresolved_sevenths(V7, (72, 65, 60, 48))  # the alto keeps F4 over the C chord
    assert held.tolist() == [False, True, False, False]
    rising = unresolved_sevenths(V7, (72, 67, 64, 48))  # F4 -> G4
    assert rising.tolist() == [False, True, False, False]


def test_the_report_judges_a_seventh_on_the_voices_next_note_so_a_suspension_that_resolves_is_no_fault():
    resolved = style_report([piece([V7, TONIC])])
    assert resolved.faults["unresolved_seventh"] == 0 and resolved.judged["unresolved_seventh"] == 1
    rising = style_report([piece([V7, (72, 67, 64, 48)])])
    assert rising.faults["unresolved_seventh"] == 1
    # the alto holds F4 into the C chord (a suspension) and falls to E4 half a beat later
    suspended = piece([V7, (72, 65, 60, 48)], Alto=[65, 64], durations=[1, 1])
    suspended.voices["Alto"] = make_voice("Alto", [65, 64], [1.5, 0.5])
    assert style_report([suspended]).faults["unresolved_seventh"] == 0
    # the alto's next note is a sixteenth E4 before it leaps to G4: the seventh fell a step, then moved on
    quick = piece([V7, TONIC])
    quick.voices["Alto"] = make_voice("Alto", [65, 64, 67], [1, 0.25, 0.75])
    assert style_report([quick]).faults["unresolved_seventh"] == 0


def test_chord_quality_root_and_seventh_agree_with_music21():
    from music21 import chord, pitch

    for root in ("C", "D", "G", "B-", "F#"):
        for intervals, name in ((("M3", "P5"), "major"), (("m3", "P5"), "minor"), (("m3", "d5"), "diminished"),
                                (("M3", "P5", "m7"), "dominant seventh"), (("m3", "P5", "m7"), "minor seventh"),
                                (("M3", "P5", "M7"), "major seventh"), (("m3", "d5", "m7"), "half-diminished seventh")):
            bass = pitch.Pitch(root + "3")
            m21 = chord.Chord([bass] + [bass.transpose(i) for i in intervals])
            pitches = [p.midi for p in m21.pitches][::-1]
            assert QUALITY_NAMES[int(chord_quality(pitches))] == name
            assert int(chord_root(pitches)) == m21.root().pitchClass
            if len(intervals) == 3:
                assert int(chord_seventh(pitches)) == m21.seventh.pitchClass
            else:
                assert int(chord_seventh(pitches)) == -1 and m21.isTriad()
    assert int(chord_seventh((71, 65, 62, 55))) == 5  # G7 without its fifth, as Bach often writes it: still V7


def test_a_doubled_leading_tone_is_found_and_a_doubled_root_is_not():
    assert doubled_leading_tone((71, 67, 59, 43), C)  # B4 G4 B3 G2: two Bs in C major
    assert not doubled_leading_tone((71, 67, 62, 43), C)  # B4 G4 D4 G2: root doubled
    assert doubled_leading_tone((68, 64, 56, 45), 9)  # G#4 E4 G#3 A2 in A (minor or major): the raised seventh


def test_an_open_fifth_has_no_third_and_a_full_triad_has():
    assert without_third((67, 60, 55, 48))  # G4 C4 G3 C3
    assert without_third((72, 60, 48, 36))  # all Cs
    assert not without_third(TONIC)
    assert not without_third((72, 64, 60, 48))  # C E C C: the fifth left out, the third kept


def test_a_cross_relation_between_two_voices_is_found_but_not_a_chromatic_step_inside_one_voice():
    d_minor = (69, 65, 62, 50)  # A4 F4 D4 D3: F in the alto
    assert cross_relations(d_minor, (69, 62, 54, 50), C, MAJOR)  # F# in the tenor next: a false relation
    assert not cross_relations(d_minor, (69, 66, 62, 50), C, MAJOR)  # the alto itself goes F -> F#
    # the bass goes C -> C# while the tenor's doubling C moves elsewhere: the step lies inside the bass
    assert not cross_relations((72, 67, 60, 48), (69, 64, 57, 49), C, MAJOR)
    assert not cross_relations(TONIC, (72, 65, 57, 53), C, MAJOR)  # E -> F is another letter, not a false relation


def test_detectors_broadcast_over_candidate_chords_as_a_decoder_needs():
    before = np.array([V7, V7])[:, None, :]  # (2, 1, 4) previous chords
    after = np.array([TONIC, (72, 65, 60, 48), (72, 67, 64, 48)])[None, :, :]  # (1, 3, 4) candidates
    faults = unresolved_sevenths(before, after).any(axis=-1)
    assert faults.shape == (2, 3) and faults.tolist() == [[False, True, True]] * 2
    assert cross_relations(before, after, C, MAJOR).shape == (2, 3)


def test_wide_spacing_is_more_than_an_octave_between_both_sounding_voices():
    assert wide_spacing(77, 64).tolist() and not wide_spacing(76, 64)  # F5/E4: 13 semitones; E5/E4: octave
    assert not wide_spacing(77, -1)  # a rest is never wide


def test_a_leading_tone_that_falls_does_not_rise():
    assert unrisen_leading_tones(V7, (67, 64, 60, 48), C).tolist() == [True, False, False, False]  # B4 -> G4
    assert not unrisen_leading_tones(V7, TONIC, C).any()  # B4 -> C5


# -------------------------------------------------------------------------------- chords in a piece

def test_six_four_chords_are_told_apart_by_their_neighbours():
    iv, i64, v = (72, 69, 65, 53), (72, 67, 64, 55), (71, 67, 62, 55)
    assert six_four_kinds(np.array([iv, i64, v, TONIC])) == [None, "cadential", None, None]
    g_minor = (70, 67, 62, 55)  # a minor chord on the same bass is no dominant: the 6/4 is no cadential one
    assert six_four_kinds(np.array([iv, i64, g_minor])) == [None, "other", None]
    v64, i6 = (71, 67, 62, 50), (72, 67, 60, 52)
    assert six_four_kinds(np.array([TONIC, v64, i6])) == [None, "passing", None]
    iv64 = (72, 69, 65, 48)
    assert six_four_kinds(np.array([TONIC, iv64, TONIC])) == [None, "pedal", None]


def test_roman_numerals_are_music21s_in_the_pieces_key():
    from music21 import chord, key, roman

    v65 = (67, 65, 62, 47)  # G4 F4 D4 B2
    assert chord_numerals(np.array([v65]), C, MAJOR) == [
        roman.romanNumeralFromChord(chord.Chord(["B2", "D4", "F4", "G4"]), key.Key("C")).figure] == ["V65"]
    # in B-flat major the tonic triad is I (a key built without its flat would call it bI)
    assert chord_numerals(np.array([(65, 62, 58, 46)]), 10, MAJOR) == [
        roman.romanNumeralFromChord(chord.Chord(["B-2", "B-3", "D4", "F4"]), key.Key("B-")).figure] == ["I"]


def test_roman_numerals_are_the_same_computed_in_the_key_itself_and_moved_to_c():
    """chord_numerals memoises chords moved to a key on C; the figure must be the one of the key itself."""
    from helpers.style import _numeral

    rng = np.random.default_rng(0)
    for _ in range(24):
        tonic, mode = int(rng.integers(12)), ("major", "minor")[int(rng.integers(2))]
        row = tuple(int(p) for p in sorted(rng.choice(np.arange(45, 75), 4, replace=False), reverse=True))
        in_key = _numeral(tuple(p % 12 for p in row), tonic, mode)
        assert chord_numerals(np.array([row]), tonic, mode) == [in_key], (row, tonic, mode)


def test_cadences_are_named_from_the_chords_into_each_fermata():
    iv, vi, e_major, a_minor = (72, 69, 65, 53), (72, 64, 60, 45), (71, 68, 64, 52), (72, 69, 64, 45)
    chords = [TONIC, V7, TONIC, TONIC, (67, 62, 59, 43), iv, TONIC, V7, vi, e_major, a_minor]
    kinds = style_report([piece(chords, phrase_ends=(3, 5, 7, 9, 11))]).cadences[0]
    assert kinds == ["authentic", "half", "plagal", "deceptive", "modulating"]
    # a dominant seventh over a tonic pedal is no authentic cadence; a minor v is no half cadence
    pedal, v_minor = (71, 65, 62, 48), (67, 62, 58, 43)
    assert style_report([piece([TONIC, pedal, TONIC, TONIC, v_minor], phrase_ends=(3, 5))]).cadences == [["other",
                                                                                                          "other"]]


def test_a_beat_grid_follows_a_half_beat_pickup():
    p = piece([TONIC, V7, TONIC], durations=[0.5, 1, 1])
    p = Piece(p.voices, C, MAJOR, anacrusis=0.5)
    beats, chords = beat_chords(p)
    assert beats.tolist() == [0.5, 1.5] and chords[0].tolist() == list(V7)


# ------------------------------------------------------------------------------------------- report

def test_a_line_has_the_repeat_step_and_leap_shares_of_its_intervals():
    # C C D E G G C6 and a fall of 14 semitones: 0, +2, +2, +3, 0, +5, -14 (clipped to -12)
    alto = [60, 60, 62, 64, 67, 67, 72, 58]
    chords = np.tile(TONIC, (len(alto), 1))
    report = style_report([piece(chords, Alto=alto)])
    assert report.motion("Alto") == pytest.approx({"repeat": 2 / 7, "step": 2 / 7, "leap": 3 / 7})
    assert report.intervals["Alto"][-12] == 1 and report.intervals["Alto"][2] == 2
    assert report.durations["Alto"] == {1.0: 8}


def test_the_report_counts_faults_per_100_beats_and_the_outer_leading_tone_at_a_cadence():
    # V7 - I with the soprano's leading tone falling B4 -> G4 at the fermata, then a doubled leading tone
    chords = [TONIC, V7, (67, 64, 60, 48), (71, 67, 59, 43)]
    report = style_report([piece(chords, phrase_ends=(3,))])
    assert report.cadences == [["authentic"]]
    assert report.faults["unrisen_leading_tone"] == 1 and report.judged["unrisen_leading_tone"] == 1
    figures = report.figures()
    assert figures["doubled_leading_tone per 100 beats"] == pytest.approx(100 * 1 / 4)
    assert figures["opening on the tonic"] == 1.0 and figures["authentic cadence"] == 1.0


def test_total_variation_is_zero_for_one_shape_and_one_for_disjoint_histograms():
    assert total_variation({"a": 2, "b": 2}, {"a": 5, "b": 5}) == 0
    assert total_variation({"a": 1}, {"b": 3}) == 1
    assert total_variation({"a": 1, "b": 1}, {"a": 1}) == pytest.approx(0.5)


def test_a_report_compared_with_itself_has_no_distance_and_another_one_has():
    bach = style_report([piece([TONIC, V7, TONIC, (67, 67, 62, 43)], phrase_ends=(3,))])
    same = compare_styles(bach, bach)
    assert all(row["distance"] == 0 for row in same.values() if "distance" in row)
    differences = [row["difference"] for row in same.values() if "difference" in row]
    ratios = [row["ratio"] for row in same.values() if "ratio" in row]
    assert all(d == 0 or math.isnan(d) for d in differences) and 0 in differences
    assert all(r == 1 or math.isnan(r) for r in ratios) and 1 in ratios
    other = style_report([piece([TONIC, (67, 64, 60, 48), TONIC, (67, 67, 62, 43)], phrase_ends=(3,))])
    diff = compare_styles(other, bach)
    assert diff["qualities"]["distance"] > 0 and diff["cadence agreement"]["setting"] == 0
    table = style_table(diff)
    assert table.splitlines()[0].startswith("| measure |") and "| cadence agreement | 0.000 | 1.000 |" in table


def test_a_piece_without_a_bass_is_rejected():
    p = piece([TONIC, V7])
    with pytest.raises(ValueError, match="no Bass voice"):
        style_report([Piece({k: v for k, v in p.voices.items() if k != "Bass"}, C, MAJOR)])
