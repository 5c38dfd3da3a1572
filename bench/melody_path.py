"""What the phrase-ending finder buys on the melody path (issue 20): the held-out chorales
(``course_split(load_chorales())[1]``), their soprano alone harmonized by ``python -m helpers harmonize
--voices satb --key KEY`` (the labelled key) as the command does it (:func:`read_melody` with ``find=False``, then
:func:`harmonize_melody` with the shipped SATB harmonizer), from three files of the same notes:

* MIDI, no fermatas: the endings are guessed by the phrase-ending model (:func:`guess_phrase_ends`);
* MusicXML with Bach's fermatas (a fermata on every note that ends a phrase in the chorale): the endings are his;
* the old rhythm rule (:func:`helpers.phrases.rule_ends`), given as the endings of the MIDI melody (optional).

Per voice, the share of 16th-note steps where the generated voice sounds Bach's pitch, counted on the steps where
Bach's soprano sounds (as :func:`helpers.harmonize.pair_agreement`), the settings aligned on the soprano's beats
(both start at the first note). The gap is MIDI minus MusicXML, with a 95% bootstrap interval over melody groups.
The issue's target: a gap of at most 2 points per voice. Nothing is trained.

    PYTHONPATH=. KERAS_BACKEND=tensorflow python bench/melody_path.py [--limit N] [--no-old-rule]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from helpers import harmonize as H
from helpers.chorales import course_split, load_chorales
from helpers.cli_options import parse_voices
from helpers.harmonize.melody import read_melody, with_phrase_ends
from helpers.harmonize.setting import harmonize_melody
from helpers.midi import Voice, write_midi
from helpers.phrases import rule_ends
from helpers.pianoroll import REST, voice_to_steps
from helpers.readers import bar_beats
from helpers.stats import bootstrap_gain
from helpers.style import Piece, compare_styles, style_report
from helpers.theory import key_name

OUTPUTS = ("Alto", "Tenor", "Bass")
STEPS = 4  # 16th notes


def lead_in(chorale) -> float:
    """Beats of silence before the soprano in a file whose bars start at beat 0 (a pickup ends the first bar)."""
    return (bar_beats(chorale.time_signature) - chorale.anacrusis) if chorale.anacrusis else 0.0


def write_midi_melody(chorale, path: Path) -> Path:
    soprano = chorale.voices["Soprano"].renamed("Melody")
    return write_midi([soprano.shift(lead_in(chorale))], path, time_signature=chorale.time_signature,
                      tempo=chorale.tempo)


def write_musicxml_melody(chorale, path: Path) -> Path:
    """The soprano as a MusicXML part (rests before a pickup, as MIDI), a fermata on each of Bach's ending notes."""
    from music21 import expressions, meter, note, stream

    soprano, ends = chorale.voices["Soprano"], np.asarray(chorale.phrase_ends, dtype=float)
    part = stream.Part([meter.TimeSignature(f"{chorale.time_signature[0]}/{chorale.time_signature[1]}")])
    shift = lead_in(chorale)
    if shift:
        part.insert(0.0, note.Rest(quarterLength=shift))
    for p, s, e in zip(soprano.pitches, soprano.starts, soprano.ends):
        n = note.Note(int(p), quarterLength=float(e - s))
        if len(ends) and np.isclose(ends, e, atol=1e-6).any():
            n.expressions.append(expressions.Fermata())
        part.insert(float(s) + shift, n)
    score = stream.Score([part])
    score.write("musicxml", fp=str(path))
    return path


