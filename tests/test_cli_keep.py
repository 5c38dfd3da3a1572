"""``harmonize --keep``, ``--from SETTING --bars N-M`` and ``--transpose N`` (issue 24): kept notes come out exactly
in MIDI and MusicXML, re-harmonized bars change nothing outside themselves, and every usage error is one line,
the promised exit status and nothing written, before any model is loaded (through a real subprocess)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import harmonize as H
from helpers.harmonize import keep as K
from helpers.midi import Voice, write_midi
from helpers.score import voices_to_score
from tests.test_cli import ABC_TUNE, assert_refused, run_command, run_in_process, snapshot

#: A bass for ABC_TUNE (3/4, a one-beat pickup, 24 beats): the pickup, then one note a bar.
BASS = Voice("Bass", [50, 43, 43, 48, 50, 45, 43, 50, 43], [0, 1, 4, 7, 10, 13, 16, 19, 22],
             [1, 4, 7, 10, 13, 16, 19, 22, 24])


def notes(v: Voice) -> list[tuple[int, float, float]]:
    return [(int(p), round(float(s), 4), round(float(e), 4)) for p, s, e in zip(v.pitches, v.starts, v.ends)]


def two_part_files(folder: Path, bass: Voice, name: str = "tune") -> dict[str, Path]:
    """The tune and ``bass`` as a two-part MusicXML file and a two-track MIDI file."""
    melody = H.melody_from_text(ABC_TUNE, "abc", key="G major")
    voices = [melody.voice.renamed("Soprano"), bass]
    xml = folder / f"{name}-and-bass.musicxml"
    voices_to_score(voices, melody.time_signature, (7, "major"), melody.anacrusis).write("musicxml", fp=str(xml))
    mid = write_midi(voices, folder / f"{name}-and-bass.mid", time_signature=melody.time_signature)
    return {"musicxml": xml, "midi": mid}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keep")
    files = two_part_files(folder, BASS)
    files["above"] = two_part_files(folder, BASS.transpose(36), "high")["musicxml"]  # the bass over the melody
    files["melody"] = folder / "tune.abc"
    files["melody"].write_text(ABC_TUNE)
    return files


@pytest.fixture(scope="module")
def setting_file(inputs, models_dir, tmp_path_factory) -> Path:
    """A four-part setting of the tune written by the command (tiny models), as MIDI."""
    from helpers.cli import main

    out = tmp_path_factory.mktemp("setting") / "setting.mid"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_DATA_DIR", str(models_dir))
        assert main(["harmonize", str(inputs["melody"]), "--voices", "satb", "--key", "G major", "-o", str(out)]) == 0
    return out


def read_back(path: Path) -> list[Voice]:
    melody, parts = K.read_parts(path, key="G major")
    return [melody.voice] + parts


@pytest.mark.parametrize("source", ["musicxml", "midi"])
@pytest.mark.parametrize("suffix", [".mid", ".musicxml"])
def test_keep_bass_writes_the_given_bass_exactly_in_every_format(inputs, models_dir, tmp_path, monkeypatch, capsys,
                                                                 source, suffix):
    out = tmp_path / f"out{suffix}"
    status, stdout, stderr = run_in_process("harmonize", str(inputs[source]), "--keep", "bass", "--key", "G major",
                                            "-o", str(out), data=models_dir, monkeypatch=monkeypatch, capsys=capsys)
    assert status == 0, stderr
    assert "Soprano + Alto + Tenor + Bass" in stdout and "kept Bass" in stdout
    voices = read_back(out)
    assert [v.name for v in voices[1:]] == ["Alto", "Tenor", "Bass"]
    assert notes(voices[3]) == notes(BASS)
    assert notes(voices[0]) == notes(H.melody_from_text(ABC_TUNE, "abc", key="G major").voice)
    assert H.order_violations(voices)["above_melody"] == 0


@pytest.mark.parametrize("suffix", [".mid", ".musicxml"])
def test_from_a_setting_with_bars_rewrites_those_bars_and_keeps_every_other_note(setting_file, models_dir, tmp_path,
                                                                                monkeypatch, capsys, suffix):
    out = tmp_path / f"again{suffix}"
    status, stdout, stderr = run_in_process("harmonize", "--from", str(setting_file), "--bars", "3-4", "--key",
                                            "G major", "--temperature", "3", "-o", str(out), data=models_dir,
                                            monkeypatch=monkeypatch, capsys=capsys)
    assert status == 0, stderr
    before, after = read_back(setting_file), read_back(out)
    melody, _ = K.read_parts(setting_file, key="G major")
    start, end = K.bar_span(melody, 3, 4)
    assert (start, end) == (6.0, 12.0)  # a MIDI file marks no pickup: its bars count from the first note
    a, b = H.Setting(before, 0.0), H.Setting(after, 0.0)
    assert K.unchanged_outside(a, b, start, end)
    assert any(notes(x) != notes(y) for x, y in zip(before[1:], after[1:]))  # the bars were written again


def test_transpose_moves_every_note_and_the_key(setting_file, tmp_path, models_dir, monkeypatch, capsys):
    out = tmp_path / "up.mid"
    status, stdout, stderr = run_in_process("harmonize", "--from", str(setting_file), "--transpose", "2", "--key",
                                            "G major", "-o", str(out), data=models_dir, monkeypatch=monkeypatch,
                                            capsys=capsys)
    assert status == 0, stderr
    assert "transposed +2 to A major" in stdout
    before, after = read_back(setting_file), read_back(out)
    assert [notes(v.transpose(2)) for v in before] == [notes(v) for v in after]


def test_from_the_default_output_sits_beside_the_setting(setting_file, models_dir, monkeypatch, capsys):
    status, _, stderr = run_in_process("harmonize", "--from", str(setting_file), "--transpose", "-1", "--key",
                                       "G major", data=models_dir, monkeypatch=monkeypatch, capsys=capsys)
    assert status == 0, stderr
    assert (setting_file.parent / "setting-transposed-1.mid").exists()


# ------------------------------------------------- usage errors: one line, exit status, nothing written or loaded

@pytest.mark.parametrize("args, message", [
    ((), "give one melody file, or --from SETTING"),
    (("{melody}", "--from", "{setting}", "--bars", "1-2"), "give a melody file or --from SETTING, not both"),
    (("{melody}", "--bars", "1-2"), "argument --bars: it re-harmonizes bars of an existing setting"),
    (("--from", "{setting}"), "argument --from: give --bars N-M"),
    (("{melody}", "--keep", "bass", "--voices", "alto"), "keeping voices needs --voices satb"),
    (("{melody}", "--keep", "alto,tenor,bass"), "keeping alto, tenor and bass leaves no voice to write"),
    (("--from", "{setting}", "--bars", "5-2"), "the first bar must be 0 or more and not after the last"),
    (("--from", "{setting}", "--bars", "five"), "give bars as N-M"),
    (("{melody}", "--keep", "soprano"), "the voices to keep are alto, tenor or bass"),
    (("{melody}", "--transpose", "30"), "must lie between -24 and 24 semitones, not 30"),
    (("{melody}", "--transpose", "up"), "must be a whole number of semitones, not 'up'"),
    (("--from", "{setting}", "--transpose", "2", "--samples", "2"), "--from with --transpose alone writes no new"),
])
def test_clashing_keep_options_are_usage_errors(inputs, setting_file, tmp_path, args, message):
    args = [a.format(melody=inputs["melody"], setting=setting_file) for a in args]
    before = snapshot(tmp_path)
    result = run_command("harmonize", *args, data=tmp_path)
    assert_refused(result, 2, message, before, tmp_path)


@pytest.mark.parametrize("case", ["no bass part", "no tenor part", "bass above the melody", "bars outside",
                                  "not a setting", "overwrite"])
def test_unusable_kept_voices_settings_and_bars_are_one_line_before_any_model(inputs, setting_file, tmp_path, case):
    out = str(tmp_path / "out.mid")
    args, message = {
        "no bass part": ((str(inputs["melody"]), "--keep", "bass", "-o", out),
                         "no Bass part to keep under the melody (the other parts: none)"),
        "no tenor part": ((str(inputs["musicxml"]), "--keep", "tenor", "-o", out),
                          "no Tenor part to keep under the melody (the other parts: Bass)"),
        "bass above the melody": ((str(inputs["above"]), "--keep", "bass", "-o", out),
                                  "the kept Bass lies above the melody at bar 0, beat 3"),
        "bars outside": (("--from", str(setting_file), "--bars", "7-9", "-o", out),
                         "bars 7-9 are not in the piece: it has bars 1-8"),
        "not a setting": (("--from", str(inputs["midi"]), "--bars", "1-2", "-o", out),
                          "not a setting the harmonizer writes"),
        "overwrite": (("--from", str(setting_file), "--bars", "1-2", "-o", str(setting_file)),
                      "writing there would overwrite it"),
    }[case]
    watched = setting_file.parent if case == "overwrite" else tmp_path
    before = snapshot(watched)
    result = run_command("harmonize", *args, data=tmp_path)
    source = {"no bass part": inputs["melody"], "no tenor part": inputs["musicxml"],
              "bass above the melody": inputs["above"], "overwrite": setting_file}.get(case, setting_file)
    if case == "not a setting":
        source = inputs["midi"]
    assert_refused(result, 1, message, before, watched)
    assert f"error: {source}" in result.stderr or case == "overwrite"
    assert not (tmp_path / "models").exists()  # no model was made, so none was loaded first


def test_kept_bass_arrays_match_read_parts_order(inputs):
    melody, parts = K.read_parts(inputs["midi"], key="G major")
    assert [p.name for p in parts] == ["Bass"] and notes(parts[0]) == notes(BASS)
    assert np.isclose(melody.voice.end, 24)


def test_samples_of_rewritten_bars_differ_only_inside_them(setting_file, models_dir, tmp_path, monkeypatch, capsys):
    out = tmp_path / "alt.mid"
    status, _, stderr = run_in_process("harmonize", "--from", str(setting_file), "--bars", "2-3", "--key", "G major",
                                       "--samples", "2", "--temperature", "3", "-o", str(out), data=models_dir,
                                       monkeypatch=monkeypatch, capsys=capsys)
    assert status == 0, stderr
    before = H.Setting(read_back(setting_file), 0.0)
    melody, _ = K.read_parts(setting_file, key="G major")
    start, end = K.bar_span(melody, 2, 3)
    samples = [H.Setting(read_back(tmp_path / f"alt-{i}.mid"), 0.0) for i in (1, 2)]
    assert all(K.unchanged_outside(before, s, start, end) for s in samples)
    assert any(notes(a) != notes(b) for a, b in zip(samples[0].voices[1:], samples[1].voices[1:]))
