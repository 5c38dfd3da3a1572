"""Melodies in and settings out (helpers.harmonize.melody, .setting, .writing, helpers.readers, notebook 11): every
input format, the melody kept exactly (ornaments, grace notes, triplets, 6/8 with a pickup, a long tune), the key
from the notes alone, phrase endings, the errors a learner makes, the MusicXML written, the alternatives and the
voice-order constraints. Tiny models are trained on generated music (tests/melodies.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import harmonize as H
from helpers import keyfinding as kf
from helpers import melodykey as mk
from helpers.abc import parse_abc
from helpers.colab import uploaded_files
from helpers.errors import InputError
from helpers.midi import Voice, midi_to_voices, voices_to_midi, write_midi
from helpers.readers import grace_notes, parse_score, parse_tiny_notation, part_to_voice
from helpers.score import chord_numeral, voices_to_score
from helpers.theory import key_number
from tests.conftest import make_voice
from tests.melodies import scale_melody

TURN = "4/4 c'4 d'32 c'32 b32 c'32 e'4 f'8 e'8 d'4 c'2 g'2 c'1"
ABC_68 = """X:1
T:Pickup in six-eight
M:6/8
L:1/8
K:Dmin
A|d2e f2g|a3 Ha2 A|{B}d2c d2e|!fermata!f3 z2 A|d2e f2g|a2g f2e|d6|]
"""


def exact(voice: Voice) -> list[tuple[int, float, float]]:
    notes = zip(voice.pitches, voice.starts, voice.ends, strict=True)
    return [(int(p), round(float(s), 6), round(float(e), 6)) for p, s, e in notes]


def same_notes(a: Voice, b: Voice, tol: float = 0.01) -> bool:
    """Same pitches, onsets and ends within ``tol`` beats (a MIDI file stores times in ticks, 220 to the beat)."""
    return (np.array_equal(a.pitches, b.pitches) and np.allclose(a.starts, b.starts, atol=tol)
            and np.allclose(a.ends, b.ends, atol=tol))


def midi_melody(path, voice: Voice, **kwargs):
    pm = voices_to_midi([voice], **kwargs)
    pm.write(str(path))
    return path


# ------------------------------------------------------------------------------------------------ reading

def test_a_turn_of_32nd_notes_is_a_melody_not_chords(tmp_path, tiny_key_model):
    """The bug of issue 14: onsets compared on the grid made four 32nds 'start together'."""
    melody = H.melody_from_text(TURN, classifier=tiny_key_model)
    assert [round(s, 4) for s in melody.voice.starts[:6]] == [0, 1, 1.125, 1.25, 1.375, 1.5]
    midi = midi_melody(tmp_path / "turn.mid", melody.voice, tempo=90)
    again = H.read_melody(midi, classifier=tiny_key_model)
    assert same_notes(again.voice, melody.voice)


def test_only_truly_simultaneous_onsets_are_chords():
    turn = Voice("m", np.array([72, 74, 72, 71]), np.array([0, 1, 1.125, 1.25]), np.array([1, 1.125, 1.25, 2]))
    assert len(H.clean_monophonic(turn, "x")) == 4
    chord = Voice("m", np.array([60, 64, 67]), np.array([0.0, 0.0, 1.0]), np.array([1.0, 1.0, 2.0]))
    with pytest.raises(InputError, match="chords instead of a melody: 1 notes start together .* beat 0"):
        H.clean_monophonic(chord, "x")


def test_grid_melody_takes_the_note_sounding_at_each_step_start():
    melody = H.melody_from_text(TURN, key="C major").voice
    grid = H.grid_melody(melody, 4)
    # the turn's first 32nd sounds at beat 1, the third at 1.25; e' starts on the grid at 1.5
    assert exact(grid)[:4] == [(72, 0, 1), (74, 1, 1.25), (71, 1.25, 1.5), (76, 1.5, 2.5)]
    triplets = H.melody_from_text("4/4 trip{c'8 d' e'} f'4 g'2", key="C major").voice
    assert exact(H.grid_melody(triplets, 4)) == [(72, 0, 0.5), (74, 0.5, 0.75), (76, 0.75, 1), (77, 1, 2),
                                                  (79, 2, 4)]


def test_tiny_notation_is_read_with_its_metre_and_triplets():
    melody = H.melody_from_text("3/4 trip{g8 a b} c'4 d' e'2.", key="G major")
    assert melody.time_signature == (3, 4) and melody.source == "tinyNotation"
    assert exact(melody.voice)[:3] == [(67, 0, round(1 / 3, 6)), (69, round(1 / 3, 6), round(2 / 3, 6)),
                                       (71, round(2 / 3, 6), 1)]


def test_a_tiny_notation_typo_names_the_token():
    with pytest.raises(InputError, match=r"^tinyNotation: typo in tinyNotation: token 4 of 6, 'x4', is not a note"):
        parse_tiny_notation("4/4 c4 d4 x4 e4 f4")
    with pytest.raises(InputError, match="no notes"):
        H.melody_from_text("   ", key="C major")
    with pytest.raises(InputError, match="no notes"):
        H.melody_from_text("4/4 r1 r1", key="C major")


def test_abc_fermatas_become_phrase_ends_and_grace_notes_are_kept(tiny_key_model):
    melody = H.melody_from_text(ABC_68, "abc", classifier=tiny_key_model)
    assert melody.time_signature == (6, 8) and melody.anacrusis == pytest.approx(0.5)
    assert melody.phrase_source == "fermatas"
    # H on the second a of bar 2 (beats 5-6 after the eighth-note pickup) and !fermata! on the f of bar 4 (9.5-11)
    assert melody.phrase_ends == (6.0, 11.0, melody.voice.end)
    assert melody.graces is not None and exact(melody.graces) == [(70, 6.5, 6.5)]  # {B}: B flat in D minor
    assert len(melody.voice) == 23  # the note after H is kept (music21 alone drops it)


def test_an_abc_typo_or_chord_is_one_sentence_and_a_missing_length_field_means_eighths():
    with pytest.raises(InputError, match=r"^ABC: typo in the ABC at line 4, column 8: 'Q2' is not a note"):
        parse_abc("X:1\nL:1/8\nK:C\ncd ef gQ2 a|")
    with pytest.raises(InputError, match=r"^ABC: chords instead of a melody \(a chord at beat 1\)"):
        H.melody_from_text("X:1\nL:1/4\nK:C\nc [ceg] d e|", "abc", key="C major")
    score = parse_abc("X:1\nM:4/4\nK:G\nGABc d2 B2|")
    assert part_to_voice(score.parts[0], "m").ends[-1] == pytest.approx(4.0)  # L:1/8 by default


@pytest.mark.parametrize("header", ["", "%abc-1.6\n"])
def test_an_abc_accidental_holds_to_the_end_of_the_bar_whatever_the_header_says(header):
    """ABC 2.1: ``_B B B2`` is three B flats, the bar line cancels it; ``=B`` in F major holds too."""
    def pitches(text):
        return H.melody_from_text(header + text, "abc", key="C major").voice.pitches.tolist()

    assert pitches("X:1\nL:1/8\nM:4/4\nK:C\n_B B B2 B2 ^c c|B4 c4|]\n") == [70, 70, 70, 70, 73, 73, 71, 72]
    assert pitches("X:1\nL:1/8\nM:4/4\nK:F\nB =B B2 B4|B8|]\n") == [70, 71, 71, 71, 70]


ABC_JUNK = {
    "unbalanced brackets": ("cdef|gabc'|]]", 13, "']' closes no chord"),
    "an unclosed slur": ("cd (ef|gabc|]", 4, "a slur '(' never closed"),
    "an unknown symbol": ("cd@@ef|gabc|]", 3, "'@' is not an ABC symbol"),
    "a slur closed twice": ("c(de)f)|gabc|]", 7, "')' closes no slur"),
    "an unclosed chord": ("cd [ce f|gabc|]", 4, "a chord '[' not closed before the bar line"),
}


@pytest.mark.parametrize("junk", list(ABC_JUNK))
def test_junk_in_an_abc_file_is_refused_with_its_line_and_column(tmp_path, junk):
    music, column, reason = ABC_JUNK[junk]
    src = tmp_path / "junk.abc"
    src.write_text(f"X:1\nT:Junk\nL:1/8\nM:4/4\nK:C\nc4 d4|\n{music}\n")
    with pytest.raises(InputError) as error:
        H.read_melody(src, key="C major")
    assert str(error.value) == f"{src}: junk in the ABC at line 7, column {column}: {reason}"


def test_abc_text_that_is_music_is_not_called_junk():
    text = ("X:1\nL:1/8\nM:4/4\nK:G\n|:[GB]d (ef) \"Am\"g !trill!a|[K:D]f2 (3fed {g}e>d z2 % @ comment\n"
            "T:ignored\n.c~dHe2 f4-|[1 f8:|[2 f8|]\n\nX:2\nK:C\n@@ a later tune is not read\n")
    assert len(parse_abc(text).flatten().notes) > 10


def test_abc_and_musicxml_and_midi_files_read_the_same_melody(tmp_path, tiny_key_model):
    abc = tmp_path / "tune.abc"
    abc.write_text(ABC_68)
    from_abc = H.read_melody(abc, classifier=tiny_key_model)
    xml = tmp_path / "tune.musicxml"
    parse_abc(ABC_68).write("musicxml", fp=str(xml))
    from_xml = H.read_melody(xml, classifier=tiny_key_model)
    midi = midi_melody(tmp_path / "tune.mid", from_abc.voice.shift(from_abc.offset + 2.5), time_signature=(6, 8))
    from_midi = H.read_melody(midi, classifier=tiny_key_model)
    assert exact(from_abc.voice) == exact(from_xml.voice) and same_notes(from_abc.voice, from_midi.voice)
    assert from_abc.phrase_ends == from_xml.phrase_ends  # the fermatas survive MusicXML
    assert from_midi.phrase_source == "guessed" and from_midi.anacrusis == pytest.approx(0.5)
    assert from_abc.key_name == from_xml.key_name == from_midi.key_name


@pytest.mark.parametrize("sharps", [-3, 0, 4])
def test_the_key_comes_from_the_notes_not_the_key_signature(tmp_path, tiny_key_model, sharps):
    from music21 import key, meter, note, stream

    part = stream.Part([meter.TimeSignature("4/4"), key.KeySignature(sharps)])
    for name in ["A4", "B4", "C5", "D5", "E5", "C5", "B4", "G#4", "A4", "E4", "A4"]:  # A minor
        part.append(note.Note(name, quarterLength=1))
    src = tmp_path / f"a-minor-{sharps}.musicxml"
    stream.Score([part]).write("musicxml", fp=str(src))
    melody = H.read_melody(src, classifier=tiny_key_model)
    assert (melody.tonic, melody.mode) == (9, "minor") and "classifier" in melody.key_source
    assert len(melody.keys) == 3 and melody.keys[0][:2] == (9, "minor")


def test_rank_keys_gives_the_best_key_and_two_runners_up_with_probabilities(tiny_key_model):
    ranked = mk.rank_keys(tiny_key_model, [scale_melody(7, 7, "major")])
    assert [k[:2] for k in ranked][0] == (7, "major") and len(ranked) == 3
    probs = [p for _, _, p in ranked]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6 and len({k[:2] for k in ranked}) == 3
    plain = mk.rank_keys(tiny_key_model, [scale_melody(7, 7, "major")], transpositions=False)
    assert plain[0][:2] == kf.detect_key(tiny_key_model, [scale_melody(7, 7, "major")])


def test_keys_averaged_over_transpositions_move_with_the_melody(tiny_key_model):
    """The same tune a tone higher gets the same probabilities, a tone higher: exactly, not only nearly."""
    from helpers.theory import transpose_key_number

    tune = scale_melody(3, 5, "major")
    low = mk.transposed_key_probabilities(tiny_key_model, kf.features([tune])[None])[0]
    high = mk.transposed_key_probabilities(tiny_key_model, kf.features([tune.transpose(2)])[None])[0]
    np.testing.assert_allclose(high[transpose_key_number(np.arange(24), 2)], low, atol=1e-5)
    assert low.sum() == pytest.approx(1.0, abs=1e-4)


def test_a_given_key_overrides_the_classifier_and_a_bad_name_is_refused():
    melody = H.melody_from_text("4/4 g4 a b c' d'1", key="G minor")
    assert (melody.tonic, melody.mode, melody.keys) == (7, "minor", [])
    assert H.with_key(melody, "Bb major").key_name == "B♭ major"
    with pytest.raises(InputError, match="not a key name"):
        H.melody_from_text("4/4 g4 a b c' d'1", key="H dorian")


def test_phrase_ends_without_fermatas_are_found_by_the_model_and_can_be_marked():
    melody = H.melody_from_text("4/4 c'4 d' e' f' g'1 e'4 d' c' d' c'1", key="C major")
    assert melody.phrase_source == "guessed" and melody.phrase_ends == (8.0, 16.0)
    marked = H.with_phrase_ends(melody, [4])
    assert marked.phrase_ends == (4.0, 16.0) and marked.phrase_source == "given"


def test_fermatas_of_a_melody_that_starts_after_rests_are_measured_from_its_first_note(tmp_path):
    """A pickup written as rests in a full first bar: the notes move to beat 0, and their fermatas with them."""
    from music21 import expressions, meter, note, stream

    part = stream.Part([meter.TimeSignature("4/4")])
    part.append(note.Rest(quarterLength=3))
    for i, (name, length) in enumerate([("G4", 1), ("C5", 2), ("D5", 2), ("E5", 3), ("E5", 1), ("D5", 4)]):
        n = note.Note(name, quarterLength=length)
        if i == 3:
            n.expressions.append(expressions.Fermata())
        part.append(n)
    src = tmp_path / "rests-first.musicxml"
    stream.Score([part]).write("musicxml", fp=str(src))
    melody = H.read_melody(src, key="C major")
    assert melody.offset == 3.0 and melody.anacrusis == pytest.approx(1.0)
    assert melody.phrase_source == "fermatas" and melody.phrase_ends == (8.0, 13.0)


#: Four two-bar phrases after a one-beat pickup, each ending on a dotted half a beat before the bar line, where the
#: next phrase's pickup starts: no fermata, no rest, no long note on a bar line.
FOUR_PHRASES = """X:1
M:4/4
L:1/4
K:G
D|G A B c|B3 B|c B A G|A3 D|G A B c|d3 B|c A F A|G3|]
"""


def test_phrases_ending_a_pickup_before_the_bar_line_are_found_without_fermatas():
    from helpers.phrases import rule_ends

    melody = H.melody_from_text(FOUR_PHRASES, "abc", key="G major")
    assert melody.anacrusis == pytest.approx(1.0) and melody.phrase_source == "guessed"
    assert melody.phrase_ends == (8.0, 16.0, 24.0, 32.0)
    # the old rhythm rule (long notes ending on a bar line or before a rest) found only the last
    old = rule_ends(melody.voice, melody.time_signature, melody.anacrusis)
    assert [float(melody.voice.ends[i]) for i in old] == [32.0]


def test_phrase_ends_are_guessed_in_the_key_found_after_reading(tmp_path, tiny_key_model, monkeypatch):
    """The model reads scale degrees, so the guess must use the key the classifier finds, not read_melody's
    provisional C major."""
    import helpers.phrases as P

    keys_used = []
    real = P.find_phrase_ends

    def spy(voice, time_signature, anacrusis, tonic, mode, model=None):
        keys_used.append((tonic, mode))
        return real(voice, time_signature, anacrusis, tonic, mode, model)

    monkeypatch.setattr(P, "find_phrase_ends", spy)
    midi = midi_melody(tmp_path / "a.mid", scale_melody(3, 9, "minor"))
    melody = H.read_melody(midi, find=False)
    assert keys_used[-1] == (0, "major")
    found = H.find_key(melody, tiny_key_model)
    assert (found.tonic, found.mode) == (9, "minor") and keys_used[-1] == (9, "minor")
    assert H.with_key(found, "D major").phrase_source == "guessed" and keys_used[-1] == (2, "major")
    given = H.with_phrase_ends(found, [8.0])
    assert H.with_key(given, "F major").phrase_ends == given.phrase_ends  # endings given stay


def test_key_classifier_is_trained_and_saved_when_none_is_saved(tmp_path, monkeypatch, tiny_key_model):
    calls = []

    def fake_train(path=None, steps=600):  # the real one trains on all chorales
        calls.append(path)
        kf.save_key_classifier(tiny_key_model, path)
        return tiny_key_model

    monkeypatch.setattr(kf, "train_and_save_key_classifier", fake_train)
    path = tmp_path / "models" / kf.MODEL_FILE
    with pytest.raises(FileNotFoundError):
        kf.key_classifier(path, train=False)
    assert kf.key_classifier(path) is tiny_key_model and path.exists() and calls == [path]
    kf.key_classifier(path)
    assert len(calls) == 1  # loaded, not trained again


# --------------------------------------------------------------------------------------- harmonizing exactly

def long_tune(n: int = 555) -> Voice:
    rng = np.random.default_rng(5)
    lengths = rng.choice([0.5, 1.0, 1.0, 1.5, 2.0, 1 / 3], n)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    degrees = np.clip(np.cumsum(rng.choice([-1, 1, -2, 2], n)), -4, 9)
    pitches = 67 + np.array([0, 2, 4, 5, 7, 9, 11])[degrees % 7] + 12 * (degrees // 7)
    return Voice("Melody", pitches, starts, starts + lengths)


class ThirdsBelow:
    """A stand-in for a harmonizer: alto, tenor and bass a third, an octave and a tenth under the melody it reads."""

    steps_per_beat = 4

    def harmonize(self, melody, tonic, mode, time_signature=(4, 4), anacrusis=0.0, phrase_ends=(), temperature=0.0,
                  seed=None, return_score=False):
        voices = [melody.renamed("Soprano")] + [melody.transpose(-k).renamed(v) for k, v in
                                                 ((4, "Alto"), (12, "Tenor"), (16, "Bass"))]
        return (voices, 0.0) if return_score else voices


@pytest.mark.parametrize("case", ["turn", "triplets", "six-eight pickup", "555 notes"])
def test_the_written_soprano_is_the_melody_exactly(tmp_path, tiny_models, tiny_key_model, case):
    if case == "turn":
        melody = H.melody_from_text(TURN, classifier=tiny_key_model)
    elif case == "triplets":
        melody = H.melody_from_text("3/4 trip{g8 a b} c'4 d' e'2. trip{d'8 c' b} a4 g2.", classifier=tiny_key_model)
    elif case == "six-eight pickup":
        melody = H.melody_from_text(ABC_68, "abc", classifier=tiny_key_model)
    else:
        src = midi_melody(tmp_path / "long.mid", long_tune(), tempo=132)
        melody = H.read_melody(src, classifier=tiny_key_model)
        assert len(melody.voice) == 555
    # the long tune goes through a stand-in network (a Keras GRU run eagerly over 2,000 steps takes a minute here)
    harmonizer = tiny_models["satb"] if case != "555 notes" else ThirdsBelow()
    setting = H.harmonize_melody(melody, harmonizer)
    assert exact(setting.voices[0]) == exact(melody.voice)
    out = H.write_setting(setting, melody, tmp_path / "out.mid")
    written = midi_to_voices(pretty_midi.PrettyMIDI(str(out)))
    assert same_notes(written[0].shift(-melody.offset), H.performed_melody(melody))
    assert [v.name for v in written] == ["Soprano", "Alto", "Tenor", "Bass"]


#: A folk tune with a syncopated F4 of a beat starting on an off-beat (beats 1.5 to 2.5, across the middle of a
#: 4/4 bar, where notation writes two tied eighths), and a dotted rhythm: (MIDI pitch, onset, offset) in beats.
SYNCOPATED = [(60, 0.0, 1.0), (62, 1.0, 1.5), (65, 1.5, 2.5), (64, 2.5, 3.0), (67, 3.0, 4.0),
              (69, 4.0, 5.5), (67, 5.5, 6.0), (65, 6.0, 7.0), (64, 7.0, 8.0), (60, 8.0, 12.0)]
SYNCOPATED_ABC = "X:1\nM:4/4\nL:1/8\nK:F\nC2 DF- FE G2|A3G F2E2|C8|]\n"


SYNCOPATED_KERN = """**kern
*M4/4
=1
4c
8d
4f
8e
4g
=2
4.a
8g
4f
4e
=3
1c
==
*-
"""


def syncopated_files(folder) -> dict[str, object]:
    """The tune of :data:`SYNCOPATED` in every file type the course reads (a key per suffix of
    :data:`helpers.readers.FORMATS`): MIDI; ABC; Humdrum; MusicXML as music21 writes it (the F4 as two eighths tied
    by ``<tie>`` and ``<tied>``), also as ``.xml``; and compressed MusicXML (``.mxl``) whose tie is only drawn
    (``<tied>`` without ``<tie>``, as some notation programs write it), and the same uncompressed."""
    import re
    import shutil
    import zipfile

    from music21 import converter

    files = {".mid": write_midi([Voice("Melody", *map(np.array, zip(*SYNCOPATED)))], folder / "tune.mid")}
    files[".midi"] = Path(shutil.copy(files[".mid"], folder / "tune.midi"))
    files[".abc"] = folder / "tune.abc"
    files[".abc"].write_text(SYNCOPATED_ABC)
    files[".krn"] = folder / "tune.krn"
    files[".krn"].write_text(SYNCOPATED_KERN)
    xml = folder / "tune.musicxml"
    converter.parse("tinyNotation: 4/4 c4 d8 f8~ f8 e8 g4 a4. g8 f4 e4 c1").write("musicxml", fp=str(xml))
    files[".musicxml"] = xml
    files[".xml"] = Path(shutil.copy(xml, folder / "tune.xml"))
    drawn = folder / "drawn-tie.musicxml"
    drawn.write_text(re.sub(r"<tie type=\"\w+\"\s*/>", "", xml.read_text()))
    assert "<tie " not in drawn.read_text() and "<tied " in drawn.read_text()
    files["tie drawn only, .musicxml"] = drawn
    compressed = folder / "drawn-tie.mxl"
    with zipfile.ZipFile(compressed, "w") as mxl:
        mxl.writestr("META-INF/container.xml", '<container><rootfiles><rootfile full-path="tune.xml"/></rootfiles>'
                                               '</container>')
        mxl.writestr("tune.xml", drawn.read_text())
    files[".mxl"] = compressed
    return files


SYNCOPATED_SOURCES = [".mid", ".midi", ".abc", ".krn", ".musicxml", ".xml", ".mxl", "tie drawn only, .musicxml"]


def test_the_format_tests_cover_every_file_type_read_and_written():
    """The two tests below run over these lists: a suffix added to a table must get its file there."""
    from helpers.readers import FORMATS

    assert {s for s in SYNCOPATED_SOURCES if s.startswith(".")} == set(FORMATS)
    assert set(H.writing.OUTPUT_FORMATS) == {".mid", ".midi", ".musicxml", ".xml"}


@pytest.mark.parametrize("source", SYNCOPATED_SOURCES)
def test_every_file_type_is_read_alike_by_the_key_and_the_harmonize_readers(tmp_path, source):
    """One dispatch (helpers.readers.file_format): ``key`` (read_voices) and ``harmonize`` (read_melody, read_parts)
    read every format the table names, and read the same notes."""
    from helpers.harmonize.keep import read_parts
    from helpers.readers import read_voices

    src = syncopated_files(tmp_path)[source]
    melody = H.read_melody(src, key="F major")
    assert exact(melody.voice) == SYNCOPATED
    assert [exact(v.shift(-melody.offset)) for v in read_voices(src)] == [SYNCOPATED]
    assert read_parts(src, key="F major")[1] == []


@pytest.mark.parametrize("out_suffix", [".mid", ".midi", ".musicxml", ".xml"])
@pytest.mark.parametrize("source", SYNCOPATED_SOURCES)
def test_the_melody_comes_out_exactly_as_it_went_in_for_every_pair_of_formats(tmp_path, source, out_suffix):
    """Issue 22: a MusicXML folk tune harmonized to MIDI had its syncopated F4 split into two eighths."""
    src = syncopated_files(tmp_path)[source]
    melody = H.read_melody(src, key="F major")
    assert exact(melody.voice) == SYNCOPATED
    setting = H.harmonize_melody(melody, ThirdsBelow())
    out = H.write_setting(setting, melody, tmp_path / f"setting{out_suffix}")
    if H.output_format(out) == "midi":
        soprano = midi_to_voices(pretty_midi.PrettyMIDI(str(out)))[0].shift(-melody.offset)
    else:
        soprano = part_to_voice(parse_score(out).parts[0], "Soprano")
    assert exact(soprano) == SYNCOPATED


def test_grace_notes_sound_just_before_their_note_in_midi():
    melody = H.melody_from_text(ABC_68, "abc", key="D minor")
    played = H.performed_melody(melody)
    assert len(played) == len(melody.voice) + 1
    grace = np.flatnonzero(played.pitches == 70)[0]
    assert played.ends[grace] == pytest.approx(6.5)
    assert played.starts[grace] == pytest.approx(6.5 - H.writing.GRACE_BEATS)
    assert played.ends[grace - 1] == pytest.approx(played.starts[grace])  # taken from the note before


def test_musicxml_written_reopens_in_music21_with_the_same_notes(tmp_path, tiny_models):
    melody = H.melody_from_text(ABC_68, "abc", key="D minor")
    setting = H.harmonize_melody(melody, tiny_models["satb"])
    out = H.write_setting(setting, melody, tmp_path / "setting.musicxml")
    score = parse_score(out)
    assert [p.partName for p in score.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
    lead = 3.0 - melody.anacrusis  # the pickup is written after rests filling its bar
    for part, voice in zip(score.parts, setting.voices):
        again = part_to_voice(part, voice.name).shift(-lead)
        assert exact(again) == exact(voice), voice.name
    assert exact(grace_notes(score.parts[0]).shift(-lead)) == exact(melody.graces)
    from music21 import key

    assert score.parts[0].recurse().getElementsByClass(key.Key)[0].tonic.name == "D"


def test_the_score_is_spelled_in_the_key_with_a_roman_numeral_under_each_chord():
    s = make_voice("Soprano", [76, 77, 79, 79], [1, 1, 1, 1])
    a = make_voice("Alto", [72, 72, 74, 71], [1, 1, 1, 1])
    t = make_voice("Tenor", [67, 69, 71, 67], [1, 1, 1, 1])
    b = make_voice("Bass", [48, 53, 55, 55], [1, 1, 1, 1])
    score = voices_to_score([s, a, t, b], (4, 4), (0, "major"), numerals=True)
    bass = score.parts[-1].flatten().notes
    assert [n.lyric for n in bass] == ["I", "IV", "V", None]  # a repeated chord is named once
    minor = voices_to_score([make_voice("Soprano", [70], [4]), make_voice("Bass", [63], [4])], (4, 4), (3, "major"))
    assert minor.parts[0].flatten().notes[0].pitch.name == "B-"  # E flat major spells B flat, not A sharp


def test_voice_leading_faults_are_listed_by_bar_and_beat():
    s = make_voice("Soprano", [72, 72, 74, 76], [1, 1, 1, 1])  # C5 C5 D5 E5
    b = make_voice("Bass", [48, 60, 62, 55], [1, 1, 1, 1])  # C3 C4 D4 G3: octaves C-D in parallel at beat 3
    faults = H.setting_faults([s, b], (4, 4))
    assert [str(f) for f in faults] == ["bar 1, beat 3: parallel octaves (Soprano–Bass)"]
    with_pickup = H.setting_faults([s, b], (4, 4), anacrusis=1.0)
    assert (with_pickup[0].bar, with_pickup[0].beat) == (1, 2)
    crossing = H.setting_faults([s, make_voice("Alto", [67, 74, 67, 67], [1, 1, 1, 1])], (4, 4))
    assert [(f.rule, f.bar, f.beat) for f in crossing] == [("crossing", 1, 2)]


# ------------------------------------------------------------------------------------ constraints, alternatives

def order_ok(setting: H.Setting) -> dict:
    found = H.order_violations(setting.voices)
    assert found["above_melody"] <= 0.01 and found["crossed"] <= 0.01, found
    return found


def test_order_violations_measures_time_above_the_melody():
    s = make_voice("Soprano", [72, 72, 72, 72], [1, 1, 1, 1])
    a = make_voice("Alto", [67, 74, 67, 67], [1, 1, 1, 1])
    assert H.order_violations([s, a]) == {"above_melody": 0.25, "crossed": 0.0}
    t = make_voice("Tenor", [60, 60, 69, 60], [1, 1, 1, 1])
    assert H.order_violations([s, a, t])["crossed"] == pytest.approx(0.25)


@pytest.mark.parametrize("voices", ["alto", "satb"])
@pytest.mark.parametrize("where", ["low (F3–D♯4)", "high (C6 and up)", "minor", "six-eight ornamented"])
def test_no_generated_voice_above_the_melody_and_voices_in_order(tiny_models, voices, where):
    if where.startswith("low"):
        melody = H.melody_from_text("4/4 F4 G A B- c d e- d c B- A G F1", key="F major")
        assert melody.voice.pitches.min() == 53 and melody.voice.pitches.max() == 63
    elif where.startswith("high"):
        melody = H.melody_from_text("4/4 c'''4 d''' e''' f''' g'''2 e''' c'''1", key="C major")
        assert melody.voice.pitches.min() == 96
    elif where == "minor":
        melody = H.melody_from_text("4/4 e'4 f' g# a' b' c'' b' a' g#2 a'2", key="A minor")
    else:
        melody = H.melody_from_text(ABC_68, "abc", key="D minor")
    setting = H.harmonize_melody(melody, tiny_models[voices])
    order_ok(setting)
    assert all(len(v) for v in setting.voices[1:])


def test_alternatives_differ_from_each_other_and_each_obeys_the_constraints(tiny_models):
    melody = H.melody_from_text("4/4 g'4 g' d'' d'' e'' e'' d''2 c''4 c'' b' b' a' a' g'2", key="G major")
    samples = H.alternatives(melody, tiny_models["satb"], 3, temperature=2.0)
    assert len(samples) == 3 and [s.seed for s in samples][0] == 0
    for i, a in enumerate(samples):
        order_ok(a)
        assert exact(a.voices[0]) == exact(melody.voice)
        for b in samples[i + 1:]:
            assert any(exact(x) != exact(y) for x, y in zip(a.voices[1:], b.voices[1:]))
    again = H.alternatives(melody, tiny_models["satb"], 3, temperature=2.0)
    assert [exact(v) for s in again for v in s.voices] == [exact(v) for s in samples for v in s.voices]


def test_a_melody_too_wide_for_the_model_is_one_sentence_naming_the_source(tiny_models):
    melody = H.melody_from_text("4/4 CC4 c''''4", key="C major")
    with pytest.raises(InputError, match="^tinyNotation: the melody spans"):
        H.harmonize_melody(melody, tiny_models["alto"])


def test_output_format_follows_the_suffix():
    assert H.output_format("a.MID") == "midi" and H.output_format("a.xml") == "musicxml"
    with pytest.raises(ValueError, match="MIDI .* or MusicXML"):
        H.output_format("a.pdf")


def test_a_melody_file_in_an_unknown_format_is_refused(tmp_path):
    src = tmp_path / "tune.txt"
    src.write_text("c d e f g")
    with pytest.raises(InputError, match="not a music file the course reads"):
        H.read_melody(src, key="C major")
    write_midi([make_voice("m", [60, 62], [1, 1])], tmp_path / "ok.mid")
    assert len(H.read_melody(tmp_path / "ok.mid", key="C major").voice) == 2


def test_settings_written_in_one_key_carry_it(tmp_path, tiny_models):
    melody = H.melody_from_text("4/4 e'4 f' g# a' b' c'' b' a' g#2 a'2", key="A minor")
    melody = replace(melody, tempo=80.0)
    setting = H.harmonize_melody(melody, tiny_models["alto"])
    pm = pretty_midi.PrettyMIDI(str(H.write_setting(setting, melody, tmp_path / "a.mid")))
    assert pm.key_signature_changes[0].key_number == key_number(9, "minor")
    assert pm.get_tempo_changes()[1][0] == pytest.approx(80)


def test_uploads_are_read_from_ipywidgets_7_and_8_and_from_colab():
    v7 = {"tune.abc": {"metadata": {"name": "tune.abc", "size": 3}, "content": b"X:1"}}
    v8 = ({"name": "tune.abc", "type": "", "size": 3, "content": memoryview(b"X:1"), "last_modified": 0},)
    colab = {"tune.abc": b"X:1"}
    assert uploaded_files(v7) == uploaded_files(v8) == uploaded_files(colab) == [("tune.abc", b"X:1")]
    assert uploaded_files(()) == uploaded_files({}) == []


def test_chord_numerals_name_open_fifths_passing_notes_and_secondary_dominants():
    from music21 import key

    g = key.Key("G")
    assert chord_numeral(["G4", "D4", "D3", "G2"], g) == "I"  # music21 alone says 'i5'
    assert chord_numeral(["A4", "G4", "D3", "G2"], g) == "I"  # the melody's passing A is left out
    assert chord_numeral(["B4", "G4", "D4", "B2"], g) == "I6"
    assert chord_numeral(["C#5", "G4", "E4", "A2"], g) == "V7/V"


def test_a_dissonance_in_a_lower_voice_is_named_not_hidden():
    """Issue 23: the tenor's A3 under a G-major chord with B in the bass was hidden under "I6"."""
    from music21 import key

    g = key.Key("G")
    assert chord_numeral(["D5", "G4", "A3", "B2"], g) == "I6 (A)"  # the tenor's A is foreign to the chord
    assert chord_numeral(["D5", "G4", "A3", "B2"], g, mark_foreign=False) == "I6"  # style histograms count chords
    assert chord_numeral(["A4", "G4", "D3", "G2"], g) == "I"  # the melody's passing note: in the score, unmarked


