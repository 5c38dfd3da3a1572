"""Kept notes (issue 24): the joint decoder searches around fixed steps, kept notes come out exactly, the seams are
judged by the same rules, and the helpers that re-harmonize bars, keep a bass, mix bars and transpose."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from helpers import harmonize as H
from helpers.errors import InputError
from helpers.harmonize import keep as K
from helpers.harmonize.decoding import FREE, add_passing_notes, kept_candidates, kept_starts
from helpers.metrics import parallel_count
from helpers.midi import Voice
from helpers.pianoroll import REST

LOWS = {"Alto": 55, "Tenor": 48}


def random_problem(seed: int, n: int = 32):
    rng = np.random.default_rng(seed)
    probs = {v: rng.dirichlet(np.ones(20) * 0.3, n) for v in LOWS}
    onsets = {v: rng.random(n) for v in LOWS}
    melody = np.repeat(rng.integers(72, 80, n // 4), 4)
    return probs, onsets, melody


def kept_alto(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Alto kept in steps 8-19: a note of 3 steps (off the beat), a repeated note, a rest; free elsewhere."""
    fixed = np.full(n, FREE)
    fixed[8:11], fixed[11:13], fixed[13:15], fixed[15:17], fixed[17:20] = 64, 62, 62, REST, 60
    onsets = np.zeros(n, bool)
    onsets[[8, 11, 13, 17]] = True
    return fixed, onsets


@pytest.mark.parametrize("rules, temperature", [
    (H.VoiceLeading(3.0, 3.0, 4, "beat"), 0.0),
    (H.VoiceLeading(3.0, 3.0, 4, "beat", contrary=3.0, hidden=3.0, order=True, passing=True), 0.0),
    (H.VoiceLeading(3.0, 3.0, 4, "beat", order=True), 1.0),
    (H.VoiceLeading(0.0, 0.0, 3, "step"), 2.0)])
def test_kept_steps_come_out_exactly_with_their_onsets(rules, temperature):
    probs, onsets, melody = random_problem(0)
    fixed, fixed_onsets = kept_alto(len(melody))
    out = H.decode_jointly(probs, onsets, LOWS, melody, rules, temperature=temperature,
                           rng=np.random.default_rng(1), fixed={"Alto": fixed}, fixed_onsets={"Alto": fixed_onsets})
    pitch, onset = out["Alto"]
    kept = fixed != FREE
    assert np.array_equal(pitch[kept], fixed[kept])
    assert np.array_equal(onset[kept], fixed_onsets[kept])  # the repeated D is two notes, the rest no note
    assert onset[20] or pitch[20] == REST  # the free note after the kept C starts anew


def test_a_free_note_of_the_kept_pitch_does_not_merge_into_the_kept_note():
    n = 8
    probs = {"Alto": np.full((n, 20), 1e-3)}
    probs["Alto"][:, 1 + 64 - 55] = 1.0  # E4 everywhere, never an onset
    fixed = np.full(n, FREE)
    fixed[4:] = 64
    out = H.decode_jointly(probs, {"Alto": np.zeros(n)}, {"Alto": 55}, np.full(n, 76),
                           H.VoiceLeading(0, 0, 2, "beat"), fixed={"Alto": fixed})
    assert np.array_equal(out["Alto"][0], np.full(n, 64))
    assert np.flatnonzero(out["Alto"][1]).tolist() == [0, 4]  # two notes, the kept one from step 4


def test_without_fixed_steps_the_decoder_is_unchanged():
    probs, onsets, melody = random_problem(2)
    rules = H.VoiceLeading(3.0, 3.0, 4, "beat", order=True, passing=True)
    plain = H.decode_jointly(probs, onsets, LOWS, melody, rules)
    empty = H.decode_jointly(probs, onsets, LOWS, melody, rules, fixed={"Alto": np.full(len(melody), FREE)})
    for v in LOWS:
        assert all(np.array_equal(a, b) for a, b in zip(plain[v], empty[v]))


def test_every_voice_fixed_gives_exactly_the_fixed_voices_even_outside_the_network_range():
    probs, onsets, melody = random_problem(3)
    fixed = {"Alto": np.full(len(melody), 66), "Tenor": np.full(len(melody), 30)}  # F#1: below the tenor classes
    out = H.decode_jointly(probs, onsets, LOWS, melody, H.VoiceLeading(3.0, 3.0, 4, "beat", order=True),
                           fixed=fixed)
    assert all(np.array_equal(out[v][0], fixed[v]) for v in LOWS)
    assert all(out[v][1].tolist() == [True] + [False] * (len(melody) - 1) for v in LOWS)


