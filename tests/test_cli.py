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


def test_key_without_a_saved_classifier_names_it_and_the_command_that_makes_one(bad_inputs, tmp_path):
    result = run_command("key", str(bad_inputs["missing"]), data=tmp_path)
    assert_one_line_error(result, str(tmp_path / "models"), "python -m helpers train-key")


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
