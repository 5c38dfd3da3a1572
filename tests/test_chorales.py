"""helpers.chorales: the music21 corpus and MIDI folders in the infinite-bach layout, skips with reasons,
duplicates, melody groups, the grouped split and the course's split."""

from __future__ import annotations

import hashlib

import numpy as np
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.chorales import (
    VOICES,
    assign_melody_groups,
    course_split,
    export_midi_folder,
    grouped_split,
    load_chorale_midi,
    load_chorales,
    parse_music21,
)
from helpers.errors import InputError
from helpers.midi import write_midi
from helpers.theory import signature_sharps
from tests.conftest import make_chorale, make_voice


def test_exported_folder_loads_back_identically(tmp_path, chorales):
    export_midi_folder(chorales, tmp_path)
    loaded = load_chorales(tmp_path)
    assert len(loaded) == len(chorales) and loaded.skipped == []
    for a, b in zip(sorted(chorales, key=lambda c: c.name), loaded):
        assert a.name == b.name and (a.tonic, a.mode) == (b.tonic, b.mode)
        assert all(a.voices[v] == b.voices[v] for v in VOICES)


def test_unnamed_tracks_are_read_as_satb_in_order(tmp_path, chorales):
    export_midi_folder(chorales[:1], tmp_path, track_names=False)
    c = load_chorale_midi(tmp_path / f"{chorales[0].name}.mid")
    assert list(c.voices) == list(VOICES)
    assert c.voices["Soprano"].pitches[0] == chorales[0].voices["Soprano"].pitches[0]
    assert c.voices["Alto"] == chorales[0].voices["Alto"]


def test_pickup_bar_does_not_add_leading_silence(tmp_path):
    c = make_chorale("pickup")
    # as in many MIDI files, the one-beat pickup sits at the end of an otherwise silent first bar
    voices = [c.voices[v].shift(3.0) for v in VOICES]
    write_midi(voices, tmp_path / "pickup.mid", key=(0, "major"))
    loaded = load_chorale_midi(tmp_path / "pickup.mid")
    assert min(v.starts.min() for v in loaded.voices.values()) == 0.0
    assert loaded.anacrusis == 1.0
    assert loaded.pianoroll()[:, 0].any()


def test_named_voice_tracks_are_found_among_instrument_tracks(tmp_path):
    c = make_chorale("extra")
    oboe = make_voice("Oboe", [84, 86], [1, 1])
    write_midi([oboe] + [c.voices[v] for v in VOICES], tmp_path / "extra.mid", key=(0, "major"))
    loaded = load_chorale_midi(tmp_path / "extra.mid")
    assert loaded.voices["Soprano"] == c.voices["Soprano"]


def test_extra_unnamed_tracks_are_skipped_with_a_reason(tmp_path):
    c = make_chorale("five")
    voices = [c.voices[v].renamed("") for v in VOICES] + [make_voice("", [84], [1])]
    write_midi(voices, tmp_path / "five.mid", key=(0, "major"))
    with pytest.raises(InputError, match=r"five\.mid: 5 tracks with notes .* cannot tell"):
        load_chorale_midi(tmp_path / "five.mid")


def test_single_track_is_skipped_with_a_reason(tmp_path):
    write_midi([make_voice("Piano", [60, 64, 67], [1, 1, 1])], tmp_path / "one.mid", key=(0, "major"))
    with pytest.raises(InputError, match=r"one\.mid: a single track"):
        load_chorale_midi(tmp_path / "one.mid")


def test_missing_voice_is_skipped_with_a_reason(tmp_path):
    c = make_chorale("three")
    write_midi([c.voices[v] for v in VOICES[:3]], tmp_path / "three.mid", key=(0, "major"))
    with pytest.raises(InputError, match=r"three\.mid: only 3 tracks"):
        load_chorale_midi(tmp_path / "three.mid")


def test_file_without_key_signature_is_skipped_with_a_reason(tmp_path):
    c = make_chorale("nokey")
    write_midi([c.voices[v] for v in VOICES], tmp_path / "nokey.mid")
    with pytest.raises(InputError, match=r"nokey\.mid: no key signature"):
        load_chorale_midi(tmp_path / "nokey.mid")


