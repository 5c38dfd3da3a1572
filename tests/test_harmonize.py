"""Tests of helpers.harmonize: key normalisation, encodings, baselines, the harmonizer, joint decoding and the
``harmonize`` command (notebooks 09 and 10). Tiny models are trained on generated chorales in a temporary data
folder, so these tests need neither the chorale cache nor the notebooks."""

import numpy as np
import pretty_midi
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import harmonize as H
from helpers.cli import main
from helpers.errors import InputError
from helpers.midi import Voice, midi_to_voices, write_midi
from helpers.pianoroll import REST, steps_to_voice
from helpers.theory import key_number, parse_key_name
from tests.melodies import scale_chorale


@pytest.fixture(scope="module")
def stepwise_chorales():
    """Ten generated chorales (:func:`tests.melodies.scale_chorale`), in C, C# and D major, each its own melody
    group."""
    return [scale_chorale(i, tonic=i % 3, group=i) for i in range(10)]


@pytest.fixture(scope="module")
def tiny(stepwise_chorales, tmp_path_factory, tiny_key_model):
    """A tiny alto harmonizer saved in a temporary data folder, beside a tiny key classifier (returns that
    folder)."""
    import keras

    from helpers import keyfinding as kf

    keras.utils.set_random_seed(0)
    folder = tmp_path_factory.mktemp("data")
    harmonizer, history = H.train_harmonizer(stepwise_chorales, units=8, epochs=2, window=32, hop=16)
    harmonizer.save(folder / "models" / "harmonizer-alto.keras")
    satb = tiny_satb(stepwise_chorales).with_voice_leading(H.VoiceLeading(3.0, 3.0, 3, "beat"))
    satb.save(folder / "models" / "harmonizer-alto-tenor-bass.keras")
    kf.save_key_classifier(tiny_key_model, folder / "models" / kf.MODEL_FILE)
    return folder


_TINY_SATB: dict[int, H.Harmonizer] = {}


def tiny_satb(stepwise_chorales):
    """A tiny alto-tenor-bass harmonizer (not saved). Training seeds itself, so every call would give the same
    network: it is trained once for the module's chorales and shared (the tests only read it)."""
    import keras

    if id(stepwise_chorales) not in _TINY_SATB:
        keras.utils.set_random_seed(1)
        enc = H.fit_encoding(stepwise_chorales, outputs=("Alto", "Tenor", "Bass"))
        _TINY_SATB[id(stepwise_chorales)] = H.train_harmonizer(stepwise_chorales, enc, units=8, epochs=2, window=32,
                                                               hop=16)[0]
    return _TINY_SATB[id(stepwise_chorales)]


@pytest.fixture
def data_dir(tiny, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tiny))
    return tiny


def melody_file(path, pitches, starts=None, lengths=None, tempo=120.0, key=None, ts=(4, 4), drums=False):
    pitches = np.asarray(pitches)
    lengths = np.ones(len(pitches)) if lengths is None else np.asarray(lengths, float)
    starts = np.r_[0, np.cumsum(lengths)[:-1]] if starts is None else np.asarray(starts, float)
    v = Voice("Melody", pitches, starts, starts + lengths)
    pm = H_voices_to_midi([v], tempo, ts, key)
    if drums:
        pm.instruments[0].is_drum = True
    pm.write(str(path))
    return path


def H_voices_to_midi(voices, tempo, ts, key):
    from helpers.midi import voices_to_midi

    return voices_to_midi(voices, tempo=tempo, time_signature=ts, key=key)


# ----------------------------------------------------------------------------------------------- keys

@given(st.integers(0, 11), st.sampled_from(["major", "minor"]))
def test_normalising_shift_moves_every_key_to_c_major_or_a_minor_the_short_way(tonic, mode):
    shift = H.normalising_shift(tonic, mode)
    assert -6 <= shift <= 5
    assert (tonic + shift) % 12 == (0 if mode == "major" else 9)


# ------------------------------------------------------------------------------------------- encoding

def test_features_one_hot_each_step_and_reject_pitches_outside_the_range():
    enc = H.Encoding(ranges={"Soprano": (60, 72), "Alto": (50, 70)})
    p = np.array([60, 60, REST, 71])
    o = np.array([1, 0, 0, 1], bool)
    X = H.features({"Soprano": p}, {"Soprano": o}, True, enc)
    assert X.shape == (4, enc.n_features)
    assert np.all(X[:, :13].sum(1) == 1) and X[2, 0] == 1 and X[3, 12] == 1
    assert np.all(X.sum(1) > 0)  # no row looks like padding
    with pytest.raises(ValueError, match="outside the model's range"):
        H.features({"Soprano": np.array([72])}, {"Soprano": np.array([1])}, True, enc)


def test_targets_and_decode_keep_held_and_repeated_notes_apart():
    enc = H.Encoding(ranges={"Soprano": (60, 72), "Alto": (50, 70)})
    alto = np.array([55, 55, 55, 55, REST, 57, 57])
    onset = np.array([1, 0, 1, 0, 0, 1, 0], bool)  # two quarter notes on G, a rest, then A
    cls, on = H.targets(alto, onset, "Alto", enc)
    probs = np.eye(enc.n_classes("Alto"))[cls]
    pitch, dec_onset = H.decode(probs, on, 50)
    assert pitch.tolist() == alto.tolist() and dec_onset.tolist() == onset.tolist()
    v = steps_to_voice(pitch, dec_onset, 2)
    assert v.pitches.tolist() == [55, 55, 57] and v.ends.tolist() == [1.0, 2.0, 3.5]


