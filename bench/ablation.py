"""Seed spread of notebook 09's and 10's ablation tables (``make bench``; not part of ``make test``).

Every recipe of ``H.ALTO_RECIPES`` (notebook 09) and ``H.SATB_RECIPES`` (notebook 10) is judged on the held-out
tunes with three seeds: single networks with seeds 0, 1 and 2; ensembles of three with seeds 0–2, 3–5 and 6–8
(the networks are trained by ``helpers.harmonize.load_recipe`` when missing and kept in ``data/models/recipes``).
Writes ``build/ablation.md`` and ``build/ablation.json``: per recipe the mean and range over the three seeds of
the accuracy, the gain over the best lookup table with the lowest lower end of its 95% interval, voice-leading
faults per 100 beats, notes against Bach's, the share of steps with a voice above the one written over it, and
(four parts) the whole-chord accuracy (the chord's pitch classes are Bach's, as notebook 10 counts it) against the
lookup table's.

Run: ``python bench/ablation.py [--only alto|satb]``.
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
from helpers.chorales import VOICES, course_split, load_chorales  # noqa: E402
from helpers.metrics import harmony_report, pool_reports, voice_leading_rates  # noqa: E402
from helpers.paths import build_dir  # noqa: E402
from helpers.pianoroll import steps_to_voice  # noqa: E402
from helpers.stats import bootstrap_gain  # noqa: E402
from helpers.voiceleading import RULES  # noqa: E402

ATB = ("Alto", "Tenor", "Bass")
ENSEMBLE_STARTS = (0, 3, 6)


def judge(predictor, test, voices, lookup_right=None, lookup_chord=None):
    """Pooled held-out figures of a predictor writing ``voices`` under the soprano."""
    outs = predictor.predict_chorales(test)
    reports, right, chord = [], [], []
    for c, out in zip(test, outs):
        pitch, onset = c.steps(H.STEPS_PER_BEAT)
        pitches = {"Soprano": pitch[0]} | {v: out[v][0] for v in voices}
        onsets = {"Soprano": onset[0]} | {v: out[v][1] for v in voices}
        true = {v: pitch[VOICES.index(v)] for v in pitches}
        r = harmony_report(pitches, c.tonic, c.mode, H.STEPS_PER_BEAT, onsets, true,
                           bass="Bass" if "Bass" in voices else None)
        reports.append(r)
        right.append(sum(r["voices"][v]["correct"] for v in voices))
        chord.append(r["chord"]["matching"] if "chord" in r else 0)  # steps whose chord has Bach's pitch classes
    pooled = pool_reports(reports)
    vl = voice_leading_rates(pooled)
    steps = np.array([c.n_steps() for c in test])
    tunes = np.array([c.group for c in test])
    bach_notes = sum(len(c.voices[v]) for c in test for v in voices)
    notes = sum(len(steps_to_voice(*out[v])) for out in outs for v in voices)
    above = 0
    sounding = 0
    for c, out in zip(test, outs):
        s = c.steps(H.STEPS_PER_BEAT)[0][0]
        upper = s
        for v in voices:
            p = out[v][0]
            both = (upper != -1) & (p != -1)
            above += int(np.sum(both & (p > upper)))
            sounding += int(np.sum(both))
            upper = p
    fig = {"accuracy": float(np.mean([pooled["voices"][v]["accuracy"] for v in voices])),
           "faults": float(sum(vl[r] for r in RULES)), "notes": notes / bach_notes, "above": above / sounding,
           "right": np.array(right), "chord_right": np.array(chord), "steps": steps, "tunes": tunes}
    fig["chord_accuracy"] = pooled.get("chord", {}).get("accuracy", float("nan"))
    chord_steps = np.array([r["chord"]["steps"] if "chord" in r else 0 for r in reports])
    if lookup_right is not None:
        g = bootstrap_gain(fig["right"], lookup_right, len(voices) * steps, tunes)
        fig["gain"], fig["gain_low"] = g.gain, g.low
    if lookup_chord is not None:
        g = bootstrap_gain(fig["chord_right"], lookup_chord, np.maximum(chord_steps, 1), tunes)
        fig["chord_gain"], fig["chord_gain_low"], fig["chord_gain_high"] = g.gain, g.low, g.high
    return fig


def table(recipes, voices, chorales, test, lookup):
    base = judge(lookup, test, voices)
    rows = {}
    for name, recipe in recipes.items():
        starts = H.recipes.SEEDS if recipe.members == 1 else ENSEMBLE_STARTS
        figs = []
        for seed in starts:
            t0 = time.time()
            h, seconds = H.load_recipe(recipe, seed, chorales)
            f = judge(h, test, voices, base["right"], base["chord_right"])
            f["seconds"] = seconds
            figs.append({k: v for k, v in f.items() if not isinstance(v, np.ndarray)})
            print(f"{name} seed {seed}: {json.dumps({k: round(v, 4) for k, v in figs[-1].items()})} "
                  f"({time.time() - t0:.0f} s)", flush=True)
        rows[name] = {"seeds": list(starts), "runs": figs}
    rows["lookup (pitch, previous)"] = {"seeds": [], "runs": [{k: v for k, v in base.items()
                                                                if not isinstance(v, np.ndarray)}]}
    return rows


def markdown(title, rows):
    keys = ["accuracy", "chord_accuracy", "gain", "gain_low", "chord_gain_low", "faults", "notes", "above"]
    lines = [f"### {title}", "", "| recipe | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for name, row in rows.items():
        cells = []
        for k in keys:
            vals = [r[k] for r in row["runs"] if k in r]
            if not vals:
                cells.append("")
            elif k.endswith("_low"):
                cells.append(f"{min(vals):+.4f}")
            else:
                cells.append(f"{np.mean(vals):.4f} ({min(vals):.4f}–{max(vals):.4f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("alto", "satb"))
    args = parser.parse_args()
    chorales = load_chorales()
    train, test = course_split(chorales)
    out, text = {}, []
    if args.only in (None, "alto"):
        out["alto"] = table(H.ALTO_RECIPES, ("Alto",), chorales, test, H.LookupTable.fit(train, 2))
        text.append(markdown("Notebook 09: alto", out["alto"]))
    if args.only in (None, "satb"):
        lookup = H.Combined([H.LookupTable.fit(train, 2, v) for v in ATB])
        out["satb"] = table(H.SATB_RECIPES, ATB, chorales, test, lookup)
        text.append(markdown("Notebook 10: alto, tenor and bass", out["satb"]))
    (build_dir() / "ablation.json").write_text(json.dumps(out, indent=1))
    (build_dir() / "ablation.md").write_text("\n\n".join(text) + "\n")
    print("\n\n".join(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
