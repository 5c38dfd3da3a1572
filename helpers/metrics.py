"""Voice-leading and harmony metrics on step sequences, for any number of voices (notebooks 09 and 10).

Every function takes *step sequences* as :func:`helpers.pianoroll.voice_to_steps` makes them: one MIDI pitch per
grid step, ``-1`` for a rest. A pair of voices is given as ``(upper, lower)``: the voice that should lie higher
first. :func:`pair_report` measures one pair, :func:`voice_report` one voice, :func:`harmony_report` every voice and
every pair of a piece; :func:`pool_reports` adds up reports of many pieces (weighted by their length in steps).

Conventions (stated here once, used by the notebooks):

* *interval class*: ``|upper - lower| mod 12`` of the real pitches, so crossed voices keep their interval.
* *consonant* interval classes, in two contexts (:mod:`helpers.voiceleading`): between two upper voices inside
  four parts unison/octave, thirds, perfect fourth, perfect fifth, sixths (0, 3, 4, 5, 7, 8, 9 semitones modulo
  12, :data:`CONSONANT_IN_FOUR_PARTS`); against the bass, and between two voices sung as a duet, the fourth counts as a
  dissonance (:data:`CONSONANT_IN_DUET`, ``context="duet"``).
* *parallel fifths/octaves*: from one step to the next both voices move (in the same direction) and the interval
  class is a fifth (7) or an octave/unison (0) before and after. Rests break the chain. *Contrary* fifths/octaves:
  the same by contrary motion; *hidden* fifths/octaves: similar motion into a fifth or octave with the upper voice
  leaping, counted between the outer voices. Transitions where neither voice changes note cannot break a rule,
  so counting over steps counts over note changes.
  The rules themselves (and the crossing rule) live in :mod:`helpers.voiceleading`, shared with the joint decoder.
* *in the scale*: the major scale for a major key; for a minor key the natural minor plus the raised sixth and
  seventh (melodic/harmonic minor), nine pitch classes (:func:`helpers.theory.scale_pitch_classes`).
* *crossings* and *wide spacings* are counted as events (the step where one begins) as well as in steps; the
  usual ranges of the four voices are :data:`USUAL_RANGES`.
* *chord match*: the set of pitch classes sounding at a step (in all voices together) equals the reference's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

from .pianoroll import REST, note_starts
from .theory import scale_pitch_classes, spell_for_signature
from .voiceleading import (
    CONSONANT_IN_DUET,
    CONSONANT_IN_FOUR_PARTS,
    LEAP,
    RULES,
    consonant_classes,
    crossed,
    interval_class,
    parallel_motion,
    pitch_class_mask,
    rule_events,
    sounding,
    wide_spacing,
)

#: Usual ranges of the four voices as taught for four-part writing (lowest and highest MIDI pitch, inclusive):
#: soprano C4–G5, alto G3–D5, tenor C3–G4, bass E2–C4.
USUAL_RANGES = {"Soprano": (60, 79), "Alto": (55, 74), "Tenor": (48, 67), "Bass": (40, 60)}
#: Pairs whose spacing is checked (more than an octave apart is "wide"): the upper three voices' neighbours.
SPACED_PAIRS = (("Soprano", "Alto"), ("Alto", "Tenor"))


def _pair(upper: np.ndarray, lower: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    upper, lower = np.asarray(upper), np.asarray(lower)
    if upper.shape != lower.shape or upper.ndim != 1:
        raise ValueError(f"voices must be 1-D step sequences of one length, not {upper.shape} and {lower.shape}")
    return upper.astype(np.int64), lower.astype(np.int64)


def _share(hits: int, total: int) -> float:
    return float(hits) / total if total else float("nan")


def both_sounding(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Boolean mask of the steps where neither voice rests.

    Notebook: 09_harmonization
    """
    upper, lower = _pair(upper, lower)
    return sounding(upper, lower)


def consonant_count(upper: np.ndarray, lower: np.ndarray, consonant: Sequence[int] = CONSONANT_IN_FOUR_PARTS,
                    context: str | None = None) -> tuple[int, int]:
    """``(consonant steps, steps where both sound)``: interval class ``|upper - lower| mod 12`` in ``consonant``,
    or, given ``context`` (``"duet"``: the fourth is a dissonance; ``"four_parts"``: it is consonant), in that
    context's classes (:func:`helpers.voiceleading.consonant_classes`, which raises ValueError for another).

    Notebook: 09_harmonization
    """
    upper, lower = _pair(upper, lower)
    if context is not None:
        consonant = consonant_classes(context)
    both = both_sounding(upper, lower)
    ic = interval_class(upper[both], lower[both])
    return int(np.isin(ic, consonant).sum()), int(both.sum())


