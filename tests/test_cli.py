"""``python -m helpers``: exactly the course commands, and for each one the exit status and the one-line error it
promises on bad input (through a real subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.cli import build_parser, main


def test_the_commands_are_exactly_the_course_commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"data", "key", "train-key", "train-harmonizer", "harmonize"}


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# ------------------------------------------------------------------ every command through a real subprocess

ROOT = Path(__file__).resolve().parent.parent


def run_command(*args: str, data: Path) -> subprocess.CompletedProcess:
    """``python -m helpers ARGS`` in a fresh interpreter, with its data folder in ``data``."""
    env = {**os.environ, "COURSE_DATA_DIR": str(data), "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 1, nothing on stdout, one ``error:`` line per expected word group on stderr, no traceback."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    text = folder / "notes.mid"
    text.write_text("C D E F G")  # not MIDI bytes under a MIDI name
    empty_folder = folder / "empty"
    empty_folder.mkdir()
    return {"missing": folder / "missing.mid", "text": text, "empty_folder": empty_folder,
            "no_folder": folder / "nonexistent"}


def test_train_key_on_a_missing_folder_is_one_line_and_exit_1(bad_inputs, tmp_path):
    result = run_command("train-key", "--midi-folder", str(bad_inputs["no_folder"]), data=tmp_path)
    assert_one_line_error(result, str(bad_inputs["no_folder"]), "no such folder")


def test_train_key_on_a_folder_without_midi_files_is_one_line_and_exit_1(bad_inputs, tmp_path):
    result = run_command("train-key", "--midi-folder", str(bad_inputs["empty_folder"]), data=tmp_path)
    assert_one_line_error(result, str(bad_inputs["empty_folder"]), "no .mid or .midi files")


def test_key_with_a_missing_model_file_names_it_and_the_command_that_makes_one(bad_inputs, tmp_path):
    result = run_command("key", "--model", str(tmp_path / "gone.keras"), str(bad_inputs["missing"]), data=tmp_path)
    assert_one_line_error(result, str(tmp_path / "gone.keras"), "python -m helpers train-key")


def test_key_reports_each_unusable_file_on_its_own_line(bad_inputs, tmp_path):
    from helpers import keyfinding as kf

    X, keys = np.eye(24, dtype="float32"), np.arange(24)
    classifier = kf.key_model(X)
    kf.fit(classifier, X, keys, steps=1)  # a classifier as train-key saves one (with its optimizer's state)
    model = kf.save_key_classifier(classifier, tmp_path / "models" / kf.MODEL_FILE)
    result = run_command("key", "--model", str(model), str(bad_inputs["missing"]), str(bad_inputs["text"]),
                         data=tmp_path)
    assert_one_line_error(result, f"{bad_inputs['missing']}: no such file", f"{bad_inputs['text']}: not a MIDI file")
    assert len(result.stderr.strip().splitlines()) == 2 and result.stdout == ""


def test_key_reads_every_file_before_it_loads_keras(bad_inputs, tmp_path):
    """A run in which no file can be read reports them all and stops without loading Keras (seconds, not ten)."""
    files = [str(bad_inputs["missing"]), str(bad_inputs["text"])]
    code = ("import sys; from helpers.cli import main; "
            f"status = main(['key', *{files!r}]); print(status, 'keras' in sys.modules, 'tensorflow' in sys.modules)")
    env = {**os.environ, "COURSE_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.stdout.split() == ["1", "False", "False"], result.stderr
    assert len(result.stderr.strip().splitlines()) == 2


@pytest.mark.parametrize("kind, reason", [("missing", "no such file"), ("text", "not a MIDI file")])
def test_harmonize_rejects_an_unusable_melody_before_any_training(bad_inputs, tmp_path, kind, reason):
    result = run_command("harmonize", str(bad_inputs[kind]), "--voices", "satb", data=tmp_path)
    assert_one_line_error(result, str(bad_inputs[kind]), reason)
    assert not (tmp_path / "models").exists()  # it did not train a model first


@pytest.mark.parametrize("args", [("harmonize", "x.mid", "--voices", "soprano"), ("data", "--no-such-option"),
                                  ("no-such-command",), ("key",)])
def test_usage_errors_exit_2_with_argparse_usage(args, tmp_path):
    result = run_command(*args, data=tmp_path)
    assert result.returncode == 2 and "usage: python -m helpers" in result.stderr and "Traceback" not in result.stderr


def test_key_names_with_flats_do_not_crash_a_console_that_cannot_write_them(tmp_path):
    """On an ASCII console (``PYTHONIOENCODING=ascii``) the ♭ of a file or key name is written ``b``, not a crash."""
    from helpers import keyfinding as kf
    from helpers.midi import write_midi
    from helpers.theory import parse_key_name
    from tests.conftest import make_voice

    X, keys = np.eye(24, dtype="float32"), np.arange(24)
    classifier = kf.key_model(X)
    kf.fit(classifier, X, keys, steps=1)
    model = kf.save_key_classifier(classifier, tmp_path / "models" / kf.MODEL_FILE)
    tune = write_midi([make_voice("Soprano", [70, 72, 74, 75, 77], [1] * 5)], tmp_path / "E♭ tune.mid")
    env = {**os.environ, "COURSE_DATA_DIR": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONIOENCODING": "ascii"}
    result = subprocess.run([sys.executable, "-m", "helpers", "key", "--model", str(model), str(tune)], cwd=ROOT,
                            env=env, capture_output=True, timeout=300)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    name, key = result.stdout.decode("ascii").rstrip("\n").split("\t")
    assert name == str(tune).replace("♭", "b")
    parse_key_name(key)  # a key name, written with b and # where it has a flat or a sharp


# --------------------------------------------- harmonize: every input and output format, alternatives, errors

ABC_TUNE = """X:1
T:A tune with a pickup and fermatas
M:3/4
L:1/8
K:G
D2|G2 B2 d2|B2 G2 D2|E2 c2 e2|!fermata!d4 B2|c2 A2 F2|G2 B2 d2|c2 A2 F2|HG4|]
"""


@pytest.fixture(scope="module")
def melody_files(tmp_path_factory) -> dict[str, Path]:
    """One tune as ABC, MusicXML (from the ABC, fermatas kept) and MIDI."""
    from helpers.abc import parse_abc

    folder = tmp_path_factory.mktemp("melodies")
    abc = folder / "tune.abc"
    abc.write_text(ABC_TUNE)
    xml = folder / "tune.musicxml"
    parse_abc(ABC_TUNE).write("musicxml", fp=str(xml))
    mid = folder / "tune.mid"
    parse_abc(ABC_TUNE).write("midi", fp=str(mid))
    return {"abc": abc, "musicxml": xml, "midi": mid}


def run_in_process(*args: str, data: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    """``main(ARGS)`` in this process (the models load without starting a new TensorFlow): (status, out, err)."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(data))
    capsys.readouterr()
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def printed_key(stdout: str) -> str:
    line = next(x for x in stdout.splitlines() if x.startswith("key: "))
    return line[5:].split(" (")[0]