def test_targets_fold_out_of_range_pitches_by_octaves():
    enc = H.Encoding(ranges={"Soprano": (60, 72), "Alto": (50, 70)})
    cls, _ = H.targets(np.array([45, 75]), np.array([1, 1]), "Alto", enc)
    assert (cls - 1 + 50).tolist() == [57, 63]


def test_training_windows_cover_the_piece_and_end_flush(stepwise_chorales):
    enc = H.fit_encoding(stepwise_chorales)
    X, y = H.training_windows(stepwise_chorales[:1], enc, length=32, hop=16)
    n = stepwise_chorales[0].n_steps()
    assert X.shape[1:] == (32, enc.n_features) and y["Alto_onset"].shape == X.shape[:2] + (1,)
    assert H.window_starts(n, 32, 16)[-1] == n - 32
    assert H.window_starts(10, 32, 16).tolist() == [0]


def test_encoding_survives_json():
    enc = H.Encoding(("Soprano",), ("Alto", "Tenor"), {"Soprano": (55, 89), "Alto": (49, 80), "Tenor": (45, 70)}, 2)
    assert H.Encoding.from_json(enc.to_json()) == enc


# ------------------------------------------------------------------------------------------ baselines

def test_constant_interval_learns_the_most_common_gap(stepwise_chorales):
    base = H.ConstantInterval.fit(stepwise_chorales)
    gaps = np.concatenate([np.subtract(*H.normalise(c).steps()[0][:2]) for c in stepwise_chorales])
    assert base.interval == np.bincount(gaps).argmax()
    out = base.predict_chorale(stepwise_chorales[1])["Alto"][0]
    sop = stepwise_chorales[1].steps()[0][0]
    assert np.array_equal(out, np.where(sop == REST, REST, sop - base.interval))


def test_lookup_table_is_exact_on_its_own_training_data_when_the_soprano_decides(stepwise_chorales):
    for context in (1, 2):
        table = H.LookupTable.fit(stepwise_chorales, context)
        rep = H.evaluate(table, stepwise_chorales)
        assert rep["voices"]["Alto"]["accuracy"] == pytest.approx(1.0)  # the generated alto is a function of it
    with pytest.raises(ValueError, match="context"):
        H.LookupTable.fit(stepwise_chorales, 3)


def test_bach_scores_perfect_accuracy_against_himself_and_each_voice_is_measured_as_itself(stepwise_chorales):
    rep = H.evaluate(H.Bach(("Alto", "Tenor", "Bass")), stepwise_chorales)
    assert all(rep["voices"][v]["accuracy"] == 1.0 for v in ("Alto", "Tenor", "Bass"))
    # the generated chorales double the soprano two octaves down in the bass and the alto an octave down in the
    # tenor: each pair's figures tell the voices apart, so a voice read from the wrong row fails here
    pairs = rep["pairs"]
    for doubled in (("Soprano", "Bass"), ("Alto", "Tenor")):
        assert pairs[doubled]["consonance"] == 1.0 and pairs[doubled]["octaves_per_100_beats"] > 0
    assert pairs[("Soprano", "Alto")]["octaves_per_100_beats"] == 0 == pairs[("Soprano", "Alto")]["crossing"]
    low = {v: rep["voices"][v]["low"] for v in ("Soprano", "Alto", "Tenor", "Bass")}
    assert low["Soprano"] - low["Bass"] == 24 and low["Alto"] - low["Tenor"] == 12


# --------------------------------------------------------------------------------------- the network

def test_build_model_has_a_pitch_and_an_onset_output_per_voice():
    enc = H.Encoding(outputs=("Alto", "Tenor", "Bass"),
                     ranges={"Soprano": (60, 80), "Alto": (55, 75), "Tenor": (48, 68), "Bass": (36, 60)})
    model = H.build_model(enc, units=4)
    out = model(np.zeros((2, 7, enc.n_features), np.float32) + 0.1)
    assert out["Tenor_pitch"].shape == (2, 7, enc.n_classes("Tenor")) and out["Bass_onset"].shape == (2, 7, 1)


def test_saved_harmonizer_loads_and_predicts_the_same(data_dir, stepwise_chorales):
    h = H.Harmonizer.load()
    assert h.outputs == ("Alto",)
    batch = h.predict_chorales(stepwise_chorales[:3])
    for c, b in zip(stepwise_chorales[:3], batch):
        one = h.predict_chorale(c)["Alto"]
        assert np.array_equal(one[0], b["Alto"][0]) and len(one[0]) == c.n_steps()


def _probabilities(h, chorale):
    c = H.normalise(chorale)
    pitch, onset = c.steps(h.steps_per_beat)
    X = H.features({"Soprano": pitch[0]}, {"Soprano": onset[0]}, c.mode == "major", h.encoding)
    return h.probabilities(X)


