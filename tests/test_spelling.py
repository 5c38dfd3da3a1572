"""Notes and keys spelt as musicians write them: helpers.theory.spell (key and context), the names in text
(key_name, pitch_name) with ♭ and ♯, tolerant parsers, and scores built by helpers.score that carry the spelling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.score import voices_to_score
from helpers.theory import (
    PITCH_CLASS_NAMES,
    ascii_name,
    key_name,
    parse_key_name,
    parse_pitch_name,
    pitch_name,
    signature_sharps,
    spell,
    spell_line,
)
from tests.conftest import make_voice

C, Db, D, Eb, E, F, Fs, G, Ab, A, Bb, B = range(12)


def names(pitches, tonic, mode):
    return [str(s) for s in spell_line(pitches, tonic, mode)]


# ---------------------------------------------------------------------------- the cases the old spelling got wrong

def test_the_leading_tone_of_d_minor_is_c_sharp_not_d_flat():
    assert str(spell(73, D, "minor")) == "C♯5"
    assert names([74, 73, 74], D, "minor") == ["D5", "C♯5", "D5"]


def test_the_leading_tone_of_g_minor_is_f_sharp_not_g_flat():
    assert str(spell(66, G, "minor")) == "F♯4"
    assert str(spell(66, G, "minor", next_midi=65)) == "F♯4"  # a scale note keeps its spelling in any context


def test_c_sharp_in_f_major_leading_to_d_is_a_sharp():
    assert str(spell(73, F, "major", next_midi=74)) == "C♯5"  # V of vi
    assert names([72, 73, 74], F, "major") == ["C5", "C♯5", "D5"]


# ---------------------------------------------------------------------------- context: where the voice goes next

def test_a_chromatic_note_falling_a_semitone_is_a_lowered_degree():
    assert str(spell(73, F, "major", next_midi=72)) == "D♭5"  # ♭6 falling to 5
    assert str(spell(68, C, "major", next_midi=67)) == "A♭4"  # ♭6 in major
    assert str(spell(68, C, "major", next_midi=69)) == "G♯4"  # ♯5 leading to 6
    assert str(spell(61, C, "major", next_midi=60)) == "D♭4"  # Neapolitan ♭2 falling to the tonic


def test_secondary_leading_tones_are_sharps():
    assert str(spell(66, C, "major", next_midi=67)) == "F♯4"  # ♯4 → 5 (V of V)
    assert str(spell(61, C, "major", next_midi=62)) == "C♯4"  # ♯1 → 2 (V of ii)
    assert str(spell(63, C, "major", next_midi=64)) == "D♯4"  # ♯2 → 3 (V of iii)
    assert str(spell(68, C, "major", next_midi=69)) == "G♯4"  # ♯5 → 6 (V of vi)
    assert str(spell(63, A, "minor", next_midi=64)) == "D♯4"  # ♯4 → 5 in minor


def test_without_context_chromatic_notes_take_their_usual_degree():
    assert [str(spell(p, C, "major")) for p in (61, 63, 66, 68, 70)] == ["C♯4", "E♭4", "F♯4", "G♯4", "B♭4"]
    assert str(spell(70, F, "major")) == "B♭4" and str(spell(63, F, "major")) == "E♭4"  # ♭7 of V7/IV in F
    assert str(spell(70, A, "minor")) == "B♭4"  # ♭2, the Neapolitan


def test_the_lowered_second_in_minor_stays_lowered_even_when_it_rises():
    assert names([62, 63, 64], D, "minor") == ["D4", "E♭4", "E4"]  # as Bach writes it (BWV 2.6, tenor)
    assert names([61, 62], C, "major") == ["C♯4", "D4"]  # in major ♯1 leads to 2 (V of ii)


# ---------------------------------------------------------------------------- flat keys and sharp keys

def test_e_flat_major_spells_its_notes_with_flats():
    assert names([70, 63, 68, 65, 72, 67, 74], Eb, "major") == ["B♭4", "E♭4", "A♭4", "F4", "C5", "G4", "D5"]


def test_flat_keys_spell_their_scale_with_flats():
    assert str(spell(68, F, "minor")) == "A♭4" and str(spell(61, F, "minor")) == "D♭4"
    assert str(spell(64, F, "minor")) == "E4"  # the leading tone of F minor is E natural
    assert str(spell(61, Ab, "major")) == "D♭4" and str(spell(63, Ab, "major")) == "E♭4"
    assert names([70, 65, 61, 60], Bb, "minor") == ["B♭4", "F4", "D♭4", "C4"]
    assert names([66, 72, 71], Db, "major") == ["G♭4", "C5", "C♭5"]  # D♭ major: its leading tone C, its ♭7 C♭


def test_sharp_keys_spell_raised_degrees_with_sharps():
    assert str(spell(65, Fs, "minor")) == "E♯4"  # leading tone of F♯ minor
    assert str(spell(60, Db, "minor")) == "B♯3"  # leading tone of C♯ minor, sounding as C4
    assert str(spell(67, Ab, "minor")) == "F♯♯4"  # G♯ minor (five sharps): its leading tone is F double sharp
    assert names([66, 68, 70, 71, 73], B, "major") == ["F♯4", "G♯4", "A♯4", "B4", "C♯5"]


def test_the_picardy_third_in_minor_is_a_raised_third():
    assert str(spell(66, D, "minor")) == "F♯4"
    assert str(spell(66, D, "minor", next_midi=65)) == "F♯4"


@given(st.integers(0, 11), st.sampled_from(["major", "minor"]), st.integers(21, 108),
       st.sampled_from([None, -1, 1, 2]))
def test_a_spelling_sounds_its_pitch_and_is_read_back(tonic, mode, midi, step):
    s = spell(midi, tonic, mode, None if step is None else midi + step)
    assert s.midi == midi and parse_pitch_name(str(s)) == midi and parse_pitch_name(s.music21_name) == midi


@given(st.integers(0, 11), st.sampled_from(["major", "minor"]))
def test_every_note_of_a_key_uses_each_letter_once_and_the_tonic_is_spelt_as_in_key_name(tonic, mode):
    scale = [0, 2, 4, 5, 7, 9, 11] if mode == "major" else [0, 2, 3, 5, 7, 8, 10]
    spelt = [spell(60 + tonic + d, tonic, mode) for d in scale]
    assert len({s.letter for s in spelt}) == 7
    assert all(s.alter * signature_sharps(tonic, mode) >= 0 for s in spelt)  # flats in flat keys, sharps in sharp
    assert key_name(tonic, mode) == f"{spelt[0].name} {mode}"


# ---------------------------------------------------------------------------- names in text and their parsers

def test_key_and_pitch_names_use_flat_and_sharp_signs():
    assert key_name(Bb, "major") == "B♭ major" and key_name(Fs, "minor") == "F♯ minor"
    assert key_name(Db, "major") == "D♭ major" and key_name(Bb, "minor") == "B♭ minor"  # five flats, not 7 sharps
    assert key_name(Ab, "minor") == "G♯ minor" and key_name(Db, "minor") == "C♯ minor"
    assert pitch_name(75) == "E♭5" and pitch_name(55) == "G3" and pitch_name(73, key=(D, "minor")) == "C♯5"
    assert PITCH_CLASS_NAMES == ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")
    assert not any("-" in n or "#" in n for n in PITCH_CLASS_NAMES)


@pytest.mark.parametrize("text", ["B♭ major", "Bb major", "B- major", "B♭ Major", "  Bb   major ", "B♭"])
def test_parse_key_name_reads_every_way_of_writing_a_flat(text):
    assert parse_key_name(text) == (Bb, "major")


def test_parse_key_name_reads_sharps_and_music21_lower_case_minor():
    assert parse_key_name("F# minor") == parse_key_name("F♯ minor") == parse_key_name("f#") == (Fs, "minor")
    assert parse_key_name("g") == (G, "minor") and parse_key_name("bb minor") == (Bb, "minor")


@pytest.mark.parametrize("text", ["H major", "B♭ dorian", "B♭4 major", "", "major", "B♭ major minor"])
def test_parse_key_name_rejects_what_is_not_a_key(text):
    with pytest.raises(ValueError, match="not a key name"):
        parse_key_name(text)


def test_parse_pitch_name_reads_every_way_of_writing_an_accidental():
    assert parse_pitch_name("E♭5") == parse_pitch_name("Eb5") == parse_pitch_name("E-5") == 75
    assert parse_pitch_name("D#5") == 75
    assert parse_pitch_name("B♯3") == 60 and parse_pitch_name("C♭4") == 59 and parse_pitch_name("Fx4") == 67
    with pytest.raises(ValueError, match="no octave"):
        parse_pitch_name("E♭")
    with pytest.raises(ValueError, match="not a pitch name"):
        parse_pitch_name("K4")


@given(st.integers(0, 11), st.sampled_from(["major", "minor"]))
def test_key_names_round_trip(tonic, mode):
    assert parse_key_name(key_name(tonic, mode)) == (tonic, mode)
    assert parse_key_name(ascii_name(key_name(tonic, mode))) == (tonic, mode)


def test_ascii_names_are_what_pretty_midi_reads():
    import pretty_midi

    for midi in range(36, 90):
        assert pretty_midi.note_name_to_number(ascii_name(pitch_name(midi))) == midi
    assert ascii_name("F♯ minor") == "F# minor"


# ---------------------------------------------------------------------------- scores carry the spelling

def score_names(pitches, key):
    score = voices_to_score([make_voice("Soprano", pitches, [1] * len(pitches))], key=key)
    return [n.pitch.nameWithOctave for n in score.parts[0].flatten().notes]


def test_scores_spell_leading_tones_and_secondary_leading_tones_as_sharps():
    assert score_names([74, 73, 74], (D, "minor")) == ["D5", "C#5", "D5"]
    assert score_names([67, 66, 67], (G, "minor")) == ["G4", "F#4", "G4"]
    assert score_names([72, 73, 74], (F, "major")) == ["C5", "C#5", "D5"]
    assert score_names([69, 65, 66], (Fs, "minor")) == ["A4", "E#4", "F#4"]
    assert score_names([61, 60, 61], (Db, "minor")) == ["C#4", "B#3", "C#4"]


def test_scores_in_flat_keys_are_spelt_with_flats():
    assert score_names([70, 63, 68], (Eb, "major")) == ["B-4", "E-4", "A-4"]
    assert score_names([68, 67, 65], (F, "minor")) == ["A-4", "G4", "F4"]
    assert score_names([61, 60], (Ab, "major")) == ["D-4", "C4"]
    assert score_names([73, 72], (F, "major")) == ["D-5", "C5"]  # ♭6 falling to 5


def test_the_score_carries_the_key_signature_of_the_key():
    for key, sharps in [((Bb, "major"), -2), ((Db, "major"), -5), ((Bb, "minor"), -5), ((Fs, "minor"), 3)]:
        score = voices_to_score([make_voice("Soprano", [70], [1])], key=key)
        found = score.parts[0].flatten().getElementsByClass("Key")[0]
        assert found.sharps == sharps and found.mode == key[1]
