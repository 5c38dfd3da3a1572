"""Tests of helpers.voiceleading: the rules a harmony teacher marks (notebooks 09 and 10) — intervals from real
pitches, parallel, contrary and hidden fifths and octaves, and consonance in two contexts."""

import numpy as np
import pytest

from helpers.voiceleading import (
    RULES,
    antiparallel_motion,
    consonant,
    consonant_classes,
    hidden_motion,
    interval_class,
    parallel_motion,
    rule_events,
)

R = -1


def counts(upper, lower):
    return {rule: int(e.sum()) for rule, e in rule_events(np.array(upper), np.array(lower)).items()}


def only(**expected):
    return {rule: expected.get(rule, 0) for rule in RULES}


def test_interval_class_comes_from_the_real_distance_so_crossed_voices_keep_their_interval():
    assert interval_class(72, 67) == 5 and interval_class(67, 72) == 5  # a fourth, crossed or not
    assert interval_class(60, 67) == 7 and interval_class(60, 79) == 7  # a fifth below, a twelfth below


def test_crossed_parallel_fourths_are_not_parallel_fifths():
    # the lower voice a fourth *above* the upper one, both rising by a tone: parallel fourths
    assert counts([60, 62], [65, 67]) == only()
    assert not parallel_motion(60, 65, 62, 67).any()


def test_crossed_parallel_fifths_are_parallel_fifths():
    # the lower voice a fifth above the upper one, both rising: (upper - lower) % 12 == 5 used to miss these
    assert counts([60, 62], [67, 69]) == only(parallel_fifths=1)


def test_a_fifth_to_a_twelfth_by_contrary_motion_is_a_contrary_fifth_not_a_parallel():
    # G4/C4 (fifth) to D5/G3 (twelfth): soprano up, bass down
    assert counts([67, 74], [60, 55]) == only(contrary_fifths=1)
    assert antiparallel_motion(67, 60, 74, 55, 7) and not antiparallel_motion(67, 60, 74, 55, 0)


def test_an_octave_to_a_unison_or_a_double_octave_by_contrary_motion_is_a_contrary_octave():
    assert counts([60, 55], [48, 55]) == only(contrary_octaves=1)  # C5/C4 to G4/G4
    assert counts([72, 74], [60, 50]) == only(contrary_octaves=1)  # C5/C4 to D5/D3


def test_contrary_motion_into_a_fifth_from_another_interval_is_allowed():
    assert counts([65, 67], [62, 60]) == only()  # F4/D4 (third) to G4/C4 (fifth) by contrary motion


def test_hidden_fifth_needs_similar_motion_into_the_fifth_and_a_leaping_upper_voice():
    # E5/C3 (tenth) to A5/D3 (fifth, compound): both rise, the soprano leaps a fourth
    assert counts([76, 81], [48, 50]) == only(hidden_fifths=1)
    # D5/C3 to E5/A3: both rise into a fifth, but the soprano moves by step: allowed
    assert counts([74, 76], [48, 57]) == only()
    # E5/C3 to A5/D3 reached by contrary motion (bass falls to D2): not hidden
    assert counts([76, 81], [48, 38]) == only()


def test_hidden_octave_and_hidden_unison():
    assert counts([76, 84], [53, 60]) == only(hidden_octaves=1)  # E5/F3 to C6/C4, the soprano leaps a sixth
    assert counts([62, 67], [55, 67]) == only(hidden_octaves=1)  # D4/G3 to G4/G4: into a unison
    assert not hidden_motion(62, 55, 67, 67, 7)  # a unison is not a fifth


def test_a_rest_breaks_every_rule():
    assert counts([67, R, 74], [60, 55, 55]) == only()
    assert counts([76, 81], [R, 50]) == only()


def test_rules_broadcast_over_candidate_chords():
    before = np.array([67, 60])[:, None]  # candidates of the upper voice
    got = parallel_motion(before, 60, np.array([69, 62])[None, :], 62)
    assert got.tolist() == [[True, False], [False, True]]  # G-C to A-D (fifths), C-C to D-D (unisons)


def test_parallel_fourths_are_consonant_inside_four_parts_and_dissonant_as_a_duet():
    upper = np.array([72, 74, 76, 77, R])
    lower = upper - 5
    lower[-1] = R
    assert consonant(upper, lower, "four_parts")[:4].all()
    assert not consonant(upper, lower, "duet").any()
    assert 5 not in consonant_classes("duet") and 5 in consonant_classes("four_parts")


def test_a_fourth_with_crossed_voices_is_still_a_fourth():
    assert not consonant(67, 72, "duet") and consonant(67, 72, "four_parts")  # C5 written under G4: a fourth


def test_unknown_consonance_context_is_rejected():
    with pytest.raises(ValueError, match="context must be one of"):
        consonant_classes("trio")