def test_a_kept_span_shrinks_the_candidate_set_to_the_kept_pitch_and_leaves_free_spans_alone():
    pitch = np.array([[60, 62, 64], [65, 67, REST]])
    logp = np.array([[-1.0, -2.0, -3.0], [-0.5, -0.7, -0.9]])
    p, lp = kept_candidates(pitch, logp, np.array([FREE, 59]))
    assert p[0].tolist() == [60, 62, 64] and lp[0].tolist() == [-1.0, -2.0, -3.0]
    assert p[1, 0] == 59 and lp[1, 0] == 0 and np.all(np.isneginf(lp[1, 1:]))


def test_chords_also_start_where_a_kept_voice_changes_or_turns_free():
    fixed, onsets = kept_alto(32)
    starts = kept_starts(np.arange(0, 32, 4), {"Alto": fixed}, {"Alto": onsets})
    assert set(starts) == set(range(0, 32, 4)) | {8, 11, 13, 15, 17, 20}


def test_the_seam_between_a_kept_chord_and_a_free_one_obeys_the_parallel_rule():
    melody = np.array([76, 76, 77, 77])  # E5 E5 F5 F5
    # kept: alto C5 over tenor F4; the most likely free chord next is D5 over G4, parallel fifths across the seam
    alto = np.full((4, 25), 0.01)
    alto[:, 1 + 74 - 55] = 0.6
    tenor = np.full((4, 25), 0.01)
    tenor[:, 1 + 67 - 48] = 0.6
    probs, onsets = {"Alto": alto, "Tenor": tenor}, {v: np.array([1, 0, 1, 0.0]) for v in LOWS}
    fixed = {"Alto": np.array([72, 72, FREE, FREE]), "Tenor": np.array([65, 65, FREE, FREE])}
    free = H.decode_jointly(probs, onsets, LOWS, melody, H.VoiceLeading(0.0, 0.0, 3, "step"), fixed=fixed)
    assert parallel_count(free["Alto"][0], free["Tenor"][0], 7) == 1  # without the rule the seam has them
    ruled = H.decode_jointly(probs, onsets, LOWS, melody, H.VoiceLeading(5.0, 5.0, 3, "step"), fixed=fixed)
    assert ruled["Alto"][0][:2].tolist() == [72, 72] and ruled["Tenor"][0][:2].tolist() == [65, 65]
    assert parallel_count(ruled["Alto"][0], ruled["Tenor"][0], 7) == 0


def test_order_holds_against_a_kept_voice_a_free_voice_never_goes_below_a_kept_bass():
    n = 8
    probs = {"Alto": np.full((n, 20), 0.01), "Tenor": np.full((n, 20), 0.01)}
    probs["Alto"][:, 1 + 67 - 55] = 1.0
    probs["Tenor"][:, 1 + 50 - 48] = 1.0  # the tenor wants D3, below the kept "tenor-line" neighbour
    probs["Tenor"][:, 1 + 57 - 48] = 0.5
    fixed = {"Alto": np.full(n, 55)}  # a kept alto at G3: a tenor at D3 is fine, above it would cross
    probs["Tenor"][:, 1 + 60 - 48] = 2.0  # ... but the tenor likes C4 best, above the kept alto
    out = H.decode_jointly(probs, {v: np.zeros(n) for v in probs}, LOWS, np.full(n, 76),
                           H.VoiceLeading(3.0, 3.0, 3, "beat", order=True), fixed=fixed)
    assert np.all(out["Tenor"][0] <= 55) and np.all(out["Alto"][0] == 55)


