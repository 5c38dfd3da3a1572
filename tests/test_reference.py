"""Bach against Bach (helpers.harmonize.reference), the penalty rule (helpers.harmonize.penalty) and the one place
that turns a predictor and some chorales into predictions (Predictor.predict_chorales)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import harmonize as H
from helpers.chorales import Chorale
from helpers.harmonize.penalty import FULL_RULES
from tests.conftest import make_chorale, make_voice

SOPRANO = [72, 74, 76, 77, 79, 77, 76, 74, 72, 71, 72, 74, 72, 76, 74, 72, 71, 69, 71, 72]  # 20 quarter notes


def setting(name: str, group: int, soprano=SOPRANO, alto_changes=(), tenor_changes=(), bass_changes=(),
            shift: int = 0) -> Chorale:
    """A four-part setting of ``soprano`` (:func:`tests.conftest.make_chorale`: alto a third, tenor an octave, bass a
    tenth below) with some notes of the lower voices replaced: ``alto_changes`` is a list of ``(note index, new
    pitch)``."""
    return make_chorale(name, soprano, shift, group=group,
                        changes={"Alto": alto_changes, "Tenor": tenor_changes, "Bass": bass_changes})


def test_same_soprano_pairs_match_within_a_group_across_keys_and_nowhere_else():
    pieces = [setting("a", 0), setting("b", 0, shift=2), setting("c", 1), setting("d", 1, shift=-3)]
    pairs = H.same_soprano_pairs(pieces)
    assert [(a.name, b.name) for a, b in pairs] == [("a", "b"), ("c", "d")]
    assert all(a.tonic == b.tonic == 0 for a, b in pairs)  # returned in the normalised key


def test_same_soprano_pairs_leave_out_a_soprano_that_differs_on_more_than_the_tolerance():
    other = list(SOPRANO)
    other[3] = 79  # one quarter note of 20 differs: 4 of 80 steps, 5%
    pieces = [setting("a", 0), setting("b", 0, soprano=other)]
    assert H.same_soprano_pairs(pieces) == []
    assert len(H.same_soprano_pairs(pieces, max_mismatch=0.05)) == 1


def test_pair_agreement_counts_steps_per_voice_and_forgives_octaves_in_the_chord():
    a = setting("a", 0)
    # note 0: alto G#4 → G#5 and note 2: tenor E4 → E5, octaves that keep the chord's pitch classes;
    # note 5: alto C#5 → D#5, a pitch class the chord (F, C#, F, D) did not have
    b = setting("b", 0, alto_changes=[(0, 80), (5, 75)], tenor_changes=[(2, 76)])
    agreement = H.pair_agreement(a, b)
    assert agreement["Alto"] == pytest.approx(18 / 20)
    assert agreement["Tenor"] == pytest.approx(19 / 20)
    assert agreement["Bass"] == 1.0
    assert agreement["chord"] == pytest.approx(19 / 20)


def test_pair_agreement_ignores_steps_where_the_soprano_rests():
    rests = setting("a", 0)
    voices = dict(rests.voices)
    sop = voices["Soprano"]
    keep = np.arange(len(sop)) != 4  # the soprano rests during note 4; the altos differ only there
    voices["Soprano"] = type(sop)("Soprano", sop.pitches[keep], sop.starts[keep], sop.ends[keep])
    a = Chorale("a", voices, 0, "major", group=0)
    b_voices = dict(voices)
    alto = voices["Alto"]
    b_voices["Alto"] = type(alto)("Alto", np.where(np.arange(len(alto)) == 4, 50, alto.pitches), alto.starts,
                                  alto.ends)
    b = Chorale("b", b_voices, 0, "major", group=0)
    assert H.pair_agreement(a, b)["Alto"] == 1.0


def test_pair_agreement_rejects_pieces_of_different_length():
    with pytest.raises(ValueError, match="differ in length"):
        H.pair_agreement(setting("a", 0), setting("b", 0, soprano=SOPRANO[:-1]))


def test_is_same_setting_needs_every_lower_voice_at_the_threshold():
    assert H.is_same_setting({"Alto": 0.90, "Tenor": 1.0, "Bass": 0.99, "chord": 0.9})
    assert H.is_same_setting({"Alto": 1.0, "Tenor": 1.0, "Bass": 0.94, "chord": 1.0})  # bwv248.35-3 / -3c
    assert not H.is_same_setting({"Alto": 0.899, "Tenor": 1.0, "Bass": 1.0, "chord": 1.0})
    assert not H.is_same_setting({"Alto": 1.0, "Tenor": 1.0, "Bass": 0.5, "chord": 1.0})
    assert H.SAME_SETTING_AGREEMENT == 0.90


def test_bach_against_bach_names_each_pair_and_flags_a_setting_printed_twice():
    pieces = [setting("a", 0), setting("a-copy", 0, shift=5),
              setting("c", 1), setting("d", 1, alto_changes=[(i, 60) for i in range(10)])]
    pairs = H.bach_against_bach(pieces)
    assert [(p.first, p.second) for p in pairs] == [("a", "a-copy"), ("c", "d")]
    assert [H.is_same_setting(p.agreement) for p in pairs] == [True, False]
    assert pairs[1].agreement["Alto"] == pytest.approx(0.5)


SWEEP = {
    0.0: {"parallel_fifths": 5.0, "parallel_octaves": 4.0, "crossings": 0.5},
    1.0: {"parallel_fifths": 0.6, "parallel_octaves": 0.3, "crossings": 0.9},  # parallels fine, crossings not
    3.0: {"parallel_fifths": 0.3, "parallel_octaves": 0.2, "crossings": 0.2},
    10.0: {"parallel_fifths": 0.1, "parallel_octaves": 0.0, "crossings": 0.1},
}
BACH = {"parallel_fifths": 0.5, "parallel_octaves": 0.4, "crossings": 0.4}


def test_choose_penalty_takes_the_smallest_that_meets_both_rules():
    assert H.choose_penalty(SWEEP, BACH) == 3.0
    assert H.choose_penalty(dict(reversed(SWEEP.items())), BACH) == 3.0  # the order of the sweep does not matter
    assert H.choose_penalty(SWEEP, {**BACH, "crossings": 1.0}) == 1.0


def test_choose_penalty_with_the_full_rule_set_also_keeps_contrary_and_hidden_consecutives_at_bachs_rate():
    full = {lam: {**r, "contrary_fifths": c, "contrary_octaves": 0.0, "hidden_fifths": 0.0, "hidden_octaves": h}
            for (lam, r), c, h in zip(SWEEP.items(), (2.0, 1.0, 0.6, 0.1), (1.0, 0.2, 0.5, 0.2))}
    bach = {**BACH, "contrary_fifths": 0.1, "contrary_octaves": 0.1, "hidden_fifths": 0.2, "hidden_octaves": 0.1}
    assert H.choose_penalty(full, bach) == 3.0  # the default rules ignore contrary and hidden motion
    assert H.choose_penalty(full, bach, FULL_RULES) == 10.0  # contrary 0.6 > 0.2 at 3: the next penalty
    assert H.choose_penalty(full, {**bach, "hidden_fifths": 0.0}, FULL_RULES) is None  # hidden 0.2 > 0.1 at 10
    with pytest.raises(KeyError):
        H.choose_penalty(SWEEP, BACH, FULL_RULES)  # the sweep did not count contrary and hidden motion


def test_choose_penalty_says_none_when_no_penalty_reaches_bach():
    assert H.choose_penalty(SWEEP, {"parallel_fifths": 0.0, "parallel_octaves": 0.0, "crossings": 0.0}) is None


def test_the_default_penalty_is_in_the_grid_the_notebook_tries():
    assert H.DEFAULT_VOICE_LEADING.parallel in H.PENALTY_GRID
    assert H.DEFAULT_VOICE_LEADING.parallel == H.DEFAULT_VOICE_LEADING.crossing
    assert H.DEFAULT_VOICE_LEADING.contrary in H.PENALTY_GRID
    assert H.DEFAULT_VOICE_LEADING.contrary == H.DEFAULT_VOICE_LEADING.hidden


class CountingBach(H.Bach):
    """Bach's voices, counting how often it is asked."""

    calls = 0

    def predict_chorale(self, chorale):
        CountingBach.calls += 1
        return super().predict_chorale(chorale)


