"""Choosing the voice-leading penalty λ of the joint decoder on validation tunes (notebook 10): the rule that chose
:data:`~helpers.harmonize.decoding.DEFAULT_VOICE_LEADING`, in one place, so that the notebook can check that its
choice is still the library's default.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The penalties (nats) tried on the validation tunes.
PENALTY_GRID = (0.0, 1.0, 3.0, 10.0, 30.0)


def parallels(rates: Mapping[str, float]) -> float:
    """Parallel fifths plus parallel octaves per 100 beats, from :func:`helpers.metrics.voice_leading_rates`.

    Notebook: 10_four_part_harmonization
    """
    return rates["parallel_fifths"] + rates["parallel_octaves"]


def choose_penalty(sweep: Mapping[float, Mapping[str, float]], bach: Mapping[str, float]) -> float | None:
    """The smallest penalty of ``sweep`` (penalty → voice-leading rates per 100 beats on the validation tunes)
    whose parallels and crossings are no more frequent than Bach's (``bach``, the same rates of Bach's voices on
    the same tunes); None if no penalty gets there.

    Notebook: 10_four_part_harmonization
    """
    ok = [lam for lam in sorted(sweep)
          if parallels(sweep[lam]) <= parallels(bach) and sweep[lam]["crossings"] <= bach["crossings"]]
    return ok[0] if ok else None