def agreement(setting: list[Voice], chorale) -> dict[str, tuple[int, int]]:
    """Per generated voice, ``(steps equal to Bach's, steps judged)`` on the steps where Bach's soprano sounds."""
    bach = {v: voice_to_steps(chorale.voices[v], STEPS)[0] for v in ("Soprano", *OUTPUTS)}
    n = len(bach["Soprano"])
    sounding = bach["Soprano"] != REST
    out = {}
    for name, voice in zip(("Soprano", *OUTPUTS), setting):
        mine = voice_to_steps(voice, STEPS, n)[0]
        out[name] = (int((mine[sounding] == bach[name][sounding]).sum()), int(sounding.sum()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N held-out chorales")
    parser.add_argument("--no-old-rule", action="store_true", help="leave out the old rhythm rule")
    args = parser.parse_args(argv)

    held_out = course_split(load_chorales())[1]
    test = [c for c in held_out if c.phrase_ends][:args.limit]  # a file without fermatas has nothing to compare
    unmarked = [c.name for c in held_out if not c.phrase_ends]
    outputs = parse_voices("satb")
    try:
        harmonizer = H.Harmonizer.load(outputs=outputs)
    except FileNotFoundError:
        harmonizer = H.default_harmonizer(outputs)
    paths = {"MIDI, guessed endings": "midi", "MusicXML, Bach's fermatas": "musicxml"}
    if not args.no_old_rule:
        paths["MIDI, old rhythm rule"] = "rule"
    counts = {p: {v: [] for v in ("Soprano", *OUTPUTS)} for p in paths}
    settings = {p: [] for p in paths}  # for the style report (issue 19)
    found = {"exact": 0, "fermatas": 0, "guessed": 0, "rule": 0, "guesses": 0, "rule guesses": 0}
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i, chorale in enumerate(test):
            key = key_name(chorale.tonic, chorale.mode)
            midi = write_midi_melody(chorale, Path(tmp) / f"{i}.mid")
            xml = write_musicxml_melody(chorale, Path(tmp) / f"{i}.musicxml")
            melodies = {}
            for label, kind in paths.items():
                if kind == "musicxml":
                    melodies[label] = read_melody(xml, key=key, find=False)
                else:
                    m = read_melody(midi, key=key, find=False)
                    if kind == "rule":
                        idx = rule_ends(m.voice, m.time_signature, m.anacrusis)
                        m = with_phrase_ends(m, [float(m.voice.ends[j]) for j in idx])
                    melodies[label] = m
            xml_melody = melodies["MusicXML, Bach's fermatas"]
            bach_ends = set(np.round(chorale.phrase_ends, 4)) | {round(float(chorale.voices["Soprano"].end), 4)}
            found["exact"] += len(bach_ends)
            found["fermatas"] += len(bach_ends & set(np.round(xml_melody.phrase_ends, 4)))
            found["guessed"] += len(bach_ends & set(np.round(melodies["MIDI, guessed endings"].phrase_ends, 4)))
            found["guesses"] += len(melodies["MIDI, guessed endings"].phrase_ends)
            if "MIDI, old rhythm rule" in melodies:
                found["rule"] += len(bach_ends & set(np.round(melodies["MIDI, old rhythm rule"].phrase_ends, 4)))
                found["rule guesses"] += len(melodies["MIDI, old rhythm rule"].phrase_ends)
            for label, melody in melodies.items():
                assert melody.phrase_source == {"midi": "guessed", "musicxml": "fermatas", "rule": "given"}[
                    paths[label]], (chorale.name, label, melody.phrase_source)
                setting = harmonize_melody(melody, harmonizer)
                settings[label].append(Piece(dict(zip(("Soprano", *OUTPUTS), setting.voices)), chorale.tonic,
                                             chorale.mode, chorale.phrase_ends, chorale.anacrusis, chorale.name))
                for v, c in agreement(setting.voices, chorale).items():
                    counts[label][v].append(c)
            print(f"\r{i + 1}/{len(test)} chorales, {time.time() - started:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)

    print(f"### The melody path on {len(test)} held-out chorales (soprano alone, key given, --voices satb)\n")
    print(f"Left out, no fermatas in the file: {', '.join(unmarked) or 'none'}\n")
    print(f"Bach's endings (fermatas and last notes): {found['exact']}; read back from the MusicXML fermatas: "
          f"{found['fermatas']}; among the model's {found['guesses']} guesses from MIDI: {found['guessed']}"
          + (f"; among the old rule's {found['rule guesses']}: {found['rule']}" if "MIDI, old rhythm rule" in paths
             else "") + " (last notes included)\n")
    labels = list(paths)
    head = " | ".join(labels)
    print(f"| voice | {head} | gap (MIDI guessed − MusicXML), 95% interval |")
    print("|---|" + "---|" * len(labels) + "---|")
    groups = np.array([c.group for c in test])
    for v in ("Soprano", *OUTPUTS):  # the soprano is the melody itself: a check of the alignment
        arr = {lab: np.array(counts[lab][v], dtype=float) for lab in labels}
        shares = [f"{100 * a[:, 0].sum() / a[:, 1].sum():.1f}%" for a in arr.values()]
        gain = bootstrap_gain(arr[labels[0]][:, 0], arr[labels[1]][:, 0], arr[labels[1]][:, 1], groups)
        print(f"| {v} | {' | '.join(shares)} | {100 * gain.gain:+.1f} [{100 * gain.low:+.1f}, "
              f"{100 * gain.high:+.1f}] |")
    if "MIDI, old rhythm rule" in paths:
        print()
        for v in OUTPUTS:
            a, b = (np.array(counts[lab][v], dtype=float) for lab in ("MIDI, old rhythm rule", labels[1]))
            gain = bootstrap_gain(a[:, 0], b[:, 0], b[:, 1], groups)
            print(f"old rule − MusicXML, {v}: {100 * gain.gain:+.1f} points [{100 * gain.low:+.1f}, "
                  f"{100 * gain.high:+.1f}]")
    style_table(settings, test)
    print(f"\n({time.time() - started:.0f} s)")
    return 0


STYLE_ROWS = ("Alto repeat", "Alto step", "Alto leap", "Tenor repeat", "Tenor step", "Tenor leap", "Bass repeat",
              "Bass step", "Bass leap", "opening on the tonic", "authentic cadence", "half cadence", "plagal cadence",
              "deceptive cadence", "modulating cadence", "other cadence", "without_third per 100 beats",
              "doubled_leading_tone per 100 beats", "unexplained_dissonance per 100 beats",
              "unresolved_seventh per 100 beats")


def style_table(settings: dict[str, list[Piece]], chorales) -> None:
    """The style report (:func:`helpers.style.style_report`) of each path's settings against Bach's (issue 19).
    The settings are aligned with Bach's by their first note, as the agreement above."""
    bach = style_report(chorales)
    comparisons = {label: compare_styles(style_report(pieces), bach) for label, pieces in settings.items()}
    print("\n### Style against Bach's settings of the same chorales\n")
    print("| measure | Bach | " + " | ".join(comparisons) + " |\n|---|---:|" + "---:|" * len(comparisons))
    first = next(iter(comparisons.values()))
    for m in STYLE_ROWS:
        print(f"| {m} | {first[m]['bach']:.3f} | " + " | ".join(f"{c[m]['setting']:.3f}" for c in comparisons.values())
              + " |")
    for v in OUTPUTS:
        print(f"| {v} intervals, distance to Bach | 0 | "
              + " | ".join(f"{c[f'intervals {v}']['distance']:.3f}" for c in comparisons.values()) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