def test_a_loaded_harmonizer_predicts_exactly_what_was_saved(stepwise_chorales, tmp_path):
    import keras

    keras.utils.set_random_seed(3)
    trained, _ = H.train_harmonizer(stepwise_chorales, units=8, epochs=2, window=32, hop=16)
    before = _probabilities(trained, stepwise_chorales[0])
    path = trained.save(tmp_path / "h.keras")
    loaded = H.Harmonizer.load(path)
    after = _probabilities(loaded, stepwise_chorales[0])
    assert loaded.encoding == trained.encoding
    for k in before:
        np.testing.assert_array_equal(before[k], after[k])
    keras.utils.set_random_seed(3)
    untrained = H.Harmonizer(H.build_model(trained.encoding, units=8), trained.encoding)
    fresh = _probabilities(untrained, stepwise_chorales[0])  # what a load returning fresh weights would give
    assert not np.allclose(fresh["Alto_pitch"], after["Alto_pitch"], atol=1e-3)


def test_pieces_batched_together_get_what_each_gets_alone_and_what_the_eager_model_gives(stepwise_chorales):
    """Batches pad shorter pieces with masked all-zero rows to the longest; the padding must change nothing."""
    h = tiny_satb(stepwise_chorales)
    pieces = []
    for chorale, cut in zip(stepwise_chorales[:5], (40, 17, 64, 9, 33)):  # five different lengths in one batch
        c = H.normalise(chorale)
        pitch, onset = c.steps(h.steps_per_beat)
        X = H.features({"Soprano": pitch[0]}, {"Soprano": onset[0]}, c.mode == "major", h.encoding)
        pieces.append(X[:cut])
    together = h.probabilities(pieces)
    for X, batched in zip(pieces, together):
        alone = h.probabilities(X)
        eager = h.models[0](X[None].astype(np.float32), training=False)
        assert set(batched) == set(alone) == set(eager)
        for k in batched:
            assert batched[k].shape[0] == len(X)
            np.testing.assert_allclose(batched[k], alone[k], atol=1e-5)
            np.testing.assert_allclose(batched[k], np.asarray(eager[k])[0], atol=1e-5)


def test_networks_of_one_architecture_share_one_compiled_copy_and_each_gets_its_own_outputs(stepwise_chorales):
    """Two networks built alike but with different weights, and an ensemble of both, called in turn: one compiled
    copy serves them, and each answers what its own model computes eagerly."""
    import keras

    from helpers.harmonize import model as M

    h = tiny_satb(stepwise_chorales)
    other = keras.models.clone_model(h.models[0])
    rng = np.random.default_rng(0)
    other.set_weights([w + rng.normal(0, 0.3, w.shape).astype(w.dtype) for w in h.models[0].get_weights()])
    hs = [h, H.Harmonizer(other, h.encoding)]
    ensemble = H.Harmonizer([h.models[0] for h in hs], hs[0].encoding)
    c = H.normalise(stepwise_chorales[0])
    pitch, onset = c.steps(hs[0].steps_per_beat)
    X = H.features({"Soprano": pitch[0]}, {"Soprano": onset[0]}, c.mode == "major", hs[0].encoding)[:40]
    eager = [{k: np.asarray(v)[0] for k, v in h.models[0](X[None].astype(np.float32), training=False).items()}
             for h in hs]
    assert any(not np.allclose(eager[0][k], eager[1][k], atol=1e-3) for k in eager[0])  # they differ
    for _ in range(2):  # in turn, twice: each call puts its own weights into the shared copy
        for h, own in zip(hs, eager):
            out = h.probabilities(X)
            for k in own:
                np.testing.assert_allclose(out[k], own[k], atol=1e-5)
        averaged = ensemble.probabilities(X)
        for k in averaged:
            np.testing.assert_allclose(averaged[k], (eager[0][k] + eager[1][k]) / 2, atol=1e-5)
    assert M._compiled(hs[0].models[0], hs[0].encoding.n_features) is not M._compiled(
        hs[1].models[0], hs[0].encoding.n_features)
    key = M._architecture(hs[0].models[0], hs[0].encoding.n_features)
    assert key == M._architecture(hs[1].models[0], hs[0].encoding.n_features) and key in M._RUNNERS


def test_harmonize_returns_voices_in_the_melody_key(data_dir):
    """The alto under a tune in E major is the alto under the same tune in C major, moved up to E."""
    h = H.Harmonizer.load()
    melody = Voice("m", np.array([64, 66, 68, 69, 71]) + 12, np.arange(5.0), np.arange(5.0) + 1)  # E major, high
    voices = h.harmonize(melody, 4, "major")
    assert [v.name for v in voices] == ["Soprano", "Alto"]
    assert voices[1].end <= 5.0 and len(voices[1]) > 0
    in_c = h.harmonize(melody.transpose(-4), 0, "major")
    assert voices[1] == in_c[1].transpose(4)
    with pytest.raises(InputError, match="no octave transposition fits"):
        h.harmonize(Voice("m", np.array([30, 100]), np.array([0.0, 1]), np.array([1.0, 2])), 0, "major")


# --------------------------------------------------------------------------------------- the command