# ------------------------------------------------------------------------------ the melody key finder (issue 20)

@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 8), min_size=12, max_size=12).filter(lambda h: max(h) > 0 and np.std(h) > 1e-3),
       st.sampled_from(sorted(kf.MUSIC21_FINDERS.values())))
def test_profile_correlations_name_the_key_music21_names(histogram, method):
    r = mk.profile_correlations(np.array(histogram), method)
    best = np.flatnonzero(np.isclose(r, r.max(), atol=1e-9))  # music21 may break an exact tie either way
    assert key_number(*kf.music21_key(np.array(histogram), method)) in best


def test_the_profile_weight_moves_the_melody_key_finder_from_the_classifier_to_the_profile(tiny_key_model):
    tune = [scale_melody(2, 9, "minor")]
    alone = mk.transposed_key_probabilities(tiny_key_model, kf.features(tune)[None])[0]
    np.testing.assert_allclose(mk.melody_key_probabilities(tiny_key_model, tune, weight=0.0), alone, rtol=1e-5)
    r = mk.profile_correlations(mk.duration_histogram(tune))
    assert mk.melody_key_probabilities(tiny_key_model, tune, weight=1e4).argmax() == r.argmax()
    assert mk.melody_key_probabilities(tiny_key_model, tune).sum() == pytest.approx(1.0)


def test_rank_melody_keys_gives_the_key_and_two_runners_up_best_first(tiny_key_model):
    tune = [scale_melody(7, 7, "major")]
    ranked = mk.rank_melody_keys(tune, tiny_key_model)
    probs = mk.melody_key_probabilities(tiny_key_model, tune)
    assert len(ranked) == 3 and len({k[:2] for k in ranked}) == 3
    assert [key_number(t, m) for t, m, _ in ranked] == list(np.argsort(-probs, kind="stable")[:3])
    assert [p for _, _, p in ranked] == sorted((p for _, _, p in ranked), reverse=True)
    assert ranked[0][:2] == (7, "major")


def test_a_melody_read_from_a_file_carries_the_key_finders_ranking(tmp_path, tiny_key_model):
    path = tmp_path / "tune.abc"
    path.write_text("X:1\nM:4/4\nL:1/4\nK:C\nA B c d|e d c B|A c B ^G|A4|]\n")
    melody = H.read_melody(path, classifier=tiny_key_model)
    assert melody.keys == mk.rank_melody_keys([melody.voice], tiny_key_model)
    assert melody.keys == mk.rank_melody_keys(mk.key_voices(path), tiny_key_model)
    assert (melody.tonic, melody.mode) == melody.keys[0][:2]
