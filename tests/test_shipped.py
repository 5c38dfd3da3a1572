"""The networks shipped with the course are the ones the recipes ask for, trained by today's code.

When ``test_the_shipped_networks_are_current`` fails, run ``make models`` (it retrains them, about a quarter of an
hour on two cores) and commit ``helpers/harmonize/networks``; then ``make test-models`` checks their figures.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from helpers.harmonize import recipes as R
from helpers.harmonize import shipped as S


def test_the_shipped_networks_are_current():
    problems = S.manifest_problems(R.shipped_networks())
    assert not problems, "run `make models` and commit helpers/harmonize/networks:\n" + "\n".join(problems)


def test_a_changed_recipe_makes_the_shipped_networks_stale(monkeypatch):
    changed = replace(R.ALTO_RECIPES["transpositions"], network=replace(R.ALTO_RECIPES["transpositions"].network,
                                                                         epochs=3))
    monkeypatch.setitem(R.ALTO_RECIPES, "transpositions", changed)
    problems = S.manifest_problems(R.shipped_networks())
    assert any("not shipped" in p and "'epochs': 3" in p for p in problems)
    assert any("no longer needed" in p and "'epochs': 2" in p for p in problems)


def test_changed_training_code_makes_the_shipped_networks_stale(monkeypatch):
    real = S.training_code
    monkeypatch.setattr(S, "training_code", lambda: real() + [("a new line of training code", "x = 1")])
    assert any("trained by other code" in p for p in S.manifest_problems(R.shipped_networks()))


def test_a_replaced_weights_file_is_caught(tmp_path):
    folder = tmp_path / "networks"
    shutil.copytree(S.SHIPPED_DIR, folder)
    victim = folder / S.read_manifest(folder)["networks"][0]["file"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte of the weights changed
    victim.write_bytes(bytes(data))
    (folder / S.KEY_CLASSIFIER_FILE).unlink()
    problems = S.manifest_problems(R.shipped_networks(), folder)
    assert any("is not the file the manifest describes" in p for p in problems)
    assert any(f"missing file {S.KEY_CLASSIFIER_FILE}" in p for p in problems)


def test_the_code_hash_ignores_docstrings_and_comments_but_not_code():
    plain = "def f(x):\n    return x + 1\n"
    documented = 'def f(x):\n    """Add one."""\n    # the next line adds one\n    return x + 1\n'
    changed = "def f(x):\n    return x + 2\n"
    assert S._without_docstrings(plain) == S._without_docstrings(documented)
    assert S._without_docstrings(plain) != S._without_docstrings(changed)


def test_the_notebooks_networks_load_from_the_shipped_files_without_training(tmp_path, monkeypatch, chorales):
    monkeypatch.setenv("COURSE_MODELS_DIR", str(tmp_path))  # nothing trained on this machine

    def no_training(*args, **kwargs):
        raise AssertionError("a shipped network was trained again")

    monkeypatch.setattr(R, "train_network", no_training)
    harmonizer, seconds = R.load_recipe(R.BEST[("Alto", "Tenor", "Bass")])
    assert len(harmonizer.models) == 3 and seconds > 0
    entry = S.shipped_entry(R.BEST[("Alto", "Tenor", "Bass")].network, 0)
    assert json.loads(harmonizer.encoding.to_json()) == entry["encoding"]
    out = harmonizer.predict_chorale(chorales[0])
    for v in ("Alto", "Tenor", "Bass"):
        pitch, onset = out[v]
        assert len(pitch) == chorales[0].n_steps() and onset.dtype == bool
        sounding = pitch[pitch != -1]
        low, high = harmonizer.encoding.ranges[v]
        assert len(sounding) and sounding.min() >= low - 12 and sounding.max() < high + 12


def test_a_network_trained_here_takes_precedence_over_the_shipped_one(tmp_path, monkeypatch, chorales):
    from helpers import harmonize as H

    monkeypatch.setenv("COURSE_MODELS_DIR", str(tmp_path))
    network, seed = R.shipped_networks()[0]
    enc = H.fit_encoding(chorales)
    untrained = H.Harmonizer(H.build_model(enc, units=2), enc)
    calls = []

    def fake_train(net, s, chorales=None, return_history=False, verbose=0):
        calls.append((net, s))
        return untrained, 2.5, {"loss": [3.0, 2.0], "Alto_pitch_accuracy": [0.1, 0.2]}

    monkeypatch.setattr(R, "train_network", fake_train)
    _, seconds, trained = R.ensure_network(network, seed)
    assert not trained and seconds == S.shipped_entry(network, seed)["seconds"] and not calls
    assert R.training_figures(network, seed) == S.shipped_entry(network, seed)["figures"]
    _, seconds, trained = R.ensure_network(network, seed, shipped=False)  # train-harmonizer: train here
    assert trained and seconds == 2.5 and calls == [(network, seed)]
    _, seconds, trained = R.ensure_network(network, seed)  # now the one trained here is used
    assert not trained and seconds == 2.5 and len(calls) == 1
    assert R.training_figures(network, seed) == {"Alto_pitch_accuracy": 0.2, "loss": 2.0}


def test_the_shipped_key_classifier_names_the_key_of_a_scale(tmp_path, monkeypatch):
    from helpers import keyfinding as kf
    from tests.conftest import make_voice

    monkeypatch.setenv("COURSE_MODELS_DIR", str(tmp_path))  # none trained here: the shipped one
    classifier = kf.key_classifier(train=False)
    d_major = [62, 64, 66, 67, 69, 71, 73, 74, 69, 66, 62, 69, 74, 73, 74]
    voice = make_voice("Soprano", d_major, np.ones(len(d_major)))
    assert kf.detect_key(classifier, [voice]) == (2, "major")
    with pytest.raises(FileNotFoundError):
        kf.key_classifier(tmp_path / "elsewhere.keras", train=False)  # an explicit path is never swapped


def test_every_shipped_file_is_in_the_package_data():
    import sys
    from fnmatch import fnmatch
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
    config = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["helpers.harmonize"]
    files = [p.relative_to(S.SHIPPED_DIR.parent).as_posix() for p in S.SHIPPED_DIR.iterdir()]
    assert len(files) == len(S.read_manifest()["networks"]) + 2  # the networks, the key classifier, the manifest
    assert all(any(fnmatch(f, pattern) for pattern in patterns) for f in files), files


def test_train_harmonizer_trains_every_shipped_network_here_and_ship_rewrites_the_shipped_folder(
        tmp_path, monkeypatch, capsys):
    from helpers.cli import main

    monkeypatch.setenv("COURSE_MODELS_DIR", str(tmp_path / "models"))
    asked = []
    monkeypatch.setattr(R, "ensure_network",
                        lambda network, seed, shipped=True: asked.append((network, seed, shipped)) or (None, 1.0, True))
    assert main(["train-harmonizer"]) == 0
    assert asked == [(n, s, False) for n, s in R.shipped_networks()]  # make test-models: none taken from the package
    shipped = []
    monkeypatch.setattr(S, "ship", lambda needed, progress: shipped.append(list(needed)))
    assert main(["train-harmonizer", "--ship"]) == 0
    assert shipped == [R.shipped_networks()] and str(S.SHIPPED_DIR) in capsys.readouterr().out