def test_passing_notes_leave_kept_beats_alone():
    n = 8
    probs = {"Alto": np.full((n, 20), 0.01)}
    probs["Alto"][:, 1 + 64 - 55] = 0.5
    probs["Alto"][[2, 3, 6, 7], 1 + 65 - 55] = 0.9  # the network prefers F4 on the second half of each beat
    decoded = {"Alto": (np.full(n, 64), np.array([1, 0, 0, 0, 1, 0, 0, 0], bool))}
    free = add_passing_notes(decoded, probs, {"Alto": 55}, np.full(n, 76))
    assert free["Alto"][0].tolist() == [64, 64, 65, 65, 64, 64, 65, 65]  # the test can fail
    fixed = np.array([64] * 4 + [FREE] * 4)
    kept = add_passing_notes(decoded, probs, {"Alto": 55}, np.full(n, 76), fixed={"Alto": fixed})
    assert kept["Alto"][0].tolist() == [64, 64, 64, 64, 64, 64, 65, 65]


def test_fixed_steps_of_another_length_or_voice_are_refused():
    probs, onsets, melody = random_problem(0)
    with pytest.raises(ValueError, match="fixed steps must be given for generated voices"):
        H.decode_jointly(probs, onsets, LOWS, melody, fixed={"Alto": np.full(3, 60)})
    with pytest.raises(ValueError, match="'Bass'"):
        H.decode_jointly(probs, onsets, LOWS, melody, fixed={"Bass": np.full(len(melody), 40)})


# ------------------------------------------------------------------ settings: bars, a given bass, mixing, keys

@pytest.fixture(scope="module")
def tune():
    return H.melody_from_text("4/4 g4 g a f#4. g8 a4 b b c' b4. a8 g4 a g f# g2 b4 c' d'2 c'4 b a2 g1",
                              key="G major")


@pytest.fixture(scope="module")
def satb(tiny_models):
    return tiny_models["satb"]


def notes(v: Voice) -> list[tuple[int, float, float]]:
    return [(int(p), round(float(s), 6), round(float(e), 6)) for p, s, e in zip(v.pitches, v.starts, v.ends)]


def test_reharmonizing_bars_changes_nothing_outside_them(tune, satb):
    best = H.harmonize_melody(tune, satb)
    start, end = K.bar_span(tune, 2, 3)
    changed = 0
    for seed in range(4):
        new = K.reharmonize(tune, best, satb, 2, 3, temperature=3.0, seed=seed)
        assert K.unchanged_outside(best, new, start, end)
        changed += sum(notes(a) != notes(b) for a, b in zip(best.voices, new.voices))
    assert changed > 0  # the bars were written again (so the check above can fail)


def test_unchanged_outside_sees_a_change_outside_the_span(tune, satb):
    best = H.harmonize_melody(tune, satb)
    moved = H.Setting(best.voices[:-1] + [best.voices[-1].transpose(-12)], 0.0)
    assert not K.unchanged_outside(best, moved, 4.0, 8.0)
    bass = best.voices[-1]
    extra = Voice("Bass", np.r_[bass.pitches, 40], np.r_[bass.starts, 30], np.r_[bass.ends, 31])  # after the end
    assert not K.unchanged_outside(best, H.Setting(best.voices[:-1] + [extra], 0.0), 4.0, 8.0)
    assert K.unchanged_outside(best, best, 4.0, 8.0)


def test_a_given_bass_comes_out_exactly_and_the_others_are_written_over_it(tune, satb):
    bass = Voice("Bass", [43, 50, 47, 45, 43, 38, 43], [0, 4, 8, 12, 16, 20, 24], [4, 8, 12, 16, 20, 24, 28])
    setting = H.harmonize_melody(tune, satb, keep=K.keep_whole({"Bass": bass}))
    assert notes(setting.voices[3]) == notes(bass)
    assert H.order_violations(setting.voices)["crossed"] == 0


def test_off_grid_kept_notes_come_out_exactly(tune, satb):
    bass = Voice("Bass", [43, 45, 47, 50], [0, 1 / 3, 2 / 3, 1], [1 / 3, 2 / 3, 1, 28])  # a triplet
    setting = H.harmonize_melody(tune, satb, keep=K.keep_whole({"Bass": bass}))
    assert notes(setting.voices[3]) == notes(bass)


@pytest.mark.parametrize("bass, message", [
    (Voice("Bass", [79], [0], [4]), "the kept Bass lies above the melody at bar 1, beat 1"),
    (Voice("Bass", [43, 43], [0, 40], [4, 41]), "the kept Bass has a note at bar 11, beat 1, after the melody"),
    (Voice("Bass", [], [], []), "the kept Bass has no notes")])
