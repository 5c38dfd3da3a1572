"""helpers.midi: reading validates files and names them in errors; writing keeps notes, tempo, metre and key."""

from __future__ import annotations

import numpy as np
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import InputError
from helpers.midi import (
    Voice,
    beats_to_seconds,
    load_midi,
    midi_to_voices,
    seconds_to_beats,
    write_midi,
)
from helpers.theory import key_name
from tests.conftest import make_voice


def test_missing_file_is_rejected_with_its_name(tmp_path):
    path = tmp_path / "nope.mid"
    with pytest.raises(InputError, match=r"nope\.mid: no such file"):
        load_midi(path)


def test_empty_file_is_rejected(tmp_path):
    path = tmp_path / "empty.mid"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.mid: empty file"):
        load_midi(path)


def test_bytes_that_are_not_midi_are_rejected(tmp_path):
    path = tmp_path / "text.mid"
    path.write_text("this is a text file, not MIDI")
    with pytest.raises(InputError, match=r"text\.mid: not a MIDI file"):
        load_midi(path)


def test_truncated_file_is_rejected(tmp_path):
    good = write_midi([make_voice("Soprano", [60, 62, 64, 65], [1, 1, 1, 1])], tmp_path / "good.mid")
    path = tmp_path / "cut.mid"
    path.write_bytes(good.read_bytes()[:30])
    with pytest.raises(InputError, match=r"cut\.mid: truncated or corrupt"):
        load_midi(path)


def test_file_without_notes_is_rejected(tmp_path):
    path = tmp_path / "silent.mid"
    pm = pretty_midi.PrettyMIDI()
    pm.instruments.append(pretty_midi.Instrument(0, name="Soprano"))
    pm.write(str(path))
    with pytest.raises(InputError, match=r"silent\.mid: no notes"):
        load_midi(path)


def test_drum_only_file_is_rejected(tmp_path):
    path = tmp_path / "drums.mid"
    pm = pretty_midi.PrettyMIDI()
    drums = pretty_midi.Instrument(0, is_drum=True, name="Drums")
    drums.notes = [pretty_midi.Note(100, 36, 0.0, 0.5), pretty_midi.Note(100, 38, 0.5, 1.0)]
    pm.instruments.append(drums)
    pm.write(str(path))
    with pytest.raises(InputError, match=r"drums\.mid: only drum notes"):
        load_midi(path)


def test_written_file_keeps_tempo_metre_key_and_track_names(tmp_path):
    voices = [make_voice("Soprano", [67, 69], [1, 2]), make_voice("Alto", [64, 65], [2, 1])]
    path = write_midi(voices, tmp_path / "out.mid", tempo=72, time_signature=(3, 4), key=(7, "minor"))
    pm = load_midi(path)
    assert [i.name for i in pm.instruments] == ["Soprano", "Alto"]
    assert np.isclose(pm.get_tempo_changes()[1][0], 72)
    ts = pm.time_signature_changes[0]
    assert (ts.numerator, ts.denominator) == (3, 4)
    assert pm.key_signature_changes[0].key_number == 7 + 12
    back = midi_to_voices(pm)
    assert back[0] == voices[0] and back[1] == voices[1]


def test_beats_follow_tempo_changes():
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    pm._tick_scales = [(0, 60.0 / (120 * pm.resolution)), (pm.resolution * 4, 60.0 / (60 * pm.resolution))]
    pm._update_tick_to_time(pm.resolution * 10)
    # 4 beats at 120 bpm take 2 s; after that a beat takes 1 s
    assert np.allclose(seconds_to_beats(pm, np.array([0.0, 1.0, 2.0, 3.0])), [0, 2, 4, 5])
    assert np.allclose(beats_to_seconds(pm, np.array([0, 2, 4, 5, 7.5])), [0.0, 1.0, 2.0, 3.0, 5.5])


def test_unnamed_tracks_are_called_instrument_n(tmp_path):
    path = write_midi([make_voice("", [60], [1]), make_voice("", [55], [1])], tmp_path / "x.mid")
    assert [v.name for v in midi_to_voices(load_midi(path))] == ["Instrument 1", "Instrument 2"]


def test_key_name_spells_flats_and_sharps_with_their_signs():
    assert key_name(10, "major") == "B♭ major" and key_name(6, "minor") == "F♯ minor"


def test_voice_rejects_notes_that_end_before_they_start():
    with pytest.raises(ValueError, match="ends before it starts"):
        Voice("Alto", np.array([60]), np.array([2.0]), np.array([1.0]))


notes = st.lists(st.tuples(st.integers(21, 108), st.integers(1, 8)), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(notes=notes, tempo=st.sampled_from([60.0, 90.0, 100.0, 144.0]))
def test_voice_round_trips_through_a_midi_file(tmp_path_factory, notes, tempo):
    pitches = [p for p, _ in notes]
    durations = [d / 4 for _, d in notes]  # sixteenth-note multiples
    voice = make_voice("Soprano", pitches, durations)
    path = write_midi([voice], tmp_path_factory.mktemp("rt") / "v.mid", tempo=tempo)
    assert midi_to_voices(load_midi(path))[0] == voice


def test_a_written_midi_file_keeps_32nd_notes_and_triplets_exactly(tmp_path):
    from helpers.midi import Voice, load_midi, midi_to_voices, write_midi

    v = Voice("Melody", [60, 62, 64, 65, 67], [0, 0.125, 0.25, 1 / 3, 2 / 3], [0.125, 0.25, 1 / 3, 2 / 3, 1])
    back = midi_to_voices(load_midi(write_midi([v], tmp_path / "fine.mid", tempo=90)))[0]
    assert np.allclose(back.starts, v.starts, atol=1e-9) and np.allclose(back.ends, v.ends, atol=1e-9)
