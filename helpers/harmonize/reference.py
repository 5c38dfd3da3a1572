"""Bach against Bach (notebooks 09 and 10): where two chorales carry the same soprano, score one of Bach's settings
against the other, exactly as a predictor is scored against Bach.

The figure says how much freedom the task leaves, not how far a predictor can go: if Bach's note at a step is a
draw from a distribution ``p``, two of his settings agree with probability ``sum(p**2)``, while a predictor that
always writes the most likely note scores ``max(p)``, which is never smaller. Pairs whose lower voices are (almost)
identical are one setting printed twice, not two harmonisations; :func:`is_same_setting` finds them so that they
can be left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..chorales import VOICES, Chorale
from ..metrics import chord_match_count
from ..pianoroll import REST
from .encoding import STEPS_PER_BEAT, normalise

#: The voices under the soprano, compared pair by pair.
LOWER_VOICES = ("Alto", "Tenor", "Bass")
#: Two sopranos are "the same" when their step sequences (normalised key) differ on at most this share of steps.
SAME_SOPRANO_MISMATCH = 0.02
#: Two settings are one setting printed twice when every lower voice agrees on at least this share of steps. At 95%
#: bwv248.35-3 and bwv248.35-3c (identical alto and tenor, the bass changed on 6% of the steps) counted as two
#: harmonisations; the next pair down differs on a quarter of the bass (notebook 09 shows the table).
SAME_SETTING_AGREEMENT = 0.90


@dataclass(frozen=True)
class BachPair:
    """Two chorales with the same soprano and how often their voices agree: ``agreement`` maps each compared voice,
    and ``"chord"`` (pitch classes of all four voices together), to the share of the soprano's sounding steps on
    which the two settings agree.

    Notebook: 09_harmonization
    """

    first: str
    second: str
    agreement: dict[str, float]


def same_soprano_pairs(chorales: Sequence[Chorale], max_mismatch: float = SAME_SOPRANO_MISMATCH,
                       steps_per_beat: int = STEPS_PER_BEAT) -> list[tuple[Chorale, Chorale]]:
    """Pairs of chorales of one melody group whose sopranos are the same after key normalisation: the same number of
    steps and at most ``max_mismatch`` of the steps with a different soprano pitch. The chorales are returned
    normalised (C major or A minor), in the order of ``chorales``.

    Notebook: 09_harmonization
    """
    by_group: dict[object, list[Chorale]] = {}
    for c in chorales:
        by_group.setdefault(c.group, []).append(normalise(c))
    pairs = []
    for pieces in by_group.values():
        steps = [p.steps(steps_per_beat)[0] for p in pieces]
        for i, a in enumerate(pieces):
            for j in range(i + 1, len(pieces)):
                pa, pb = steps[i], steps[j]
                if pa.shape == pb.shape and np.mean(pa[0] != pb[0]) <= max_mismatch:
                    pairs.append((a, pieces[j]))
    return pairs


def pair_agreement(a: Chorale, b: Chorale, voices: Sequence[str] = LOWER_VOICES,
                   steps_per_beat: int = STEPS_PER_BEAT) -> dict[str, float]:
    """How often two settings of one soprano agree, on the steps where ``a``'s soprano sounds: per voice the share
    of steps with the same pitch (or both resting), and ``"chord"``, the share of steps whose four voices sound the
    same pitch classes (:func:`helpers.metrics.chord_match_count`). Raises ValueError if the pieces differ in
    length.

    Notebook: 09_harmonization
    """
    pa, pb = a.steps(steps_per_beat)[0], b.steps(steps_per_beat)[0]
    if pa.shape != pb.shape:
        raise ValueError(f"{a.name} and {b.name} differ in length: {pa.shape[1]} and {pb.shape[1]} steps")
    return _agreement(pa, pb, voices)


def _agreement(pa: np.ndarray, pb: np.ndarray, voices: Sequence[str]) -> dict[str, float]:
    """:func:`pair_agreement` on step arrays ``(4, steps)`` of one length."""
    sounding = pa[0] != REST
    out = {v: float(np.mean(pa[VOICES.index(v)][sounding] == pb[VOICES.index(v)][sounding])) for v in voices}
    hits, total = chord_match_count({v: pa[k][sounding] for k, v in enumerate(VOICES)},
                                    {v: pb[k][sounding] for k, v in enumerate(VOICES)})
    out["chord"] = hits / total if total else 0.0
    return out


def is_same_setting(agreement: Mapping[str, float], voices: Sequence[str] = LOWER_VOICES,
                    threshold: float = SAME_SETTING_AGREEMENT) -> bool:
    """True when every one of ``voices`` agrees on at least ``threshold`` of the steps: the same setting printed
    twice (in two cantatas, or in two editions), not two harmonisations of the tune.

    Notebook: 09_harmonization
    """
    return all(agreement[v] >= threshold for v in voices)


def bach_against_bach(chorales: Sequence[Chorale], voices: Sequence[str] = LOWER_VOICES,
                      max_mismatch: float = SAME_SOPRANO_MISMATCH,
                      steps_per_beat: int = STEPS_PER_BEAT) -> list[BachPair]:
    """Every pair of :func:`same_soprano_pairs` with its :func:`pair_agreement` (near-identical pairs included;
    filter them with :func:`is_same_setting`).

    Notebook: 09_harmonization
    """
    return [BachPair(a.name, b.name, pair_agreement(a, b, voices, steps_per_beat))
            for a, b in same_soprano_pairs(chorales, max_mismatch, steps_per_beat)]


def references(chorale: Chorale, chorales: Sequence[Chorale], max_mismatch: float = SAME_SOPRANO_MISMATCH,
               steps_per_beat: int = STEPS_PER_BEAT) -> list[Chorale]:
    """Bach's settings of ``chorale``'s soprano among ``chorales``: the chorale itself first, then every chorale of
    its melody group whose soprano is the same after key normalisation (as :func:`same_soprano_pairs` decides),
    all normalised (C major or A minor).

    Notebook: 10_four_part_harmonization
    """
    own = normalise(chorale)
    soprano = own.steps(steps_per_beat)[0]
    found = [own]
    for c in chorales:
        if c.group != chorale.group or c.name == chorale.name:
            continue
        other = normalise(c)
        steps = other.steps(steps_per_beat)[0]
        if steps.shape == soprano.shape and np.mean(steps[0] != soprano[0]) <= max_mismatch:
            found.append(other)
    return found


def best_agreement(setting: Chorale, refs: Sequence[Chorale], voices: Sequence[str] = LOWER_VOICES,
                   steps_per_beat: int = STEPS_PER_BEAT) -> dict[str, float]:
    """Multi-reference agreement: per voice (and ``"chord"``) the best :func:`pair_agreement` of ``setting`` (a
    chorale with written voices, normalised here) against any of ``refs`` (:func:`references`), on the setting's
    steps where its soprano sounds. With one reference it is the ordinary per-step agreement.

    Notebook: 10_four_part_harmonization
    """
    own = normalise(setting).steps(steps_per_beat)[0]
    scores = []
    for r in refs:  # on the setting's steps; a reference voice that sounds on past them is cut, a shorter one padded
        theirs = r.steps(steps_per_beat)[0][:, :own.shape[1]]
        theirs = np.pad(theirs, ((0, 0), (0, own.shape[1] - theirs.shape[1])), constant_values=REST)
        scores.append(_agreement(own, theirs, voices))
    return {k: max(s[k] for s in scores) for k in scores[0]}
