"""A style report: how four-part settings move and which chords they use, against Bach's settings of the same
pieces (notebook 10, issue 19).

:func:`style_report` reads pieces (a :class:`~helpers.chorales.Chorale`, or a :class:`Piece`: voices, key,
phrase endings) and counts, per voice, melodic intervals, repeats/steps/leaps and note durations; per chord (one
per beat, :func:`beat_chords`) Roman numerals and qualities, 6/4 chords by kind and the chord faults of
:mod:`helpers.voiceleading`; the opening chord and the cadence at every phrase ending (``cadences``).
:func:`compare_styles` sets a report against Bach's (total-variation distances of histograms, differences of
shares, ratios of rates); :func:`style_table` writes that comparison as a markdown table for a notebook.

Definitions:

* *repeat*: a voice sings the same pitch again; *step*: it moves 1 or 2 semitones; *leap*: 3 or more
  (:data:`helpers.voiceleading.LEAP`). Rests break the line. Intervals are clipped to ±:data:`INTERVAL_CLIP`.
* *chords*: the four voices sounding on each beat (quarter note; the grid follows the pickup), in the piece's
  own key throughout (modulations are not followed; Roman numerals are music21's, which writes the minor
  key's submediant ``bVI``). Faults that need motion are judged where the chord changes: a seventh (of a
  dominant, minor, major or half-diminished seventh chord) on the next different note of its voice, so a
  suspension that resolves is no fault; a cross-relation between adjacent chords.
* *cadences*: at each fermata, from the beat before the fermata chord (:func:`cadence_kind`); the leading tone
  of the cadence's goal in the soprano or bass must rise at authentic and modulating cadences.
* *rates* are per 100 beats; shares are between 0 and 1.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from .chorales import VOICES
from .midi import Voice
from .pianoroll import REST, n_steps_of, voice_to_steps
from .theory import MINOR_SCALE, check_mode, spell
from .voiceleading import (
    LEAP,
    QUALITY_NAMES,
    chord_quality,
    chord_root,
    chord_seventh,
    cross_relations,
    doubled_leading_tone,
    pitch_class_mask,
    unexplained_dissonance,
    unresolved_sevenths,
    unrisen_leading_tones,
    wide_spacing,
    without_third,
)

#: Melodic intervals beyond this many semitones are counted as this many (a histogram of 25 bins).
INTERVAL_CLIP = 12
#: Cadence kinds, in the order of the tables. "modulating": a dominant resolving to a tonic other than I and V.
CADENCES = ("authentic", "half", "plagal", "deceptive", "modulating", "other")
#: Kinds of 6/4 chord (a triad over its fifth).
SIX_FOURS = ("cadential", "passing", "pedal", "other")
#: The chord faults counted per 100 beats and per chance, as :meth:`StyleReport.figures` names them.
FAULTS = ("without_third", "doubled_leading_tone", "unexplained_dissonance", "unresolved_seventh", "cross_relation",
          "wide_spacing",
          "unrisen_leading_tone")
_SPB = 4  # grid steps per beat


@dataclass(frozen=True)
class Piece:
    """A four-part setting in the simple form :func:`style_report` reads: ``voices`` (``"Soprano"``, ``"Alto"``,
    ``"Tenor"``, ``"Bass"`` → :class:`~helpers.midi.Voice`, beats), the key ``tonic`` (pitch class) and ``mode``,
    ``phrase_ends`` (beats where fermata notes end) and ``anacrusis`` (pickup length in beats). A
    :class:`~helpers.chorales.Chorale` has the same attributes and can be used instead.

    Notebook: 10_four_part_harmonization
    """

    voices: Mapping[str, Voice]
    tonic: int
    mode: str
    phrase_ends: tuple[float, ...] = ()
    anacrusis: float = 0.0
    name: str = ""


def _steps(piece) -> np.ndarray:
    """Step sequences ``(steps, 4)`` of the four voices, highest first."""
    missing = [v for v in VOICES if v not in piece.voices]
    if missing:
        raise ValueError(f"piece {getattr(piece, 'name', '')!r} has no {'/'.join(missing)} voice")
    n = n_steps_of([piece.voices[v] for v in VOICES], _SPB)
    return np.stack([voice_to_steps(piece.voices[v], _SPB, n)[0] for v in VOICES], axis=-1).astype(np.int64)


def beat_chords(piece) -> tuple[np.ndarray, np.ndarray]:
    """The chords of a piece, one per beat: ``(beats, chords)``, the beat of each (quarter notes from the first
    note, on the grid of the pickup: a pickup of 1.5 beats puts them at 0.5, 1.5, …) and the MIDI pitches
    sounding there ``(n, 4)`` (soprano first, ``-1`` for a rest). Beats where every voice rests are left out.
    Raises ValueError if a voice is missing.

    Notebook: 10_four_part_harmonization
    """
    steps = _steps(piece)
    offset = int(round((float(getattr(piece, "anacrusis", 0.0)) % 1) * _SPB)) % _SPB
    at = np.arange(offset, len(steps), _SPB)
    at = at[(steps[at] != REST).any(axis=-1)]
    return at / _SPB, steps[at]


def _next_different(steps: np.ndarray) -> np.ndarray:
    """For every step and voice, the pitch the voice sings next when it leaves its present pitch (-1: the end)."""
    out = np.full_like(steps, REST)
    for v in range(steps.shape[1]):
        p = steps[:, v]
        change = np.flatnonzero(np.diff(p) != 0) + 1
        k = np.searchsorted(change, np.arange(len(p)), side="right")
        has = k < len(change)
        out[has, v] = p[change[k[has]]]
    return out


# ---------------------------------------------------------------------------------------- Roman numerals

@cache
def _music21_key(tonic: int, mode: str):
    from music21 import key

    name = re.sub(r"\d+$", "", spell(60 + tonic, tonic, mode).music21_name)
    return key.Key(name if mode == "major" else name.lower(), mode)


@cache
def _numeral(classes: tuple[int, ...], tonic: int, mode: str) -> str:
    from .score import chord_numeral

    *upper, bass = classes
    pitches = [60 + pc for pc in upper if pc != REST] + ([48 + bass] if bass != REST else [])
    names = [spell(p, tonic, mode).music21_name for p in pitches]
    return chord_numeral(names, _music21_key(tonic, mode), mark_foreign=False) if names else ""


def chord_numerals(chords: np.ndarray, tonic: int, mode: str) -> list[str]:
    """Roman numeral of each chord ``(n, voices)`` (highest voice first) in the key ``(tonic, mode)``:
    :func:`helpers.score.chord_numeral`, music21's ``roman.romanNumeralFromChord`` on the chord
    spelt by :func:`helpers.theory.spell` (a note foreign to the harmony left out and not marked, so that the
    histograms count chords; secondary dominants named). The
    figure depends only on the pitch classes of the voices and the bass counted from the tonic, so it is memoised
    on them, every chord moved to a key on C first: music21 names a chord and its transposition in the transposed
    key alike (checked on every chord of the 82 test chorales, and by a test), and the memo then serves all twelve
    keys, which halves the calls to music21 (about 25 ms each) on those chorales.

    Notebook: 10_four_part_harmonization
    """
    check_mode(mode)
    chords = np.asarray(chords)
    classes = np.where(chords != REST, (chords - int(tonic)) % 12, REST)
    return [_numeral(tuple(int(c) for c in row), 0, mode) for row in classes]


# --------------------------------------------------------------------------------------- chord structure

def six_four_kinds(chords: np.ndarray) -> list[str | None]:
    """Kind of each chord of a succession ``(n, voices)`` (highest first, bass last; one per change of chord)
    that is a 6/4, a major or minor triad over its fifth, ``None`` for the others: *cadential* when the next chord
    is a major triad or dominant seventh on the same bass note, approached from another bass note; *pedal*
    when the chords before and after stand in root position on that same bass note; *passing* when the bass
    moves by step through it in one direction; *other* otherwise.

    Notebook: 10_four_part_harmonization
    """
    chords = np.asarray(chords).astype(np.int64)
    quality, root, bass = chord_quality(chords), chord_root(chords), chords[:, -1]
    triad = np.isin(quality, [QUALITY_NAMES.index("major"), QUALITY_NAMES.index("minor")])
    dominant = np.isin(quality, [QUALITY_NAMES.index("major"), QUALITY_NAMES.index("dominant seventh")])
    kinds: list[str | None] = []
    for i in range(len(chords)):
        if not (triad[i] and bass[i] != REST and bass[i] % 12 == (root[i] + 7) % 12):
            kinds.append(None)
            continue
        b, prev, nxt = bass[i], i - 1 if i else None, i + 1 if i + 1 < len(chords) else None
        on_bass = [j is not None and bass[j] == b and root[j] == b % 12 for j in (prev, nxt)]
        if nxt is not None and on_bass[1] and dominant[nxt] and (prev is None or bass[prev] != b):
            kinds.append("cadential")
        elif all(on_bass):
            kinds.append("pedal")
        elif prev is not None and nxt is not None and (b - bass[prev]) * (bass[nxt] - b) > 0 and \
                0 < abs(b - bass[prev]) <= 2 and 0 < abs(bass[nxt] - b) <= 2:
            kinds.append("passing")
        else:
            kinds.append("other")
    return kinds


def _submediant(tonic: int, mode: str) -> int:
    return (tonic + (9 if mode == "major" else MINOR_SCALE[5])) % 12


def cadence_kind(penultimate: np.ndarray, final: np.ndarray, tonic: int, mode: str) -> str:
    """Kind of the cadence from ``penultimate`` to ``final`` (:data:`CADENCES`). ``final``: the chord on the
    fermata, ``(voices,)`` bass last; ``penultimate``: the steps of the beat before it, ``(steps, voices)``, whose
    last step gives the bass and whose pitch classes together tell a dominant (so a suspension or an anticipation
    does not hide it). The penultimate chord is a *dominant* of the final when it holds the final's leading tone
    over a bass on the dominant, the leading tone or the second degree (V, V6, vii°6/V43 and their sevenths).
    With the final chord in root position (a triad, complete or not, or a bare fifth): *authentic* onto I from a
    dominant, *plagal* onto I from a bass a fourth above, *half* onto a major V, *deceptive* onto vi (VI) from V,
    *modulating* from a dominant onto another degree; anything else is *other*.

    Notebook: 10_four_part_harmonization
    """
    final, penultimate = np.asarray(final).astype(np.int64), np.atleast_2d(penultimate).astype(np.int64)
    quality, root = QUALITY_NAMES[int(chord_quality(final))], int(chord_root(final))
    fb, pb = int(final[-1]) % 12, int(penultimate[-1, -1]) % 12
    if final[-1] == REST or penultimate[-1, -1] == REST or root != fb or quality not in ("major", "minor",
                                                                                        "no third"):
        return "other"
    pcs = int(np.bitwise_or.reduce(pitch_class_mask(penultimate)))

    def dominant_of(goal: int) -> bool:
        return bool((pcs >> ((goal + 11) % 12)) & 1) and (pb - goal) % 12 in (7, 11, 2)

    degree = (fb - tonic) % 12
    if degree == 0:
        return "authentic" if dominant_of(fb) else "plagal" if pb == (fb + 5) % 12 else "other"
    if degree == 7 and quality == "major":
        return "half"
    if fb == _submediant(tonic, mode) and pb == (tonic + 7) % 12 and dominant_of(tonic):
        return "deceptive"
    return "modulating" if dominant_of(fb) else "other"


def _cadence_steps(steps: np.ndarray, s: int) -> tuple[np.ndarray, int]:
    """The beat before the fermata chord at step ``s`` and the step where that chord is reached: ``s``, or the
    last change of chord (of pitch classes or bass note) when the fermata chord comes earlier and is repeated."""
    mask, bass = pitch_class_mask(steps[:s + 1]), steps[:s + 1, -1]
    differs = np.flatnonzero((mask[:s] != mask[s]) | (bass[:s] != bass[s]))
    last = int(differs[-1]) + 1 if len(differs) else s
    return steps[max(last - _SPB, 0):last], last


def _fermata_steps(piece, steps: np.ndarray) -> list[int]:
    """Grid step where each fermata chord starts: the start of the soprano note that ends at a phrase end."""
    soprano, out = piece.voices["Soprano"], []
    for end in getattr(piece, "phrase_ends", ()):
        hit = np.flatnonzero(np.abs(soprano.ends - end) < 1e-6)
        if len(hit):
            out.append(int(round(soprano.starts[hit[-1]] * _SPB)))
    return [s for s in out if 0 < s < len(steps)]


# ------------------------------------------------------------------------------------------------ report

def total_variation(p: Mapping, q: Mapping) -> float:
    """Total-variation distance ``½ Σ |p(x) − q(x)|`` between two histograms given as counts (or shares) by bin:
    each is normalised to sum to 1 first; 0 for identical shapes (and for two empty histograms), 1 for disjoint
    ones, NaN if only one is empty.

    Notebook: 10_four_part_harmonization
    """
    sp, sq = sum(p.values()), sum(q.values())
    if not sp and not sq:
        return 0.0
    if not sp or not sq:
        return float("nan")
    return 0.5 * sum(abs(p.get(k, 0) / sp - q.get(k, 0) / sq) for k in set(p) | set(q))


@dataclass
class StyleReport:
    """Counts of a :func:`style_report` over some pieces: ``beats`` and ``chords`` (beat chords); per voice
    ``intervals`` (clipped signed semitones) and ``durations`` (beats); ``numerals`` and ``qualities`` of the
    chords; ``six_fours`` by kind; ``faults`` (:data:`FAULTS`) with ``judged`` (how many chances each had);
    ``openings`` (bass on the tonic?, numeral) per piece; ``cadences`` per piece, in fermata order.
    :meth:`figures` turns the counts into shares and rates.

    Notebook: 10_four_part_harmonization
    """

    beats: float = 0.0
    chords: int = 0
    intervals: dict[str, Counter] = field(default_factory=dict)
    durations: dict[str, Counter] = field(default_factory=dict)
    numerals: Counter = field(default_factory=Counter)
    qualities: Counter = field(default_factory=Counter)
    six_fours: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    judged: Counter = field(default_factory=Counter)
    openings: list[tuple[bool, str]] = field(default_factory=list)
    cadences: list[list[str]] = field(default_factory=list)

    def motion(self, voice: str) -> dict[str, float]:
        """Shares of ``repeat``, ``step`` and ``leap`` among the melodic intervals of ``voice``.

        Notebook: 10_four_part_harmonization
        """
        c = self.intervals[voice]
        total = sum(c.values())
        counts = {"repeat": c.get(0, 0), "step": sum(n for i, n in c.items() if 0 < abs(i) < LEAP)}
        counts["leap"] = total - counts["repeat"] - counts["step"]
        return {k: n / total if total else float("nan") for k, n in counts.items()}

    def histograms(self) -> dict[str, Counter]:
        """Every histogram by name: ``intervals Alto``, ``durations Alto``, …, ``numerals``, ``qualities``,
        ``six-fours``, ``openings`` (numerals) and ``cadences``.

        Notebook: 10_four_part_harmonization
        """
        out = {f"intervals {v}": c for v, c in self.intervals.items()}
        out |= {f"durations {v}": c for v, c in self.durations.items()}
        return out | {"numerals": self.numerals, "qualities": self.qualities, "six-fours": self.six_fours,
                      "openings": Counter(n for _, n in self.openings),
                      "cadences": Counter(k for piece in self.cadences for k in piece)}

    def figures(self) -> dict[str, float]:
        """The headline figures: per voice the ``repeat``/``step``/``leap`` shares (``Alto repeat``, …); the share
        of openings with the tonic in the bass; the share of each cadence kind; each fault of :data:`FAULTS` per
        100 beats (``… per 100 beats``) and per chance (``… share``: per chord, per seventh, per voice pair or per
        leading tone judged); 6/4 chords per 100 beats.

        Notebook: 10_four_part_harmonization
        """
        out = {f"{v} {k}": x for v in self.intervals for k, x in self.motion(v).items()}
        n = len(self.openings)
        out["opening on the tonic"] = sum(b for b, _ in self.openings) / n if n else float("nan")
        cad = self.histograms()["cadences"]
        total = sum(cad.values())
        out |= {f"{k} cadence": cad.get(k, 0) / total if total else float("nan") for k in CADENCES}
        for f in FAULTS:
            out[f"{f} per 100 beats"] = 100 * self.faults[f] / self.beats if self.beats else float("nan")
            out[f"{f} share"] = self.faults[f] / self.judged[f] if self.judged[f] else float("nan")
        out["six-fours per 100 beats"] = 100 * sum(self.six_fours.values()) / self.beats if self.beats else 0.0
        return out


def _durations(voice: Voice) -> list[float]:
    return [round(float(d) * 4) / 4 for d in voice.ends - voice.starts]


def _intervals(voice: Voice) -> list[int]:
    joined = np.abs(voice.starts[1:] - voice.ends[:-1]) < 1e-6
    moves = np.diff(voice.pitches.astype(np.int64))[joined]
    return np.clip(moves, -INTERVAL_CLIP, INTERVAL_CLIP).tolist()


def _add_piece(report: StyleReport, piece) -> None:
    tonic, mode = int(piece.tonic), check_mode(piece.mode)
    steps = _steps(piece)
    for v in VOICES:
        report.intervals.setdefault(v, Counter()).update(_intervals(piece.voices[v]))
        report.durations.setdefault(v, Counter()).update(_durations(piece.voices[v]))
    beats, chords = beat_chords(piece)
    report.beats += len(steps) / _SPB
    report.chords += len(chords)
    if not len(chords):
        return
    numerals = chord_numerals(chords, tonic, mode)
    report.numerals.update(numerals)
    report.qualities.update(QUALITY_NAMES[q] for q in chord_quality(chords))
    report.openings.append((bool(chords[0, -1] != REST and chords[0, -1] % 12 == tonic), numerals[0]))
    faults, judged = report.faults, report.judged
    faults["without_third"] += int(without_third(chords).sum())
    faults["doubled_leading_tone"] += int(doubled_leading_tone(chords, tonic).sum())
    judged["without_third"] += len(chords)
    faults["unexplained_dissonance"] += int(unexplained_dissonance(chords).sum())
    judged["unexplained_dissonance"] += len(chords)
    judged["doubled_leading_tone"] += len(chords)
    for up, low in ((0, 1), (1, 2)):
        faults["wide_spacing"] += int(wide_spacing(chords[:, up], chords[:, low]).sum())
        judged["wide_spacing"] += len(chords)
    changed = np.r_[True, (chords[1:] != chords[:-1]).any(axis=-1)]
    moves = chords[changed]
    report.six_fours.update(k for k in six_four_kinds(moves) if k is not None)
    at = np.round(beats[changed] * _SPB).astype(int)
    following = _next_different(steps)[at]
    sevenths = (moves % 12 == chord_seventh(moves)[:, None]) & (moves != REST)
    faults["unresolved_seventh"] += int(unresolved_sevenths(moves, following).sum())
    judged["unresolved_seventh"] += int((sevenths & (following != REST)).sum())
    faults["cross_relation"] += int(cross_relations(moves[:-1], moves[1:], tonic, mode).sum())
    judged["cross_relation"] += max(len(moves) - 1, 0)
    kinds = []
    for s in _fermata_steps(piece, steps):
        penultimate, reached = _cadence_steps(steps, s)
        kind = cadence_kind(penultimate, steps[s], tonic, mode)
        kinds.append(kind)
        if kind in ("authentic", "modulating") and len(penultimate):
            outer = [0, 3]
            local = int(steps[s, -1]) % 12
            before, after = penultimate[-1, outer], steps[reached, outer]
            faults["unrisen_leading_tone"] += int(unrisen_leading_tones(before, after, local).sum())
            judged["unrisen_leading_tone"] += int(((before % 12 == (local + 11) % 12) & (before != REST)).sum())
    report.cadences.append(kinds)


def style_report(pieces: Sequence) -> StyleReport:
    """Count the style of some four-part settings (a sequence of :class:`Piece` or
    :class:`~helpers.chorales.Chorale`; each needs voices Soprano, Alto, Tenor and Bass, else ValueError): a
    :class:`StyleReport`. Sevenths are judged on each voice's next different note (a resolution delayed by a
    suspension counts as a resolution); leading tones in the outer voices at authentic and modulating cadences,
    in the key of the cadence's goal.

    Notebook: 10_four_part_harmonization
    """
    report = StyleReport()
    for piece in pieces:
        _add_piece(report, piece)
    return report


# ----------------------------------------------------------------------------------------------- comparing

def compare_styles(report: StyleReport, bach: StyleReport) -> dict[str, dict[str, float]]:
    """Set a report against Bach's on the same pieces: ``{measure: {"setting", "bach", "difference" or
    "ratio"}}``. Histograms (:meth:`StyleReport.histograms`) give their total-variation ``distance``
    (:func:`total_variation`); shares (:meth:`StyleReport.figures`) their ``difference`` setting − Bach; rates
    per 100 beats their ``ratio`` setting / Bach (NaN where Bach's rate is 0). ``cadence agreement``: the share of
    fermatas where both have the same cadence kind (pieces and fermatas matched in order).

    Notebook: 10_four_part_harmonization
    """
    out: dict[str, dict[str, float]] = {}
    mine, theirs = report.histograms(), bach.histograms()
    for name in mine:
        out[name] = {"distance": total_variation(mine[name], theirs.get(name, Counter()))}
    fig, ref = report.figures(), bach.figures()
    for name, x in fig.items():
        row = {"setting": x, "bach": ref.get(name, float("nan"))}
        if name.endswith("per 100 beats"):
            row["ratio"] = x / row["bach"] if row["bach"] else float("nan")
        else:
            row["difference"] = x - row["bach"]
        out[name] = row
    pairs = [(a, b) for pa, pb in zip(report.cadences, bach.cadences) for a, b in zip(pa, pb)]
    out["cadence agreement"] = {"setting": sum(a == b for a, b in pairs) / len(pairs) if pairs else float("nan"),
                                "bach": 1.0 if pairs else float("nan")}
    return out


def _cell(x: float | None, digits: int) -> str:
    return "" if x is None else "–" if np.isnan(x) else f"{x:.{digits}f}"


def style_table(comparison: Mapping[str, Mapping[str, float]], digits: int = 3) -> str:
    """The rows of :func:`compare_styles` as a markdown table (measure, setting, Bach, distance, difference,
    ratio; empty where a row has no such column, ``–`` for NaN), for a notebook's ``display(Markdown(...))``.

    Notebook: none (used by bench/melody_path.py)
    """
    cols = ("setting", "bach", "distance", "difference", "ratio")
    lines = ["| measure | setting | Bach | TV distance | difference | ratio |", "|---|---:|---:|---:|---:|---:|"]
    for name, row in comparison.items():
        lines.append(f"| {name} | " + " | ".join(_cell(row.get(c), digits) for c in cols) + " |")
    return "\n".join(lines)
