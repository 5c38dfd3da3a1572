"""helpers.keyfinding: features, label-safe transposition, evaluation, baselines, the trained classifier and the
``train-key`` / ``key`` commands (notebook 08)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import keyfinding as kf
from helpers import stats
from helpers.chorales import VOICES, Chorale, assign_melody_groups, export_midi_folder
from helpers.cli import main
from helpers.errors import InputError
from helpers.midi import Voice, write_midi
from helpers.theory import key_number, key_of_number, signature_sharps
from tests.conftest import make_chorale, make_voice

# ------------------------------------------------------------------------------------------- features


def test_profile_is_duration_weighted_and_sums_to_one():
    voices = [make_voice("Soprano", [60, 67], [4, 1])]  # C for 4 beats, G for 1
    p = kf.pitch_class_profile(voices)
    assert p.shape == (12,) and p.sum() == pytest.approx(1)
    assert p[0] == pytest.approx(0.8) and p[7] == pytest.approx(0.2)


def test_profile_counts_a_note_doubled_in_two_voices_twice():
    voices = [make_voice("Soprano", [72], [1]), make_voice("Tenor", [60], [1]), make_voice("Bass", [43], [1])]
    p = kf.pitch_class_profile(voices)
    assert p[0] == pytest.approx(2 / 3) and p[7] == pytest.approx(1 / 3)


def test_profile_keeps_pitches_outside_the_chorale_range():
    p = kf.pitch_class_profile([make_voice("Piccolo", [100, 21], [1, 1])])  # E7 and A0
    assert p[4] == pytest.approx(0.5) and p[9] == pytest.approx(0.5)


def test_profile_of_no_notes_is_rejected_with_a_reason():
    with pytest.raises(InputError, match="no notes"):
        kf.pitch_class_profile([Voice("Soprano", [], [], [])])


def test_cadence_profile_sees_only_the_last_beats():
    voices = [make_voice("Soprano", [62, 64, 60], [8, 2, 2])]  # D long ago, then E and C in the last 4 beats
    c = kf.cadence_profile(voices, beats=4)
    assert c[2] == 0 and c[4] == pytest.approx(0.5) and c[0] == pytest.approx(0.5)
    f = kf.features(voices)
    assert f.shape == (24,) and np.allclose(f[12:], c) and f[2] > 0


@settings(max_examples=20, deadline=None)
@given(st.integers(-6, 6))
def test_transposing_a_chorale_rotates_its_features(semitones):
    c = make_chorale()
    assert np.allclose(kf.features(c.transpose(semitones)), kf.rotate(kf.features(c)[None], semitones)[0])


# ---------------------------------------------------------------------------------------- normalisations


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=24, max_size=24), st.integers(-30, 30))
def test_rotation_is_undone_by_the_opposite_rotation_and_moves_both_blocks(values, r):
    X = np.array(values)[None]
    Y = kf.rotate(X, r)
    assert np.allclose(kf.rotate(Y, -r), X)
    assert np.allclose(Y[0, (np.arange(12) + r) % 12], X[0, :12])
    assert np.allclose(Y[0, 12 + (np.arange(12) + r) % 12], X[0, 12:])


@pytest.mark.parametrize("mode", ["major", "minor"])
def test_signature_transpose_puts_every_major_key_on_c_and_every_minor_key_on_a(mode):
    for tonic in range(12):
        spike = np.eye(12)[tonic][None]
        moved = kf.signature_transpose(spike, [signature_sharps(tonic, mode)])
        assert moved[0].argmax() == (0 if mode == "major" else 9), (tonic, mode)


def test_signature_transpose_gives_relative_keys_one_shift_but_tonic_transpose_does_not():
    X = np.random.default_rng(0).random((2, 12))
    c_major, a_minor = signature_sharps(0, "major"), signature_sharps(9, "minor")
    assert c_major == a_minor == 0
    sig = kf.signature_transpose(X, [c_major, a_minor])
    assert np.allclose(sig, X)  # the same (here: no) shift for both, whatever the mode
    leaky = kf.tonic_transpose(X, [0, 9])
    assert np.allclose(leaky[0], X[0]) and not np.allclose(leaky[1], X[1])  # the shift depends on the label


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 23), min_size=1, max_size=5))
def test_augmentation_moves_each_key_with_its_features(keys):
    rng = np.random.default_rng(len(keys))
    X = rng.random((len(keys), 24))
    X_aug, k_aug = kf.augment_transpositions(X, np.array(keys))
    n = len(keys)
    assert X_aug.shape == (12 * n, 24) and k_aug.shape == (12 * n,)
    for r in range(12):
        for i, k in enumerate(keys):
            assert np.allclose(X_aug[r * n + i], kf.rotate(X[i:i + 1], r)[0])
            assert key_of_number(k_aug[r * n + i]) == ((k % 12 + r) % 12, kf.MODES[k // 12])


def test_key_number_round_trips_and_rejects_unknown_modes():
    assert [key_number(*key_of_number(k)) for k in range(24)] == list(range(24))
    assert key_number(7, "minor") == 19
    assert list(key_number(np.array([7, 9]), ["major", "minor"])) == [7, 21]
    with pytest.raises(ValueError, match="dorian"):
        key_number(2, "dorian")


def test_labels_come_from_the_chorale_key():
    cs = [make_chorale("a", tonic=7, mode="major"), make_chorale("b", tonic=4, mode="minor")]
    assert list(kf.mode_labels(cs)) == [0, 1]
    assert list(kf.key_labels(cs)) == [7, 16]


# ------------------------------------------------------------------------------------------ evaluation


def test_grouped_folds_keep_each_melody_in_one_test_fold_and_cover_every_piece():
    groups = np.repeat(np.arange(20), 3)
    labels = np.repeat(np.arange(20) % 2, 3)
    folds = stats.grouped_folds(groups, labels, n_splits=4)
    tests = np.concatenate([te for _, te in folds])
    assert sorted(tests) == list(range(60))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert 0.3 < labels[test].mean() < 0.7


def test_cross_validate_uses_models_that_never_saw_the_test_pieces():
    groups = np.repeat(np.arange(10), 2)
    folds = stats.grouped_folds(groups, np.arange(20) % 2, n_splits=5)
    seen = []

    def train_and_predict(train, test):
        assert not set(train) & set(test)
        seen.extend(test)
        return np.full(len(test), len(seen))

    out = stats.cross_validate(train_and_predict, 20, folds)
    assert sorted(seen) == list(range(20)) and (out > 0).all()
    acc = stats.fold_accuracies(np.zeros(20, int), np.arange(20) % 2, folds)
    assert acc.shape == (5,) and np.isclose(acc.mean(), 0.5)


def test_source_model_is_the_two_layer_sigmoid_mlp():
    model = kf.source_model()
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    assert [(d.units, d.activation.__name__) for d in dense] == [(10, "sigmoid"), (1, "sigmoid")]
    assert model.loss == "binary_crossentropy"


def test_fit_runs_the_requested_number_of_steps_over_shuffled_passes():
    X = np.eye(12)[np.arange(30) % 12]
    model = kf.mode_model(X)
    history = kf.fit(model, X, np.arange(30) % 2, steps=7, batch_size=8)
    assert len(history.history["loss"]) == 1
    assert int(model.optimizer.iterations) == 7


# ------------------------------------------------------------------------------------------- baselines


def _chorale_ending_on(chord: tuple[int, int, int, int], mode: str = "minor") -> Chorale:
    """Two chords of a piece in A minor: A minor, then ``chord`` (bass, tenor, alto, soprano)."""
    first = (45, 57, 60, 64)
    voices = {v: make_voice(v, [first[3 - i], chord[3 - i]], [1, 2]) for i, v in enumerate(VOICES)}
    return Chorale("end", voices, 9, mode)


def test_final_chord_rule_calls_a_picardy_third_major():
    assert kf.final_chord_mode(_chorale_ending_on((45, 57, 61, 64))) == "major"  # A major: C# in the alto
    assert kf.final_chord_mode(_chorale_ending_on((45, 57, 60, 64))) == "minor"
    assert kf.final_chord_mode(_chorale_ending_on((45, 57, 64, 69))) is None  # open fifth: no third


def test_music21_key_on_the_profile_equals_stream_analyze_on_the_notes():
    from music21 import note, stream

    c = make_chorale(soprano=(69, 71, 72, 74, 76, 74, 72, 71, 69, 68, 69), tonic=9, mode="minor")
    s = stream.Stream()
    for v in c.voices.values():
        for p, a, b in zip(v.pitches, v.starts, v.ends):
            n = note.Note(int(p))
            n.quarterLength = float(b - a)
            s.insert(float(a), n)
    profile = kf.pitch_class_profile(c)
    for method in kf.MUSIC21_FINDERS.values():
        found = s.analyze(method)
        assert kf.music21_key(profile, method) == (found.tonic.pitchClass, found.mode), method
    keys = kf.music21_keys(kf.features(c)[None])
    assert keys.shape == (1, 5)
    assert key_of_number(keys[0, 0]) == kf.music21_key(profile, "key.krumhansl")


def test_music21_key_rejects_an_unknown_finder():
    with pytest.raises(ValueError, match="key.nonsense"):
        kf.music21_key(np.ones(12) / 12, "key.nonsense")


def test_krumhansl_kessler_profiles_peak_on_the_tonic():
    kk = kf.krumhansl_kessler()
    assert kk.shape == (2, 12) and np.allclose(kk.sum(axis=1), 1)
    assert kk[0].argmax() == 0 and kk[1].argmax() == 0 and kk[1][3] > kk[1][4]  # minor: E-flat over E


# ------------------------------------------------------------------------ trained classifier and commands

#: Progressions (chords as bass, tenor, alto, soprano) in C major and A minor, one beat each, last chord 2 beats.
MAJOR = [[(48, 55, 64, 72), (53, 57, 65, 72), (55, 59, 62, 67), (48, 55, 64, 72)],
         [(48, 55, 64, 72), (45, 57, 64, 72), (50, 57, 65, 74), (43, 55, 62, 71), (48, 55, 64, 72)],
         [(48, 52, 60, 67), (43, 55, 62, 71), (45, 52, 60, 72), (41, 57, 60, 69), (43, 55, 62, 71),
          (48, 52, 60, 72)]]
MINOR = [[(45, 57, 64, 72), (50, 57, 65, 74), (52, 56, 64, 71), (45, 57, 64, 69)],
         [(45, 52, 60, 69), (41, 53, 60, 69), (40, 56, 62, 71), (45, 57, 60, 69)],
         [(45, 57, 64, 72), (48, 55, 64, 72), (50, 53, 62, 69), (52, 56, 59, 68), (45, 52, 60, 69)]]


def _voices(chords, shift: int = 0) -> list[Voice]:
    chords = np.array(chords) + shift
    durations = [1] * (len(chords) - 1) + [2]
    return [make_voice(v, chords[:, 3 - i], durations) for i, v in enumerate(VOICES)]


def _training_set() -> tuple[np.ndarray, np.ndarray]:
    X = np.stack([kf.features(_voices(p)) for p in MAJOR + MINOR])
    keys = np.array([0] * len(MAJOR) + [21] * len(MINOR))
    return X, keys


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny key classifier trained on six progressions (all 12 transpositions) and saved in a temp folder."""
    X, keys = _training_set()
    model = kf.train_key_classifier(X, keys, steps=300, batch_size=32)
    return kf.save_key_classifier(model, tmp_path_factory.mktemp("models") / "key.keras")


