"""Keeping notes (issue 24), measured on the held-out chorales (``course_split(load_chorales())[1]``) with the
shipped alto-tenor-bass harmonizer, decoded as notebook 11 decodes it (notebook 10's rules, the voice order hard).
Nothing is trained.

1. **Given Bach's soprano and bass**: the alto and tenor written with Bach's bass kept
   (:func:`helpers.harmonize.keep.keep_whole`) against those written from the soprano alone: the share of 16th-note
   steps (where the soprano sounds) on which they sound Bach's pitch, the gain with a 95% bootstrap interval over
   melody groups (:func:`helpers.stats.bootstrap_gain`), and how often a voice is out of order
   (:func:`helpers.harmonize.order_violations`). Also for each of the three networks of the ensemble alone (the
   spread over training seeds), and for notebook 11's handful of chorales (:data:`NOTEBOOK_CHORALES`).
2. **Seams**: 20 held-out chorales drawn at random, each with a random span of 1-3 bars (never the first or last
   bar) written again by the network around Bach's setting, everything else kept
   (:func:`helpers.harmonize.keep.reharmonize`): the rule events (parallel, contrary and hidden fifths and
   octaves) per 100 moves and the steps out of order, at the seams, inside the written span and in Bach's kept
   part (:func:`helpers.harmonize.keep.seam_report`), against the network's free setting pasted into the same bars
   (no search at the seams). Every re-harmonized setting is written to MIDI and MusicXML and read back: nothing
   outside the span may change.

    PYTHONPATH=. KERAS_BACKEND=tensorflow python bench/keep.py [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from helpers import harmonize as H
from helpers.chorales import course_split, load_chorales
from helpers.errors import InputError
from helpers.harmonize import keep as K
from helpers.stats import bootstrap_gain
from helpers.theory import key_name

OUTPUTS = ("Alto", "Tenor", "Bass")
INNER = ("Alto", "Tenor")
#: Notebook 11's chorales for the given bass: the held-out chorales at these places of course_split's list.
NOTEBOOK_CHORALES = (0, 10, 20, 30, 40, 50, 60, 70)


def harmonizer_of_notebook_11() -> H.Harmonizer:
    """The saved (else shipped) alto-tenor-bass harmonizer with the voice order as a hard rule, as notebook 11."""
    try:
        h = H.Harmonizer.load(outputs=OUTPUTS)
    except FileNotFoundError:
        h = H.default_harmonizer(OUTPUTS)
    return h.with_voice_leading(replace(h.voice_leading or H.DEFAULT_VOICE_LEADING, order=True))


def given_bass(harmonizer: H.Harmonizer, chorales) -> dict:
    """Per chorale: inner-voice steps equal to Bach's with and without his bass kept, steps judged, the tune, and
    the order violations of the setting with the bass kept; chorales whose bass cannot be kept, with the reason."""
    rows, skipped = [], []
    for c in chorales:
        melody = K.melody_of_chorale(c)
        try:
            given = H.harmonize_melody(melody, harmonizer, keep=K.keep_whole({"Bass": c.voices["Bass"]}))
        except InputError as exc:
            skipped.append((c.name, exc.reason))
            continue
        free = H.harmonize_melody(melody, harmonizer)
        a, b = K.agreement_with(given, c), K.agreement_with(free, c)
        order = H.order_violations(given.voices)
        rows.append({"given": sum(a[v][0] for v in INNER), "free": sum(b[v][0] for v in INNER),
                     "total": sum(a[v][1] for v in INNER), "group": c.group, "above": order["above_melody"],
                     "crossed": order["crossed"],
                     "bass kept": K.kept_notes(K.Kept(c.voices["Bass"])) == given.voices[3]})
    return {"rows": rows, "skipped": skipped}


def gain_line(result: dict) -> str:
    r = result["rows"]
    given, free, total = (np.array([x[k] for x in r], float) for k in ("given", "free", "total"))
    gain = bootstrap_gain(given, free, total, np.array([x["group"] for x in r]))
    return (f"{100 * given.sum() / total.sum():.1f}% with the bass, {100 * free.sum() / total.sum():.1f}% without: "
            f"{gain}")


def notebook_seams(harmonizer: H.Harmonizer, chorales) -> dict[str, int]:
    """Notebook 11's seam figure: in each chorale a span of 1-2 bars (drawn as the notebook draws it, seed 24) written
    again around Bach's setting; fifths and octaves at the seams, searched and pasted."""
    span_rng = np.random.default_rng(24)
    totals = {"searched": 0, "pasted": 0, "moves": 0}
    for c in chorales:
        m = K.melody_of_chorale(c)
        alone = H.harmonize_melody(m, harmonizer)
        first_bar, last_bar = K.bar_numbers(m)
        bar_a = int(span_rng.integers(first_bar + 1, last_bar - 1))
        span = K.bar_span(m, bar_a, bar_a + int(span_rng.integers(0, 2)))
        bach = K.setting_of_chorale(c)
        kept_bach = K.keep_outside(bach, *span)
        searched = H.harmonize_melody(m, harmonizer, keep=kept_bach)
        pasted = H.Setting([bach.voices[0]] + [K.splice(v, kept_bach[v.name]) for v in alone.voices[1:]], 0.0)
        totals["searched"] += K.seam_report(searched, kept_bach)["seam"]["events"]
        seam = K.seam_report(pasted, kept_bach)["seam"]
        totals["pasted"] += seam["events"]
        totals["moves"] += seam["moves"]
    return totals


