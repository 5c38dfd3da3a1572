"""The style rules of the joint decoder (issue 19) and the melodic model of helpers.harmonize.lines."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from helpers import harmonize as H
from helpers.harmonize import decoding as decoding_module
from helpers.harmonize.lines import CLIP, MODEL_FILE, MelodicModel, fit_melodic_model, melodic_model
from helpers.pianoroll import REST


def probs_over(low: int, n_classes: int, steps: list[dict[int, float]]) -> np.ndarray:
    """Softmax-like outputs: at each step the given pitches get the given probabilities, the rest share what is left."""
    p = np.zeros((len(steps), n_classes))
    for t, wanted in enumerate(steps):
        rest = (1 - sum(wanted.values())) / (n_classes - len(wanted))
        p[t] = rest
        for pitch, x in wanted.items():
            p[t, pitch - low + 1] = x
    return p


def certain(low: int, n: int, pitches: list[int]) -> np.ndarray:
    return probs_over(low, n, [{q: 0.97} for q in pitches])


LOWS = {"Alto": 55, "Tenor": 45, "Bass": 36}
FREE = H.VoiceLeading(0.0, 0.0, 4, "step")


def decode(probs, melody, rules, tonic=None, onsets=None, steps_per_beat=4):
    onsets = onsets or {v: np.ones(len(melody)) for v in probs}
    return H.decode_jointly(probs, onsets, {v: LOWS[v] for v in probs}, np.asarray(melody), rules,
                            steps_per_beat=steps_per_beat, tonic=tonic)


def test_the_opening_rule_puts_the_tonic_in_the_bass():
    probs = {"Bass": probs_over(36, 30, [{45: 0.5, 48: 0.4}, {48: 0.9}])}  # A2 slightly before C3, then C3
    free = decode(probs, [72, 72], FREE, tonic=0)
    ruled = decode(probs, [72, 72], H.VoiceLeading(0.0, 0.0, 4, "step", opening=3.0), tonic=0)
    assert free["Bass"][0][0] == 45 and ruled["Bass"][0][0] == 48
    assert decode(probs, [72, 72], H.VoiceLeading(0.0, 0.0, 4, "step", opening=3.0))["Bass"][0][0] == 45  # no key


def test_the_chord_rule_avoids_a_chord_without_a_third_and_a_doubled_leading_tone():
    melody = [72]  # C5 over alto ?, tenor C4, bass C3: G4 leaves the chord without its third, E4 completes it
    probs = {"Alto": probs_over(55, 30, [{67: 0.55, 64: 0.4}]), "Tenor": certain(45, 30, [60]),
             "Bass": certain(36, 30, [48])}
    rules = H.VoiceLeading(0.0, 0.0, 4, "step", chord_faults=3.0)
    assert decode(probs, melody, FREE, tonic=0)["Alto"][0][0] == 67
    assert decode(probs, melody, rules, tonic=0)["Alto"][0][0] == 64
    melody = [71]  # B4 (the leading tone of C) over G major: a tenor B3 doubles it, a tenor D4 does not
    probs = {"Alto": certain(55, 30, [67]), "Tenor": probs_over(45, 30, [{59: 0.55, 62: 0.4}]),
             "Bass": certain(36, 30, [43])}
    assert decode(probs, melody, FREE, tonic=0)["Tenor"][0][0] == 59
    assert decode(probs, melody, rules, tonic=0)["Tenor"][0][0] == 62


def test_the_seventh_rule_resolves_a_seventh_down_by_step():
    melody = [74, 72]  # D5 C5 over G7 (alto F4 the seventh) to C major: F4 should fall to E4, not rise to G4
    probs = {"Alto": probs_over(55, 30, [{65: 0.97}, {67: 0.55, 64: 0.4}]), "Tenor": certain(45, 30, [59, 60]),
             "Bass": certain(36, 30, [43, 48])}
    assert decode(probs, melody, FREE)["Alto"][0][1] == 67
    assert decode(probs, melody, H.VoiceLeading(0.0, 0.0, 4, "step", sevenths=3.0))["Alto"][0][1] == 64


def test_a_held_pitch_is_struck_again_only_when_the_onset_is_sure_and_never_in_the_bass():
    melody = np.full(8, 72)
    probs = {"Alto": certain(55, 30, [67] * 8), "Bass": certain(36, 30, [48] * 8)}
    onsets = {v: np.r_[1.0, 0, 0, 0, 0.95, 0, 0, 0] for v in probs}
    beat = H.VoiceLeading(0.0, 0.0, 4, "beat")
    old = decode(probs, melody, beat, onsets=onsets)
    assert old["Alto"][1][4] and old["Bass"][1][4]  # the default (0.5): struck again
    new = decode(probs, melody, H.VoiceLeading(0.0, 0.0, 4, "beat", restrike=0.9, bass_restrike=1.0), onsets=onsets)
    assert new["Alto"][1][4] and not new["Bass"][1][4]
    held = decode(probs, melody, H.VoiceLeading(0.0, 0.0, 4, "beat", restrike=0.99), onsets=onsets)
    assert not held["Alto"][1][4] and held["Alto"][1].sum() == 1


def test_the_passing_bonus_fills_a_third_the_network_only_nearly_prefers():
    melody = np.full(8, 72)
    pitch = np.r_[[64] * 4, [60] * 4]  # E4 through beat 1, C4 on beat 2
    decoded = {"Alto": (pitch, np.r_[1, 0, 0, 0, 1, 0, 0, 0].astype(bool))}
    probs = {"Alto": probs_over(55, 30, [{64: 0.9}] * 2 + [{64: 0.45, 62: 0.4}] * 2 + [{60: 0.9}] * 4)}
    held = H.add_passing_notes(decoded, probs, {"Alto": 55}, melody)
    assert np.array_equal(held["Alto"][0], pitch)
    passing = H.add_passing_notes(decoded, probs, {"Alto": 55}, melody, bonus=1.0)
    assert passing["Alto"][0].tolist() == [64, 64, 62, 62, 60, 60, 60, 60] and passing["Alto"][1][2]


def test_with_steps_the_half_beat_moves_by_step_and_only_a_third_is_filled():
    melody = np.full(12, 72)
    # E4 held through beats 1 and 2 (to C4 on beat 3): the network likes C4 (an arpeggio, a third) best on the
    # second half of beat 1, D4 (a passing note) a little less on the second half of beat 2
    pitch = np.r_[[64] * 8, [60] * 4]
    decoded = {"Alto": (pitch, np.r_[1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0].astype(bool))}
    probs = {"Alto": probs_over(55, 30, [{64: 0.9}] * 2 + [{60: 0.6, 64: 0.3}] * 2 + [{64: 0.9}] * 2
                                + [{64: 0.45, 62: 0.4}] * 2 + [{60: 0.9}] * 4)}
    free = H.add_passing_notes(decoded, probs, {"Alto": 55}, melody, bonus=1.0)
    assert free["Alto"][0][2:4].tolist() == [60, 60]  # within a major third: the arpeggio
    stepwise = H.add_passing_notes(decoded, probs, {"Alto": 55}, melody, bonus=1.0, steps=True)
    assert stepwise["Alto"][0].tolist() == [64] * 6 + [62, 62] + [60] * 4  # no leap; the third filled
    # a whole step to fill (E4 to D4): a chromatic note between gets no credit with steps
    to_d = {"Alto": (np.r_[[64] * 4, [62] * 4], np.r_[1, 0, 0, 0, 1, 0, 0, 0].astype(bool))}
    nearly = {"Alto": probs_over(55, 30, [{64: 0.9}] * 2 + [{64: 0.45, 63: 0.4}] * 2 + [{62: 0.9}] * 4)}
    assert H.add_passing_notes(to_d, nearly, {"Alto": 55}, melody[:8], bonus=1.0)["Alto"][0][2] == 63
    assert H.add_passing_notes(to_d, nearly, {"Alto": 55}, melody[:8], bonus=1.0, steps=True)["Alto"][0][2] == 64


def test_the_bass_melodic_weight_moves_the_bass_alone_towards_steps(monkeypatch):
    steps_only = np.full(2 * CLIP + 1, np.log(1e-3))
    steps_only[[CLIP - 2, CLIP - 1, CLIP + 1, CLIP + 2]] = np.log(0.25)
    model = MelodicModel({v: tuple(steps_only) for v in ("Alto", "Bass")})
    monkeypatch.setattr(decoding_module, "melodic_model", lambda: model)
    melody = np.array([72, 71])
    # the alto prefers to leap (G4 to C5 would be above the melody: E4 to B4 is a fifth), the bass to leap C3-G2
    probs = {"Alto": probs_over(55, 30, [{64: 0.9}, {71: 0.5, 65: 0.45}]),
             "Bass": probs_over(36, 30, [{48: 0.9}, {43: 0.5, 50: 0.45}])}
    rules = H.VoiceLeading(0.0, 0.0, 4, "step")
    plain = decode(probs, melody, rules)
    assert plain["Alto"][0][1] == 71 and plain["Bass"][0][1] == 43
    bass = decode(probs, melody, replace(rules, bass_melodic=1.0))
    assert bass["Alto"][0][1] == 71 and bass["Bass"][0][1] == 50  # the bass steps; the alto is left alone
    both = decode(probs, melody, replace(rules, melodic=1.0))
    assert both["Alto"][0][1] == 65 and both["Bass"][0][1] == 50


def test_the_middle_step_credit_moves_the_tenor_alone_to_steps():
    melody = np.array([72, 71])
    # each voice prefers a leap, a step a close second: alto E4-B4 (F4), tenor C4-G4 (D4), bass C3-G2 (D3)
    probs = {"Alto": probs_over(55, 30, [{64: 0.9}, {71: 0.5, 65: 0.45}]),
             "Tenor": probs_over(45, 30, [{60: 0.9}, {67: 0.5, 62: 0.45}]),
             "Bass": probs_over(36, 30, [{48: 0.9}, {43: 0.5, 50: 0.45}])}
    rules = H.VoiceLeading(0.0, 0.0, 4, "step")
    plain = decode(probs, melody, rules)
    assert [plain[v][0][1] for v in probs] == [71, 67, 43]
    middle = decode(probs, melody, replace(rules, middle_steps=0.5))
    assert [middle[v][0][1] for v in probs] == [71, 62, 43]  # the tenor steps; alto and bass are left alone
    # a credit smaller than the gap in log-probability (log 0.5 - log 0.45 = 0.105 nats) changes nothing
    assert decode(probs, melody, replace(rules, middle_steps=0.05))["Tenor"][0][1] == 67
    # with two voices there is no voice between the highest and the lowest
    two = decode({v: probs[v] for v in ("Alto", "Bass")}, melody, replace(rules, middle_steps=0.5))
    assert two["Alto"][0][1] == 71 and two["Bass"][0][1] == 43


def test_the_style_rules_are_off_by_default():
    rng = np.random.default_rng(3)
    probs = {v: rng.dirichlet(np.ones(30), 16) for v in ("Alto", "Tenor", "Bass")}
    onsets = {v: rng.random(16) for v in probs}
    melody = np.full(16, 72)
    rules = H.VoiceLeading(3.0, 3.0, 3, "beat")
    a = H.decode_jointly(probs, onsets, LOWS, melody, rules)
    b = H.decode_jointly(probs, onsets, LOWS, melody, rules, tonic=0)
    assert all(np.array_equal(a[v][0], b[v][0]) and np.array_equal(a[v][1], b[v][1]) for v in probs)


def test_the_melodic_model_scores_moves_and_ignores_rests():
    model = MelodicModel({"Alto": tuple(np.log(np.full(2 * CLIP + 1, 1 / (2 * CLIP + 1))))})
    table = np.log(np.arange(1, 2 * CLIP + 2) / np.arange(1, 2 * CLIP + 2).sum())
    model = MelodicModel({"Alto": tuple(table)})
    got = model.log_probability("Alto", np.array([60, 60, 60, REST]), np.array([62, 90, REST, 60]))
    assert got[0] == pytest.approx(table[CLIP + 2]) and got[1] == pytest.approx(table[-1])  # +30 clipped to +12
    assert got[2] == 0.0 and got[3] == 0.0
    assert model.log_probability("Bass", 60, 62) == 0.0
    assert sum(model.shares("Alto").values()) == pytest.approx(1.0)


def test_the_shipped_melodic_model_is_what_the_training_tunes_give(corpus_chorales):
    from helpers.chorales import course_split

    refit = fit_melodic_model(course_split(corpus_chorales)[0])
    shipped = melodic_model()
    assert set(refit.table) == set(shipped.table) == {"Alto", "Tenor", "Bass"}
    assert all(np.allclose(refit.table[v], shipped.table[v], atol=1e-6) for v in refit.table)
    assert json.loads(MODEL_FILE.read_text())["clip"] == CLIP
    # Bach's bass leaps from chord to chord far more often than his alto
    assert shipped.shares("Bass")["leap"] > shipped.shares("Alto")["leap"] + 0.1


def test_unresolved_sevenths_judged_only_from_seventh_chords_equal_the_dense_count():
    """The decoder's _unresolved judges only the chords that have a seventh; on random chords (rests, sevenths,
    held notes) it counts exactly what unresolved_sevenths counts over every pair of chords."""
    from helpers.harmonize.decoding import _unresolved
    from helpers.voiceleading import unresolved_sevenths

    rng = np.random.default_rng(0)
    for _ in range(30):
        spans, n, m = rng.integers(1, 6), rng.integers(1, 9), rng.integers(1, 9)
        roots = rng.integers(0, 12, (spans, n, 1))
        before = 48 + roots + rng.choice([0, 4, 7, 10, 11, 3, 12, 16], (spans, n, 4))  # many seventh chords
        before[rng.random(before.shape) < 0.05] = REST
        after = before[:, rng.integers(0, n, m)] + rng.choice([0, 0, -1, -2, 1, 2], (spans, m, 4))
        after[rng.random(after.shape) < 0.05] = REST
        x, y = before[:, :, None, :], after[:, None, :, :]
        dense = (unresolved_sevenths(x, y) & (x != y).any(-1, keepdims=True)).sum(-1)
        np.testing.assert_array_equal(_unresolved(before, after), dense)
        assert dense.shape == (spans, n, m)


def test_cadence_fits_is_the_style_reports_authentic_half_and_modulating_cadences():
    """cadence_fits (the decoder's cadence rule) against helpers.style.cadence_kind on random chord pairs, and on
    textbook cadences in C major made by hand."""
    from helpers.style import cadence_kind
    from helpers.voiceleading import cadence_fits

    rng = np.random.default_rng(0)
    pool = np.array([-1, 43, 45, 47, 48, 50, 52, 53, 54, 55, 56, 57, 59, 60, 62, 64, 65, 66, 67, 69, 71, 72, 74, 76])
    before, after = rng.choice(pool, (3000, 4)), rng.choice(pool, (3000, 4))
    kinds = [cadence_kind(b[None], a, 0, "major") for b, a in zip(before, after)]
    expected = np.isin(kinds, ["authentic", "half", "modulating"])
    assert np.array_equal(cadence_fits(before, after, 0), expected)
    assert 20 < expected.sum() < 2900  # both answers occur
    g7, c, f, d7, g = [71, 67, 65, 55], [72, 64, 60, 48], [72, 65, 57, 53], [72, 66, 62, 50], [71, 67, 62, 55]
    assert cadence_fits(np.array([g7, f, d7, f]), np.array([c, c, g, g]), 0).tolist() == [True, False, True, True]


def test_the_half_cadence_share_scales_the_credit_of_closes_on_the_keys_v_alone():
    """half_cadence: a close on the key's major V in root position gets that share of the credit, whether reached
    from its own dominant (V/V, D7 → G) or not (IV → V); closes on I and on other degrees keep theirs."""
    from helpers.voiceleading import cadence_fits

    g7, c, f, d7, g = [71, 67, 65, 55], [72, 64, 60, 48], [72, 65, 57, 53], [72, 66, 62, 50], [71, 67, 62, 55]
    e7, a = [68, 64, 62, 52], [69, 64, 60, 45]  # E7 → A minor: a modulating close on vi
    before, after = np.array([g7, d7, f, e7, f]), np.array([c, g, g, a, c])
    assert cadence_fits(before, after, 0).tolist() == [1, 1, 1, 1, 0]
    assert cadence_fits(before, after, 0, half=0.25).tolist() == [1, 0.25, 0.25, 1, 0]
    assert cadence_fits(before, after, 0, half=0.0).tolist() == [1, 0, 0, 1, 0]
    assert cadence_fits(before, after, 7, half=0.0).tolist() == [1, 1, 0, 1, 0]  # in G: D7 → G is V → I; F → G no close


def test_the_cadence_rule_closes_a_phrase_on_a_dominant_to_tonic_only_at_its_ending():
    melody = [74, 72, 74, 72]  # D5 C5 twice; a bass under the first C that the network slightly prefers on A2 (vi)
    probs = {"Alto": certain(55, 30, [67, 67, 67, 67]), "Tenor": certain(45, 30, [59, 60, 59, 60]),
             "Bass": probs_over(36, 30, [{43: 0.97}, {45: 0.5, 48: 0.45}, {43: 0.97}, {45: 0.5, 48: 0.45}])}

    def bass(rules, ends=()):
        return H.decode_jointly(probs, {v: np.ones(4) for v in probs}, LOWS, np.asarray(melody), rules, tonic=0,
                                phrase_ends=ends)["Bass"][0].tolist()

    ruled = H.VoiceLeading(0.0, 0.0, 4, "step", cadence=3.0)
    assert bass(FREE, [2]) == [43, 45, 43, 45]  # no credit: the network's A2 twice
    assert bass(ruled, [2]) == [43, 48, 43, 45]  # the phrase ending at step 2 closes on V-I; the other does not
    assert bass(ruled, [2, 4]) == [43, 48, 43, 48] and bass(ruled) == [43, 45, 43, 45]