@pytest.mark.parametrize("source, suffix", [("abc", ".musicxml"), ("musicxml", ".mid"), ("midi", ".xml")])
def test_harmonize_reads_abc_musicxml_and_midi_and_writes_midi_or_musicxml(melody_files, models_dir, tmp_path,
                                                                          monkeypatch, capsys, source, suffix):
    import pretty_midi

    from helpers.midi import midi_to_voices
    from helpers.readers import parse_score, part_to_voice

    out = tmp_path / f"setting{suffix}"
    status, stdout, stderr = run_in_process("harmonize", str(melody_files[source]), "-o", str(out), "--voices", "satb",
                                            data=models_dir, monkeypatch=monkeypatch, capsys=capsys)
    assert status == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("key: ") and "key classifier of notebook 08" in lines[0] and "%" in lines[0]
    fermatas = "phrase endings at beats 12, 24 (from the fermatas)"
    if source != "midi":
        assert lines[1] == fermatas
    else:  # no fermatas in MIDI: the phrase-ending model finds them, in the key just found
        assert lines[1].startswith("phrase endings at beats ") and lines[1].endswith(
            f"(guessed in {printed_key(stdout)}: no fermatas, so found by the phrase-ending model learned from "
            "Bach's fermatas and the Essen folk songs' phrases)")
    assert lines[2].startswith(f"wrote {out} (Soprano + Alto + Tenor + Bass; log-probability -")
    if suffix == ".mid":
        voices = midi_to_voices(pretty_midi.PrettyMIDI(str(out)))
    else:
        score = parse_score(out)
        voices = [part_to_voice(p, p.partName) for p in score.parts]
    assert [v.name for v in voices] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert voices[0].pitches.tolist() == [62, 67, 71, 74, 71, 67, 62, 64, 72, 76, 74, 71, 72, 69, 66, 67, 71, 74,
                                          72, 69, 66, 67]