def test_folder_loader_reports_every_skip_and_keeps_going(tmp_path, chorales):
    export_midi_folder(chorales, tmp_path)
    (tmp_path / "broken.mid").write_bytes(b"MThd\x00\x00")
    (tmp_path / "notes.txt").write_text("not a MIDI file name, ignored")
    loaded = load_chorales(tmp_path)
    assert len(loaded) == len(chorales)
    assert [name for name, _ in loaded.skipped] == ["broken.mid"]
    assert "truncated or corrupt" in loaded.skipped[0][1]
    assert "broken.mid" in loaded.summary(full=True)


def test_summary_counts_skips_by_kind_in_one_line(tmp_path, chorales):
    export_midi_folder(chorales, tmp_path)
    for name in ("a.mid", "b.mid"):
        (tmp_path / name).write_bytes(b"MThd\x00\x00")
    (tmp_path / "zz_copy.mid").write_bytes((tmp_path / "t0a.mid").read_bytes())
    loaded = load_chorales(tmp_path)
    kinds = loaded.skip_reasons()
    assert sorted(kinds.values()) == [1, 2] and "exact duplicate" in kinds
    line = loaded.summary()
    assert "\n" not in line and "3 files skipped" in line and "1 × exact duplicate" in line


def test_folder_errors_name_the_folder(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        load_chorales(tmp_path / "missing")
    with pytest.raises(InputError, match="no .mid or .midi files"):
        load_chorales(tmp_path)


def test_exact_duplicates_are_dropped_and_listed(tmp_path, chorales):
    export_midi_folder(chorales, tmp_path)
    (tmp_path / "zz_copy.mid").write_bytes((tmp_path / "t0a.mid").read_bytes())
    loaded = load_chorales(tmp_path)
    assert len(loaded) == len(chorales)
    assert loaded.skipped == [("zz_copy", "exact duplicate of t0a")]


def test_harmonisations_of_one_tune_share_a_group_even_transposed(chorales):
    groups = {c.name: c.group for c in chorales}
    assert groups["t0a"] == groups["t0b"] and groups["t1a"] == groups["t1b"]
    assert len(set(groups.values())) == 3


def test_a_different_pickup_does_not_split_a_tune():
    tune = (72, 74, 76, 77, 79, 77, 76, 74, 72, 71, 72, 74, 72, 76)
    a, b = make_chorale("a", tune), make_chorale("b", (67,) + tune)
    assert assign_melody_groups([a, b])[0].group == assign_melody_groups([a, b])[1].group


def test_a_written_out_repeat_joins_the_melody_group_of_its_twin_but_not_its_tune():
    line = [67, 69, 71, 72, 74, 72, 71, 69, 71, 67, 66, 64, 66, 67, 69, 67]  # sung twice: A A B
    ending = [72, 71, 69, 67, 66, 64, 62, 67]
    twin = make_chorale("once", line + ending)
    written_out = make_chorale("twice", line + line + ending, below=(3, 9, 12))  # other chords: not one setting
    middle = [60, 62, 64, 65, 64, 62, 60, 59, 60, 62, 64, 62, 60, 59, 57, 59]
    other = make_chorale("other", line + middle + ending, below=(3, 9, 12))  # A C B: no repeat
    once, twice, elsewhere = assign_melody_groups([twin, written_out, other])
    assert once.group == twice.group != elsewhere.group
    assert once.tune != twice.tune  # 2 · 24 / (24 + 39) = 0.76: one tune only once the repeat is removed


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 1000), fraction=st.floats(0.1, 0.6))
def test_grouped_split_never_puts_a_group_on_both_sides(chorales, seed, fraction):
    train, test = grouped_split(chorales, fraction, seed)
    assert len(train) + len(test) == len(chorales)
    assert not {c.group for c in train} & {c.group for c in test}
    assert test


def test_grouped_split_needs_groups():
    with pytest.raises(ValueError, match="no melody groups"):
        grouped_split([make_chorale()], 0.5, seed=0)


def held_out_digest(test) -> str:
    """A short fingerprint of which chorales a split holds out."""
    return hashlib.sha256(" ".join(sorted(c.name for c in test)).encode()).hexdigest()[:16]