def test_unusable_kept_voices_are_refused(tune, satb, bass, message):
    with pytest.raises(InputError, match=message):
        H.harmonize_melody(tune, satb, keep=K.keep_whole({"Bass": bass}))


def test_bars_outside_the_piece_are_refused(tune):
    assert K.bar_numbers(tune) == (1, 8)  # 29 beats in 4/4: the last bar is a half bar
    with pytest.raises(InputError, match="bars 7-9 are not in the piece: it has bars 1-8"):
        K.bar_span(tune, 7, 9)


def test_mixing_bars_takes_each_bar_from_its_setting(tune, satb):
    a = H.harmonize_melody(tune, satb)
    b = H.harmonize_melody(tune, satb, temperature=3.0, seed=1)
    mixed = K.mix_bars([a, b], {3: 1, 4: 1}, tune, satb)
    start, end = K.bar_span(tune, 3, 4)
    for x, y, m in zip(a.voices[1:], b.voices[1:], mixed.voices[1:]):
        inside = [n for n in notes(m) if start <= n[1] < end]
        assert inside == [n for n in notes(y) if start <= n[1] < end]
        assert [n for n in notes(m) if n[1] < start - 4] == [n for n in notes(x) if n[1] < start - 4]
    assert np.isfinite(mixed.log_probability)


def test_transposing_a_setting_moves_every_note_and_the_key(tune, satb):
    best = H.harmonize_melody(tune, satb)
    moved, melody = K.transpose_setting(best, tune, -3)
    assert melody.key_name == "E major"
    assert all(np.array_equal(m.pitches, v.pitches - 3) for m, v in zip(moved.voices, best.voices))


def test_with_the_order_rule_a_free_voice_is_never_written_under_a_kept_voice_below_it():
    n = 8
    alto, tenor = np.full((n, 20), 0.001), np.full((n, 25), 0.001)
    alto[:, 1 + 67 - 55] = 0.9
    tenor[:, 1 + 50 - 48] = 0.6  # the tenor's two best pitches, D3 and E3, lie under the kept bass A3 ...
    tenor[:, 1 + 52 - 48] = 0.3
    tenor[:, 1 + 60 - 48] = 0.05  # ... C4 is far behind
    probs, lows = {"Alto": alto, "Tenor": tenor, "Bass": np.full((n, 20), 0.05)}, {**LOWS, "Bass": 36}
    fixed = {"Bass": np.full(n, 57)}
    rules = H.VoiceLeading(3.0, 3.0, 2, "beat", order=True)
    out = H.decode_jointly(probs, {v: np.zeros(n) for v in probs}, lows, np.full(n, 76), rules, fixed=fixed)
    assert np.all(out["Tenor"][0] >= 57) and np.all(out["Bass"][0] == 57)
    loose = H.decode_jointly(probs, {v: np.zeros(n) for v in probs}, lows, np.full(n, 76), replace(rules, order=False),
                             fixed=fixed)
    assert np.all(out["Tenor"][0] >= 57) and np.any(loose["Tenor"][0] < 57)  # without the rule it goes under


def test_with_kept_notes_a_passing_note_may_not_cross_a_kept_voice():
    n = 8
    probs = {"Tenor": np.full((n, 25), 0.01), "Bass": np.full((n, 30), 0.01)}
    probs["Tenor"][:, 1 + 58 - 48] = 0.5
    probs["Tenor"][[2, 3], 1 + 55 - 48] = 0.9  # a passing G3 on the half beat, under the bass A3
    # melody and tenor move in parallel fifths into beat 2 (F5-Bb3 to G5-C4); the passing G3 removes them
    decoded = {"Tenor": (np.array([58] * 4 + [60] * 4), np.array([1, 0, 0, 0, 1, 0, 0, 0], bool)),
               "Bass": (np.full(n, 57), np.array([1, 0, 0, 0, 0, 0, 0, 0], bool))}
    lows, melody = {"Tenor": 48, "Bass": 36}, np.array([65] * 4 + [67] * 4)
    free = add_passing_notes(decoded, probs, lows, melody)
    assert free["Tenor"][0][2] == 55  # without kept notes the crossing is traded for the parallel fifths
    kept = add_passing_notes(decoded, probs, lows, melody, fixed={"Bass": np.full(n, 57)})
    assert kept["Tenor"][0][:4].tolist() == [58] * 4 and np.all(kept["Tenor"][0] >= 57)
