"""Seed spread of every trained model whose figure a notebook asserts (``make bench``; not part of ``make test``).

The notebooks assert their figures with bounds that must hold on any machine, a GPU included. A bound is safe
only when it lies outside the spread of the same recipe over seeds, so this script trains each asserted model
with seeds 0, 1 and 2 by its notebook's recipe (same data, split, settings and seeding) and writes the table to
``build/seeds.md`` and ``build/seeds.json``. The notebooks quote the spread next to their asserts. A notebook that
trains other models first reaches its model with other random draws, so its own figure for seed 0 may differ
slightly from this script's (notebook 08 measures its spread by re-running its own cells with seeds 0-2).

Run: ``python bench/seeds.py [--seeds 0 1 2] [--only 08 09 10]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from helpers import harmonize as H  # noqa: E402
from helpers import keyfinding as kf  # noqa: E402
from helpers import stats  # noqa: E402
from helpers.chorales import course_split, grouped_split, load_chorales  # noqa: E402
from helpers.metrics import harmony_report, pool_reports, voice_leading_rates  # noqa: E402
from helpers.paths import build_dir  # noqa: E402
from helpers.stats import bootstrap_gain  # noqa: E402

ATB = ("Alto", "Tenor", "Bass")


def seed_everything(seed: int) -> None:
    """Keras, NumPy and Python's seeds; Keras is imported here, after helpers has set TensorFlow's environment."""
    import keras

    keras.utils.set_random_seed(seed)


def key_classifier(chorales, seed: int) -> dict[str, float]:
    """Notebook 08: the 24-key MLP on 12 transpositions, grouped 5-fold CV (mode and key accuracy)."""
    F = np.stack([kf.features(c) for c in chorales])
    keys, modes = kf.key_labels(chorales), kf.mode_labels(chorales)
    folds = stats.grouped_folds(chorales.groups, modes, n_splits=5, seed=0)
    seed_everything(seed)

    def train_and_predict(train, test):
        X_aug, keys_aug = kf.augment_transpositions(F[train], keys[train])
        model = kf.key_model(X_aug)
        kf.fit(model, X_aug, keys_aug, steps=600, batch_size=256, seed=seed)
        return kf.predict_keys(model, F[test])

    pred = stats.cross_validate(train_and_predict, len(keys), folds)
    return {"mode_accuracy": float(stats.fold_accuracies(pred // 12, modes, folds).mean()),
            "key_accuracy": float(stats.fold_accuracies(pred, keys, folds).mean())}


def alto(chorales, seed: int) -> dict[str, float]:
    """Notebook 09: the BiGRU alto with the default recipe, on the held-out tunes: accuracy, consonance, the motion
    rules per 100 beats, and its gain over the best lookup table with the 95% bootstrap interval over tunes."""
    train, test = course_split(chorales)
    enc = H.fit_encoding(train)
    seed_everything(seed)
    harmonizer, _ = H.train_harmonizer(train, enc, **H.DEFAULT_TRAINING)
    lookup = H.LookupTable.fit(train, context=2)
    per_piece = {}
    for name, predictor in (("BiGRU", harmonizer), ("lookup", lookup)):
        per_piece[name] = []
        for c, out in zip(test, predictor.predict_chorales(test)):
            pitch, onset = c.steps(H.STEPS_PER_BEAT)
            per_piece[name].append(harmony_report(
                {"Soprano": pitch[0], "Alto": out["Alto"][0]}, c.tonic, c.mode, H.STEPS_PER_BEAT,
                {"Soprano": onset[0], "Alto": out["Alto"][1]}, {"Soprano": pitch[0], "Alto": pitch[1]}))
    report = pool_reports(per_piece["BiGRU"])
    pair, rates = report["pairs"][("Soprano", "Alto")], voice_leading_rates(report)
    correct = {n: [r["voices"]["Alto"]["correct"] for r in rs] for n, rs in per_piece.items()}
    steps = [r["voices"]["Alto"]["steps"] for r in per_piece["lookup"]]
    gain = bootstrap_gain(correct["BiGRU"], correct["lookup"], steps, [c.group for c in test])
    return {"alto_accuracy": float(report["voices"]["Alto"]["accuracy"]),
            "gain_over_lookup": gain.gain, "gain_over_lookup_low": gain.low, "gain_over_lookup_high": gain.high,
            "consonance_four_parts": float(pair["consonance"]), "consonance_duet": float(pair["consonance_duet"]),
            "alto_above_soprano": float(pair["crossing"]),
            **{f"{rule}_per_100_beats": float(rates[rule]) for rule in ("parallel_fifths", "parallel_octaves",
                                                                        "contrary_fifths", "contrary_octaves",
                                                                        "hidden_fifths", "hidden_octaves")}}


def four_parts(chorales, seed: int) -> dict[str, float]:
    """Notebook 10: one BiGRU for A/T/B, joint decoding with the default voice-leading penalties (full rule set)."""
    train, test = course_split(chorales)
    fit, val = grouped_split(train, H.VALIDATION_FRACTION, seed=H.VALIDATION_SEED)
    enc = H.fit_encoding(train, outputs=ATB)
    seed_everything(seed)
    network, _ = H.train_harmonizer(fit, enc, validation=val, **H.DEFAULT_TRAINING)
    report = H.evaluate(network.with_voice_leading(H.DEFAULT_VOICE_LEADING), test)
    rates = voice_leading_rates(report)
    return {**{f"{v.lower()}_accuracy": float(report["voices"][v]["accuracy"]) for v in ATB},
            "chord_accuracy": float(report["chord"]["accuracy"]),
            "parallels_per_100_beats": float(rates["parallel_fifths"] + rates["parallel_octaves"]),
            "contrary_per_100_beats": float(rates["contrary_fifths"] + rates["contrary_octaves"]),
            "hidden_per_100_beats": float(rates["hidden_fifths"] + rates["hidden_octaves"]),
            "crossings_per_100_beats": float(rates["crossings"])}


RECIPES = {"08": ("08_key_classification", key_classifier), "09": ("09_harmonization", alto),
           "10": ("10_four_part_harmonization", four_parts)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", nargs="+", choices=sorted(RECIPES), default=sorted(RECIPES))
    args = parser.parse_args()
    chorales = load_chorales()
    table: dict[str, dict] = {}
    for key in args.only:
        notebook, recipe = RECIPES[key]
        runs = []
        for seed in args.seeds:
            t0 = time.perf_counter()
            runs.append(recipe(chorales, seed))
            print(f"{notebook} seed {seed}: " + ", ".join(f"{k} {v:.4f}" for k, v in runs[-1].items())
                  + f" ({time.perf_counter() - t0:.0f} s)", flush=True)
        table[notebook] = {name: {"seeds": args.seeds, "values": [r[name] for r in runs],
                                  "min": min(r[name] for r in runs), "max": max(r[name] for r in runs)}
                           for name in runs[0]}
    out = build_dir()
    (out / "seeds.json").write_text(json.dumps(table, indent=1))
    lines = ["| notebook | figure | " + " | ".join(f"seed {s}" for s in args.seeds) + " | min | max |",
             "|---|---|" + "---|" * (len(args.seeds) + 2)]
    for notebook, figures in table.items():
        for name, f in figures.items():
            lines.append(f"| {notebook} | {name} | " + " | ".join(f"{v:.4f}" for v in f["values"])
                         + f" | {f['min']:.4f} | {f['max']:.4f} |")
    (out / "seeds.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"written to {out / 'seeds.md'} and {out / 'seeds.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