def seams(harmonizer: H.Harmonizer, chorales, rng: np.random.Generator, folder: Path) -> dict:
    totals = {m: {k: {"moves": 0, "events": 0, "disorder": 0} for k in ("seam", "inside", "kept")}
              for m in ("search", "pasted")}
    exact = {"midi": 0, "musicxml": 0, "in memory": 0}
    spans = []
    for i, c in enumerate(chorales):
        melody = K.melody_of_chorale(c)
        bach = K.setting_of_chorale(c)
        first, last = K.bar_numbers(melody)
        length = int(rng.integers(1, 4))
        a = int(rng.integers(first + 1, max(first + 2, last - length)))
        b = min(a + length - 1, last - 1)
        start, end = K.bar_span(melody, a, b)
        spans.append(f"{c.name} bars {a}-{b}")
        keep = K.keep_outside(bach, start, end)
        searched = H.harmonize_melody(melody, harmonizer, keep=keep)
        free = H.harmonize_melody(melody, harmonizer)
        pasted = H.Setting([bach.voices[0]] + [K.splice(f, keep[f.name]) for f in free.voices[1:]], float("nan"))
        for name, setting in (("search", searched), ("pasted", pasted)):
            for kind, counts in K.seam_report(setting, keep).items():
                for k, v in counts.items():
                    totals[name][kind][k] += v
        exact["in memory"] += K.unchanged_outside(bach, searched, start, end)
        for fmt, suffix in (("midi", ".mid"), ("musicxml", ".musicxml")):
            path = H.write_setting(searched, melody, folder / f"{i}{suffix}")
            back, parts = K.read_parts(path, key=key_name(c.tonic, c.mode), find=False)
            read = H.Setting([back.voice] + parts, float("nan"))
            exact[fmt] += K.unchanged_outside(bach, read, start, end)
    return {"totals": totals, "exact": exact, "spans": spans}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N held-out chorales (part 1)")
    args = parser.parse_args(argv)
    started = time.time()
    held_out = course_split(load_chorales())[1]
    harmonizer = harmonizer_of_notebook_11()
    test = list(held_out[:args.limit])

    print(f"### 1. Given Bach's soprano and bass: alto and tenor on {len(test)} held-out chorales\n")
    result = given_bass(harmonizer, test)
    rows = result["rows"]
    print(f"- the ensemble: {gain_line(result)}")
    print(f"- skipped (bass not keepable): {result['skipped'] or 'none'}")
    print(f"- Bach's bass kept note for note in {sum(r['bass kept'] for r in rows)} of {len(rows)} settings")
    print(f"- a voice above the melody: at most {100 * max(r['above'] for r in rows):.2f}% of a piece's time; "
          f"neighbouring voices crossed: at most {100 * max(r['crossed'] for r in rows):.2f}% "
          f"({sum(r['crossed'] > 0 or r['above'] > 0 for r in rows)} settings with any)")
    for i, net in enumerate(harmonizer.models):
        single = H.Harmonizer([net], harmonizer.encoding, harmonizer.voice_leading)
        print(f"- network {i + 1} of the ensemble alone: {gain_line(given_bass(single, test))}")
    handful = [held_out[i] for i in NOTEBOOK_CHORALES if i < len(held_out)]
    print(f"\nNotebook 11's {len(handful)} chorales ({', '.join(c.name for c in handful)}):")
    print(f"- the ensemble: {gain_line(given_bass(harmonizer, handful))}")
    for i, net in enumerate(harmonizer.models):
        single = H.Harmonizer([net], harmonizer.encoding, harmonizer.voice_leading)
        print(f"- network {i + 1} alone: {gain_line(given_bass(single, handful))}")
    print("- seams (fifths and octaves, searched / pasted / moves): the ensemble "
          f"{notebook_seams(harmonizer, handful)}")
    for i, net in enumerate(harmonizer.models):
        single = H.Harmonizer([net], harmonizer.encoding, harmonizer.voice_leading)
        print(f"- seams, network {i + 1} alone: {notebook_seams(single, handful)}")
    print(f"\n({time.time() - started:.0f} s)\n", file=sys.stderr)

    rng = np.random.default_rng(0)
    chosen = [held_out[i] for i in sorted(rng.choice(len(held_out), size=20, replace=False))]
    with tempfile.TemporaryDirectory() as tmp:
        s = seams(harmonizer, chosen, rng, Path(tmp))
    print("### 2. Seams: 20 held-out chorales, a random span of 1-3 bars written again around Bach's setting\n")
    print(f"Spans: {'; '.join(s['spans'])}\n")
    print("| setting | part | moves | fifths and octaves | per 100 moves | steps out of order |")
    print("|---|---|---|---|---|---|")
    for name, label in (("search", "searched around the kept notes"), ("pasted", "free setting pasted in")):
        for kind in ("seam", "inside", "kept"):
            t = s["totals"][name][kind]
            rate = 100 * t["events"] / t["moves"] if t["moves"] else float("nan")
            print(f"| {label} | {kind} | {t['moves']} | {t['events']} | {rate:.1f} | {t['disorder']} |")
    print(f"\nNothing outside the span changed: {s['exact']['in memory']}/20 in memory, {s['exact']['midi']}/20 "
          f"written to MIDI and read back, {s['exact']['musicxml']}/20 through MusicXML")
    print(f"\n({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