def consonance(upper: np.ndarray, lower: np.ndarray, consonant: Sequence[int] = CONSONANT_IN_FOUR_PARTS,
               context: str | None = None) -> float:
    """Share of the steps where both voices sound whose interval class is consonant (NaN if they never do):
    in ``consonant``, or in ``context`` (``"duet"`` or ``"four_parts"``) if given. Parallel fourths are fully
    consonant inside four parts and fully dissonant as a duet.

    Notebook: 09_harmonization
    """
    return _share(*consonant_count(upper, lower, consonant, context))


def event_count(mask: np.ndarray) -> int:
    """Number of runs of True in a boolean sequence (the steps where a crossing, a wide spacing, ... begins).

    Notebook: 10_four_part_harmonization
    """
    mask = np.asarray(mask, dtype=bool)
    return int(mask[0] + np.sum(mask[1:] & ~mask[:-1])) if len(mask) else 0


def crossing_events(upper: np.ndarray, lower: np.ndarray) -> int:
    """Number of crossings: runs of steps where both voices sound and the lower one lies above the upper one.

    Notebook: 10_four_part_harmonization
    """
    upper, lower = _pair(upper, lower)
    return event_count(crossed(upper, lower))


def spacing_events(upper: np.ndarray, lower: np.ndarray, max_interval: int = 12) -> int:
    """Number of wide spacings: runs of steps where both sound more than ``max_interval`` semitones apart.

    Notebook: 10_four_part_harmonization
    """
    upper, lower = _pair(upper, lower)
    return event_count(wide_spacing(upper, lower, max_interval))


def chord_match_count(pitches: Mapping[str, np.ndarray], true: Mapping[str, np.ndarray]) -> tuple[int, int]:
    """``(matching steps, steps)``: steps where the pitch classes sounding in all of ``pitches`` together are
    exactly those sounding in all of ``true`` together (octave and doubling ignored; a silent step matches a silent
    step). Raises ValueError if the sequences differ in length.

    Notebook: 10_four_part_harmonization
    """
    def pc_sets(voices: Mapping[str, np.ndarray]) -> np.ndarray:
        seqs = [np.asarray(p).astype(np.int64) for p in voices.values()]
        if len({len(p) for p in seqs}) > 1:
            raise ValueError(f"voices must have one length, not {[len(p) for p in seqs]}")
        return pitch_class_mask(np.stack(seqs, axis=-1))

    a, b = pc_sets(pitches), pc_sets(true)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    return int((a == b).sum()), len(a)


def spacing_count(upper: np.ndarray, lower: np.ndarray, max_interval: int = 12) -> tuple[int, int]:
    """``(wide steps, steps where both sound)``: the voices more than ``max_interval`` semitones apart.

    Notebook: 09_harmonization
    """
    upper, lower = _pair(upper, lower)
    return int(wide_spacing(upper, lower, max_interval).sum()), int(both_sounding(upper, lower).sum())


def parallel_count(upper: np.ndarray, lower: np.ndarray, interval_class: int) -> int:
    """Number of parallel motions in ``interval_class`` (7: fifths, 0: octaves and unisons) between two voices.

    Counted from step ``t - 1`` to step ``t`` where both voices sound at both steps, both change pitch in the
    same direction, and the interval class is ``interval_class`` at both steps.

    Notebook: 10_four_part_harmonization
    """
    upper, lower = _pair(upper, lower)
    return int(parallel_motion(upper[:-1], lower[:-1], upper[1:], lower[1:], (interval_class,)).sum())


def rule_counts(upper: np.ndarray, lower: np.ndarray) -> dict[str, int]:
    """Counts of every motion rule of :data:`helpers.voiceleading.RULES` between two voices: parallel, contrary
    and hidden fifths and octaves (hidden ones judged for this pair whatever it is).

    Notebook: 10_four_part_harmonization
    """
    upper, lower = _pair(upper, lower)
    return {rule: int(events.sum()) for rule, events in rule_events(upper, lower).items()}