def test_command_writes_soprano_and_alto_on_the_melody_tempo_meter_and_key(data_dir, tmp_path, capsys):
    src = melody_file(tmp_path / "tune.mid", [71, 73, 75, 76, 78, 76, 75, 73, 71], tempo=75, ts=(3, 4),
                      key=(4, "major"))
    out = tmp_path / "out" / "harm.mid"
    assert main(["harmonize", str(src), "-o", str(out), "--key", "E major"]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "key: E major (given with --key)" in printed
    pm = pretty_midi.PrettyMIDI(str(out))
    assert [i.name for i in pm.instruments] == ["Soprano", "Alto"]
    assert pm.get_tempo_changes()[1][0] == pytest.approx(75)
    ts = pm.time_signature_changes[0]
    assert (ts.numerator, ts.denominator) == (3, 4)
    assert pm.key_signature_changes[0].key_number == 4  # the key used, given here (the file's signature is not read)
    voices = midi_to_voices(pm)
    assert np.array_equal(voices[0].pitches, [71, 73, 75, 76, 78, 76, 75, 73, 71])
    assert len(voices[1]) > 0 and voices[1].end <= voices[0].end + 1e-6


def test_command_finds_the_key_without_a_signature_and_keeps_a_late_start(data_dir, tmp_path, capsys):
    pitches = [67, 69, 71, 72, 74, 72, 71, 69, 67, 66, 67]
    src = melody_file(tmp_path / "g.mid", pitches, starts=np.arange(11) + 3.0)
    out = tmp_path / "g-out.mid"
    assert main(["harmonize", str(src), "-o", str(out)]) == 0
    assert "G major" in capsys.readouterr().out
    voices = midi_to_voices(pretty_midi.PrettyMIDI(str(out)))
    assert voices[0].starts[0] == pytest.approx(3.0) and voices[1].starts.min() >= 3.0 - 1e-6


def test_command_default_output_sits_beside_the_melody(data_dir, tmp_path):
    src = melody_file(tmp_path / "song.mid", [60, 62, 64, 65, 67])
    assert main(["harmonize", str(src)]) == 0
    assert (tmp_path / "song-harmonized.mid").exists()


def test_command_reads_musicxml(data_dir, tmp_path, capsys):
    from music21 import key, meter, note, stream

    part = stream.Part([meter.TimeSignature("3/4"), key.KeySignature(-1)])
    for name in ["F4", "G4", "A4", "B-4", "C5", "A4", "F4"]:
        part.append(note.Note(name, quarterLength=1))
    src = tmp_path / "tune.musicxml"
    stream.Score([part]).write("musicxml", fp=str(src))
    out = tmp_path / "x.mid"
    assert main(["harmonize", str(src), "-o", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()[0]  # "key: B♭ major (found by the key classifier ...)"
    pm = pretty_midi.PrettyMIDI(str(out))
    assert pm.key_signature_changes[0].key_number == key_number(*parse_key_name(printed[5:].split(" (")[0]))
    assert np.array_equal(midi_to_voices(pm)[0].pitches, [65, 67, 69, 70, 72, 69, 65])


def bad_files(tmp_path):
    text = tmp_path / "notes.mid"
    text.write_text("C D E F G")
    empty = tmp_path / "empty.mid"
    pretty_midi.PrettyMIDI().write(str(empty))
    drums = melody_file(tmp_path / "drums.mid", [36, 38, 36, 38], drums=True)
    chords = tmp_path / "chords.mid"
    write_midi([Voice("Piano", np.array([60, 64, 67, 62, 65, 69]), np.array([0.0, 0, 0, 1, 1, 1]),
                      np.array([1.0, 1, 1, 2, 2, 2]))], chords)
    return [(text, "not a MIDI file"), (empty, "no notes"), (drums, "only drum notes"), (chords, "chords"),
            (tmp_path / "missing.mid", "no such file")]


def test_command_rejects_unusable_files_with_one_line_and_writes_nothing(data_dir, tmp_path, capsys):
    for path, reason in bad_files(tmp_path):
        out = tmp_path / f"{path.stem}-out.mid"
        assert main(["harmonize", str(path), "-o", str(out)]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(path) in err and reason in err, err
        assert not out.exists()


def test_command_explains_a_melody_too_wide_for_any_octave(data_dir, tmp_path, capsys):
    src = melody_file(tmp_path / "wide.mid", [40, 60, 90, 100])
    out = tmp_path / "wide-out.mid"
    assert main(["harmonize", str(src), "-o", str(out)]) == 1
    assert "no octave transposition fits" in capsys.readouterr().err and not out.exists()


def test_command_writes_four_tracks_for_satb(data_dir, tmp_path, capsys):
    src = melody_file(tmp_path / "tune.mid", [67, 69, 71, 72, 74, 72, 71, 69, 67], tempo=90, key=(7, "major"))
    out = tmp_path / "satb.mid"
    assert main(["harmonize", str(src), "--voices", "satb", "-o", str(out)]) == 0
    assert "Soprano + Alto + Tenor + Bass" in capsys.readouterr().out
    pm = pretty_midi.PrettyMIDI(str(out))
    assert [i.name for i in pm.instruments] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert pm.get_tempo_changes()[1][0] == pytest.approx(90, rel=1e-3) and pm.key_signature_changes[0].key_number == 7
    voices = midi_to_voices(pm)
    assert np.array_equal(voices[0].pitches, [67, 69, 71, 72, 74, 72, 71, 69, 67])
    assert all(len(v) > 0 and v.end <= voices[0].end + 1e-6 for v in voices[1:])


def test_satb_command_rejects_unusable_files_like_the_alto_command(data_dir, tmp_path, capsys):
    for path, reason in bad_files(tmp_path):
        out = tmp_path / f"{path.stem}-satb.mid"
        assert main(["harmonize", str(path), "--voices", "satb", "-o", str(out)]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(path) in err and reason in err, err
        assert not out.exists()


def test_command_without_a_saved_model_makes_and_saves_one_and_says_where(stepwise_chorales, tmp_path, monkeypatch,
                                                                          capsys, tiny_key_model):
    from helpers import keyfinding as kf

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    kf.save_key_classifier(tiny_key_model, tmp_path / "data" / "models" / kf.MODEL_FILE)  # the key classifier only
    calls = []

    def fake_default(outputs=H.DEFAULT_OUTPUTS, seed=0):  # the real one loads the shipped ensemble
        calls.append(tuple(outputs))
        h = tiny_satb(stepwise_chorales).with_voice_leading(H.DEFAULT_VOICE_LEADING)
        h.save()
        return h

    monkeypatch.setattr(H, "default_harmonizer", fake_default)
    src = melody_file(tmp_path / "t.mid", [60, 62, 64, 65, 67])
    bad = tmp_path / "bad.mid"
    bad.write_text("not music")
    assert main(["harmonize", str(bad), "--voices", "satb"]) == 1 and calls == []  # no training for a bad file
    capsys.readouterr()
    assert main(["harmonize", str(src), "--voices", "satb"]) == 0
    err = capsys.readouterr().err
    path = H.Harmonizer.default_path(("Alto", "Tenor", "Bass"))
    assert str(path) in err and "notebook 10" in err and calls == [("Alto", "Tenor", "Bass")]
    assert H.Harmonizer.load(outputs=("Alto", "Tenor", "Bass")).voice_leading == H.DEFAULT_VOICE_LEADING
    assert main(["harmonize", str(src), "--voices", "satb"]) == 0 and len(calls) == 1  # the saved model is reused
    with pytest.raises(SystemExit) as usage:
        main(["harmonize", str(src), "--voices", "soprano"])
    assert usage.value.code == 2 and "no harmonizer generates the voices 'soprano'" in capsys.readouterr().err


def test_overlapping_legato_notes_are_trimmed_but_two_lines_in_one_track_are_rejected(tmp_path):
    legato = Voice("m", np.array([60, 62, 64]), np.array([0.0, 1, 2]), np.array([1.1, 2.1, 3]))
    assert H.clean_monophonic(legato, "x").ends.tolist() == [1.0, 2.0, 3.0]
    two_lines = Voice("m", np.array([60, 72, 62, 74]), np.array([0.0, 0.5, 1, 1.5]), np.array([2.0, 2.5, 3, 3.5]))
    with pytest.raises(InputError, match="not a single melodic line"):
        H.clean_monophonic(two_lines, "x")


def test_command_keeps_the_melody_on_its_seconds_across_a_tempo_change(data_dir, tmp_path):
    pm = pretty_midi.PrettyMIDI(initial_tempo=100)
    pm._tick_scales.append((pm.time_to_tick(3.0), 60.0 / (160 * pm.resolution)))  # 160 bpm from 3 s on
    pm._update_tick_to_time(pm.time_to_tick(100.0))
    inst = pretty_midi.Instrument(0, name="Melody")
    times = [0.0, 0.6, 1.2, 1.8, 2.4, 3.0, 3.375, 3.75, 4.125]
    inst.notes = [pretty_midi.Note(80, p, t, t + 0.3) for p, t in zip([60, 62, 64, 65, 67, 65, 64, 62, 60], times)]
    pm.instruments.append(inst)
    src = tmp_path / "tempo.mid"
    pm.write(str(src))
    out = tmp_path / "tempo-out.mid"
    assert main(["harmonize", str(src), "-o", str(out)]) == 0
    written = pretty_midi.PrettyMIDI(str(out))
    np.testing.assert_allclose([n.start for n in written.instruments[0].notes], times, atol=1e-3)
    assert max(n.end for n in written.instruments[1].notes) <= 4.125 + 0.3 + 1e-3


def test_read_melody_finds_the_key_from_the_notes_whatever_the_signature(tmp_path, tiny_key_model):
    for sig in [(4, "minor"), (0, "major")]:
        src = melody_file(tmp_path / "e.mid", [64, 66, 67, 71, 67, 66, 64, 63, 64], key=sig)
        melody = H.read_melody(src, classifier=tiny_key_model)
        assert (melody.tonic, melody.mode) == (4, "minor") and "classifier" in melody.key_source


# ------------------------------------------------------------------------------------ joint decoding

def one_hot_probs(classes, n_classes, sharpness=0.9):
    """Softmax-like outputs that put ``sharpness`` on the given class of each step and spread the rest."""
    p = np.full((len(classes), n_classes), (1 - sharpness) / (n_classes - 1))
    p[np.arange(len(classes)), classes] = sharpness
    return p


def test_joint_decoding_without_penalties_step_by_step_is_the_per_step_argmax():
    rng = np.random.default_rng(0)
    probs = {v: rng.dirichlet(np.ones(9), 12) for v in ("Alto", "Tenor")}
    onsets = {v: rng.random(12) for v in probs}
    lows = {"Alto": 60, "Tenor": 50}
    melody = np.full(12, 72)
    out = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(0.0, 0.0, 3, "step"))
    for v in probs:
        expected = H.decode(probs[v], onsets[v], lows[v])
        assert np.array_equal(out[v][0], expected[0]) and np.array_equal(out[v][1], expected[1])


def test_joint_decoding_avoids_the_parallel_fifths_the_argmax_writes():
    from helpers.metrics import parallel_count

    melody = np.array([76, 76, 77, 77])  # E5 E5 F5 F5
    # the most likely alto C5 -> D5 over the most likely tenor F4 -> G4: parallel fifths between alto and tenor
    alto = one_hot_probs([1 + 72 - 60] * 2 + [1 + 74 - 60] * 2, 20, 0.6)  # C5, C5, D5, D5
    tenor = one_hot_probs([1 + 65 - 50] * 2 + [1 + 67 - 50] * 2, 25, 0.6)  # F4, F4, G4, G4
    probs, lows = {"Alto": alto, "Tenor": tenor}, {"Alto": 60, "Tenor": 50}
    onsets = {v: np.array([1, 0, 1, 0.0]) for v in probs}
    free = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(0.0, 0.0, 3, "step"))
    assert parallel_count(free["Alto"][0], free["Tenor"][0], 7) == 1
    ruled = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(5.0, 5.0, 3, "step"))
    pitches = [melody, ruled["Alto"][0], ruled["Tenor"][0]]
    assert all(parallel_count(pitches[a], pitches[b], ic) == 0 for a in range(3) for b in range(a + 1, 3)
               for ic in (0, 7))


def test_joint_decoding_holds_each_voice_through_a_beat_or_melody_note():
    rng = np.random.default_rng(1)
    melody = np.array([72] * 6 + [74] * 2 + [REST] * 4)
    probs = {"Alto": rng.dirichlet(np.ones(12) * 0.3, 12)}
    out = H.decode_jointly(probs, {"Alto": np.full(12, 0.9)}, {"Alto": 55}, melody, H.VoiceLeading(1, 1, 4, "beat"),
                           melody_onsets=np.r_[1, np.zeros(5), 1, 0, np.zeros(4)].astype(bool), steps_per_beat=4)
    assert H.chord_starts(melody, None, 4).tolist() == [0, 4, 6, 8]
    pitch, onset = out["Alto"]
    for a, b in [(0, 4), (4, 6), (6, 8), (8, 12)]:
        assert len(set(pitch[a:b].tolist())) == 1
    assert np.flatnonzero(onset).tolist() == [s for s in (0, 4, 6, 8) if pitch[s] != REST]
    with pytest.raises(ValueError, match="hold"):
        H.VoiceLeading(hold="bar")


def test_saved_satb_harmonizer_keeps_its_voice_leading_rules(data_dir, stepwise_chorales):
    h = H.Harmonizer.load(outputs=("Alto", "Tenor", "Bass"))
    assert h.voice_leading == H.VoiceLeading(3.0, 3.0, 3, "beat")
    out = h.predict_chorales(stepwise_chorales[:2])
    assert set(out[0]) == {"Alto", "Tenor", "Bass"} and len(out[1]["Bass"][0]) == stepwise_chorales[1].n_steps()
    assert H.Harmonizer.load().voice_leading is None  # notebook 09's alto model decodes step by step


def test_combined_baselines_write_every_voice_and_are_measured_as_chords(stepwise_chorales):
    both = H.Combined([H.LookupTable.fit(stepwise_chorales, 1, v) for v in ("Bass", "Alto", "Tenor")])
    assert both.outputs == ("Alto", "Tenor", "Bass")
    rep = H.evaluate(both, stepwise_chorales)
    assert set(rep["voices"]) == {"Soprano", "Alto", "Tenor", "Bass"}
    # on their own training data each table is exact (each voice is a function of the soprano here), so every
    # voice and every chord matches; a voice written into the wrong slot would not
    assert all(rep["voices"][v]["accuracy"] == pytest.approx(1.0) for v in ("Alto", "Tenor", "Bass"))
    assert rep["chord"]["accuracy"] == pytest.approx(1.0)
    assert H.evaluate(H.Bach(("Alto", "Tenor", "Bass")), stepwise_chorales)["chord"]["accuracy"] == 1.0
    with pytest.raises(ValueError, match="different voices"):
        H.Combined([H.ConstantInterval(3), H.ConstantInterval(5)])


def test_joint_decoding_avoids_the_contrary_octave_the_parallel_rule_lets_through():
    from helpers.metrics import parallel_count, rule_counts

    melody = np.array([72, 72, 74, 74])  # C5 C5 D5 D5
    bass = one_hot_probs([1 + 60 - 40] * 2 + [1 + 50 - 40] * 2, 30, 0.6)  # C4 then D3: octave to double octave
    probs, lows, onsets = {"Bass": bass}, {"Bass": 40}, {"Bass": np.array([1, 0, 1, 0.0])}
    for rules in (H.VoiceLeading(0.0, 0.0, 3, "step"), H.VoiceLeading(5.0, 5.0, 3, "step")):
        free = H.decode_jointly(probs, onsets, lows, melody, rules)
        assert rule_counts(melody, free["Bass"][0])["contrary_octaves"] == 1  # the parallel rule does not see it
    ruled = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(5.0, 5.0, 3, "step", contrary=5.0))
    ruled_counts = rule_counts(melody, ruled["Bass"][0])
    assert ruled_counts["contrary_octaves"] == 0 and ruled_counts["contrary_fifths"] == 0
    assert parallel_count(melody, ruled["Bass"][0], 0) == 0 and parallel_count(melody, ruled["Bass"][0], 7) == 0


def test_joint_decoding_avoids_the_hidden_fifth_between_the_outer_voices():
    from helpers.metrics import rule_counts

    melody = np.array([76, 76, 81, 81])  # E5 E5 A5 A5: the soprano leaps a fourth
    tenor = one_hot_probs([1 + 55 - 45] * 2 + [1 + 62 - 45] * 2, 25, 0.6)  # G3 D4: a hidden fifth with A5
    bass = one_hot_probs([1 + 48 - 36] * 2 + [1 + 50 - 36] * 2, 25, 0.6)  # C3 D3: a hidden fifth with A5
    probs, lows = {"Tenor": tenor, "Bass": bass}, {"Tenor": 45, "Bass": 36}
    onsets = {v: np.array([1, 0, 1, 0.0]) for v in probs}
    free = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(5.0, 5.0, 3, "step"))
    assert rule_counts(melody, free["Bass"][0])["hidden_fifths"] == 1
    assert rule_counts(melody, free["Tenor"][0])["hidden_fifths"] == 1
    ruled = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(5.0, 5.0, 3, "step", hidden=5.0))
    ruled_counts = rule_counts(melody, ruled["Bass"][0])
    assert ruled_counts["hidden_fifths"] == 0 and ruled_counts["hidden_octaves"] == 0
    assert np.array_equal(ruled["Tenor"][0], free["Tenor"][0])  # soprano and tenor are not the outer voices