def test_the_course_split_holds_out_a_fifth_with_seed_0_the_chorales_the_shipped_networks_never_saw(corpus_chorales):
    train, test = course_split(corpus_chorales)
    same_train, same_test = grouped_split(corpus_chorales, 0.2, seed=0)
    assert [c.name for c in train] == [c.name for c in same_train]
    assert [c.name for c in test] == [c.name for c in same_test]
    # pinned: the 82 chorales in 32 melody groups that the shipped networks were trained without and that the
    # notebooks' figures are measured on; a change here asks for `make models` and new figures
    assert (len(test), len({c.group for c in test})) == (82, 32)
    assert held_out_digest(test) == "b5d180d56decaa90"
    for other_fraction, other_seed in ((0.2, 1), (0.25, 0)):  # the pin tells another split apart
        assert held_out_digest(grouped_split(corpus_chorales, other_fraction, seed=other_seed)[1]) != "b5d180d56decaa90"


def test_signature_sharps():
    assert signature_sharps(7, "major") == 1 and signature_sharps(4, "minor") == 1
    assert signature_sharps(5, "major") == -1 and signature_sharps(2, "minor") == -1
    assert signature_sharps(9, "minor") == 0


def test_chorale_pianoroll_and_steps_agree(chorales):
    c = chorales[0]
    pitch, onset = c.steps()
    roll = c.pianoroll()
    assert pitch.shape == (4, roll.shape[1])
    assert np.array_equal(roll.sum(axis=0), (pitch >= 0).sum(axis=0))


def test_chorale_to_midi_has_named_tracks_and_key(chorales):
    pm = chorales[0].transpose(2).to_midi()
    assert [i.name for i in pm.instruments] == list(VOICES)
    assert pm.key_signature_changes[0].key_number == 2
    assert isinstance(pm, pretty_midi.PrettyMIDI)


def test_music21_chorale_takes_its_key_from_the_soprano():
    from music21 import corpus

    c = parse_music21(corpus.getWork("bwv10.7"))
    assert c.key_name == "G minor" and c.time_signature == (4, 4)
    assert list(c.voices) == list(VOICES) and all(len(v) > 10 for v in c.voices.values())
    assert min(v.starts.min() for v in c.voices.values()) == 0.0


def test_music21_non_score_files_are_rejected_with_a_reason():
    from music21 import corpus

    rntxt = [p for p in corpus.getComposer("bach") if str(p).endswith(".rntxt")][0]
    with pytest.raises(InputError, match="not a score format"):
        parse_music21(rntxt)


def test_the_music21_corpus_gives_hundreds_of_chorales_and_explains_each_skip(corpus_chorales):
    chorales = corpus_chorales
    assert 350 <= len(chorales) <= 420
    assert all(reason for _, reason in chorales.skipped)
    assert len({c.name for c in chorales}) == len(chorales)
    assert len(set(chorales.groups)) > 150
    modes = [c.mode for c in chorales]
    assert 0.35 < modes.count("minor") / len(modes) < 0.6


def test_step_sequences_are_computed_once_read_only_and_left_out_of_a_pickle():
    import pickle

    from helpers.harmonize.encoding import normalise
    from helpers.pianoroll import voice_to_steps

    c = make_chorale("memo", (60, 62, 64, 65, 67))
    pitch, onset = c.steps()
    assert c.steps()[0] is pitch and c.steps(2)[0] is not pitch  # one memo per grid
    expected = voice_to_steps(c.voices["Alto"], 4, c.n_steps())
    assert np.array_equal(pitch[1], expected[0]) and np.array_equal(onset[1], expected[1])
    with pytest.raises(ValueError):
        pitch[0, 0] = 0  # a caller cannot change the chorale through its steps
    back = pickle.loads(pickle.dumps(c))
    assert "_memo" not in back.__dict__ and np.array_equal(back.steps()[0], pitch)
    moved = c.transpose(2)
    assert np.array_equal(moved.steps()[0][pitch != -1], pitch[pitch != -1] + 2)
    in_c = normalise(moved)
    assert normalise(moved) is in_c and c.transpose(2) is moved and c.transpose(0) is not c
    assert in_c.tonic == 0 and np.array_equal(in_c.steps()[0], pitch)
