"""Keep what you like and write the rest (notebook 11; ``python -m helpers harmonize --keep``, ``--from``,
``--bars``, ``--transpose``).

A :class:`Kept` voice is a set of notes that a setting must keep, in beat spans; :func:`kept_steps` puts it on the
harmonizer's grid as the fixed steps that :func:`~helpers.harmonize.decoding.decode_jointly` searches around, and
:func:`splice` writes the kept notes back exactly. On top of that: :func:`reharmonize` writes bars N–M of a setting
again and keeps everything else, :func:`keep_whole` keeps whole voices (a given bass), :func:`read_parts` reads a
melody with other parts under it (a melody and its bass, or a whole setting), :func:`mix_bars` puts bars of
several settings together, :func:`transpose_setting` moves a setting to another key.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..midi import Voice, load_midi, midi_to_voices
from ..pianoroll import voice_to_steps
from ..readers import bar_beats, file_format, part_to_voice, read_score, score_parts
from ..voiceleading import crossed
from .decoding import FREE
from .melody import ONSET_TOLERANCE, Melody, clean_monophonic, grid_melody, read_melody
from .setting import FINE_STEPS_PER_BEAT, Setting, _fine_steps

#: The generated voices in score order, for matching parts by name and checking the order of kept voices.
VOICE_ORDER = ("Alto", "Tenor", "Bass")


@dataclass(frozen=True)
class Kept:
    """Notes of one generated voice that a setting keeps: ``voice`` (beats, the melody's time frame and key) and
    ``spans``, the ``(start, end)`` beat ranges in which it is kept (a rest there is a kept rest; a note is kept
    when it starts in a span). Outside the spans the voice is written by the harmonizer.

    Notebook: 11_harmonize_your_melody
    """

    voice: Voice
    spans: tuple[tuple[float, float], ...] = ((0.0, math.inf),)

    def kept_at(self, beats: np.ndarray) -> np.ndarray:
        """True where a time (beats) lies in a kept span."""
        beats = np.asarray(beats, dtype=np.float64)[..., None] + ONSET_TOLERANCE
        spans = np.asarray(self.spans, dtype=np.float64).reshape(-1, 2)
        return ((beats >= spans[:, 0]) & (beats < spans[:, 1])).any(-1)


def keep_whole(voices: Mapping[str, Voice]) -> dict[str, Kept]:
    """Keep each of ``voices`` (``{"Bass": bass}``) through the whole piece.

    Notebook: 11_harmonize_your_melody
    """
    return {name: Kept(v.renamed(name, v.program)) for name, v in voices.items()}


def kept_steps(kept: Kept, n_steps: int, steps_per_beat: int) -> tuple[np.ndarray, np.ndarray]:
    """``(pitch, onset)`` step arrays of a kept voice on the harmonizer's grid, as ``decode_jointly`` takes them:
    at each step in a kept span the note sounding at the step's start (:func:`grid_melody`'s rule) or ``REST``,
    elsewhere :data:`~.decoding.FREE`; ``onset`` where a kept note starts.

    Notebook: 11_harmonize_your_melody
    """
    grid = grid_melody(kept.voice, steps_per_beat) if len(kept.voice) else kept.voice
    pitch, onset = voice_to_steps(grid, steps_per_beat, n_steps)
    at = kept.kept_at(np.arange(n_steps) / steps_per_beat)
    return np.where(at, pitch.astype(np.int64), FREE), onset & at


def splice(written: Voice, kept: Kept) -> Voice:
    """The voice a setting gets: the kept notes exactly as given (those starting in a kept span) and the written
    notes that start outside the kept spans. Kept notes keep their name and program from ``written``.

    Notebook: 11_harmonize_your_melody
    """
    mine = kept_notes(kept)
    new = ~kept.kept_at(written.starts)
    return Voice(written.name, np.r_[mine.pitches, written.pitches[new]], np.r_[mine.starts, written.starts[new]],
                 np.r_[mine.ends, written.ends[new]], written.program)


def check_keep(melody: Melody, keep: Mapping[str, Kept]) -> None:
    """Refuse kept voices a setting cannot have, before any model is loaded: a voice that is not Alto, Tenor or
    Bass, one with no kept notes, a kept note that starts after the melody has ended, or a kept note that sounds
    above the melody (on a fine grid, 48 steps per beat; kept voices crossing each other are the user's choice and
    stay). Raises :class:`InputError` naming the melody's source, the voice and the bar and beat.

    Notebook: 11_harmonize_your_melody
    """
    source = melody.source or None
    for name, k in keep.items():
        if name not in VOICE_ORDER:
            raise InputError(source, f"cannot keep a voice called {name!r}: the harmonizer writes "
                                     f"{', '.join(VOICE_ORDER)}")
        mine = kept_notes(k)
        if not len(mine):
            raise InputError(source, f"the kept {name} has no notes")
        late = mine.starts >= melody.voice.end - ONSET_TOLERANCE
        if late.any():
            raise InputError(source, f"the kept {name} has a note at {where(melody, float(mine.starts[late][0]))}, "
                                     "after the melody has ended")
        melody_steps, steps = _fine_steps([melody.voice, mine], FINE_STEPS_PER_BEAT)
        above = crossed(melody_steps, steps)
        if above.any():
            t = int(np.flatnonzero(above)[0]) / FINE_STEPS_PER_BEAT
            raise InputError(source, f"the kept {name} lies above the melody at {where(melody, t)}")


def kept_notes(kept: Kept) -> Voice:
    """The notes of a kept voice that start in its kept spans.

    Notebook: 11_harmonize_your_melody
    """
    v = kept.voice
    mine = kept.kept_at(v.starts)
    return Voice(v.name, v.pitches[mine], v.starts[mine], v.ends[mine], v.program)


def where(melody: Melody, beat: float) -> str:
    """``"bar 3, beat 2"`` for a time in beats from the first note (bars counted from 1, a pickup bar is bar 0),
    as :func:`~helpers.harmonize.setting.setting_faults` counts them.

    Notebook: 11_harmonize_your_melody
    """
    bar = bar_beats(melody.time_signature)
    b = beat - melody.anacrusis
    number = int(np.floor(b / bar + 1e-9)) + 1
    return f"bar {number}, beat {b - (number - 1) * bar + 1:g}"


def bar_numbers(melody: Melody) -> tuple[int, int]:
    """The first and last bar of the melody: 0 if it starts with a pickup, else 1; the bar in which it ends.

    Notebook: 11_harmonize_your_melody
    """
    bar = bar_beats(melody.time_signature)
    last = int(np.floor((melody.voice.end - melody.anacrusis - 1e-6) / bar)) + 1
    return (0 if melody.anacrusis > 0 else 1), max(last, 1)


def bar_span(melody: Melody, first: int, last: int) -> tuple[float, float]:
    """The beats ``(start, end)`` of bars ``first`` to ``last`` (inclusive; counted as :func:`bar_numbers`),
    clipped to the melody. Raises :class:`InputError` naming the melody's source if a bar lies outside the piece
    or ``first > last``.

    Notebook: 11_harmonize_your_melody
    """
    low, high = bar_numbers(melody)
    if first > last or first < low or last > high:
        raise InputError(melody.source or None, f"bars {first}-{last} are not in the piece: it has bars "
                                                f"{low}-{high}")
    bar = bar_beats(melody.time_signature)
    start = 0.0 if first == 0 else melody.anacrusis + (first - 1) * bar
    return max(start, 0.0), min(melody.anacrusis + last * bar, melody.voice.end)


def keep_outside(setting: Setting, start: float, end: float, voices: Sequence[str] | None = None
                 ) -> dict[str, Kept]:
    """Keep every generated voice of ``setting`` (or only ``voices``) outside the beats ``start``–``end``, with
    the free span of each voice widened to whole notes: a note that sounds in the span is written again as a
    whole, so that every kept note keeps its start and end.

    Notebook: 11_harmonize_your_melody
    """
    keep = {}
    for v in setting.voices[1:]:
        if voices is not None and v.name not in voices:
            continue
        inside = (v.starts < end - ONSET_TOLERANCE) & (v.ends > start + ONSET_TOLERANCE)
        a = min([start, *v.starts[inside]])
        b = max([end, *v.ends[inside]])
        keep[v.name] = Kept(v, ((0.0, a), (b, math.inf)))
    return keep


def reharmonize(melody: Melody, setting: Setting, harmonizer, first_bar: int, last_bar: int,
                temperature: float = 0.0, seed: int | None = None, keep_voices: Sequence[str] = ()) -> Setting:
    """Bars ``first_bar``–``last_bar`` of ``setting`` written again by ``harmonizer`` (most likely, or sampled at
    ``temperature`` with ``seed``), every note outside them kept (:func:`keep_outside`); ``keep_voices`` are kept
    inside the bars too. Raises :class:`InputError` for bars outside the piece.

    Notebook: 11_harmonize_your_melody
    """
    from .setting import harmonize_melody

    start, end = bar_span(melody, first_bar, last_bar)
    keep = keep_outside(setting, start, end)
    for name in keep_voices:
        keep[name] = Kept(next(v for v in setting.voices if v.name == name))
    return harmonize_melody(melody, harmonizer, temperature, seed, keep=keep)


def unchanged_outside(a: Setting, b: Setting, start: float, end: float) -> bool:
    """True if ``b`` changes nothing of ``a`` outside the beats ``start``–``end``: every note of ``a`` that does
    not sound in that span is in ``b`` with the same pitch, start and end, and every other note of ``b`` lies in
    the span or in the time of a note of ``a`` that sounded in it (a note held into the span is written again as a
    whole, :func:`keep_outside`).

    Notebook: 11_harmonize_your_melody
    """
    if len(a.voices) != len(b.voices) or any(x.name != y.name for x, y in zip(a.voices, b.voices)):
        return False
    for x, y in zip(a.voices, b.voices):
        inside = (x.starts < end - ONSET_TOLERANCE) & (x.ends > start + ONSET_TOLERANCE)
        lo = min([start, *x.starts[inside]])
        hi = max([end, *x.ends[inside]])
        old, new = set(_notes(x, ~inside)), set(_notes(y, np.ones(len(y), bool)))
        if not old <= new:
            return False
        if any(s < lo - ONSET_TOLERANCE or e > hi + ONSET_TOLERANCE for _, s, e in new - old):
            return False
    return True


def _notes(v: Voice, which: np.ndarray) -> list[tuple[int, float, float]]:
    return [(int(p), round(float(s), 4), round(float(e), 4))
            for p, s, e in zip(v.pitches[which], v.starts[which], v.ends[which])]


def transpose_setting(setting: Setting, melody: Melody, semitones: int) -> tuple[Setting, Melody]:
    """A setting and its melody ``semitones`` higher (negative: lower), key included, for
    :func:`~helpers.harmonize.writing.write_setting`: every note moves, nothing else changes.

    Notebook: 11_harmonize_your_melody
    """
    moved = replace(setting, voices=[v.transpose(semitones) for v in setting.voices])
    graces = melody.graces.transpose(semitones) if melody.graces is not None else None
    keys = [((t + semitones) % 12, m, p) for t, m, p in melody.keys]
    return moved, replace(melody, voice=melody.voice.transpose(semitones), graces=graces,
                          tonic=(melody.tonic + semitones) % 12, keys=keys)


def bar_of_notes(melody: Melody, starts: np.ndarray) -> np.ndarray:
    """The bar (as :func:`bar_numbers` counts) in which each time (beats) lies.

    Notebook: 11_harmonize_your_melody
    """
    bar = bar_beats(melody.time_signature)
    return (np.floor((np.asarray(starts) - melody.anacrusis + 1e-6) / bar) + 1).astype(int)


def mix_bars(settings: Sequence[Setting], choice: Mapping[int, int], melody: Melody, harmonizer=None) -> Setting:
    """One setting from bars of several: bar ``b`` comes from ``settings[choice.get(b, 0)]`` (a note belongs to
    the bar it starts in; a note held over a bar line into a bar taken from another setting is cut at that bar
    line). With ``harmonizer`` its log-probability is the network's for the whole result (every note kept,
    :func:`harmonize_melody` with :func:`keep_whole`), else NaN.

    Notebook: 11_harmonize_your_melody
    """
    bar = bar_beats(melody.time_signature)
    voices = [settings[0].voices[0]]
    for i in range(1, len(settings[0].voices)):
        parts = []
        for k, s in enumerate(settings):
            v = s.voices[i]
            bars = bar_of_notes(melody, v.starts)
            mine = np.array([choice.get(int(b), 0) == k for b in bars], dtype=bool)
            ends = v.ends.copy()
            for j in np.flatnonzero(mine):  # cut where the next bar comes from another setting
                for b in range(int(bars[j]) + 1, int(bar_of_notes(melody, [v.ends[j] - 1e-6])[0]) + 1):
                    if choice.get(b, 0) != k:
                        ends[j] = min(ends[j], melody.anacrusis + (b - 1) * bar)
                        break
            parts.append((v.pitches[mine], v.starts[mine], ends[mine]))
        name = settings[0].voices[i]
        voices.append(Voice(name.name, np.concatenate([p for p, _, _ in parts]),
                            np.concatenate([s for _, s, _ in parts]), np.concatenate([e for _, _, e in parts]),
                            name.program))
    mixed = Setting(voices, float("nan"))
    if harmonizer is None:
        return mixed
    from .setting import harmonize_melody

    scored = harmonize_melody(melody, harmonizer, keep=keep_whole({v.name: v for v in voices[1:]}))
    return replace(mixed, log_probability=scored.log_probability)


def read_parts(path: str | os.PathLike, key=None, classifier=None, find: bool = True) -> tuple[Melody, list[Voice]]:
    """A melody and the parts under it from one file: the melody as :func:`read_melody` reads it (the first part
    or track with notes), and every other part or track with notes, top to bottom, each one melodic line
    (:func:`clean_monophonic`) in the melody's time frame (beats from its first note). Raises
    :class:`InputError` naming the file for anything unusable.

    Notebook: 11_harmonize_your_melody
    """
    path = Path(path)
    melody = read_melody(path, key, classifier, find)
    if file_format(path) != "midi":
        parts = score_parts(read_score(path))
        voices = [part_to_voice(p, str(p.partName or f"Part {i + 1}"), "reject", path=path)
                  for i, p in enumerate(parts)]
    else:  # MIDI: read_melody has refused anything else
        voices = [v for v in midi_to_voices(load_midi(path)) if len(v)]
    others = [clean_monophonic(v, path).shift(-melody.offset) for v in voices[1:] if len(v)]
    return melody, others


def match_parts(parts: Sequence[Voice], wanted: Sequence[str], source) -> dict[str, Voice]:
    """The parts to keep, by name: a part called ``Alto``, ``Tenor`` or ``Bass`` (any case) is that voice; if
    no part has such a name and there are exactly as many parts as ``wanted``, they are taken in score order (top
    to bottom). Raises :class:`InputError` naming ``source`` when a wanted voice is missing.

    Notebook: 11_harmonize_your_melody
    """
    named = {v.name.strip().capitalize(): v for v in parts}
    if not any(n in named for n in VOICE_ORDER) and len(parts) == len(wanted):
        ordered = [w for w in VOICE_ORDER if w in wanted]
        return {w: v.renamed(w) for w, v in zip(ordered, parts)}
    missing = [w for w in wanted if w not in named]
    if missing:
        have = ", ".join(v.name for v in parts) or "none"
        raise InputError(source, f"no {' or '.join(missing)} part to keep under the melody (the other parts: "
                                 f"{have})")
    return {w: named[w].renamed(w) for w in wanted}


def setting_of(melody: Melody, parts: Sequence[Voice], source) -> Setting:
    """An existing setting read from a file (:func:`read_parts`): the melody and parts named Alto, or Alto, Tenor
    and Bass (by name, else in score order), as a :class:`Setting` with NaN log-probability. Raises
    :class:`InputError` naming ``source`` for any other set of parts.

    Notebook: 11_harmonize_your_melody
    """
    names = {v.name.strip().capitalize() for v in parts}
    wanted = [w for w in VOICE_ORDER if w in names] or list(VOICE_ORDER[:len(parts)])
    if tuple(wanted) not in (("Alto",), VOICE_ORDER) or len(parts) != len(wanted):
        have = ", ".join(v.name for v in parts) or "none"
        raise InputError(source, f"not a setting the harmonizer writes: under the melody it needs an Alto, or an "
                                 f"Alto, a Tenor and a Bass (the parts found: {have})")
    matched = match_parts(parts, wanted, source)
    return Setting([melody.voice.renamed("Soprano")] + [matched[w] for w in wanted], float("nan"))



# ------------------------------------------------------------------------------------------ on Bach's chorales

def melody_of_chorale(chorale) -> Melody:
    """A chorale's soprano as a :class:`Melody` in the chorale's key, metre and pickup, with Bach's fermatas as
    its phrase endings (the melody's end always one), for :func:`harmonize_melody` with kept voices.

    Notebook: 11_harmonize_your_melody
    """
    soprano = chorale.voices["Soprano"]
    ends = tuple(sorted({float(e) for e in chorale.phrase_ends} | {float(soprano.end)}))
    return Melody(soprano.renamed("Melody"), 0.0, chorale.time_signature, chorale.tempo, chorale.tonic,
                  chorale.mode, "key given", chorale.anacrusis, phrase_ends=ends,
                  phrase_source="fermatas" if chorale.phrase_ends else "given", source=chorale.name)


def setting_of_chorale(chorale, voices: Sequence[str] = VOICE_ORDER) -> Setting:
    """Bach's setting of a chorale as a :class:`Setting`: ``[Soprano, *voices]`` (NaN log-probability).

    Notebook: 11_harmonize_your_melody
    """
    return Setting([chorale.voices["Soprano"]] + [chorale.voices[v] for v in voices], float("nan"))


def agreement_with(setting: Setting, chorale, steps_per_beat: int = 4) -> dict[str, tuple[int, int]]:
    """Per generated voice of ``setting``, ``(steps with Bach's pitch, steps judged)``: the 16th-note steps where
    Bach's soprano sounds, as :func:`~helpers.harmonize.reference.pair_agreement` counts them.

    Notebook: 11_harmonize_your_melody
    """
    soprano = voice_to_steps(chorale.voices["Soprano"], steps_per_beat)[0]
    n = len(soprano)
    sounding = soprano != -1
    out = {}
    for v in setting.voices[1:]:
        bach = voice_to_steps(chorale.voices[v.name], steps_per_beat, n)[0]
        mine = voice_to_steps(v, steps_per_beat, n)[0]
        out[v.name] = (int((mine[sounding] == bach[sounding]).sum()), int(sounding.sum()))
    return out


def seam_report(setting: Setting, keep: Mapping[str, Kept], steps_per_beat: int = 4) -> dict[str, dict[str, int]]:
    """Rule events of a setting written around kept notes, by where they happen: at a **seam** (a move from one
    16th-note step to the next across which some voice turns from kept to written or back), **inside** the written
    part (every generated voice written on both sides) or in the **kept** part. Per class: ``moves`` (moves where
    some voice changes pitch), ``events`` (parallel and contrary fifths and octaves between any two voices, hidden
    ones between the outer voices: :func:`helpers.voiceleading.rule_events`, as
    :func:`~helpers.harmonize.setting.setting_faults` counts them) and ``disorder`` (arrival steps where a voice
    lies above the melody or above its upper neighbour). The melody is read on the grid (:func:`grid_melody`).

    Notebook: 11_harmonize_your_melody
    """
    from ..voiceleading import rule_events

    voices = [grid_melody(setting.voices[0], steps_per_beat)] + list(setting.voices[1:])
    steps = _fine_steps(voices, steps_per_beat)
    n = len(steps[0])
    times = np.arange(n) / steps_per_beat
    written = np.stack([~keep[v.name].kept_at(times) if v.name in keep else np.ones(n, bool)
                        for v in setting.voices[1:]])
    seam = (written[:, 1:] != written[:, :-1]).any(0)
    inside = written[:, 1:].all(0) & written[:, :-1].all(0)
    kind = np.where(seam, "seam", np.where(inside, "inside", "kept"))
    moving = np.zeros(n - 1, bool)
    for s in steps:
        moving |= s[1:] != s[:-1]
    events = np.zeros(n - 1, int)
    for a in range(len(steps)):
        for b in range(a + 1, len(steps)):
            for rule, hits in rule_events(steps[a], steps[b]).items():
                if not rule.startswith("hidden") or (a, b) == (0, len(steps) - 1):
                    events += hits
    disorder = np.zeros(n, bool)
    for a in range(len(steps) - 1):
        disorder |= crossed(steps[a], steps[a + 1])
    for s in steps[2:]:
        disorder |= crossed(steps[0], s)
    return {k: {"moves": int((moving & (kind == k)).sum()), "events": int(events[kind == k].sum()),
                "disorder": int(disorder[1:][kind == k].sum())} for k in ("seam", "inside", "kept")}