def music21_rule_events(upper: np.ndarray, lower: np.ndarray, sharps: int = 0,
                        leap: int = LEAP) -> dict[str, np.ndarray]:
    """The motion rules of :func:`helpers.voiceleading.rule_events` as music21's ``voiceLeading.VoiceLeadingQuartet``
    judges them, from each step ``t`` to ``t + 1`` where both voices sound at both steps and at least one changes note
    (the other transitions cannot break a rule): parallel fifths and octaves are ``parallelFifth()`` /
    ``parallelUnisonOrOctave()`` with ``similarMotion()``, contrary ones the same with ``contraryMotion()`` (music21's
    antiparallel motion), hidden ones ``hiddenFifth()`` / ``hiddenOctave()`` with the upper voice moving ``leap``
    semitones or more (music21 itself does not ask for a leap). Pitches are spelled for a key signature of ``sharps``
    (:func:`helpers.theory.spell_for_signature`); music21 judges spelled intervals, so a fifth it spells as a
    diminished sixth does not count. Slow (a cross-check): ``{rule: bool array of length steps - 1}``.

    Notebook: 10_four_part_harmonization
    """
    from music21 import note, voiceLeading

    upper, lower = _pair(upper, lower)
    events = {rule: np.zeros(max(len(upper) - 1, 0), dtype=bool) for rule in RULES}
    both = both_sounding(upper, lower)
    notes: dict[int, note.Note] = {}

    def n(m: int) -> note.Note:
        if m not in notes:
            notes[m] = note.Note(spell_for_signature(m, sharps).music21_name)
        return notes[m]

    for t in np.flatnonzero(both[1:] & both[:-1] & ((np.diff(upper) != 0) | (np.diff(lower) != 0))):
        q = voiceLeading.VoiceLeadingQuartet(n(upper[t]), n(upper[t + 1]), n(lower[t]), n(lower[t + 1]))
        similar, contrary = q.similarMotion(), q.contraryMotion()
        fifth, octave = q.parallelFifth(), q.parallelUnisonOrOctave()
        leaps = abs(int(upper[t + 1]) - int(upper[t])) >= leap
        events["parallel_fifths"][t] = similar and fifth
        events["parallel_octaves"][t] = similar and octave
        events["contrary_fifths"][t] = contrary and fifth
        events["contrary_octaves"][t] = contrary and octave
        events["hidden_fifths"][t] = leaps and q.hiddenFifth()
        events["hidden_octaves"][t] = leaps and q.hiddenOctave()
    return events


def music21_agreement(upper: np.ndarray, lower: np.ndarray, sharps: int = 0) -> dict[str, dict[str, int]]:
    """How :func:`helpers.voiceleading.rule_events` and music21 (:func:`music21_rule_events`) agree on two
    voices: ``{rule: {"both": events both flag, "ours_only": ..., "music21_only": ...}}`` for every rule of
    :data:`helpers.voiceleading.RULES`. Add them up over pieces and pairs; the agreement on a rule is
    ``both / (both + ours_only + music21_only)``.

    Notebook: 10_four_part_harmonization
    """
    ours, theirs = rule_events(*_pair(upper, lower)), music21_rule_events(upper, lower, sharps)
    return {rule: {"both": int((ours[rule] & theirs[rule]).sum()),
                   "ours_only": int((ours[rule] & ~theirs[rule]).sum()),
                   "music21_only": int((~ours[rule] & theirs[rule]).sum())} for rule in RULES}


def note_pitches(pitch: np.ndarray, onset: np.ndarray | None = None) -> np.ndarray:
    """The pitch of every note of a step sequence: a note starts where the pitch changes or ``onset`` is set.

    Notebook: 09_harmonization
    """
    pitch = np.asarray(pitch).astype(np.int64)
    return pitch[note_starts(pitch, onset) & (pitch != REST)]


def in_scale_count(pitch: np.ndarray, tonic: int, mode: str, onset: np.ndarray | None = None) -> tuple[int, int]:
    """``(notes in the key's scale, notes)`` of one voice, counting notes (not steps).

    Notebook: 09_harmonization
    """
    notes = note_pitches(pitch, onset)
    return int(np.isin(notes % 12, scale_pitch_classes(tonic, mode)).sum()), len(notes)