def test_joint_decoding_with_zero_new_penalties_keeps_the_parallel_and_crossing_decoder():
    rng = np.random.default_rng(3)
    probs = {v: rng.dirichlet(np.ones(10) * 0.5, 16) for v in ("Alto", "Tenor", "Bass")}
    onsets = {v: rng.random(16) for v in probs}
    lows = {"Alto": 60, "Tenor": 52, "Bass": 40}
    melody = 72 + rng.choice([-2, 0, 2, 4, 5, 7], 16)
    old = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(3.0, 3.0, 3, "step"))
    new = H.decode_jointly(probs, onsets, lows, melody, H.VoiceLeading(3.0, 3.0, 3, "step", contrary=0.0, hidden=0.0))
    assert all(np.array_equal(old[v][0], new[v][0]) for v in probs)


def test_hold_beat_cannot_write_an_inner_onset_inside_a_beat_under_a_held_soprano_note():
    melody = np.array([72] * 8)  # a half note (two beats of four steps)
    alto = np.array([67] * 4 + [65] * 2 + [64] * 2)  # a quarter, then two eighths: the second inside the beat
    assert H.unreachable_onsets(melody, None, alto, None, 4) == (1, 3)
    moving = np.array([72] * 6 + [71] * 2)  # the soprano moves with it: a chord may start there
    assert H.unreachable_onsets(moving, None, alto, None, 4) == (0, 3)
    repeated = np.zeros(8, bool)
    repeated[6] = True  # the soprano repeats its note at the same step
    assert H.unreachable_onsets(melody, repeated, alto, None, 4) == (0, 3)
    with pytest.raises(ValueError, match="one length"):
        H.unreachable_onsets(melody, None, alto[:4], None, 4)


