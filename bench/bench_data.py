"""``make bench``: how fast the course's data layer is on this machine.

Measures (1) loading all chorales cold (parsing the music21 files, in parallel) and warm (from the cache in
``data/``), and (2) pianoroll conversion of every chorale: ``helpers.pianoroll`` against a naive per-cell Python
loop and against ``pretty_midi.get_piano_roll`` on the same chorales exported as MIDI files. Targets on a 2-core
machine: warm load < 3 s, cold < 90 s, conversion >= 50x faster than the naive loop.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pretty_midi

from helpers import chorales as ch
from helpers.pianoroll import HIGH, LOW, STEPS_PER_BEAT, voice_to_pianoroll


def naive_pianoroll(voices, steps_per_beat: int, n_steps: int) -> np.ndarray:
    """The per-cell loop a first attempt writes: for every step and every pitch, is some note sounding?"""
    roll = np.zeros((HIGH - LOW, n_steps), dtype=bool)
    for step in range(n_steps):
        t = step / steps_per_beat
        for pitch in range(LOW, HIGH):
            for v in voices:
                for p, s, e in zip(v.pitches, v.starts, v.ends):
                    if p == pitch and round(s * steps_per_beat) / steps_per_beat <= t < max(
                            round(e * steps_per_beat), round(s * steps_per_beat) + 1) / steps_per_beat:
                        roll[pitch - LOW, step] = True
    return roll


def timed(fn, *args, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


LOAD = ("import time; t = time.perf_counter(); from helpers.chorales import load_chorales; "
        "n = len(load_chorales()); print(n, time.perf_counter() - t)")


def load_in_fresh_process(env: dict) -> tuple[int, float]:
    """(chorales, seconds) of ``load_chorales()`` in a new Python process, imports included."""
    out = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, check=True)
    n, seconds = out.stdout.split()[-2:]
    return int(n), float(seconds)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # A truly cold start: no course cache, and no music21 pickles (music21 keeps parsed scores under TMPDIR).
        env = {**os.environ, "COURSE_DATA_DIR": str(Path(tmp) / "data"), "TMPDIR": str(Path(tmp) / "tmp")}
        (Path(tmp) / "tmp").mkdir()
        n, cold = load_in_fresh_process(env)
        warm = min(load_in_fresh_process(env)[1] for _ in range(3))
        os.environ["COURSE_DATA_DIR"] = env["COURSE_DATA_DIR"]
        chorales = ch.load_chorales()
        assert len(chorales) == n
        print(f"chorales: {len(chorales)} loaded, {len(chorales.skipped)} skipped, on {os.cpu_count()} cores")
        print(f"load cold (new process, parse music21 files, {os.cpu_count()} workers): {cold:7.2f} s   target < 90 s")
        print(f"load warm (new process, from the cache):                     {warm:7.2f} s   target < 3 s")

        pieces = list(chorales)
        voices = [[c.voices[v] for v in ch.VOICES] for c in pieces]
        lengths = [c.n_steps() for c in pieces]
        fast, rolls = timed(lambda: [voice_to_pianoroll(v, n_steps=n) for v, n in zip(voices, lengths)], repeat=3)

        sample = slice(0, 10)  # the naive loop is slow: time 10 chorales, scale to all of them
        naive_10, naive_rolls = timed(lambda: [naive_pianoroll(v, STEPS_PER_BEAT, n)
                                               for v, n in zip(voices[sample], lengths[sample])])
        assert all(np.array_equal(a, b) for a, b in zip(rolls[sample], naive_rolls))
        share = sum(lengths[sample]) / sum(lengths)
        naive = naive_10 / share

        folder = Path(tmp) / "midi"
        paths = ch.export_midi_folder(pieces, folder)
        pms = [pretty_midi.PrettyMIDI(str(p)) for p in paths]
        fs = [c.tempo / 60 * STEPS_PER_BEAT for c in pieces]  # frames per second = sixteenth notes
        pm_time, _ = timed(lambda: [pm.get_piano_roll(fs=f) for pm, f in zip(pms, fs)], repeat=3)

        print(f"pianorolls of all {len(pieces)} chorales ({sum(lengths)} steps):")
        print(f"  helpers.pianoroll (vectorised):      {fast * 1000:9.1f} ms")
        print(f"  pretty_midi get_piano_roll:          {pm_time * 1000:9.1f} ms   ({pm_time / fast:6.1f}x slower)")
        print(f"  naive per-cell loop (10 scaled up):  {naive * 1000:9.1f} ms   ({naive / fast:6.0f}x slower)"
              "   target >= 50x")


if __name__ == "__main__":
    main()
