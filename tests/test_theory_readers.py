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
    signature_sharps,
    signature_tonic,
    transpose_key_number,
)


@given(st.integers(0, 11), st.sampled_from(["major", "minor"]), st.integers(-24, 24))
def test_key_numbers_round_trip_and_transpose_the_tonic_only(tonic, mode, shift):
    number = key_number(tonic, mode)
    assert key_of_number(number) == (tonic, mode)
    assert key_of_number(transpose_key_number(number, shift)) == ((tonic + shift) % 12, mode)
    assert signature_tonic(signature_sharps(tonic, mode)) == (tonic if mode == "major" else (tonic + 3) % 12)
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


def test_fermata_ends_are_the_ends_of_the_held_notes_even_on_a_tied_continuation():
    from music21 import expressions, note, stream, tie

    from helpers.readers import fermata_ends

    part = stream.Part()
    first, held = note.Note("C4", quarterLength=1), note.Note("D4", quarterLength=1)
    tied = note.Note("D4", quarterLength=2)
    held.tie, tied.tie = tie.Tie("start"), tie.Tie("stop")
    tied.expressions.append(expressions.Fermata())  # the fermata sits on the tied half of D4 (beats 1-4)
    last = note.Note("E4", quarterLength=1)
    last.expressions.append(expressions.Fermata())
    for n in (first, held, tied, last):
        part.append(n)
    voice = part_to_voice(part, "Soprano", "reject")
    assert list(voice.ends) == [1.0, 4.0, 5.0]  # the tie merged into one note
    assert fermata_ends(part, voice) == (4.0, 5.0)
    shifted = part_to_voice(part, "Soprano", "reject", offset=1.0)  # a piece whose first note is at beat 1
    assert fermata_ends(part, shifted, offset=1.0) == (3.0, 4.0)
    for n in part.flatten().notes:
        n.expressions = []
    assert fermata_ends(part, voice) == ()


def test_merging_ties_in_place_reads_the_same_voice_and_fermatas_read_first_survive_it():
    from music21 import expressions, note, stream, tie

    from helpers.readers import ends_holding, fermata_ends, fermata_onsets

    part = stream.Part()
    held, tied = note.Note("D4", quarterLength=1), note.Note("D4", quarterLength=2)
    held.tie, tied.tie = tie.Tie("start"), tie.Tie("stop")
    tied.expressions.append(expressions.Fermata())  # on the tied continuation, which merging drops
    part.append(held)
    part.append(tied)
    copied = part_to_voice(part, "Soprano", "reject")
    assert len(part.flatten().notes) == 2  # the default merges the ties in a copy
    onsets = fermata_onsets(part)
    assert onsets == [1.0] and ends_holding(copied, onsets) == fermata_ends(part, copied) == (3.0,)
    merged = part_to_voice(part, "Soprano", "reject", in_place=True)
    assert len(part.flatten().notes) == 1  # in place: the part itself lost its continuation
    assert [merged.pitches.tolist(), merged.starts.tolist(), merged.ends.tolist()] == [[62], [0.0], [3.0]]
    assert ends_holding(merged, onsets) == (3.0,) and fermata_ends(part, merged) == ()  # why onsets come first


def test_the_chorales_keep_their_fermatas_as_phrase_ends(corpus_chorales):
    chorales = corpus_chorales
    marked = [c for c in chorales if c.phrase_ends]
    assert len(chorales) - len(marked) == 6  # six of the 400 chorale files mark no fermata
    assert all(list(c.phrase_ends) == sorted(set(c.phrase_ends)) for c in marked)
    assert all(0 < c.phrase_ends[0] and c.phrase_ends[-1] <= c.n_beats + 1e-9 for c in marked)
