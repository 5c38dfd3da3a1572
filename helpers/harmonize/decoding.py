"""From the network's probabilities to notes, in NumPy only (no Keras): voice by voice (:func:`decode`, notebook 09)
or all generated voices together under the melody (:func:`decode_jointly`, a Viterbi search over chords with the
penalties of :class:`VoiceLeading`, notebook 10). The rules are :mod:`helpers.voiceleading`'s, the ones
:mod:`helpers.metrics` counts. What holding each chord for a beat costs against Bach is measured in
:mod:`.holding`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ..pianoroll import REST, note_starts
from ..voiceleading import (
    LEAP,
    antiparallel_motion,
    cadence_fits,
    chord_seventh,
    crossed,
    doubled_leading_tone,
    hidden_motion,
    parallel_motion,
    unexplained_dissonance,
    unresolved_sevenths,
    without_third,
)
from .encoding import STEPS_PER_BEAT
from .lines import melodic_model
from .order import candidate_chords, ordered_candidates


def decode(probs: np.ndarray, onset_prob: np.ndarray, low: int) -> tuple[np.ndarray, np.ndarray]:
    """Step sequence from network outputs: the most likely class per step (0 = rest, else ``low + class - 1``);
    a note starts where the onset probability is at least 0.5 or the pitch changes.

    Notebook: 09_harmonization
    """
    cls = np.asarray(probs).argmax(-1)
    pitch = np.where(cls == 0, REST, low + cls - 1).astype(np.int64)
    return pitch, note_onsets(pitch, onset_prob)


def note_onsets(pitch: np.ndarray, onset_prob: np.ndarray) -> np.ndarray:
    """Where notes start in a decoded voice: the onset probability is at least 0.5 or the pitch changes (never on
    a rest).

    Notebook: 09_harmonization
    """
    pitch = np.asarray(pitch)
    return note_starts(pitch, np.asarray(onset_prob).reshape(len(pitch)) >= 0.5) & (pitch != REST)


HOLDS = ("beat", "half", "step")
#: In a ``fixed`` step array of :func:`decode_jointly`: the voice is free at this step (``REST``, -1, is a kept rest).
FREE = -2


@dataclass(frozen=True)
class VoiceLeading:
    """Rules for :func:`decode_jointly` (notebook 10), as penalties in nats (units of summed log-probability).

    ``parallel``: per parallel fifth or octave (unisons included) between any two voices from one chord to the next,
    both voices moving the same way (:func:`helpers.voiceleading.parallel_motion`, which
    :func:`helpers.metrics.parallel_count` counts); ``crossing``: per step and pair of neighbouring voices with the
    lower one above the upper one; ``candidates``: how many of the likeliest pitches (or rest) of each voice the
    search considers for each chord; ``hold``: ``"beat"`` lets the generated voices change only where a beat or a
    melody note begins (one chord per beat or melody note, so voices cannot dodge the parallel rule by moving a
    sixteenth apart; :func:`hold_beat_cost` says how many of Bach's inner-voice onsets that rules out), ``"half"``
    also on every half beat (eighth-note passing notes), ``"step"`` at every step. ``contrary``: per consecutive fifth
    or octave by contrary motion between any two voices (:func:`helpers.voiceleading.antiparallel_motion`);
    ``hidden``: per hidden fifth or octave between the outer voices, the melody and the last generated voice
    (:func:`helpers.voiceleading.hidden_motion`). Both are 0 by default, so that leaving them out keeps the
    parallel-and-crossing decoder of notebook 10 unchanged. ``order``: hard rules instead of penalties for the order
    of the voices: no generated voice above the melody while it sounds (nor silent then, unless its whole range lies
    above the melody), and no generated voice above the one written over it (unisons allowed); where no chord of the
    likeliest candidates keeps the order, each lower voice gets its likeliest pitch under the voice over it as one
    more (:func:`~.order.ordered_candidates`). ``passing``: after the search, :func:`add_passing_notes` fills thirds
    with passing notes on the half beat where the network prefers them and they break no rule (chords stay one per
    beat: the parallel rule cannot be dodged).

    The style rules (issue 19; all off by default, so that leaving them out keeps the decoder above): ``melodic``, the
    weight of each generated voice's melodic model (:mod:`helpers.harmonize.lines`: log-probability of its move from
    one chord to the next, learned from Bach's voices); ``chord_faults``, per chord without a third and per doubled
    leading tone; ``dissonance``, per chord whose voices under the melody make no chord and whose whole sound is none
    either (:func:`helpers.voiceleading.unexplained_dissonance`); ``sevenths``, per voice that sings the seventh of a
    seventh chord and does not step down one or two semitones into the next chord; ``opening``, when the first chord's
    lowest voice is not the tonic. The last three need the key (``tonic`` of :func:`decode_jointly`). ``restrike``:
    how sure the network must be of an onset (its onset probability) for a voice to strike a pitch it already holds
    again where a new chord begins, else the note is held (``bass_restrike`` for the lowest of several generated
    voices; 0.5, the default, is the onset rule of :func:`decode`). ``passing_bonus``: nats of credit
    :func:`add_passing_notes` gives a passing note, one that lies between the held note and the next;
    ``passing_steps``: half-beat notes move by step only, and the credit goes only to a passing note that fills a
    third (as most of Bach's half-beat notes do). ``bass_melodic``: a melodic-model
    weight for the lowest of several generated voices alone, added to ``melodic`` (Bach's bass moves by step from
    beat to beat far more often than the network's chord-by-chord choice does). ``cadence``: nats of credit at each
    phrase ending (``phrase_ends`` of :func:`decode_jointly`) for a chord that closes the phrase as Bach's cadences
    do (:func:`helpers.voiceleading.cadence_fits`); ``half_cadence``: the share of that credit a close on the key's
    major V gets (on the validation tunes, full credit gave more half cadences and fewer modulating ones than Bach
    wrote). ``middle_steps``: nats of credit for each generated voice
    between the highest and the lowest of them (the tenor under an alto, over a bass) that moves by step (one or two
    semitones) from one chord to the next (Bach's tenor steps about 62% of the time; the search's chord by chord
    choice leaps more, while the alto, led by the melody over it, steps about as often as Bach's; a melodic-model
    weight for the inner voices raised their repeats instead).

    Notebook: 10_four_part_harmonization
    """

    parallel: float = 1.0
    crossing: float = 1.0
    candidates: int = 4
    hold: str = "beat"
    contrary: float = 0.0
    hidden: float = 0.0
    order: bool = False
    passing: bool = False
    melodic: float = 0.0
    chord_faults: float = 0.0
    sevenths: float = 0.0
    opening: float = 0.0
    restrike: float = 0.5
    bass_restrike: float = 0.5
    passing_bonus: float = 0.0
    dissonance: float = 0.0
    passing_steps: bool = False
    bass_melodic: float = 0.0
    cadence: float = 0.0
    middle_steps: float = 0.0
    half_cadence: float = 1.0

    def __post_init__(self) -> None:
        if self.hold not in HOLDS:
            raise ValueError(f"hold must be one of {HOLDS}, not {self.hold!r}")
        if self.candidates < 1:
            raise ValueError(f"candidates must be at least 1, not {self.candidates}")


def chord_starts(melody: np.ndarray, melody_onsets: np.ndarray | None, steps_per_beat: int,
                 hold: str = "beat") -> np.ndarray:
    """Steps where :func:`decode_jointly` may change chord: every step (``hold="step"``), or the first step, every
    beat and every step where the melody starts a note or changes between note and rest (``hold="beat"``), and
    also every half beat (``hold="half"``).

    Notebook: 10_four_part_harmonization
    """
    melody = np.asarray(melody)
    n = len(melody)
    if hold == "step":
        return np.arange(n)
    grid = steps_per_beat // 2 if hold == "half" and steps_per_beat % 2 == 0 else steps_per_beat
    return np.flatnonzero(note_starts(melody, melody_onsets) | (np.arange(n) % grid == 0))


def decode_jointly(probs: Mapping[str, np.ndarray], onset_probs: Mapping[str, np.ndarray],
                   lows: Mapping[str, int], melody: np.ndarray, rules: VoiceLeading = VoiceLeading(),
                   melody_onsets: np.ndarray | None = None, steps_per_beat: int = STEPS_PER_BEAT,
                   temperature: float = 0.0, rng: np.random.Generator | None = None,
                   tonic: int | None = None, fixed: Mapping[str, np.ndarray] | None = None,
                   fixed_onsets: Mapping[str, np.ndarray] | None = None,
                   phrase_ends: Sequence[int] = ()) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Decode several voices together under a melody: the chord sequence with the highest summed log-probability
    minus the :class:`VoiceLeading` penalties, found exactly by dynamic programming (Viterbi).

    ``probs`` maps each generated voice, highest first, to its softmax output ``(steps, classes)`` (class 0 =
    rest, class ``c`` = pitch ``lows[voice] + c - 1``); ``melody`` (and ``melody_onsets``) are the given top
    voice's steps. The piece is cut into chord spans by :func:`chord_starts`; a voice keeps one pitch through a
    span, scored by the sum of its log-probabilities over the span's steps. For each span only the
    ``rules.candidates`` best classes of each voice are considered, so the search runs over ``candidates **
    voices`` chords per span. Returns ``{voice: (pitch, onset)}`` as :func:`decode` does. With ``hold="step"``
    and zero penalties the result is the per-step argmax of every voice. With ``temperature`` > 0 the search
    samples instead (perturb-and-MAP: Gumbel noise times ``temperature`` is added to each span's
    log-probabilities, drawn from ``rng``), so every sample obeys the same rules. ``tonic``: the pitch class of the
    key's tonic in the frame of ``probs``, for the style rules that need the key (without it they are off).
    ``phrase_ends``: steps where phrases end; the chord under the melody note that ends there and the chord before
    it are where ``rules.cadence`` looks.

    ``fixed`` keeps notes (notebook 11): per generated voice a step array of pitches, :data:`FREE` where the voice
    is free (``REST`` is a kept rest), with ``fixed_onsets`` where kept notes start (default: where the pitch
    changes). Chord spans also start where a kept voice changes note or between kept and free steps
    (:func:`kept_starts`), and at a kept span a voice's candidate set is the kept pitch alone
    (:func:`kept_candidates`); the rest of the trellis, seams included, is unchanged, so the chords beside kept
    ones are judged by the same rules, samples too; with ``rules.order`` a free voice also stays between the kept
    voices around it (:func:`kept_order`). Kept steps come out exactly, onsets included (:func:`with_kept_onsets`).

    Notebook: 10_four_part_harmonization
    """
    voices = list(probs)
    melody = np.asarray(melody).astype(np.int64)
    n = len(melody)
    fixed = _checked_fixed(fixed, voices, n)
    if n == 0:
        return {v: (np.zeros(0, np.int64), np.zeros(0, bool)) for v in voices}
    starts = kept_starts(chord_starts(melody, melody_onsets, steps_per_beat, rules.hold), fixed, fixed_onsets)
    lengths = np.diff(np.r_[starts, n])
    pitch_of, logp_of, span_logps = [], [], []
    span_melody = melody[starts]
    if temperature > 0:
        rng = rng if rng is not None else np.random.default_rng()
    for v in voices:
        span_logp = np.add.reduceat(np.log(np.asarray(probs[v], dtype=np.float64)[:n] + 1e-12), starts, axis=0)
        if temperature > 0:
            span_logp = span_logp + temperature * rng.gumbel(size=span_logp.shape)
        if rules.order:  # under a sounding melody: no pitch above it, and no rest unless every pitch is above it
            pitches = lows[v] + np.arange(span_logp.shape[1]) - 1
            above = (span_melody[:, None] != REST) & (pitches[None, :] > span_melody[:, None])
            above[:, 0] = (span_melody != REST) & ~above[:, 1:].all(1)
            span_logp = np.where(above, -np.inf, span_logp)
            if fixed and v not in fixed:  # ... nor above a kept voice written over it, nor below one under it
                span_logp = kept_order(span_logp, pitches, v, voices, {u: f[starts] for u, f in fixed.items()})
        top = np.argsort(-span_logp, axis=1, kind="stable")[:, :min(rules.candidates, span_logp.shape[1])]
        pitch, logp = np.where(top == 0, REST, lows[v] + top - 1), np.take_along_axis(span_logp, top, 1)
        if v in fixed:  # at kept spans the kept pitch is the only candidate
            pitch, logp = kept_candidates(pitch, logp, fixed[v][starts])
        logp_of.append(logp)
        pitch_of.append(pitch)
        span_logps.append(span_logp)
    if rules.order:  # where the likeliest candidates cannot keep the order, a low enough one joins them
        pitch_of, logp_of = ordered_candidates(span_melody, pitch_of, logp_of, span_logps, [lows[v] for v in voices],
                                               [fixed[v][starts] != FREE if v in fixed else None for v in voices])
    chords, choice = candidate_chords(span_melody, pitch_of)  # chord c takes candidate choice[i][c] of voice i
    spans, n_chords = chords.shape[:2]
    score = sum(lp[:, i] for lp, i in zip(logp_of, choice))  # (spans, chords)
    n_crossed = crossed(chords[..., :-1], chords[..., 1:]).sum(-1)  # neighbouring voices
    score = score - rules.crossing * n_crossed * lengths[:, None]
    if rules.order:  # crossed chords only where no chord of the span keeps the voices in order
        ordered = (n_crossed == 0) & np.isfinite(score)
        score = np.where(ordered | ~ordered.any(1, keepdims=True), score, -np.inf)
        score = np.where(np.isfinite(score), score, -1e9)  # keep the search finite; such chords are never chosen
    penalty = np.zeros((spans - 1, n_chords, n_chords))
    # A rule between parts a and b depends only on their candidates: evaluate it on the (ka·kb) × (ka·kb) grid of
    # their pairs from span to span, then spread it over the chords (the same counts, far fewer evaluations).
    cand = [melody[starts][:, None]] + pitch_of  # (spans, k) pitches of each part, the melody first
    ks = [c.shape[1] for c in pitch_of]
    # the chords are every combination of the voices' candidates, in order (candidate_chords): seen as one axis per
    # voice, before and after, penalty takes a rule's grid by broadcasting, without gathering it chord by chord
    by_voice = penalty.reshape((spans - 1, *ks, *ks))

    def spread(grid: np.ndarray, parts: tuple[int, ...]) -> None:  # over the candidates of parts (1: first voice)
        axes = [ks[i] if i + 1 in parts else 1 for i in range(len(ks))]
        by_voice[...] += grid.reshape((spans - 1, *axes, *axes))

    def counts(rule, a: int, b: int) -> np.ndarray:  # part a over part b, previous pair (rows) to this one
        pa, pb = cand[a], cand[b]
        ka, kb = pa.shape[1], pb.shape[1]
        return rule(pa[:-1, :, None, None, None], pb[:-1, None, :, None, None],
                    pa[1:, None, None, :, None], pb[1:, None, None, None, :]).reshape(spans - 1, ka * kb, ka * kb)

    outer = (0, len(cand) - 1)
    for a, b in combinations(range(len(cand)), 2):  # each pair's rules summed on its small grid, spread once
        grid = 0.0
        for weight, rule in ((rules.parallel, parallel_motion), (rules.contrary, antiparallel_motion),
                             (rules.hidden if (a, b) == outer else 0.0, hidden_motion)):  # hidden: outer voices
            if weight:
                grid = grid + weight * counts(rule, a, b)
        if np.ndim(grid):
            spread(grid, tuple(p for p in (a, b) if p))  # the melody (part 0) has one candidate
    for i, v in enumerate(voices):  # the melodic model: every voice, and the lowest of several once more
        lowest = i == len(voices) - 1 and len(voices) > 1
        weight = rules.melodic + (rules.bass_melodic if lowest else 0.0)
        grid = 0.0
        if weight:
            grid = weight * -melodic_model().log_probability(v, pitch_of[i][:-1, :, None], pitch_of[i][1:, None, :])
        if rules.middle_steps and 0 < i < len(voices) - 1:
            before, after = pitch_of[i][:-1, :, None], pitch_of[i][1:, None, :]
            step = (before != REST) & (after != REST) & (0 < np.abs(after - before)) & (np.abs(after - before) < LEAP)
            grid = grid - rules.middle_steps * step
        if np.ndim(grid):
            spread(grid, (i + 1,))
    if rules.sevenths and spans > 1:
        penalty += rules.sevenths * _unresolved(chords[:-1], chords[1:])
    if tonic is not None and rules.cadence and len(phrase_ends):
        begun = np.flatnonzero(note_starts(melody, melody_onsets))
        for end in phrase_ends:  # the span where the phrase's last melody note starts, and the one before it
            last = np.searchsorted(starts, begun[np.searchsorted(begun, min(end, n) - 1, "right") - 1], "right") - 1
            if last > 0:
                penalty[last - 1] -= rules.cadence * cadence_fits(chords[last - 1][:, None], chords[last][None, :],
                                                                  tonic, rules.half_cadence)
    if tonic is not None and rules.chord_faults:
        score = score - rules.chord_faults * (without_third(chords) + doubled_leading_tone(chords, tonic))
    if rules.dissonance:
        score = score - rules.dissonance * unexplained_dissonance(chords)
    if tonic is not None and rules.opening:
        bass = chords[0, :, -1]
        score[0] = score[0] - rules.opening * ((bass == REST) | (bass % 12 != tonic % 12))
    best = score[0]
    back = np.zeros((spans - 1, n_chords), dtype=np.int64)
    for t in range(1, spans):
        total = best[:, None] - penalty[t - 1]
        back[t - 1] = total.argmax(0)
        best = total[back[t - 1], np.arange(n_chords)] + score[t]
    path = np.empty(spans, dtype=np.int64)
    path[-1] = int(best.argmax())
    for t in range(spans - 2, -1, -1):
        path[t] = back[t, path[t + 1]]
    span_of_step = np.repeat(np.arange(spans), lengths)
    out = {}
    for i, v in enumerate(voices):
        pitch = chords[np.arange(spans), path, i + 1][span_of_step]
        onset_prob = np.zeros(n)
        onset_prob[starts] = np.asarray(onset_probs[v]).reshape(-1)[:n][starts]  # notes start only with a span
        same = np.zeros(n, dtype=bool)
        same[starts[1:]] = pitch[starts[1:]] == pitch[starts[1:] - 1]
        # the same pitch again is struck anew only when the network is sure enough (rules.restrike), else held
        sure = rules.bass_restrike if i == len(voices) - 1 and len(voices) > 1 else rules.restrike
        onset_prob = np.where(same & (onset_prob < sure), 0.0, np.where(same, 1.0, onset_prob))
        out[v] = (pitch, note_onsets(pitch, onset_prob))
    out = with_kept_onsets(out, fixed, fixed_onsets)
    if rules.passing:
        out = add_passing_notes(out, probs, lows, melody, steps_per_beat, rules.passing_bonus, fixed,
                                rules.passing_steps)
    return out


def _checked_fixed(fixed: Mapping[str, np.ndarray] | None, voices: Sequence[str], n: int) -> dict[str, np.ndarray]:
    """``fixed`` as int arrays, voices with no kept step left out; ValueError for an unknown voice or a length
    other than the melody's."""
    out = {}
    for v, f in (fixed or {}).items():
        f = np.asarray(f, dtype=np.int64)
        if v not in voices or f.shape != (n,):
            raise ValueError(f"fixed steps must be given for generated voices ({', '.join(voices)}), {n} steps "
                             f"each, not {v!r} with shape {f.shape}")
        if np.any(f != FREE):
            out[v] = f
    return out


def _kept_notes(kept: np.ndarray, onsets: np.ndarray | None) -> np.ndarray:
    """Where a kept note (or kept rest) starts in a ``fixed`` array: at the first step of each kept run, where the
    pitch changes, or where ``onsets`` says so; never at a free step."""
    is_kept = kept != FREE
    start = note_starts(kept, onsets) | (is_kept & ~np.r_[False, is_kept[:-1]])
    return start & is_kept


def kept_starts(starts: np.ndarray, fixed: Mapping[str, np.ndarray],
                fixed_onsets: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """The chord starts of :func:`decode_jointly` with kept notes: ``starts`` (:func:`chord_starts`) and every
    step where a kept voice starts a note or a rest, or turns from kept to free, so that each span of a voice is
    all kept with one pitch, or all free. Sorted step indices.

    Notebook: 11_harmonize_your_melody
    """
    extra = [np.asarray(starts)]
    for v, kept in fixed.items():
        onsets = None if fixed_onsets is None or v not in fixed_onsets else np.asarray(fixed_onsets[v])
        is_kept = kept != FREE
        extra.append(np.flatnonzero(_kept_notes(kept, onsets) | (~is_kept & np.r_[False, is_kept[:-1]])))
    return np.unique(np.concatenate(extra)).astype(np.int64)


def kept_order(span_logp: np.ndarray, pitches: np.ndarray, voice: str, voices: Sequence[str],
               kept: Mapping[str, np.ndarray]) -> np.ndarray:
    """The hard voice order of :class:`VoiceLeading` (``order=True``) against kept voices: at each span, a free
    ``voice``'s pitches (``pitches``, one per class; class 0 is the rest and stays) above a kept voice written over
    it or below a kept voice under it (``voices`` highest first; ``kept`` the kept pitch of each kept voice at each
    span, ``FREE`` or ``REST`` where it keeps nothing to compare) are ruled out (-inf), unless that would rule out
    every pitch of the span. Unisons are allowed.

    Notebook: 11_harmonize_your_melody
    """
    at = voices.index(voice)
    wrong = np.zeros(span_logp.shape, dtype=bool)
    for u, k in kept.items():
        sounding = (k != FREE) & (k != REST)
        if voices.index(u) < at:
            wrong |= sounding[:, None] & (pitches[None, :] > k[:, None])
        else:
            wrong |= sounding[:, None] & (pitches[None, :] < k[:, None])
    wrong[:, 0] = False
    left = np.isfinite(np.where(wrong, -np.inf, span_logp))[:, 1:].any(1)
    return np.where(wrong & left[:, None], -np.inf, span_logp)


def kept_candidates(pitch: np.ndarray, logp: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One voice's candidates per span, ``pitch`` and ``logp`` ``(spans, k)``, with the kept pitch alone where
    ``kept`` (the ``fixed`` pitch at each span's first step) is not :data:`FREE`: it takes the first column, with
    log-probability 0 (the same for every chord of the span, so it moves no choice), and the other columns are
    ruled out (-inf), so the candidate set shrinks to one. Free spans are unchanged.

    Notebook: 11_harmonize_your_melody
    """
    at = kept != FREE
    pitch, logp = pitch.copy(), logp.copy()
    pitch[at] = kept[at, None]
    logp[at] = -np.inf
    logp[at, 0] = 0.0
    return pitch, logp


def with_kept_onsets(decoded: Mapping[str, tuple[np.ndarray, np.ndarray]], fixed: Mapping[str, np.ndarray],
                     fixed_onsets: Mapping[str, np.ndarray] | None = None
                     ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Decoded voices ``{voice: (pitch, onset)}`` whose kept steps are exactly as kept: the kept pitches, a note
    starting where a kept note starts (:func:`kept_starts`' rule) and nowhere else inside kept notes, and a new
    note at the first free step after kept ones, so a free note never merges with a kept one.

    Notebook: 11_harmonize_your_melody
    """
    out = dict(decoded)
    for v, kept in fixed.items():
        pitch, onset = (np.asarray(a).copy() for a in decoded[v])
        onsets = None if fixed_onsets is None or v not in fixed_onsets else np.asarray(fixed_onsets[v])
        is_kept = kept != FREE
        pitch[is_kept] = kept[is_kept]
        onset = onset.astype(bool)
        onset[is_kept] = _kept_notes(kept, onsets)[is_kept]
        after = ~is_kept & np.r_[False, is_kept[:-1]]
        onset[after] = True
        out[v] = (pitch, onset & (pitch != REST))
    return out


def _unresolved(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Sevenths that do not resolve from each chord of ``before`` ``(spans, n, voices)`` to each chord of
    ``after`` ``(spans, m, voices)``: ``(spans, n, m)`` counts of voices that sing the seventh of a seventh chord
    and do not step down one or two semitones (:func:`helpers.voiceleading.unresolved_sevenths`, judged chord to
    chord, so a seventh held into a new chord counts; the same chord again is no move). Only the chords of
    ``before`` that have a seventh are judged against every chord of ``after``: most have none."""
    out = np.zeros(before.shape[:2] + after.shape[1:2], dtype=np.int64)
    seventh = chord_seventh(before)[..., None]
    span, chord = np.nonzero(((before % 12 == seventh) & (seventh >= 0) & (before != REST)).any(-1))
    if len(span):
        x, y = before[span, chord][:, None, :], after[span]  # (k, 1, voices) against (k, m, voices)
        out[span, chord] = (unresolved_sevenths(x, y) & (x != y).any(-1, keepdims=True)).sum(-1)
    return out


def _events_between(parts: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Rule events at the moves from steps ``before`` to steps ``after`` (index arrays of one length; ``parts``
    ``(parts, steps)`` top to bottom, melody first): parallel and contrary fifths and octaves over all pairs,
    hidden ones between the outer parts, and crossed neighbours at ``after``. One count per move."""
    x, y = parts[:, before], parts[:, after]
    a, b = np.triu_indices(len(parts), 1)  # every pair of parts, upper first
    count = parallel_motion(x[a], x[b], y[a], y[b]).sum(0) + antiparallel_motion(x[a], x[b], y[a], y[b]).sum(0)
    if len(parts) > 2:
        count = count + hidden_motion(x[0], x[-1], y[0], y[-1])
    return count + crossed(y[:-1], y[1:]).sum(0)


def _moves_events(parts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """:func:`_events_between` for the moves into ``steps``; a move into the first step or past the end is none."""
    inside = (steps > 0) & (steps < parts.shape[1])
    out = np.zeros(len(steps), dtype=np.int64)
    if inside.any():
        out[inside] = _events_between(parts, steps[inside] - 1, steps[inside])
    return out


def add_passing_notes(decoded: Mapping[str, tuple[np.ndarray, np.ndarray]], probs: Mapping[str, np.ndarray],
                      lows: Mapping[str, int], melody: np.ndarray, steps_per_beat: int = STEPS_PER_BEAT,
                      bonus: float = 0.0,
                      fixed: Mapping[str, np.ndarray] | None = None,
                      steps: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Passing and neighbour notes on the half beat, where they improve the line by the network's own judgement:
    in every beat through which a generated voice holds a note, the second half of the beat may take another pitch
    within a major third of the held one (the one the network likes best there) if the network prefers it to
    holding (summed log-probability over those steps) and it adds no rule event (:func:`_events_at`: parallel,
    contrary or hidden fifths and octaves, crossings) against the melody or another voice, neither where it starts
    nor where the next beat begins. The chords on the beats are untouched, so a rule checked from beat to beat
    cannot be dodged. ``bonus`` (nats) is added to the network's score of a pitch between the held note and the
    next one (a passing note) when the candidates are compared. Voices are taken top to bottom, each seeing the
    ones already changed. With kept notes (``fixed`` as in :func:`decode_jointly`) a beat with a kept step of the
    voice is left alone, and a passing note may not cross a neighbouring voice at all (kept voices cannot make room;
    without ``fixed`` a crossing is one rule event among the others). With ``steps`` the new pitch lies a step (1–2
    semitones) from the held one, and the credit goes only to a passing note a step from the next note too, where the
    held and the next note are a third (3–4 semitones) apart. Returns ``{voice: (pitch, onset)}``.

    Notebook: 10_four_part_harmonization
    """
    voices = list(decoded)
    pitch = {v: np.asarray(decoded[v][0]).copy() for v in voices}
    onset = {v: np.asarray(decoded[v][1]).astype(bool).copy() for v in voices}
    melody = np.asarray(melody)
    half, offsets = steps_per_beat // 2, np.array([d for d in range(-4, 5) if d != 0 and (not steps or abs(d) < 3)])
    for row, v in enumerate(voices, start=1):  # row of the voice among the parts, the melody being row 0
        p, n = pitch[v], len(pitch[v])
        beats = n // steps_per_beat  # every whole beat; each is judged on its own steps (t - 1 .. e) only
        if beats == 0:
            continue
        logp = np.log(np.asarray(probs[v], dtype=np.float64)[:n] + 1e-12)
        classes, low = logp.shape[1], lows[v]
        t = np.arange(beats) * steps_per_beat
        m, e = t + half, t + steps_per_beat
        held = p[t].astype(np.int64)
        whole = p[:beats * steps_per_beat].reshape(beats, steps_per_beat)
        starts = onset[v][:beats * steps_per_beat].reshape(beats, steps_per_beat)
        alone = (held != REST) & (whole == held[:, None]).all(1) & ~starts[:, 1:].any(1)  # one note through the beat
        if fixed and v in fixed:
            kept = np.asarray(fixed[v])[:beats * steps_per_beat].reshape(beats, steps_per_beat)
            alone &= (kept == FREE).all(1)  # kept notes stay as they are
        near = held[:, None] + offsets  # (beats, 8) candidate pitches, lowest first
        usable = (near - low >= 0) & (near - low + 1 < classes)
        second = logp[:beats * steps_per_beat].reshape(beats, steps_per_beat, classes)[:, half:].sum(1)
        score = np.take_along_axis(second, np.clip(near - low + 1, 0, classes - 1), 1)
        nxt = np.where(e < n, p[np.minimum(e, n - 1)], REST).astype(np.int64)
        between = (nxt != REST)[:, None] & (np.minimum(held, nxt)[:, None] < near) & (
            near < np.maximum(held, nxt)[:, None])
        if steps:  # a true passing note: a step from each, filling a third
            between &= (np.abs(nxt[:, None] - near) < 3) & np.isin(np.abs(nxt - held), (3, 4))[:, None]
        score = np.where(usable, score + np.where(between, bonus, 0.0), -np.inf)  # credit: between held and next
        best = score.argmax(1)  # the first best, as max() over the candidates lowest first
        q = near[np.arange(beats), best]
        holding = np.take_along_axis(second, np.clip(held - low + 1, 0, classes - 1)[:, None], 1)[:, 0]
        chosen = np.flatnonzero(alone & usable.any(1) & (score[np.arange(beats), best] > holding))
        if len(chosen) == 0:
            continue  # the network would rather hold every note
        parts = np.stack([melody] + [pitch[u] for u in voices]).astype(np.int64)
        changed = parts.copy()
        span = m[chosen][:, None] + np.arange(steps_per_beat - half)
        changed[row, span] = q[chosen][:, None]
        worse = (_moves_events(changed, m[chosen]) + _moves_events(changed, e[chosen])
                 > _moves_events(parts, m[chosen]) + _moves_events(parts, e[chosen]))
        if fixed:  # kept voices cannot make room: a passing note may not cross a neighbouring voice at all
            worse |= (crossed(changed[:-1, m[chosen]], changed[1:, m[chosen]]).sum(0)
                      > crossed(parts[:-1, m[chosen]], parts[1:, m[chosen]]).sum(0))
        done = chosen[~worse]  # the others would break a rule: they keep the held note
        p[span[~worse]] = q[done][:, None]
        onset[v][m[done]] = True
        back = done[(e[done] < n)]
        onset[v][e[back[p[e[back]] == held[back]]]] = True  # back to the held pitch: a new note (a neighbour note)
    return {v: (pitch[v], onset[v]) for v in voices}


#: Joint decoding of notebook 10 for several voices, every penalty chosen there on the validation tunes: λ for
#: parallels and crossings, then μ for contrary and hidden fifths and octaves (:func:`~.penalty.choose_penalty`).
DEFAULT_VOICE_LEADING = VoiceLeading(parallel=3.0, crossing=3.0, candidates=4, hold="beat", contrary=3.0,
                                     hidden=3.0)