def pair_report(upper: np.ndarray, lower: np.ndarray, steps_per_beat: int,
                consonant: Sequence[int] = CONSONANT_IN_FOUR_PARTS, max_interval: int = 12) -> dict[str, float]:
    """Counts for one pair of voices (used by :func:`harmony_report`; pool them with :func:`pool_reports`).

    Keys: ``both`` (steps where both sound), ``consonant`` (steps consonant in ``consonant``),
    ``consonant_duet`` (steps consonant for the two voices sung as a duet: the fourth is a dissonance),
    ``crossed``, ``wide`` (steps), ``crossings``, ``wide_spans`` (events), ``fifths``, ``octaves`` (parallel
    motions), ``contrary_fifths``, ``contrary_octaves`` (consecutives by contrary motion), ``hidden_fifths``,
    ``hidden_octaves`` (judged for this pair; faults only between the outer voices) and ``beats`` (length of the
    piece).

    Notebook: 09_harmonization
    """
    cons, both = consonant_count(upper, lower, consonant)
    rules = rule_counts(upper, lower)
    return {"both": both, "consonant": cons, "consonant_duet": consonant_count(upper, lower, context="duet")[0],
            "crossed": int(crossed(upper, lower).sum()),
            "wide": spacing_count(upper, lower, max_interval)[0], "crossings": crossing_events(upper, lower),
            "wide_spans": spacing_events(upper, lower, max_interval),
            "fifths": rules["parallel_fifths"], "octaves": rules["parallel_octaves"],
            "contrary_fifths": rules["contrary_fifths"], "contrary_octaves": rules["contrary_octaves"],
            "hidden_fifths": rules["hidden_fifths"], "hidden_octaves": rules["hidden_octaves"],
            "beats": len(np.asarray(upper)) / steps_per_beat}


def voice_report(pitch: np.ndarray, tonic: int, mode: str, onset: np.ndarray | None = None,
                 true: np.ndarray | None = None, usual_range: tuple[int, int] | None = None) -> dict[str, float]:
    """Counts for one voice: ``steps``, ``correct`` (steps equal to ``true``, if given), ``in_scale``, ``notes``,
    ``low`` and ``high`` (lowest and highest pitch; NaN for a silent voice) and, given ``usual_range`` (lowest,
    highest, inclusive), ``outside``: the notes outside it.

    Notebook: 09_harmonization
    """
    pitch = np.asarray(pitch).astype(np.int64)
    sounding = pitch[pitch != REST]
    in_scale, notes = in_scale_count(pitch, tonic, mode, onset)
    report = {"steps": len(pitch), "in_scale": in_scale, "notes": notes,
              "low": float(sounding.min()) if len(sounding) else float("nan"),
              "high": float(sounding.max()) if len(sounding) else float("nan")}
    if true is not None:
        report["correct"] = int((pitch == np.asarray(true)).sum())
    if usual_range is not None:
        played = note_pitches(pitch, onset)
        report["outside"] = int(((played < usual_range[0]) | (played > usual_range[1])).sum())
    return report


def harmony_report(pitches: Mapping[str, np.ndarray], tonic: int, mode: str, steps_per_beat: int,
                   onsets: Mapping[str, np.ndarray] | None = None, true: Mapping[str, np.ndarray] | None = None,
                   bass: str | None = None, ranges: Mapping[str, tuple[int, int]] | None = None) -> dict:
    """Counts of one piece: ``{"voices": {name: voice_report}, "pairs": {(upper, lower): pair_report}}``.

    ``pitches`` maps voice names to step sequences, highest voice first (the order gives upper/lower in each
    pair). ``true`` (optional) gives the reference sequences for frame accuracy; if it holds every voice, the
    report also has ``"chord"``: ``{"matching", "steps"}`` (:func:`chord_match_count`). Pairs that involve
    ``bass`` use :data:`CONSONANT_IN_DUET`. Voices named in ``ranges`` (default :data:`USUAL_RANGES`) count
    their notes outside that range.

    Notebook: 09_harmonization
    """
    names = list(pitches)
    onsets = onsets or {}
    true = true or {}
    ranges = USUAL_RANGES if ranges is None else ranges
    voices = {}
    for n in names:
        voices[n] = voice_report(pitches[n], tonic, mode, onsets.get(n), true.get(n), ranges.get(n))
        voices[n]["beats"] = len(np.asarray(pitches[n])) / steps_per_beat
    pairs = {}
    for up, low in combinations(names, 2):
        consonant = CONSONANT_IN_DUET if bass in (up, low) else CONSONANT_IN_FOUR_PARTS
        pairs[(up, low)] = pair_report(pitches[up], pitches[low], steps_per_beat, consonant)
    report = {"voices": voices, "pairs": pairs}
    if all(n in true for n in names):
        matching, steps = chord_match_count(pitches, {n: true[n] for n in names})
        report["chord"] = {"matching": matching, "steps": steps}
    return report