@pytest.fixture
def data_dir(tmp_path, monkeypatch, trained):
    """COURSE_DATA_DIR in a temp folder holding the trained classifier where the ``key`` command looks."""
    folder = tmp_path / "data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    (folder / "models").mkdir(parents=True)
    (folder / "models" / kf.MODEL_FILE).write_bytes(trained.read_bytes())
    return folder


def test_saved_classifier_loads_and_names_the_keys_it_was_trained_on(trained):
    model = kf.load_key_classifier(trained)
    assert kf.detect_key(model, _voices(MAJOR[0], shift=7)) == (7, "major")
    assert kf.detect_key(model, _voices(MINOR[0], shift=-5)) == (4, "minor")


def test_a_loaded_key_classifier_gives_the_saved_probabilities(trained):
    X, keys = _training_set()
    saved, fresh = kf.load_key_classifier(trained), kf.key_model(X)
    again = kf.load_key_classifier(trained)
    np.testing.assert_array_equal(kf.key_probabilities(saved, X), kf.key_probabilities(again, X))
    assert np.array_equal(kf.predict_keys(saved, X), keys)  # the trained weights, not fresh ones
    assert not np.allclose(kf.key_probabilities(fresh, X), kf.key_probabilities(saved, X), atol=1e-3)


def test_training_the_key_classifier_twice_with_one_seed_gives_identical_weights():
    X, keys = _training_set()
    a, b = (kf.train_key_classifier(X, keys, steps=20, batch_size=32, seed=4) for _ in range(2))
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_missing_classifier_names_the_command_that_makes_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m helpers train-key"):
        kf.load_key_classifier(tmp_path / "nothing.keras")


