"""helpers.pianoroll: beat-grid rolls and step sequences, exact round trips, transposition, histograms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.midi import load_midi, midi_to_voices, write_midi
from helpers.pianoroll import (
    LOW,
    REST,
    binarize,
    pianoroll_to_voice,
    pitch_class_histogram,
    pitch_name,
    plot_pianoroll,
    steps_to_voice,
    transpose,
    voice_to_pianoroll,
    voice_to_steps,
    windows,
)
from tests.conftest import make_voice


def test_a_quarter_note_covers_four_sixteenth_steps():
    roll = voice_to_pianoroll(make_voice("S", [60, 62], [1, 0.5]))
    assert roll.shape == (48, 6)
    assert roll[60 - LOW, :4].all() and not roll[60 - LOW, 4:].any()
    assert roll[62 - LOW, 4:6].all()


def test_roll_does_not_depend_on_tempo(tmp_path):
    voice = make_voice("S", [60, 64, 67], [1, 1, 2])
    rolls = [voice_to_pianoroll(midi_to_voices(load_midi(write_midi([voice], tmp_path / f"{t}.mid", tempo=t)))[0])
             for t in (50, 100, 200)]
    assert all(np.array_equal(rolls[0], r) for r in rolls)


def test_pitch_outside_range_is_an_error_not_a_silent_drop():
    with pytest.raises(ValueError, match=r"pitches \[90\] outside"):
        voice_to_pianoroll(make_voice("S", [60, 90], [1, 1]))


def test_steps_keep_repeated_notes_apart_from_held_notes():
    repeated = make_voice("S", [60, 60], [1, 1])
    held = make_voice("S", [60], [2])
    p1, o1 = voice_to_steps(repeated)
    p2, o2 = voice_to_steps(held)
    assert np.array_equal(p1, p2)
    assert o1.sum() == 2 and o2.sum() == 1
    assert steps_to_voice(p1, o1) == repeated.renamed("Voice")
    assert steps_to_voice(p2, o2) == held.renamed("Voice")


def test_rests_are_minus_one_in_step_sequences():
    v = make_voice("S", [60], [1], start=1.0)
    pitch, onset = voice_to_steps(v)
    assert list(pitch) == [REST] * 4 + [60] * 4 and onset[4] and not onset[:4].any()


def test_overlapping_notes_keep_the_highest_pitch():
    from helpers.midi import Voice

    v = Voice("S", np.array([60, 64]), np.array([0.0, 0.0]), np.array([1.0, 1.0]))
    assert set(voice_to_steps(v)[0]) == {64}


def test_transpose_moves_rows_and_refuses_to_wrap():
    roll = voice_to_pianoroll(make_voice("S", [60, 62], [1, 1]))
    up = transpose(roll, 3)
    assert np.array_equal(up[63 - LOW], roll[60 - LOW])
    assert np.array_equal(transpose(up, -3), roll)
    with pytest.raises(ValueError, match="out of the pianoroll"):
        transpose(roll, 30)


def test_binarize_thresholds():
    assert binarize(np.array([0.2, 0.5, 0.9])).tolist() == [False, True, True]


def test_histogram_is_duration_weighted():
    roll = voice_to_pianoroll(make_voice("S", [60, 67, 72], [3, 1, 4]))
    hist = pitch_class_histogram(roll)
    assert np.isclose(hist.sum(), 1)
    assert np.isclose(hist[0], 7 / 8) and np.isclose(hist[7], 1 / 8)


def test_histogram_of_silence_is_zero():
    assert not pitch_class_histogram(np.zeros((48, 10), dtype=bool)).any()


def test_windows_cut_without_overlap_by_default():
    x = np.arange(10)
    assert windows(x, 4).tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert windows(x, 4, hop=3).shape == (3, 4)
    assert windows(np.zeros((48, 20)), 8).shape == (2, 48, 8)
    assert windows(x, 20).shape == (0, 20)


def test_pitch_names():
    assert pitch_name(60) == "C4" and pitch_name(70) == "B♭4" and pitch_name(75) == "E♭5"


notes = st.lists(st.tuples(st.integers(LOW, 83), st.integers(1, 8), st.integers(0, 3)), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(notes=notes)
def test_roll_to_midi_to_roll_is_exact_on_the_grid(tmp_path_factory, notes):
    # notes separated by rests (gap) so that the roll holds distinct notes
    pitches = [p for p, _, _ in notes]
    durations = [d / 4 for _, d, _ in notes]
    gaps = np.cumsum([0] + [(d + g) / 4 for _, d, g in notes[:-1]])
    from helpers.midi import Voice

    voice = Voice("S", np.array(pitches), gaps, gaps + np.array(durations))
    roll = voice_to_pianoroll(voice)
    back = pianoroll_to_voice(roll)
    path = write_midi([back], tmp_path_factory.mktemp("rt") / "r.mid", tempo=97)
    again = voice_to_pianoroll(midi_to_voices(load_midi(path))[0], n_steps=roll.shape[1])
    assert np.array_equal(roll, again)


@settings(max_examples=40, deadline=None)
@given(pitch=st.lists(st.integers(-1, 5), min_size=1, max_size=40),
       onset=st.lists(st.booleans(), min_size=40, max_size=40))
def test_step_sequence_round_trips(pitch, onset):
    pitch = np.where(np.array(pitch) < 0, REST, np.array(pitch) + 60)
    onset = np.array(onset[: len(pitch)]) & (pitch != REST)
    voice = steps_to_voice(pitch, onset)
    p2, o2 = voice_to_steps(voice, n_steps=len(pitch))
    assert np.array_equal(p2, pitch)
    # an onset is implied wherever a note follows a rest or another pitch
    starts = (pitch != REST) & (onset | np.r_[True, pitch[1:] != pitch[:-1]])
    assert np.array_equal(o2, starts)


def test_plot_pianoroll_names_pitches_and_spans_the_music():
    import matplotlib

    matplotlib.use("Agg")
    roll = voice_to_pianoroll(make_voice("S", [60, 64, 67], [1, 1, 2]))
    ax = plot_pianoroll(roll, title="C major arpeggio")
    assert ax.get_xlim() == (0, 4)
    assert "C4" in [t.get_text() for t in ax.get_yticklabels()]
    assert ax.get_title() == "C major arpeggio"
