"""Small things the melody and command tests build for themselves: generated chorales, a tiny harmonizer, a tiny
key classifier trained on generated scale melodies, and a data folder holding both (as ``data/models`` would)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from helpers import harmonize as H
from helpers import keyfinding as kf
from helpers.chorales import Chorale
from helpers.midi import Voice
from helpers.theory import key_number
from tests.conftest import make_chorale

MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])
HARMONIC_MINOR = np.array([0, 2, 3, 5, 7, 8, 11])
#: How the tests decode: hard voice order (nothing above the melody, no crossing).
ALTO_RULES = H.VoiceLeading(parallel=0, crossing=0, hold="beat", order=True, candidates=8)
SATB_RULES = replace(H.DEFAULT_VOICE_LEADING, order=True)


def scale_melody(seed: int, tonic: int = 0, mode: str = "major", n: int = 24, octave: int = 60) -> Voice:
    """A stepwise melody on the scale of a key, starting and ending on the tonic, quarter and half notes."""
    rng = np.random.default_rng(seed)
    scale = MAJOR if mode == "major" else HARMONIC_MINOR
    steps = rng.choice([-1, 1, -2, 2, 0], n - 3)
    degrees = np.clip(np.cumsum(np.r_[7, steps]), 3, 13)
    degrees = np.r_[degrees, 8, 6, 7]  # an approach from both sides and the tonic
    pitches = octave + tonic + scale[degrees % 7] + 12 * (degrees // 7) - 12
    lengths = rng.choice([1.0, 2.0], len(pitches), p=[0.8, 0.2])
    lengths[-1] = 2.0
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    return Voice("Melody", pitches, starts, starts + lengths)


def scale_chorale(seed: int, tonic: int = 0, mode: str = "major", group: int = 0) -> Chorale:
    """A generated four-part 'chorale' (:func:`tests.conftest.make_chorale`): a scale melody, the alto a third
    below it on the scale (so a function of the melody's scale degree), the tenor an octave under the alto, the bass
    two octaves under the melody. The melody starts on its tonic between G4 and F#5."""
    melody = scale_melody(seed, tonic, mode, octave=72 if tonic % 12 < 7 else 60)
    scale = MAJOR if mode == "major" else HARMONIC_MINOR
    degree = np.searchsorted(scale, (melody.pitches - tonic) % 12)
    third = (scale[degree] - scale[(degree - 2) % 7]) % 12
    return make_chorale(f"gen{seed}", melody, tonic=tonic, mode=mode, group=group, below=(third, third + 12, 24))


def generated_chorales(n: int = 10) -> list[Chorale]:
    """``n`` generated chorales in a few major and minor keys, each its own melody group."""
    return [scale_chorale(i, tonic=(i * 5) % 12, mode="minor" if i % 3 == 2 else "major", group=i) for i in range(n)]


def tiny_key_classifier(seed: int = 0):
    """A key classifier (notebook 08's model) trained in seconds on scale melodies in C major and A minor (the
    training moves them through all 12 keys)."""
    melodies = [(scale_melody(s, 0, "major"), (0, "major")) for s in range(40)]
    melodies += [(scale_melody(100 + s, 9, "minor"), (9, "minor")) for s in range(40)]
    X = np.stack([kf.features([m]) for m, _ in melodies])
    keys = np.array([key_number(*k) for _, k in melodies])
    return kf.train_key_classifier(X, keys, steps=300, seed=seed)


def tiny_harmonizers(seed: int = 0) -> dict[str, H.Harmonizer]:
    """A tiny alto and a tiny alto-tenor-bass harmonizer, decoded with the voice order as a hard rule."""
    import keras

    chorales = generated_chorales()
    keras.utils.set_random_seed(seed)
    alto, _ = H.train_harmonizer(chorales, units=8, epochs=2, window=32, hop=16)
    keras.utils.set_random_seed(seed + 1)
    enc = H.fit_encoding(chorales, outputs=("Alto", "Tenor", "Bass"))
    satb, _ = H.train_harmonizer(chorales, enc, units=8, epochs=2, window=32, hop=16)
    return {"alto": alto.with_voice_leading(ALTO_RULES), "satb": satb.with_voice_leading(SATB_RULES)}


def save_models(folder: Path, harmonizers: dict[str, H.Harmonizer], classifier) -> Path:
    """Save the harmonizers and the key classifier where the commands look for them in data folder ``folder``."""
    models = folder / "models"
    harmonizers["alto"].save(models / "harmonizer-alto.keras")
    harmonizers["satb"].save(models / "harmonizer-alto-tenor-bass.keras")
    kf.save_key_classifier(classifier, models / kf.MODEL_FILE)
    return folder