def pool_reports(reports: Sequence[dict]) -> dict:
    """Add up the counts of many :func:`harmony_report` results and turn them into figures.

    Returns ``{"voices": {name: {accuracy, in_scale, low, high, outside_per_100_beats}}, "pairs": {(u, l):
    {consonance, consonance_duet, crossing, spacing, fifths_per_100_beats, octaves_per_100_beats,
    contrary_fifths_per_100_beats, contrary_octaves_per_100_beats, hidden_fifths_per_100_beats,
    hidden_octaves_per_100_beats, crossings_per_100_beats, wide_per_100_beats}}, "chord": {accuracy}}`` (shares
    between 0 and 1; NaN where undefined; a figure appears only where every report has its counts).

    Notebook: 09_harmonization
    """
    if not reports:
        raise ValueError("no reports to pool")
    out: dict = {"voices": {}, "pairs": {}}
    for name in reports[0]["voices"]:
        rs = [r["voices"][name] for r in reports]
        total = {k: sum(r.get(k, 0) for r in rs) for k in ("steps", "correct", "in_scale", "notes", "outside",
                                                            "beats")}
        fig = {"in_scale": _share(total["in_scale"], total["notes"]),
               "low": float(np.nanmin([r["low"] for r in rs])), "high": float(np.nanmax([r["high"] for r in rs]))}
        if all("correct" in r for r in rs):
            fig["accuracy"] = _share(total["correct"], total["steps"])
        if all("outside" in r and "beats" in r for r in rs) and total["beats"]:
            fig["outside_per_100_beats"] = 100 * total["outside"] / total["beats"]
        out["voices"][name] = fig
    for pair in reports[0]["pairs"]:
        rs = [r["pairs"][pair] for r in reports]
        total = {k: sum(r.get(k, 0) for r in rs) for k in rs[0]}
        has = {k for k in rs[0] if all(k in r for r in rs)}
        fig = {"consonance": _share(total["consonant"], total["both"]),
               "crossing": _share(total["crossed"], total["both"]),
               "spacing": _share(total["wide"], total["both"]),
               "fifths_per_100_beats": 100 * total["fifths"] / total["beats"],
               "octaves_per_100_beats": 100 * total["octaves"] / total["beats"]}
        if "consonant_duet" in has:
            fig["consonance_duet"] = _share(total["consonant_duet"], total["both"])
        for k in ("contrary_fifths", "contrary_octaves", "hidden_fifths", "hidden_octaves"):
            if k in has:
                fig[f"{k}_per_100_beats"] = 100 * total[k] / total["beats"]
        if all("crossings" in r and "wide_spans" in r for r in rs):
            fig["crossings_per_100_beats"] = 100 * total["crossings"] / total["beats"]
            fig["wide_per_100_beats"] = 100 * total["wide_spans"] / total["beats"]
        out["pairs"][pair] = fig
    if all("chord" in r for r in reports):
        out["chord"] = {"accuracy": _share(sum(r["chord"]["matching"] for r in reports),
                                           sum(r["chord"]["steps"] for r in reports))}
    return out


def voice_leading_rates(pooled: Mapping, voices: Sequence[str] | None = None) -> dict[str, float]:
    """Voice-leading events per 100 beats from a :func:`pool_reports` result, added over voices and pairs.

    ``parallel_fifths`` and ``parallel_octaves`` (similar motion), ``contrary_fifths`` and ``contrary_octaves``
    (contrary motion): over every pair of voices; ``hidden_fifths`` and ``hidden_octaves``: between the outer
    voices (the first and the last of ``voices``, default the report's order, highest first); ``crossings``: over
    neighbouring voices; ``wide_spacing``: over :data:`SPACED_PAIRS`; ``outside_range``: notes outside
    :data:`USUAL_RANGES`, over every voice but the first (the melody, which is given). The contrary and hidden
    rates appear only if the pooled reports have them.

    Notebook: 10_four_part_harmonization
    """
    names = list(voices or pooled["voices"])
    pairs = pooled["pairs"]
    chosen = [p for p in pairs if p[0] in names and p[1] in names]
    outer = (names[0], names[-1])
    rates = {"parallel_fifths": sum(pairs[p]["fifths_per_100_beats"] for p in chosen),
             "parallel_octaves": sum(pairs[p]["octaves_per_100_beats"] for p in chosen)}
    for k in ("contrary_fifths", "contrary_octaves"):
        if all(f"{k}_per_100_beats" in pairs[p] for p in chosen):
            rates[k] = sum(pairs[p][f"{k}_per_100_beats"] for p in chosen)
    for k in ("hidden_fifths", "hidden_octaves"):
        if f"{k}_per_100_beats" in pairs.get(outer, {}):
            rates[k] = pairs[outer][f"{k}_per_100_beats"]
    return rates | {
        "crossings": sum(pairs[(u, low)]["crossings_per_100_beats"] for u, low in zip(names, names[1:])),
        "wide_spacing": sum(pairs[p]["wide_per_100_beats"] for p in SPACED_PAIRS if p in chosen),
        "outside_range": sum(pooled["voices"][n].get("outside_per_100_beats", 0.0) for n in names[1:])}