def test_hold_beat_cost_is_the_share_over_chorales_and_inner_voices():
    class Piece:  # what hold_beat_cost reads of a chorale: steps() in the order S, A, T, B
        def __init__(self, pitch):
            self.pitch = np.array(pitch)

        def steps(self, steps_per_beat):
            return self.pitch, np.zeros_like(self.pitch, dtype=bool)

    s, b = [72] * 8, [48] * 8
    one = Piece([s, [67] * 4 + [65] * 2 + [64] * 2, [60] * 8, b])  # alto 1 of 3 unreachable, tenor 0 of 1
    two = Piece([s, [67] * 8, [60, 60, 62, 62, 64, 64, 65, 65], b])  # alto 0 of 1; tenor 2 of 4 (steps 2 and 6)
    assert H.hold_beat_cost([one], steps_per_beat=4) == pytest.approx(1 / 4)
    assert H.hold_beat_cost([one, two], steps_per_beat=4) == pytest.approx((1 + 2) / (4 + 5))
    assert H.hold_beat_cost([one], voices=("Alto",), steps_per_beat=4) == pytest.approx(1 / 3)


def test_train_network_seeds_itself_whatever_the_global_random_state(stepwise_chorales):
    """recipes.train_network, the path every shipped network is trained by, sets its seed itself: two runs with one
    seed after different global seeds give the same weights, and another seed other weights. (train_network seeds
    Keras and calls train_harmonizer, so this is also the check that one seed gives train_harmonizer's weights
    exactly.)"""
    import keras

    from helpers.harmonize import recipes as R

    network = R.Network(units=4, epochs=1)
    weights = []
    for global_seed in (1, 2):
        keras.utils.set_random_seed(global_seed)  # what a notebook cell or an earlier test may have left
        harmonizer, _ = R.train_network(network, 5, stepwise_chorales)
        weights.append(harmonizer.model.get_weights())
    assert len(weights[0]) == len(weights[1]) > 0
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
    keras.utils.set_random_seed(1)
    other, _ = R.train_network(network, 6, stepwise_chorales)
    assert any(not np.array_equal(a, b) for a, b in zip(weights[0], other.model.get_weights()))


