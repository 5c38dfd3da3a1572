"""Listening: turn MIDI into audio for ``IPython.display.Audio`` (notebooks 07–10).

With the ``pyfluidsynth`` package, the FluidSynth library and a General MIDI soundfont installed (Debian:
``apt-get install fluidsynth fluid-soundfont-gm``), :func:`synthesize` uses them; otherwise it uses a small
built-in synthesiser (a few harmonics with an attack–release envelope), which needs nothing beyond NumPy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pretty_midi

from .midi import Voice, voices_to_midi

SAMPLE_RATE = 22050
SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/soundfonts/FluidR3_GM.sf2",
              "/usr/share/soundfonts/default.sf2", "/usr/share/sounds/sf2/default-GM.sf2")


def find_soundfont() -> str | None:
    """Path of a General MIDI soundfont usable with FluidSynth (``$COURSE_SOUNDFONT`` first), or None.

    Notebook: 07_midi_and_pianorolls
    """
    candidates = [os.environ.get("COURSE_SOUNDFONT", "")] + list(SOUNDFONTS)
    for path in candidates:
        if path and Path(path).is_file():
            try:
                import fluidsynth  # noqa: F401  (pyfluidsynth; also needs the FluidSynth library)
            except (ImportError, OSError):
                return None
            return path
    return None


def _as_midi(music) -> pretty_midi.PrettyMIDI:
    if isinstance(music, pretty_midi.PrettyMIDI):
        return music
    if hasattr(music, "to_midi"):  # a Chorale
        return music.to_midi()
    if isinstance(music, Voice):
        music = [music]
    if isinstance(music, Sequence) and all(isinstance(v, Voice) for v in music):
        return voices_to_midi(list(music))
    raise TypeError(f"cannot play a {type(music).__name__}: give a PrettyMIDI, a Chorale or Voices")


def builtin_synthesize(pm: pretty_midi.PrettyMIDI, fs: int = SAMPLE_RATE) -> np.ndarray:
    """Render ``pm`` with a simple organ-like additive synthesiser; mono float waveform in [-1, 1].

    Notebook: 07_midi_and_pianorolls
    """
    end = pm.get_end_time()
    out = np.zeros(int(np.ceil((end + 0.3) * fs)) + 1)
    harmonics = np.array([1.0, 0.5, 0.3, 0.15, 0.08])
    for inst in pm.instruments:
        if inst.is_drum:
            continue
        for note in inst.notes:
            n = int((note.end - note.start) * fs) + int(0.08 * fs)
            t = np.arange(n) / fs
            f0 = pretty_midi.note_number_to_hz(note.pitch)
            k = np.arange(1, len(harmonics) + 1)[:, None]
            tone = (harmonics[:, None] * np.sin(2 * np.pi * f0 * k * t) * (f0 * k < fs / 2)).sum(0)
            env = np.minimum(1.0, t / 0.015) * np.clip((note.end - note.start + 0.08 - t) / 0.08, 0, 1)
            start = int(note.start * fs)
            out[start:start + n] += (note.velocity / 127) * tone * env
    peak = np.abs(out).max()
    return out / peak * 0.9 if peak > 0 else out


def synthesize(music, fs: int = SAMPLE_RATE) -> np.ndarray:
    """Waveform of a PrettyMIDI, a Chorale or a list of Voices: FluidSynth if available, else built in.

    Notebook: 07_midi_and_pianorolls
    """
    pm = _as_midi(music)
    soundfont = find_soundfont()
    if soundfont:
        wave = pm.fluidsynth(fs=fs, sf2_path=soundfont)
        peak = np.abs(wave).max()
        return wave / peak * 0.9 if peak > 0 else wave
    return builtin_synthesize(pm, fs)


def play(music, fs: int = SAMPLE_RATE, seconds: float | None = None):
    """An ``IPython.display.Audio`` player for the music (optionally only its first ``seconds``).

    Notebook: 07_midi_and_pianorolls
    """
    from IPython.display import Audio

    wave = synthesize(music, fs)
    if seconds is not None:
        wave = wave[: int(seconds * fs)]
    return Audio(wave, rate=fs)
