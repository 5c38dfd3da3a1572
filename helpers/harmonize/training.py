"""Training the harmonizer with the course's settings (notebooks 09 and 10; the recipes of
:mod:`helpers.harmonize.recipes` train through it).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..chorales import Chorale
from .encoding import Encoding, fit_encoding, training_windows
from .model import Harmonizer
from .network import build_model

#: Settings of notebook 09's harmonizer (notebook 10 keeps them for three voices; the recipes start from them).
DEFAULT_TRAINING = {"units": 64, "epochs": 10, "window": 64, "hop": 32, "batch_size": 32}
#: The validation split notebook 10 carves from the training tunes: ``grouped_split(train, 0.15, seed=1)``.
VALIDATION_FRACTION, VALIDATION_SEED = 0.15, 1


def train_harmonizer(chorales: Sequence[Chorale], enc: Encoding | None = None, units: int = 64, layers: int = 1,
                     epochs: int = 10, batch_size: int = 32, window: int = 64, hop: int = 32,
                     validation: Sequence[Chorale] | None = None, dropout: float = 0.0, verbose: int = 0,
                     learning_rate: float = 3e-3,
                     transpositions: Sequence[int] = (0,)) -> tuple[Harmonizer, dict[str, list[float]]]:
    """Train a :class:`Harmonizer` on windows of ``chorales`` (alto by default; set ``enc`` for other voices).

    ``validation`` chorales (windows of them) give the validation curves. Returns the harmonizer and the Keras history
    dictionary. ``transpositions``: train also on these transpositions of each chorale that stay in range
    (:func:`~helpers.harmonize.encoding.training_windows`). Seed first (``keras.utils.set_random_seed``) for a
    repeatable result.

    Notebook: 09_harmonization
    """
    enc = enc or fit_encoding(chorales)
    X, y = training_windows(chorales, enc, window, hop, transpositions)
    val = training_windows(validation, enc, window, hop) if validation else None
    model = build_model(enc, units, layers, dropout, learning_rate)
    hist = model.fit(X, y, batch_size=batch_size, epochs=epochs, validation_data=val, verbose=verbose,
                     shuffle=True)
    return Harmonizer(model, enc), hist.history