def test_tunes_of_is_the_training_side_of_the_course_split_without_the_validation_tunes_for_fit(stepwise_chorales):
    from helpers.chorales import course_split, grouped_split
    from helpers.harmonize import recipes as R

    train, test = course_split(stepwise_chorales)
    assert len(test) and len(train)
    assert [c.name for c in R.tunes_of(R.Network(), stepwise_chorales)] == [c.name for c in train]
    validation = grouped_split(train, H.VALIDATION_FRACTION, seed=H.VALIDATION_SEED)[1]
    fit = R.tunes_of(R.Network(tunes="fit"), stepwise_chorales)
    assert {c.name for c in fit} == {c.name for c in train} - {c.name for c in validation}


@pytest.mark.parametrize("seed", range(3))
def test_joint_decoding_finds_the_best_chord_path_of_every_path_under_the_pair_and_line_rules(seed):
    """Every path of chords over four steps, scored by hand (log-probabilities, crossings, parallel, contrary and
    hidden fifths and octaves between every pair of parts, the melodic model and the tenor's step credit): the
    search's path scores the best of them."""
    from itertools import combinations, product

    from helpers.harmonize.lines import melodic_model
    from helpers.voiceleading import LEAP, antiparallel_motion, crossed, hidden_motion, parallel_motion

    rng = np.random.default_rng(seed)
    voices, lows, n, k = ("Alto", "Tenor", "Bass"), {"Alto": 62, "Tenor": 55, "Bass": 45}, 4, 2
    probs = {v: rng.dirichlet(np.ones(10) * 0.3, n) for v in voices}
    melody = np.array([72, 74, 71, 72])
    rules = H.VoiceLeading(parallel=2.0, crossing=1.0, candidates=k, hold="step", contrary=1.5, hidden=1.0,
                           melodic=0.5, bass_melodic=0.7, middle_steps=0.8)
    out = H.decode_jointly(probs, {v: np.ones(n) for v in voices}, lows, melody, rules, steps_per_beat=1)
    logp = {v: np.log(probs[v] + 1e-12) for v in voices}
    top = {v: np.argsort(-logp[v], axis=1, kind="stable")[:, :k] for v in voices}  # candidate classes per step

    def pitch(v, cls):
        return REST if cls == 0 else lows[v] + cls - 1

    def score(path):  # path: per step, the candidate index of each voice
        chords = [[int(melody[t])] + [pitch(v, top[v][t, c]) for v, c in zip(voices, path[t])] for t in range(n)]
        total = sum(logp[v][t, top[v][t, c]] for t in range(n) for v, c in zip(voices, path[t]))
        total -= rules.crossing * sum(int(crossed(ch[i], ch[i + 1])) for ch in chords for i in range(3))
        for t in range(1, n):
            a, b = chords[t - 1], chords[t]
            for i, j in combinations(range(4), 2):
                total -= rules.parallel * int(parallel_motion(a[i], a[j], b[i], b[j]))
                total -= rules.contrary * int(antiparallel_motion(a[i], a[j], b[i], b[j]))
                if (i, j) == (0, 3):
                    total -= rules.hidden * int(hidden_motion(a[i], a[j], b[i], b[j]))
            for i, v in enumerate(voices, start=1):
                weight = rules.melodic + (rules.bass_melodic if v == "Bass" else 0.0)
                total += weight * float(melodic_model().log_probability(v, np.array(a[i]), np.array(b[i])))
            step = abs(b[2] - a[2])
            total += rules.middle_steps * (REST not in (a[2], b[2]) and 0 < step < LEAP)
        return total, chords

    scored = [score(path) for path in product(product(range(k), repeat=3), repeat=n)]
    best, _ = max(scored, key=lambda s: s[0])
    found = [[int(melody[t])] + [int(out[v][0][t]) for v in voices] for t in range(n)]
    assert np.isclose(next(s for s, chords in scored if chords == found), best)