def test_every_predictor_predicts_many_chorales_and_evaluate_goes_through_that_one_place():
    pieces = [setting("a", 0), setting("b", 1, shift=2)]
    bach = CountingBach(("Alto", "Tenor", "Bass"))
    outs = bach.predict_chorales(pieces)
    assert len(outs) == 2 and CountingBach.calls == 2
    assert np.array_equal(outs[1]["Bass"][0], pieces[1].steps()[0][3])
    calls = []
    bach.predict_chorales = lambda cs: calls.append(len(cs)) or [bach.predict_chorale(c) for c in cs]
    assert H.evaluate(bach, pieces)["chord"]["accuracy"] == 1.0
    assert calls == [2]  # one call for all pieces, as the network's batched prediction needs


def test_references_and_best_agreement_take_the_closest_of_bachs_settings(chorales):
    from dataclasses import replace

    from helpers.harmonize.encoding import normalise
    from helpers.harmonize.reference import best_agreement, pair_agreement, references

    a, b = chorales[0], chorales[1]  # one tune, the second a tone higher
    alto = b.voices["Alto"]
    b = replace(b, voices=b.voices | {"Alto": make_voice("Alto", alto.pitches - 3, alto.ends - alto.starts)})
    pool = [a, b, *chorales[2:]]
    refs = references(a, pool)
    assert [r.name for r in refs] == [a.name, b.name]
    # a setting that copies b's voices (moved to a's key): against a alone the alto never agrees, the best is 1.0
    moved = b.transpose(a.tonic - b.tonic)
    setting = replace(a, voices={v: a.voices["Soprano"] if v == "Soprano" else moved.voices[v] for v in a.voices})
    assert best_agreement(setting, refs[:1]) == pair_agreement(normalise(setting), refs[0])
    assert best_agreement(setting, refs[:1])["Alto"] == 0.0
    assert all(best_agreement(setting, refs)[v] == 1.0 for v in ("Alto", "Tenor", "Bass"))
