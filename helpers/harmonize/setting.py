"""A setting of a melody: the network's voices under it (notebooks 09–11; ``python -m helpers harmonize``).

:func:`harmonize_melody` gives the network the melody on its grid (:func:`~helpers.harmonize.melody.grid_melody`:
the note sounding at the start of each step) and writes the melody back exactly above the generated voices (a
:class:`Setting`); :func:`alternatives` samples several different settings; :func:`check_range` refuses a melody
the model cannot take before it is loaded. Checking: :func:`setting_faults` lists the voice-leading faults by bar
and beat; :func:`order_violations` measures how much of the time a generated voice lies above the melody or above
the voice written over it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..midi import Voice
from ..pianoroll import REST, voice_to_steps
from ..readers import bar_beats
from ..voiceleading import crossed, rule_events
from .encoding import STEPS_PER_BEAT, Encoding
from .melody import Melody, grid_melody
from .model import PROGRAM, Harmonizer

if TYPE_CHECKING:
    from .keep import Kept

#: Fine grid (steps per beat) on which :func:`order_violations` compares the exact melody with the voices.
FINE_STEPS_PER_BEAT = 48


@dataclass
class Setting:
    """One harmonization of a :class:`Melody`: ``voices`` ``[Soprano, Alto, ...]`` (beats, the melody's own
    times; the soprano is the melody exactly), the network's summed ``log_probability`` (nats) of the generated
    voices, and the ``temperature`` and ``seed`` that drew it (0 and None for the most likely setting).

    Notebook: 11_harmonize_your_melody
    """

    voices: list[Voice]
    log_probability: float
    temperature: float = 0.0
    seed: int | None = None


# ---------------------------------------------------------------------------------------------- harmonizing

def harmonize_melody(melody: Melody, harmonizer: Harmonizer, temperature: float = 0.0,
                     seed: int | None = None, keep: Mapping[str, Kept] | None = None) -> Setting:
    """Harmonize a :class:`Melody`: the network reads :func:`grid_melody` (with the melody's metre, pickup, key
    and phrase endings) and the setting's soprano is the melody exactly, ornaments included. ``temperature`` > 0
    samples a setting (seeded by ``seed``) through the same constrained decoder. ``keep``: notes of generated
    voices to keep (:class:`~helpers.harmonize.keep.Kept`, checked by :func:`~helpers.harmonize.keep.check_keep`);
    the search writes the rest around them and the kept notes come out exactly as given. Raises
    :class:`InputError` naming the melody's source if the model cannot take it (e.g. a range no octave brings into
    the model's) or a kept voice is unusable.

    Notebook: 11_harmonize_your_melody
    """
    from .keep import check_keep, kept_steps, splice

    grid = grid_melody(melody.voice, harmonizer.steps_per_beat)
    if not len(grid):
        raise InputError(melody.source, "no note lasts as long as a grid step")
    keep = dict(keep or {})
    check_keep(melody, keep)
    missing = [v for v in keep if v not in harmonizer.outputs]
    if missing:
        raise InputError(melody.source or None, f"this harmonizer writes {', '.join(harmonizer.outputs)}, so it "
                                                f"cannot keep {', '.join(missing)}")
    n = len(voice_to_steps(grid, harmonizer.steps_per_beat)[0])
    fixed = {v: kept_steps(k, n, harmonizer.steps_per_beat) for v, k in keep.items()}
    try:
        voices, logp = harmonizer.harmonize(grid, melody.tonic, melody.mode, melody.time_signature,
                                            melody.anacrusis, melody.phrase_ends, temperature, seed,
                                            return_score=True, **({"keep": fixed} if fixed else {}))
    except InputError as exc:
        raise InputError(melody.source or None, exc.reason) from exc
    voices[0] = melody.voice.renamed("Soprano", PROGRAM)
    voices = [splice(v, keep[v.name]) if v.name in keep else v for v in voices]
    return Setting(voices, float(logp), temperature, seed)


def check_range(melody: Melody, encoding_file: str | os.PathLike | Encoding | None,
                key_known: bool = True) -> None:
    """Refuse a melody that the harmonizer with this encoding (its saved ``.json``, read without loading the
    network, or the :class:`Encoding` itself) cannot take, before any model is loaded: with ``key_known`` (the
    melody's key is final), when no octave transposition brings it into the model's melody range in its key, as
    :meth:`~helpers.harmonize.model.Harmonizer.harmonize` checks; otherwise when its span is wider than that
    range (then no key fits). Nothing is checked if there is no encoding (None, or no file). Raises
    :class:`InputError` naming the melody's source.

    Notebook: 11_harmonize_your_melody
    """
    from .model import best_octave_shift

    if encoding_file is None or not len(melody.voice):
        return
    if isinstance(encoding_file, Encoding):
        encoding = encoding_file
    else:
        path = Path(encoding_file)
        if not path.is_file():
            return
        try:
            encoding = Encoding.from_json(path.read_text())
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return  # loading the harmonizer reports a broken save
    try:
        low, high = encoding.ranges[encoding.inputs[0]]
    except (KeyError, IndexError):
        return
    pitches = melody.voice.pitches.astype(np.int64)
    lo, hi = int(pitches.min()), int(pitches.max())
    if key_known:
        fits = best_octave_shift(pitches + encoding.shift(melody.tonic, melody.mode), low, high) is not None
    else:
        fits = hi - lo <= high - 1 - low
    if not fits:
        raise InputError(melody.source or None, f"the melody spans {hi - lo} semitones (MIDI {lo}–{hi}); the model "
                                                f"knows melodies within {high - 1 - low} semitones, so no octave "
                                                "transposition fits")


def _same_setting(a: Setting, b: Setting) -> bool:
    return all(x == y for x, y in zip(a.voices[1:], b.voices[1:]))


def alternatives(melody: Melody, harmonizer: Harmonizer, n: int = 3, temperature: float = 1.0,
                 seed: int = 0, max_draws: int | None = None, keep: Mapping[str, Kept] | None = None) -> list[Setting]:
    """``n`` different settings of a melody sampled at ``temperature`` (seeds ``seed``, ``seed + 1``, ...; a draw
    equal to an earlier one is skipped), in the order drawn, each keeping ``keep`` as :func:`harmonize_melody`
    does. Fewer than ``n`` if ``max_draws`` draws (default ``4 n``) give no more different ones.

    Notebook: 11_harmonize_your_melody
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    if temperature <= 0:
        raise ValueError("alternatives are samples: the temperature must be above 0")
    found: list[Setting] = []
    for s in range(seed, seed + (max_draws or 4 * n)):
        setting = harmonize_melody(melody, harmonizer, temperature, s, keep=keep)
        if not any(_same_setting(setting, f) for f in found):
            found.append(setting)
        if len(found) == n:
            break
    return found


# ------------------------------------------------------------------------------------------------- checking

def _fine_steps(voices: Sequence[Voice], steps_per_beat: int) -> list[np.ndarray]:
    n = max(int(np.ceil(v.end * steps_per_beat - 1e-9)) for v in voices if len(v))
    return [voice_to_steps(v, steps_per_beat, n)[0].astype(np.int64) for v in voices]


def order_violations(voices: Sequence[Voice], steps_per_beat: int = FINE_STEPS_PER_BEAT) -> dict[str, float]:
    """How far a setting breaks the order of the voices, on a fine grid (default 48 steps per beat, so that
    32nd notes and triplets of the melody count as written): ``above_melody``, the share of the melody's sounding
    time during which some generated voice sounds above it; ``crossed``, the share of the time during which two
    neighbouring generated voices both sound, in which the lower one lies above the upper one (unisons allowed).
    ``voices`` is ``[melody, highest generated voice, ...]``.

    Notebook: 11_harmonize_your_melody
    """
    steps = _fine_steps(voices, steps_per_beat)
    melody = steps[0]
    above = np.zeros(len(melody), dtype=bool)
    for s in steps[1:]:
        above |= crossed(melody, s)
    crossing, both = 0, 0
    for upper, lower in zip(steps[1:], steps[2:]):
        crossing += int(crossed(upper, lower).sum())
        both += int(((upper != REST) & (lower != REST)).sum())
    sounding = int((melody != REST).sum())
    return {"above_melody": above.sum() / sounding if sounding else 0.0,
            "crossed": crossing / both if both else 0.0}


@dataclass(frozen=True)
class Fault:
    """One voice-leading fault of a setting: where (``bar``, counted from 1, 0 for a pickup bar; ``beat`` in the
    bar, quarter-note beats from 1), the ``rule`` broken (one of :data:`helpers.voiceleading.RULES` or
    ``"crossing"``) and the two voices.

    Notebook: 11_harmonize_your_melody
    """

    bar: int
    beat: float
    rule: str
    upper: str
    lower: str

    def __str__(self) -> str:
        return f"bar {self.bar}, beat {self.beat:g}: {self.rule.replace('_', ' ')} ({self.upper}–{self.lower})"


def setting_faults(voices: Sequence[Voice], time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0,
                   steps_per_beat: int = STEPS_PER_BEAT) -> list[Fault]:
    """The voice-leading faults of a setting ``[Soprano, ...]``, in time order, counted with the course's rules
    (:mod:`helpers.voiceleading`, as :mod:`helpers.metrics` counts them): parallel and contrary fifths and
    octaves between any two voices, hidden fifths and octaves between the outer voices, and each crossing of
    neighbouring voices where it begins. The melody is read on the grid as the network reads it
    (:func:`grid_melody`).

    Notebook: 11_harmonize_your_melody
    """
    names = [v.name for v in voices]
    grid = [grid_melody(voices[0], steps_per_beat)] + list(voices[1:])
    steps = _fine_steps(grid, steps_per_beat)
    bar = bar_beats(time_signature)
    found = []

    def where(step: int) -> tuple[int, float]:
        beat = step / steps_per_beat - anacrusis
        number = int(np.floor(beat / bar + 1e-9)) + 1
        return number, float(np.round(beat - (number - 1) * bar + 1, 4))

    for a, b in combinations(range(len(voices)), 2):
        events = rule_events(steps[a], steps[b])
        for rule, hits in events.items():
            if rule.startswith("hidden") and (a, b) != (0, len(voices) - 1):
                continue
            for t in np.flatnonzero(hits) + 1:
                found.append((int(t), Fault(*where(int(t)), rule, names[a], names[b])))
        if b == a + 1:
            cross = crossed(steps[a], steps[b])
            for t in np.flatnonzero(cross & ~np.r_[False, cross[:-1]]):
                found.append((int(t), Fault(*where(int(t)), "crossing", names[a], names[b])))
    return [f for _, f in sorted(found, key=lambda x: x[0])]
