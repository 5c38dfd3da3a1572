"""Choosing the voice-leading penalties of the joint decoder on validation tunes (notebook 10): the rule that chose
:data:`~helpers.harmonize.decoding.DEFAULT_VOICE_LEADING`, in one place, so that the notebook can check that its
choice is still the library's default. The notebook chooses in two sweeps: λ for parallels and crossings first
(compared with Bach on :data:`PARALLELS_AND_CROSSINGS`), then, with λ fixed, μ for contrary and hidden fifths and
octaves (compared with Bach on :data:`FULL_RULES`, so that μ may not bring the parallels or crossings back).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: The penalties (nats) tried on the validation tunes.
PENALTY_GRID = (0.0, 1.0, 3.0, 10.0, 30.0)
#: Groups of rates (keys of :func:`helpers.metrics.voice_leading_rates`) that :func:`choose_penalty` compares with
#: Bach's, each group added up: parallel fifths + octaves, and crossings.
PARALLELS_AND_CROSSINGS = (("parallel_fifths", "parallel_octaves"), ("crossings",))
#: The full rule set: also consecutive fifths + octaves by contrary motion, and hidden fifths + octaves.
FULL_RULES = PARALLELS_AND_CROSSINGS + (("contrary_fifths", "contrary_octaves"), ("hidden_fifths", "hidden_octaves"))


def parallels(rates: Mapping[str, float]) -> float:
    """Parallel fifths plus parallel octaves per 100 beats, from :func:`helpers.metrics.voice_leading_rates`.

    Notebook: 10_four_part_harmonization
    """
    return rates["parallel_fifths"] + rates["parallel_octaves"]


def choose_penalty(sweep: Mapping[float, Mapping[str, float]], bach: Mapping[str, float],
                   rules: Sequence[Sequence[str]] = PARALLELS_AND_CROSSINGS) -> float | None:
    """The smallest penalty of ``sweep`` (penalty → voice-leading rates per 100 beats on the validation tunes)
    whose rates are no more frequent than Bach's (``bach``, the same rates of Bach's voices on the same tunes) in
    every group of ``rules`` (each group's rates added up; default :data:`PARALLELS_AND_CROSSINGS`, or
    :data:`FULL_RULES`); None if no penalty gets there. Raises KeyError if a rate of ``rules`` is missing.

    Notebook: 10_four_part_harmonization
    """
    def total(rates: Mapping[str, float], group: Sequence[str]) -> float:
        return sum(rates[k] for k in group)

    ok = [lam for lam in sorted(sweep) if all(total(sweep[lam], g) <= total(bach, g) for g in rules)]
    return ok[0] if ok else None