@pytest.mark.parametrize("source", ["abc", "musicxml", "midi"])
def test_key_names_the_key_harmonize_uses_for_the_same_melody_file(melody_files, models_dir, tmp_path, monkeypatch,
                                                                   capsys, source):
    path = melody_files[source]
    status, key_out, stderr = run_in_process("key", str(path), data=models_dir, monkeypatch=monkeypatch,
                                             capsys=capsys)
    assert status == 0, stderr
    status, harmonize_out, stderr = run_in_process("harmonize", str(path), "-o", str(tmp_path / "s.mid"),
                                                   data=models_dir, monkeypatch=monkeypatch, capsys=capsys)
    assert status == 0, stderr
    assert key_out == f"{path}\t{printed_key(harmonize_out)}\n"


def test_key_reads_abc_from_its_notes_not_its_key_signature(models_dir, tmp_path, monkeypatch, capsys):
    path = tmp_path / "lying.abc"  # G major notes under a B-flat signature, every F sharpened by hand
    path.write_text("X:1\nM:3/4\nL:1/8\nK:Bb\nD2|G2 =B2 d2|=B2 G2 D2|=E2 c2 =e2|d4 =B2|c2 A2 ^F2|G2 =B2 d2|"
                    "c2 A2 ^F2|G4|]\n")
    status, out, stderr = run_in_process("key", str(path), data=models_dir, monkeypatch=monkeypatch, capsys=capsys)
    assert (status, out, stderr) == (0, f"{path}\tG major\n", "")


