"""The trained networks that ship with the course: the weights of every network notebooks 09–11 and the commands
load, and the key classifier, with a manifest (``networks/manifest.json``) that says how each was made.

A learner does not train them: ``python -m helpers train-harmonizer --ship`` (``make models``) does, once per change
of the training code, and the files are committed. The manifest holds, per network, its recipe settings, seed,
encoding, architecture, file hash, training seconds and the figures Keras measured at the end of training; and for
all of them a hash of the training code (:func:`training_code_hash`) and the data version. ``tests/test_shipped.py``
fails when the manifest no longer matches the recipes or the training code, so a stale network cannot pass
silently: the fix is ``make models`` and a commit of the new files.

Only the weights are stored (``.weights.h5``, no optimizer state); :func:`load_shipped` rebuilds each network with
:func:`~helpers.harmonize.network.build_model` and reads its weights.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import numpy as np

from .. import chorales as _chorales
from .. import keyfinding as _keyfinding
from .. import pianoroll as _pianoroll
from .. import tunes as _tunes
from . import encoding as _encoding
from . import network as _network
from . import training as _training
from .encoding import Encoding
from .model import Harmonizer
from .network import build_model

#: Where the shipped files live (inside the package, so a pip install on Colab has them too).
SHIPPED_DIR = Path(__file__).resolve().parent / "networks"
MANIFEST = "manifest.json"
KEY_CLASSIFIER_FILE = "key_classifier.weights.h5"
#: The shipped files may take at most this many bytes together (issue 21's budget).
BUDGET_BYTES = 10 * 1024 * 1024


def _without_docstrings(source: str) -> str:
    """Python source with docstrings and comments dropped and its layout normalised (``ast.unparse``), so that a
    documentation edit does not ask for new networks."""
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def training_code() -> list[tuple[str, str]]:
    """``(name, source without docstrings)`` of the code that decides what a shipped network learns: the encoding,
    the network, the training loop, the step grid, the tune grouping, the split, the recipes' training function and
    the key classifier's features and training.

    Notebook: 09_harmonization
    """
    from . import recipes

    parts: list[ModuleType | Callable] = [
        _encoding, _network, _training, _pianoroll, _tunes, _chorales.grouped_split, _chorales.course_split,
        recipes.train_network, recipes.tunes_of, _keyfinding.features, _keyfinding.key_model, _keyfinding.fit,
        _keyfinding.augment_transpositions, _keyfinding.train_key_classifier, _keyfinding.key_labels]
    named = [(getattr(p, "__qualname__", p.__name__), _without_docstrings(inspect.getsource(p))) for p in parts]
    return named + [("TRANSPOSITIONS", repr(recipes.TRANSPOSITIONS)), ("CACHE_VERSION", repr(_chorales.CACHE_VERSION))]


def training_code_hash() -> str:
    """SHA-256 (hex, first 16 digits) of :func:`training_code`: it changes when the training code or the data version
    changes, not when a comment or docstring does.

    Notebook: 09_harmonization
    """
    digest = hashlib.sha256()
    for name, source in training_code():
        digest.update(f"{name}\n{source}\n".encode())
    return digest.hexdigest()[:16]


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (hex).

    Notebook: 09_harmonization
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(folder: Path = SHIPPED_DIR) -> dict:
    """The manifest of the shipped networks (empty when none are shipped).

    Notebook: 09_harmonization
    """
    path = Path(folder) / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {"networks": []}


def network_settings(network, seed: int) -> dict:
    """The JSON form of a recipe network's settings and seed, as the manifest and the saved recipes store them.

    Notebook: 09_harmonization
    """
    return json.loads(json.dumps({"network": asdict(network), "seed": seed}))


def shipped_entry(network, seed: int, folder: Path = SHIPPED_DIR) -> dict | None:
    """The manifest entry of the shipped network with these settings and seed, or None.

    Notebook: 09_harmonization
    """
    settings = network_settings(network, seed)
    return next((e for e in read_manifest(folder)["networks"] if e["settings"] == settings), None)


def manifest_problems(needed: Sequence[tuple[object, int]], folder: Path = SHIPPED_DIR) -> list[str]:
    """What keeps the shipped networks in ``folder`` from being the ones ``needed`` trained by today's code: networks
    missing or extra, a training-code or data-version change, a file missing, changed or over the budget. Empty when
    they are current. ``tests/test_shipped.py`` asserts it is empty; the fix is ``make models``, whose :func:`ship`
    checks it once more when it has written the files.

    Notebook: 09_harmonization
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = []
    shipped = [e["settings"] for e in manifest["networks"]]
    wanted = [network_settings(n, s) for n, s in needed]
    problems += [f"not shipped: {w}" for w in wanted if w not in shipped]
    problems += [f"shipped but no longer needed: {s}" for s in shipped if s not in wanted]
    if manifest.get("code") != training_code_hash():
        problems.append(f"trained by other code: manifest {manifest.get('code')}, today {training_code_hash()}")
    if manifest.get("data", {}).get("cache_version") != _chorales.CACHE_VERSION:
        problems.append(f"trained on data version {manifest.get('data', {}).get('cache_version')}, "
                        f"today {_chorales.CACHE_VERSION}")
    entries = manifest["networks"] + ([manifest["key_classifier"]] if "key_classifier" in manifest else [])
    if "key_classifier" not in manifest:
        problems.append("no key classifier shipped")
    size = 0
    for e in entries:
        path = folder / e["file"]
        if not path.exists():
            problems.append(f"missing file {e['file']}")
            continue
        size += path.stat().st_size
        if file_hash(path) != e["sha256"]:
            problems.append(f"{e['file']} is not the file the manifest describes")
    if size > BUDGET_BYTES:
        problems.append(f"{size / 2**20:.1f} MB shipped, over the budget of {BUDGET_BYTES / 2**20:.0f} MB")
    return problems