def test_key_command_prints_one_line_per_file_from_the_notes_not_the_signature(data_dir, tmp_path, capsys):
    g_major = write_midi(_voices(MAJOR[1], shift=7), tmp_path / "g.mid", key=(3, "minor"))  # a lying signature
    e_minor = write_midi(_voices(MINOR[1], shift=-5), tmp_path / "e.mid")  # no signature at all
    assert main(["key", str(g_major), str(e_minor)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{g_major}\tG major", f"{e_minor}\tE minor"]
    assert err == ""


def test_key_command_reports_a_bad_file_and_still_processes_the_others(data_dir, tmp_path, capsys):
    good = write_midi(_voices(MAJOR[0], shift=2), tmp_path / "d.mid")
    bad = tmp_path / "broken.mid"
    bad.write_text("this is not MIDI")
    missing = tmp_path / "missing.mid"
    also_good = write_midi(_voices(MINOR[0], shift=1), tmp_path / "b-flat.mid")
    assert main(["key", str(good), str(bad), str(missing), str(also_good)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{good}\tD major", f"{also_good}\tB♭ minor"]
    errors = err.splitlines()
    assert len(errors) == 2
    assert str(bad) in errors[0] and "not a MIDI file" in errors[0]
    assert str(missing) in errors[1] and "no such file" in errors[1]


def test_key_command_reads_musicxml(data_dir, tmp_path, capsys):
    from music21 import note, stream

    score = stream.Score()
    for v in _voices(MINOR[2], shift=-2):  # G minor
        part = stream.Part()
        for p, a, b in zip(v.pitches, v.starts, v.ends):
            n = note.Note(int(p))
            n.quarterLength = float(b - a)
            part.insert(float(a), n)
        score.insert(0, part)
    path = tmp_path / "g-minor.musicxml"
    score.write("musicxml", fp=str(path))
    assert main(["key", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}\tG minor\n"


def test_key_command_rejects_a_file_of_another_kind(data_dir, tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("C E G")
    assert main(["key", str(text)]) == 1
    err = capsys.readouterr().err
    assert str(text) in err and "is not a music file the course reads" in err


def test_key_command_without_a_model_trained_here_uses_the_shipped_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    midi = write_midi(_voices(MAJOR[0]), tmp_path / "c.mid")
    assert main(["key", str(midi)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{midi}\tC major\n" and not (tmp_path / "models" / kf.MODEL_FILE).exists()


def test_train_key_command_trains_on_a_midi_folder_and_saves_where_key_looks(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    made = []
    for i, (chords, key) in enumerate([(p, (0, "major")) for p in MAJOR] + [(p, (9, "minor")) for p in MINOR]):
        voices = {v.name: v for v in _voices(chords)}
        made.append(Chorale(f"p{i}", voices, *key))
    export_midi_folder(assign_melody_groups(made), tmp_path / "midi")
    assert main(["train-key", "--midi-folder", str(tmp_path / "midi"), "--steps", "20"]) == 0
    out = capsys.readouterr().out
    assert "trained on 6 chorales" in out and str(kf.model_path()) in out
    assert kf.model_path().exists() and kf.model_path().parent == tmp_path / "data" / "models"


def test_the_melody_key_names_notebooks_call_through_keyfinding_are_melodykeys():
    """Notebooks 09-11 reach the melody key finder as ``kf.NAME``; its one home is helpers.melodykey."""
    from helpers import melodykey as mk

    for name in kf._MOVED_TO_MELODYKEY:
        assert getattr(kf, name) is getattr(mk, name)
    with pytest.raises(AttributeError):
        kf.no_such_name  # noqa: B018