def test_key_refuses_abc_junk_with_its_line_and_column_and_goes_on(models_dir, tmp_path, monkeypatch, capsys,
                                                                   melody_files):
    junk = tmp_path / "junk.abc"
    junk.write_text("X:1\nM:4/4\nL:1/4\nK:C\nC D E F|G A @@ B c|]\n")
    status, out, stderr = run_in_process("key", str(junk), str(melody_files["abc"]), data=models_dir,
                                         monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1 and out.startswith(f"{melody_files['abc']}\t")
    assert stderr.startswith(f"error: {junk}") and "line 5" in stderr and "column" in stderr


def test_harmonize_with_samples_writes_n_different_alternatives(melody_files, models_dir, tmp_path, monkeypatch,
                                                                capsys):
    out = tmp_path / "alt.mid"
    status, stdout, stderr = run_in_process("harmonize", str(melody_files["abc"]), "-o", str(out), "--voices", "satb",
                                            "--samples", "3", "--temperature", "2", data=models_dir,
                                            monkeypatch=monkeypatch, capsys=capsys)
    assert status == 0, stderr
    written = [tmp_path / f"alt-{i}.mid" for i in (1, 2, 3)]
    assert sorted(tmp_path.iterdir()) == written  # the alternatives only
    assert [line.split(" (")[0] for line in stdout.splitlines()[2:]] == [f"wrote {p}" for p in written]
    contents = {p.read_bytes() for p in written}
    assert len(contents) == 3


def test_harmonize_with_key_uses_it_and_the_key_signature_is_never_read(melody_files, models_dir, tmp_path,
                                                                        monkeypatch, capsys):
    import pretty_midi

    def run(*args):
        status, stdout, stderr = run_in_process("harmonize", *args, data=models_dir, monkeypatch=monkeypatch,
                                                capsys=capsys)
        assert status == 0, stderr
        return stdout

    given = run(str(melody_files["midi"]), "-o", str(tmp_path / "g.mid"), "--key", "G minor")
    assert given.splitlines()[0] == "key: G minor (given with --key)"
    assert pretty_midi.PrettyMIDI(str(tmp_path / "g.mid")).key_signature_changes[0].key_number == 19  # G minor
    pm = pretty_midi.PrettyMIDI(str(melody_files["midi"]))
    pm.key_signature_changes = [pretty_midi.KeySignature(pretty_midi.key_name_to_key_number("Eb minor"), 0.0)]
    signed = tmp_path / "signed.mid"
    pm.write(str(signed))
    plain = run(str(melody_files["midi"]), "-o", str(tmp_path / "a.mid"))
    wrong = run(str(signed), "-o", str(tmp_path / "b.mid"))
    assert printed_key(plain) == printed_key(wrong) != "E♭ minor"  # the notes decide, not the signature


@pytest.mark.parametrize("args, message", [
    (("--key", "H dorian"), "not a key name"),
    (("-o", "out.pdf"), "cannot write '.pdf'"),
    (("--samples", "0"), "must be 1 or more"),
    (("--temperature", "-1"), "must be 0 or more"),
])
def test_harmonize_bad_options_are_usage_errors_and_write_nothing(melody_files, tmp_path, args, message):
    result = run_command("harmonize", str(melody_files["abc"]), *args, data=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "models").exists() and not list(melody_files["abc"].parent.glob("*-harmonized*"))


@pytest.fixture(scope="module")
def bad_melodies(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    from helpers.midi import Voice, write_midi

    folder = tmp_path_factory.mktemp("bad")
    files = {}
    typo = folder / "typo.abc"
    typo.write_text("X:1\nL:1/8\nK:C\ncdef gQ2 a2|\n")
    files["ABC typo"] = (typo, "typo in the ABC at line 4, column 7: 'Q2' is not a note")
    chords = folder / "chords.abc"
    chords.write_text("X:1\nL:1/4\nK:C\nc [ceg] d e|\n")
    files["ABC chords"] = (chords, "chords instead of a melody (a chord at beat 1)")
    rests = folder / "rests.abc"
    rests.write_text("X:1\nL:1/4\nK:C\nz4|z4|\n")
    files["no notes"] = (rests, "no notes in the melody")
    garbage = folder / "broken.musicxml"
    garbage.write_text("<score-partwise><part id='P1'><measure")
    files["unreadable MusicXML"] = (garbage, "music21 could not parse it")
    piano = folder / "piano.mid"
    write_midi([Voice("Piano", np.array([60, 64, 67, 62]), np.array([0.0, 0, 0, 1]), np.array([1.0, 1, 1, 2]))],
               piano)
    files["MIDI chords"] = (piano, "chords instead of a melody: 2 notes start together")
    text = folder / "tune.txt"
    text.write_text("c d e f g")
    files["unknown format"] = (text, "'.txt' is not a music file the course reads")
    return files


@pytest.mark.parametrize("case", ["ABC typo", "ABC chords", "no notes", "unreadable MusicXML", "MIDI chords",
                                  "unknown format"])
def test_harmonize_rejects_a_bad_melody_in_one_line_and_writes_nothing(bad_melodies, tmp_path, case):
    path, reason = bad_melodies[case]
    out = tmp_path / "out.musicxml"
    result = run_command("harmonize", str(path), "-o", str(out), data=tmp_path)
    assert_one_line_error(result, f"{path}: {reason}")
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert not out.exists() and not (tmp_path / "models").exists()  # nothing written, nothing trained


# ------------------------------------------ issue 22: every refused invocation writes nothing, exits non-zero

def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: equal before and after a refused run means nothing was written,
    overwritten or trained."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def tune(tmp_path) -> Path:
    """A short melody in its own folder (``tmp_path/work``), beside a folder named like an output file."""
    from helpers.midi import write_midi
    from tests.conftest import make_voice

    work = tmp_path / "work"
    (work / "folder.mid").mkdir(parents=True)
    return write_midi([make_voice("Melody", [67, 69, 71, 72, 74, 72, 71, 69, 67], [1] * 9)], work / "tune.mid")


def test_harmonize_refuses_junk_in_an_abc_file_naming_its_line_and_column(tmp_path):
    tune = tmp_path / "junk.abc"
    tune.write_text("X:1\nL:1/8\nM:4/4\nK:G\nGABc d2 B2|c2 A2 (G4|]\n")
    result = run_command("harmonize", str(tune), "-o", str(tmp_path / "out.mid"), data=tmp_path)
    assert_one_line_error(result, f"{tune}: junk in the ABC at line 5, column 18: a slur '(' never closed")
    assert not (tmp_path / "out.mid").exists()


def assert_refused(result: subprocess.CompletedProcess, status: int, message: str, before: dict, folder: Path):
    """Exit ``status``, ``message`` on stderr in one ``error:`` line (or argparse's usage and one error line), no
    traceback, nothing on stdout, and no file under ``folder`` written or changed."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == "", result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr
    if status == 1:
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    else:
        assert result.stderr.startswith("usage: python -m helpers")
    assert snapshot(folder) == before


@pytest.mark.parametrize("spelling", ["same", "dot-dot", "symbolic link", "numbered alternative"])
def test_harmonize_refuses_to_overwrite_the_melody_however_the_output_is_spelt(tune, models_dir, spelling):
    work = tune.parent
    args = {"same": ["-o", str(tune)],
            "dot-dot": ["-o", str(work / ".." / "work" / "." / "tune.mid")],
            "symbolic link": ["-o", str(work / "link.mid")],
            "numbered alternative": ["-o", str(work / "tun.mid"), "--samples", "2"]}[spelling]
    if spelling == "symbolic link":
        (work / "link.mid").symlink_to(tune)
    melody = tune
    if spelling == "numbered alternative":  # the alternatives tun-1.mid, tun-2.mid: the second is the melody
        melody = tune.rename(work / "tun-2.mid")
    before = snapshot(work)
    result = run_command("harmonize", str(melody), *args, data=models_dir)
    assert_refused(result, 1, "writing there would overwrite it", before, work)


def test_harmonize_refuses_a_folder_as_output(tune, tmp_path):
    before = snapshot(tmp_path)
    result = run_command("harmonize", str(tune), "-o", str(tune.parent / "folder.mid"), data=tmp_path)
    assert_refused(result, 1, f"{tune.parent / 'folder.mid'}: is a folder", before, tmp_path)


@pytest.mark.parametrize("voices", ["alto,tenor", "tenor", "bass,alto", "soprano,alto"])
def test_harmonize_refuses_voice_sets_without_a_harmonizer_naming_the_sets_that_work(tune, tmp_path, voices):
    before = snapshot(tmp_path)
    result = run_command("harmonize", str(tune), "--voices", voices, data=tmp_path)
    assert_refused(result, 2, f"no harmonizer generates the voices '{voices}': use alto", before, tmp_path)
    assert "or satb (alto, tenor and bass)" in result.stderr


@pytest.mark.parametrize("text, voices", [("alto", ("Alto",)), ("SATB", ("Alto", "Tenor", "Bass")),
                                          ("bass,alto,tenor", ("Alto", "Tenor", "Bass"))])
def test_voice_sets_with_a_harmonizer_are_accepted_in_any_spelling(text, voices):
    from helpers.cli_options import VOICE_SETS, parse_voices

    assert parse_voices(text) == voices and voices in VOICE_SETS.values()


@pytest.mark.parametrize("args, message", [
    (("--samples", "2", "--temperature", "inf"), "must be 0 or more (a finite number), not inf"),
    (("--temperature", "nan"), "must be 0 or more (a finite number), not nan"),
    (("--samples", "2", "--temperature", "0"), "--samples N draws samples, so it must be above 0"),
    (("--samples", "-2"), "must be 1 or more, not -2"),
    (("--samples", "two"), "must be a whole number, not 'two'"),
    (("-o", "setting.pdf"), "cannot write '.pdf'"),
])
def test_harmonize_refuses_bad_sampling_and_output_options_before_anything(tune, tmp_path, args, message):
    before = snapshot(tmp_path)
    result = run_command("harmonize", str(tune), *args, data=tmp_path)
    assert_refused(result, 2, message, before, tmp_path)


def test_harmonize_refuses_a_missing_melody_and_writes_nothing(tmp_path):
    before = snapshot(tmp_path)
    result = run_command("harmonize", str(tmp_path / "missing.mid"), "-o", str(tmp_path / "out.mid"), data=tmp_path)
    assert_refused(result, 1, f"{tmp_path / 'missing.mid'}: no such file", before, tmp_path)


@pytest.mark.parametrize("key", [None, "C major"])
def test_a_melody_outside_the_soprano_range_is_refused_before_any_model_is_loaded(tmp_path, models_dir, key):
    """No key line on stdout: the key classifier was not loaded (and the harmonizer not either)."""
    from helpers.midi import write_midi
    from tests.conftest import make_voice

    wide = write_midi([make_voice("Melody", [36, 96, 60], [1, 1, 2])], tmp_path / "wide.mid")
    before = snapshot(tmp_path)
    result = run_command("harmonize", str(wide), "-o", str(tmp_path / "out.mid"), *(["--key", key] if key else []),
                         data=models_dir)
    assert_refused(result, 1, f"{wide}: the melody spans 60 semitones (MIDI 36–96)", before, tmp_path)


def test_key_with_a_model_file_keras_cannot_load_names_the_file(tune, tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_text("not a model")
    before = snapshot(tmp_path)
    result = run_command("key", str(tune), "--model", str(bad), data=tmp_path)
    assert_refused(result, 1, f"{bad}: not a saved Keras model", before, tmp_path)


def test_key_with_a_keras_model_that_is_not_a_key_classifier_names_the_file(tune, tmp_path, models_dir):
    harmonizer = models_dir / "models" / "harmonizer-alto.keras"
    before = snapshot(tmp_path)
    result = run_command("key", str(tune), "--model", str(harmonizer), data=tmp_path)
    assert_refused(result, 1, f"{harmonizer}: not a key classifier", before, tmp_path)


@pytest.mark.parametrize("args, status, message", [
    (("--steps", "0"), 2, "argument --steps: must be 1 or more, not 0"),
    (("--steps", "-5"), 2, "argument --steps: must be 1 or more, not -5"),
    (("--output", "classifier.txt"), 1, "classifier.txt: a key classifier is saved as a .keras file"),
    (("--output", "folder.keras"), 1, "folder.keras: is a folder"),
])
def test_train_key_refuses_bad_steps_and_outputs_before_training(tmp_path, args, status, message):
    (tmp_path / "folder.keras").mkdir()
    args = tuple(str(tmp_path / a) if a.endswith((".txt", ".keras")) else a for a in args)
    before = snapshot(tmp_path)
    result = run_command("train-key", *args, data=tmp_path)
    assert_refused(result, status, message, before, tmp_path)
