"""helpers.theory (the one home of key vocabulary), helpers.readers (the one home of part reading) and the layout
promise that decoding runs without Keras."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.errors import InputError
from helpers.readers import part_to_voice, pickup_beats
from helpers.theory import (
    key_name,
    key_number,
    key_of_number,
    normalising_shift,
    signature_keys,
    signature_sharps,
    transpose_key_number,
)


@given(st.integers(0, 11), st.sampled_from(["major", "minor"]), st.integers(-24, 24))
def test_key_numbers_round_trip_and_transpose_the_tonic_only(tonic, mode, shift):
    number = key_number(tonic, mode)
    assert key_of_number(number) == (tonic, mode)
    assert key_of_number(transpose_key_number(number, shift)) == ((tonic + shift) % 12, mode)
    assert (tonic, mode) in signature_keys(signature_sharps(tonic, mode))
    assert key_of_number(key_number((tonic + normalising_shift(tonic, mode)) % 12, mode)) in ((0, "major"),
                                                                                               (9, "minor"))


def test_key_vocabulary_rejects_unknown_modes_and_names_keys_as_musicians_write_them():
    with pytest.raises(ValueError, match="mode"):
        key_number(0, "dorian")
    assert key_name(10, "major") == "B♭ major" and key_name(7, "minor") == "G minor"
    assert np.array_equal(key_number([0, 9], ["major", "minor"]), [0, 21])


def _part_with_a_chord():
    from music21 import chord, note, stream

    part = stream.Part()
    part.append(note.Note("C5", quarterLength=1))
    part.append(chord.Chord(["E4", "G4", "C5"], quarterLength=2))
    return part


@pytest.mark.parametrize("policy, pitches", [("all", [72, 64, 67, 72]), ("top", [72, 72]), ("bottom", [72, 64])])
def test_each_chord_policy_keeps_the_notes_it_promises(policy, pitches):
    voice = part_to_voice(_part_with_a_chord(), "V", policy)
    assert sorted(voice.pitches.tolist()) == sorted(pitches)
    assert voice.starts.min() == 0.0 and voice.ends.max() == 3.0


def test_a_melody_reader_rejects_a_chord_naming_the_file_and_the_beat():
    with pytest.raises(InputError, match=r"song\.xml: chords instead of a melody \(a chord at beat 1\)"):
        part_to_voice(_part_with_a_chord(), "V", "reject", path="song.xml")


def test_a_pickup_is_what_is_left_of_the_silent_first_bar():
    assert pickup_beats(3.0, (4, 4)) == 1.0 and pickup_beats(4.0, (4, 4)) == 0.0 and pickup_beats(0.0, (3, 4)) == 0.0
    assert pickup_beats(2.5, (3, 4)) == 0.5


def test_decoding_runs_without_keras():
    code = ("import sys; import helpers.harmonize.decoding, helpers.voiceleading, helpers.metrics; "
            "print('keras' in sys.modules or 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