def shipped_encoding(network, seed: int = 0, folder: Path = SHIPPED_DIR) -> Encoding | None:
    """The :class:`Encoding` of a shipped network (read from the manifest, no network loaded), or None.

    Notebook: 11_harmonize_your_melody
    """
    entry = shipped_entry(network, seed, folder)
    return Encoding.from_json(json.dumps(entry["encoding"])) if entry is not None else None


def load_shipped(entry: dict, folder: Path = SHIPPED_DIR) -> Harmonizer:
    """Rebuild a shipped network from its manifest entry (encoding and architecture) and read its weights.

    A network already read in this process is not read again: the same Keras model comes back (in a new
    :class:`Harmonizer`), with the compiled prediction it has already traced, so that notebook 10's recipes, which
    share networks, do not rebuild and re-trace them. The shipped weights are never trained further.

    Notebook: 09_harmonization
    """
    path = Path(folder) / entry["file"]
    stamp = (str(path.resolve()), path.stat().st_mtime_ns)
    if stamp not in _READ:
        enc = Encoding.from_json(json.dumps(entry["encoding"]))
        arch = entry["architecture"]
        model = build_model(enc, units=arch["units"], layers=arch["layers"])
        model.load_weights(path)
        _READ[stamp] = (model, enc)
    model, enc = _READ[stamp]
    return Harmonizer(model, enc)


#: The shipped networks read in this process, by file and modification time (:func:`load_shipped`).
_READ: dict[tuple[str, int], tuple] = {}


def shipped_key_classifier(folder: Path = SHIPPED_DIR):
    """The shipped key classifier (notebook 08's MLP trained on every chorale), or None when none is shipped.

    Notebook: 09_harmonization
    """
    entry = read_manifest(folder).get("key_classifier")
    if entry is None:
        return None
    model = _keyfinding.key_model(np.zeros((2, entry["features"]), dtype="float32"))
    model.load_weights(Path(folder) / entry["file"])
    return model


def _weights_only(trained, fresh):
    """``fresh`` (the same architecture, never trained) holding ``trained``'s weights: saved, it stores no
    optimizer state (Adam's moments would triple the file)."""
    fresh.set_weights(trained.get_weights())
    return fresh


def final_figures(history: dict[str, list[float]]) -> dict[str, float]:
    """The last epoch's value of every figure in a Keras history dictionary, rounded to 4 digits.

    Notebook: 09_harmonization
    """
    return {k: round(float(v[-1]), 4) for k, v in sorted(history.items())}


def ship(networks: Sequence[tuple[object, int]], folder: Path = SHIPPED_DIR,
         progress: Callable[[str], None] = lambda line: None) -> dict:
    """Train every ``(network, seed)`` and the key classifier afresh, write their weights into ``folder`` and the
    manifest beside them; return the manifest. ``progress`` receives one line per network, and a warning for each
    of :func:`manifest_problems` left at the end (the training code changed while the networks trained).

    Notebook: 09_harmonization
    """
    import keras

    from .recipes import train_network

    code = training_code_hash()  # now, before training: a file edited meanwhile must not change what is recorded
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.weights.h5"):
        old.unlink()
    entries = []
    for network, seed in networks:
        harmonizer, seconds, history = train_network(network, seed, return_history=True)
        name = f"{network.key}_seed{seed}.weights.h5"
        weights = _weights_only(harmonizer.model, build_model(harmonizer.encoding, units=network.units))
        weights.save_weights(folder / name)
        entries.append({"file": name, "sha256": file_hash(folder / name), "settings": network_settings(network, seed),
                        "encoding": json.loads(harmonizer.encoding.to_json()),
                        "architecture": {"units": network.units, "layers": 1}, "seconds": round(seconds, 1),
                        "figures": final_figures(history)})
        progress(f"{network.key} seed {seed}: trained in {seconds:.0f} s")
    chorales = _chorales.load_chorales()
    X = np.stack([_keyfinding.features(c) for c in chorales])
    t0 = time.time()
    classifier = _keyfinding.train_key_classifier(X, _keyfinding.key_labels(chorales))
    seconds = time.time() - t0
    _weights_only(classifier, _keyfinding.key_model(X[:2])).save_weights(folder / KEY_CLASSIFIER_FILE)
    accuracy = float(np.mean(_keyfinding.predict_keys(classifier, X) == _keyfinding.key_labels(chorales)))
    progress(f"key classifier: trained in {seconds:.0f} s")
    manifest = {
        "about": "Made by `make models` (python -m helpers train-harmonizer --ship); tests/test_shipped.py checks it.",
        "code": code, "data": {"cache_version": _chorales.CACHE_VERSION, "chorales": len(chorales)},
        "versions": {"keras": keras.__version__, "numpy": np.__version__},
        "networks": entries,
        "key_classifier": {"file": KEY_CLASSIFIER_FILE, "sha256": file_hash(folder / KEY_CLASSIFIER_FILE),
                           "features": int(X.shape[1]), "seed": 0, "seconds": round(seconds, 1),
                           "figures": {"training accuracy": round(accuracy, 4)}},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    for problem in manifest_problems(networks, folder):  # e.g. training code edited while the networks trained
        progress(f"warning: {problem}")
    return manifest
