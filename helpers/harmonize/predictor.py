"""The interface every harmonizer shares, network or baseline (notebooks 09 and 10): a :class:`Predictor` writes
output voices for the input voices of a piece in the normalised key; :meth:`Predictor.predict_chorale` does the key
normalisation around it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..chorales import VOICES, Chorale
from ..pianoroll import REST
from ..theory import normalising_shift
from .encoding import DEFAULT_OUTPUTS, STEPS_PER_BEAT, meter_steps


class Predictor:
    """Anything that writes output voices for the input voices of a piece in the normalised key.

    Subclasses implement :meth:`predict_normalised`; :meth:`predict_chorale` does the key normalisation.

    Notebook: 09_harmonization
    """

    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    steps_per_beat: int = STEPS_PER_BEAT

    def predict_normalised(self, pitches: Mapping[str, np.ndarray], onsets: Mapping[str, np.ndarray], major: bool,
                           anacrusis_steps: int = 0, bar_steps: int = 16) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` step sequences of the output voices (normalised key)."""
        raise NotImplementedError

    def predict_chorale(self, chorale: Chorale) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{voice: (pitch, onset)}`` for a chorale's soprano (and other inputs), in the chorale's own key, on the
        grid of ``chorale.steps(self.steps_per_beat)``."""
        shift = normalising_shift(chorale.tonic, chorale.mode)
        c = chorale.transpose(shift)
        pitch, onset = c.steps(self.steps_per_beat)
        ins = getattr(self, "inputs", ("Soprano",))
        out = self.predict_normalised({v: pitch[VOICES.index(v)] for v in ins},
                                      {v: onset[VOICES.index(v)] for v in ins}, c.mode == "major",
                                      *meter_steps(c, c.anacrusis, self.steps_per_beat))
        return {v: (np.where(p == REST, REST, p - shift), o) for v, (p, o) in out.items()}

    def predict_chorales(self, chorales: Sequence[Chorale]) -> list[dict[str, tuple[np.ndarray, np.ndarray]]]:
        """:meth:`predict_chorale` for each of ``chorales`` (the network overrides it with one batched call)."""
        return [self.predict_chorale(c) for c in chorales]
